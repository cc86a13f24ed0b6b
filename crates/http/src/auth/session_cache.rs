//! Verified sessions held in this process for a few seconds, so that a burst of requests with
//! one token does not wait on Redis for a record it read a moment ago (issue 18: the Redis
//! round trip was a fixed share of every authenticated request).
//!
//! Revocation stays immediate:
//! - every change to a session goes through [`super::session::Sessions`], which evicts here
//!   before it returns and publishes the token digest on [`Keys::session_revocations`];
//! - every replica's one pub/sub listener hears that and evicts too;
//! - a read that raced a revocation never refills the cache: it inserts only if no eviction
//!   happened since it began (`epoch`);
//! - while the pub/sub connection is down, a revocation elsewhere could be missed, so the cache
//!   is emptied and bypassed until the listener is back.
//!
//! Only the Redis store uses it: the in-process store is as near as this cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shuanglian_core::kv::{Keys, Kv, Scope, pubsub};

use super::session::SessionRecord;

/// Entries held at most; a full cache is emptied (a county has hundreds of live sessions).
const CAPACITY: usize = 10_000;

struct Inner {
    /// How long a verified record is reused (`auth.session_cache_secs`): it bounds what a
    /// missed message could cost.
    ttl: Duration,
    map: Mutex<HashMap<String, (Scope, SessionRecord, Instant)>>,
    /// Incremented on every eviction: a read that began before it must not insert.
    epoch: AtomicU64,
    /// The pub/sub listener is subscribed: revocations from other replicas reach us.
    online: AtomicBool,
}

#[derive(Clone, Default)]
pub struct SessionCache {
    inner: Option<Arc<Inner>>,
}

impl SessionCache {
    /// A cache for the Redis store, fed by its revocation messages; none for the in-process one
    /// or with a zero `ttl`.
    pub fn for_store(kv: &Kv, keys: &Keys, ttl: Duration) -> SessionCache {
        if !matches!(kv, Kv::Redis(_)) || ttl.is_zero() {
            return SessionCache::default();
        }
        let inner = Arc::new(Inner::new(ttl));
        tokio::spawn(listen(kv.clone(), keys.clone(), Arc::downgrade(&inner)));
        SessionCache { inner: Some(inner) }
    }

    /// The current epoch, to pass to [`Self::insert`] after reading the store.
    pub fn epoch(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, |i| i.epoch.load(Ordering::SeqCst))
    }

    pub fn get(&self, digest: &str) -> Option<(Scope, SessionRecord)> {
        let inner = self.inner.as_ref()?;
        if !inner.online.load(Ordering::SeqCst) {
            return None;
        }
        let map = inner.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(digest) {
            Some((scope, rec, at)) if at.elapsed() < inner.ttl => {
                Some((scope.clone(), rec.clone()))
            }
            _ => None,
        }
    }

    /// Keeps a record just read from the store, unless an eviction happened since `epoch`.
    pub fn insert(&self, epoch: u64, digest: &str, scope: &Scope, rec: &SessionRecord) {
        let Some(inner) = self.inner.as_ref() else {
            return;
        };
        if !inner.online.load(Ordering::SeqCst) {
            return;
        }
        let mut map = inner.map.lock().unwrap_or_else(|p| p.into_inner());
        // Checked under the lock: `evict` bumps the epoch while holding it.
        if inner.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            digest.to_owned(),
            (scope.clone(), rec.clone(), Instant::now()),
        );
    }

    pub fn evict(&self, digest: &str) {
        if let Some(inner) = &self.inner {
            evict(inner, Some(digest));
        }
    }
}

impl Inner {
    fn new(ttl: Duration) -> Inner {
        Inner {
            ttl,
            map: Mutex::default(),
            epoch: AtomicU64::default(),
            online: AtomicBool::default(),
        }
    }
}

fn evict(inner: &Inner, digest: Option<&str>) {
    let mut map = inner.map.lock().unwrap_or_else(|p| p.into_inner());
    inner.epoch.fetch_add(1, Ordering::SeqCst);
    match digest {
        Some(d) => {
            map.remove(d);
        }
        None => map.clear(),
    }
}

/// Follows the revocations published by every replica (and the listener's own connection state)
/// for as long as the cache exists.
async fn listen(kv: Kv, keys: Keys, cache: std::sync::Weak<Inner>) {
    let channel = keys.session_revocations();
    let mut rx = loop {
        match kv.subscribe(&keys.events_prefix()).await {
            Ok(rx) => break rx,
            Err(e) => {
                tracing::warn!(error = %e, "session cache: cannot subscribe to revocations; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        if cache.strong_count() == 0 {
            return;
        }
    };
    if let Some(c) = cache.upgrade() {
        c.online.store(true, Ordering::SeqCst);
    }
    loop {
        let msg = rx.recv().await;
        let Some(c) = cache.upgrade() else { return };
        match msg {
            Ok(m) if m.channel == channel => evict(&c, Some(&m.payload)),
            Ok(m) if m.channel == pubsub::CONNECTION_LOST => {
                c.online.store(false, Ordering::SeqCst);
                evict(&c, None);
            }
            Ok(m) if m.channel == pubsub::CONNECTION_RESUMED => {
                evict(&c, None);
                c.online.store(true, Ordering::SeqCst);
            }
            Ok(_) => {}
            // Fell behind the bus: whatever was missed may have been a revocation.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => evict(&c, None),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                c.online.store(false, Ordering::SeqCst);
                evict(&c, None);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SessionRecord {
        SessionRecord {
            id: "s".into(),
            user_id: "u".into(),
            role: super::super::Role::CountyAdmin,
            tenant_code: None,
            province_code: None,
            must_change_password: false,
            totp_enrolment_required: false,
            created_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
        }
    }

    fn online() -> SessionCache {
        let inner = Arc::new(Inner::new(Duration::from_secs(5)));
        inner.online.store(true, Ordering::SeqCst);
        SessionCache { inner: Some(inner) }
    }

    #[test]
    fn a_read_that_raced_an_eviction_does_not_refill_the_cache() {
        let c = online();
        let before = c.epoch();
        c.evict("d");
        c.insert(before, "d", &Scope::Platform, &record());
        assert!(c.get("d").is_none());
        c.insert(c.epoch(), "d", &Scope::Platform, &record());
        assert!(c.get("d").is_some());
        c.evict("d");
        assert!(c.get("d").is_none());
    }

    #[test]
    fn offline_the_cache_is_bypassed() {
        let c = online();
        c.insert(c.epoch(), "d", &Scope::Platform, &record());
        let inner = c.inner.as_ref().expect("a cache");
        inner.online.store(false, Ordering::SeqCst);
        evict(inner, None);
        assert!(c.get("d").is_none());
        c.insert(c.epoch(), "d", &Scope::Platform, &record());
        assert!(c.get("d").is_none(), "nothing is kept while offline");
        // No cache at all (the in-process store): never a hit.
        let none = SessionCache::default();
        none.insert(0, "d", &Scope::Platform, &record());
        assert!(none.get("d").is_none());
    }
}
