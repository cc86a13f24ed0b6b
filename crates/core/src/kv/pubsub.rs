//! Publish/subscribe for live updates. Subscribers in this process read one local broadcast
//! (`Bus`); with Redis, one PSUBSCRIBE connection per process feeds that bus from every replica's
//! PUBLISH, so the interface is the same with or without Redis.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::broadcast;

use super::KvResult;

/// Sent on the bus by this process (never published) when the Redis pub/sub connection drops:
/// messages from other replicas may be missed until [`CONNECTION_RESUMED`].
pub const CONNECTION_LOST: &str = "\u{0}pubsub:lost";
/// Sent on the bus by this process once the listener has subscribed again.
pub const CONNECTION_RESUMED: &str = "\u{0}pubsub:resumed";

/// A published message: the channel it went to and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: String,
    pub payload: String,
}

/// The in-process fan-out. A slow subscriber that falls more than `CAPACITY` messages behind
/// skips the oldest (the console then reloads), and never holds up publishers.
#[derive(Clone)]
pub struct Bus {
    tx: broadcast::Sender<Message>,
}

const CAPACITY: usize = 1024;

impl Default for Bus {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Bus {
    pub fn send(&self, channel: &str, payload: &str) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(Message {
            channel: channel.to_owned(),
            payload: payload.to_owned(),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Message> {
        self.tx.subscribe()
    }
}

/// Starts the process's PSUBSCRIBE listener for `pattern` and returns once Redis has confirmed
/// the subscription, so nothing published after `subscribe` returns is missed. The listener
/// reconnects by itself when the connection drops.
pub(super) async fn listen(client: redis::Client, pattern: String, bus: Bus) -> KvResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(&pattern).await?;
    tokio::spawn(async move {
        loop {
            {
                let mut messages = pubsub.on_message();
                while let Some(m) = messages.next().await {
                    if let Ok(payload) = m.get_payload::<String>() {
                        bus.send(m.get_channel_name(), &payload);
                    }
                }
            }
            tracing::warn!("redis pub/sub connection lost; reconnecting");
            bus.send(CONNECTION_LOST, "");
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                match client.get_async_pubsub().await {
                    Ok(mut p) => {
                        if p.psubscribe(&pattern).await.is_ok() {
                            pubsub = p;
                            bus.send(CONNECTION_RESUMED, "");
                            break;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "redis pub/sub reconnect failed"),
                }
            }
        }
    });
    Ok(())
}
