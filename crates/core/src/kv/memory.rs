//! In-process store: a mutex-guarded map with lazy expiry plus a periodic sweep.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::KvResult;

#[derive(Debug)]
enum Value {
    Str(String),
    Set(BTreeSet<String>),
    Counter(u64),
}

#[derive(Debug)]
struct Entry {
    value: Value,
    expires: Instant,
}

#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
    bus: super::pubsub::Bus,
}

impl MemoryStore {
    pub async fn publish(&self, channel: &str, payload: &str) -> KvResult<()> {
        self.bus.send(channel, payload);
        Ok(())
    }

    pub async fn subscribe(
        &self,
        _prefix: &str,
    ) -> KvResult<tokio::sync::broadcast::Receiver<super::pubsub::Message>> {
        Ok(self.bus.subscribe())
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Amortised sweep keeps memory bounded without a background task.
        if map.len() > 10_000 && map.len().is_multiple_of(1024) {
            map.retain(|_, e| e.expires > now);
        }
        f(&mut map)
    }

    fn live(map: &mut HashMap<String, Entry>, key: &str) -> bool {
        match map.get(key) {
            Some(e) if e.expires > Instant::now() => true,
            Some(_) => {
                map.remove(key);
                false
            }
            None => false,
        }
    }

    pub async fn get(&self, key: &str) -> KvResult<Option<String>> {
        Ok(self.with(|m| {
            if !Self::live(m, key) {
                return None;
            }
            match m.get(key).map(|e| &e.value) {
                Some(Value::Str(s)) => Some(s.clone()),
                _ => None,
            }
        }))
    }

    /// Kept as long as the process lives (ten years stands in for "never").
    pub async fn set(&self, key: &str, value: &str) -> KvResult<()> {
        self.set_ex(key, value, Duration::from_secs(10 * 365 * 24 * 3600))
            .await
    }

    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<()> {
        self.with(|m| {
            m.insert(
                key.to_owned(),
                Entry {
                    value: Value::Str(value.to_owned()),
                    expires: Instant::now() + ttl,
                },
            );
        });
        Ok(())
    }

    pub async fn del(&self, key: &str) -> KvResult<()> {
        self.with(|m| m.remove(key));
        Ok(())
    }

    pub async fn sadd(&self, key: &str, member: &str, ttl: Duration) -> KvResult<()> {
        self.with(|m| {
            let expires = Instant::now() + ttl;
            if !Self::live(m, key) {
                m.insert(
                    key.to_owned(),
                    Entry {
                        value: Value::Set(BTreeSet::new()),
                        expires,
                    },
                );
            }
            if let Some(e) = m.get_mut(key) {
                if let Value::Set(s) = &mut e.value {
                    s.insert(member.to_owned());
                }
                e.expires = e.expires.max(expires);
            }
        });
        Ok(())
    }

    pub async fn smembers(&self, key: &str) -> KvResult<Vec<String>> {
        Ok(self.with(|m| {
            if !Self::live(m, key) {
                return Vec::new();
            }
            match m.get(key).map(|e| &e.value) {
                Some(Value::Set(s)) => s.iter().cloned().collect(),
                _ => Vec::new(),
            }
        }))
    }

    pub async fn srem(&self, key: &str, member: &str) -> KvResult<()> {
        self.with(|m| {
            if let Some(Entry {
                value: Value::Set(s),
                ..
            }) = m.get_mut(key)
            {
                s.remove(member);
            }
        });
        Ok(())
    }

    pub async fn incr_window(&self, key: &str, window: Duration) -> KvResult<(u64, u64)> {
        Ok(self.with(|m| {
            let now = Instant::now();
            if !Self::live(m, key) {
                m.insert(
                    key.to_owned(),
                    Entry {
                        value: Value::Counter(0),
                        expires: now + window,
                    },
                );
            }
            match m.get_mut(key) {
                Some(e) => {
                    let n = match &mut e.value {
                        Value::Counter(n) => {
                            *n += 1;
                            *n
                        }
                        _ => 1,
                    };
                    (n, e.expires.saturating_duration_since(now).as_secs().max(1))
                }
                None => (1, window.as_secs()),
            }
        }))
    }

    pub async fn decr_window(&self, key: &str) -> KvResult<()> {
        self.with(|m| {
            if Self::live(m, key)
                && let Some(Entry {
                    value: Value::Counter(n),
                    ..
                }) = m.get_mut(key)
            {
                *n = n.saturating_sub(1);
            }
        });
        Ok(())
    }

    pub async fn peek_window(&self, key: &str) -> KvResult<(u64, u64)> {
        Ok(self.with(|m| {
            if !Self::live(m, key) {
                return (0, 0);
            }
            match m.get(key) {
                Some(Entry {
                    value: Value::Counter(n),
                    expires,
                }) => (
                    *n,
                    expires
                        .saturating_duration_since(Instant::now())
                        .as_secs()
                        .max(1),
                ),
                _ => (0, 0),
            }
        }))
    }

    pub async fn ping(&self) -> KvResult<()> {
        Ok(())
    }
}
