//! The server-sent event stream.

use std::time::Duration;

use serde_json::Value;

use crate::TestApp;

/// An open `GET /api/v1/events` stream (server-sent events).
pub struct Events {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buf: String,
    ended: bool,
}

impl Events {
    /// Opens the stream, asserting 200 and `text/event-stream`.
    pub async fn open(app: &TestApp, token: &str) -> Events {
        use futures_util::StreamExt;
        let r = app
            .client
            .get(app.url("/api/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .expect("events");
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/event-stream")
        );
        Events {
            stream: r.bytes_stream().map(|c| c.map(|b| b.to_vec())).boxed(),
            buf: String::new(),
            ended: false,
        }
    }

    /// The next event within `wait`, or None (nothing came, or the stream ended).
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        use futures_util::StreamExt;
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).expect("event json"));
                }
                continue;
            }
            if self.ended {
                return None;
            }
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            match tokio::time::timeout(left, self.stream.next()).await {
                Ok(Some(Ok(b))) => self.buf.push_str(&String::from_utf8_lossy(&b)),
                Ok(None | Some(Err(_))) => self.ended = true,
                Err(_) => return None,
            }
        }
    }

    /// Whether the server ends the stream within `wait` (events still queued are skipped).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = std::time::Instant::now() + wait;
        while !self.ended {
            let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
                return false;
            };
            self.next(left).await;
        }
        true
    }
}
