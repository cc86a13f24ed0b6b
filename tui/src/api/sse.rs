//! Reads `text/event-stream` (the `data:` lines of each event; comments and other fields are
//! skipped), and keeps a subscription alive across lost connections.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::Client;
use super::types::LiveEvent;

/// Splits a growing buffer into complete events: returns the data of each event ended by a
/// blank line and leaves a partial event in `buf`.
pub fn drain_events(buf: &mut String) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let norm = buf.replace("\r\n", "\n");
        let Some(end) = norm.find("\n\n") else {
            *buf = norm;
            return out;
        };
        let block = &norm[..end];
        let data: Vec<&str> = block
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        if !data.is_empty() {
            out.push(data.join("\n"));
        }
        *buf = norm[end + 2..].to_owned();
    }
}

/// What the subscription tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    Connected,
    Event(LiveEvent),
    /// The stream broke; the subscriber reconnects by itself.
    Lost(String),
    /// The server refused the subscription (e.g. 401 after sign-out): stop.
    Refused(u16),
}

/// Follows `GET /events` until the receiver is gone or the server refuses; reconnects with
/// backoff (1 s doubling to 15 s) after a lost connection.
pub async fn follow(client: Client, tx: mpsc::Sender<Feed>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        match client.events().await {
            Ok(resp) => {
                backoff = Duration::from_secs(1);
                if tx.send(Feed::Connected).await.is_err() {
                    return;
                }
                let mut stream = resp.bytes_stream();
                let mut buf = String::new();
                let why = loop {
                    match stream.next().await {
                        Some(Ok(chunk)) => {
                            buf.push_str(&String::from_utf8_lossy(&chunk));
                            for data in drain_events(&mut buf) {
                                if let Ok(ev) = serde_json::from_str::<LiveEvent>(&data)
                                    && tx.send(Feed::Event(ev)).await.is_err()
                                {
                                    return;
                                }
                            }
                        }
                        Some(Err(e)) => break e.without_url().to_string(),
                        None => break "stream ended".to_owned(),
                    }
                };
                if tx.send(Feed::Lost(why)).await.is_err() {
                    return;
                }
            }
            Err(super::ApiError::Problem(p)) if p.status == 401 || p.status == 403 => {
                let _ = tx.send(Feed::Refused(p.status)).await;
                return;
            }
            Err(e) => {
                if tx.send(Feed::Lost(format!("{e:?}"))).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(15));
    }
}

#[cfg(test)]
mod tests {
    use super::drain_events;

    #[test]
    fn splits_events_and_keeps_the_rest() {
        let mut b = String::from(": ping\n\ndata: {\"a\":1}\n\ndata: {\"b\"");
        assert_eq!(drain_events(&mut b), vec!["{\"a\":1}".to_owned()]);
        assert_eq!(b, "data: {\"b\"");
        b.push_str(":2}\r\n\r\n");
        assert_eq!(drain_events(&mut b), vec!["{\"b\":2}".to_owned()]);
        assert!(b.is_empty());
    }
}
