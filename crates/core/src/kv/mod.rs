//! Key-value store for sessions, lockout counters and rate limits: Redis when `REDIS_URL` is set,
//! otherwise an in-process implementation of the same operations (single replica only).
//!
//! Keys are built only by [`Keys`], which puts the tenant into every key that concerns tenant
//! data (`<prefix>:t:<tenant-id>:…`), so nothing read under one county's key can belong to
//! another.

mod memory;
pub mod pubsub;
mod redis_store;

use std::time::Duration;

pub use memory::MemoryStore;
pub use redis_store::RedisStore;

use crate::tenant::TenantId;

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

pub type KvResult<T> = Result<T, KvError>;

/// The store. An enum rather than a trait object: two implementations, async methods, no boxing.
#[derive(Clone)]
pub enum Kv {
    Memory(MemoryStore),
    Redis(RedisStore),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Kv::Memory($s) => $e,
            Kv::Redis($s) => $e,
        }
    };
}

impl Kv {
    pub async fn connect(redis_url: Option<&str>) -> anyhow::Result<Kv> {
        Ok(match redis_url {
            Some(url) => Kv::Redis(RedisStore::connect(url).await?),
            None => Kv::Memory(MemoryStore::default()),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Kv::Memory(_) => "memory",
            Kv::Redis(_) => "redis",
        }
    }

    pub async fn get(&self, key: &str) -> KvResult<Option<String>> {
        dispatch!(self, s => s.get(key).await)
    }

    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<()> {
        dispatch!(self, s => s.set_ex(key, value, ttl).await)
    }

    /// A value that never expires (what it describes never changes, e.g. a frozen snapshot);
    /// the key must name everything the value depends on.
    pub async fn set(&self, key: &str, value: &str) -> KvResult<()> {
        dispatch!(self, s => s.set(key, value).await)
    }

    pub async fn del(&self, key: &str) -> KvResult<()> {
        dispatch!(self, s => s.del(key).await)
    }

    /// Adds a member to a set and extends the set's lifetime to at least `ttl`.
    pub async fn sadd(&self, key: &str, member: &str, ttl: Duration) -> KvResult<()> {
        dispatch!(self, s => s.sadd(key, member, ttl).await)
    }

    pub async fn smembers(&self, key: &str) -> KvResult<Vec<String>> {
        dispatch!(self, s => s.smembers(key).await)
    }

    pub async fn srem(&self, key: &str, member: &str) -> KvResult<()> {
        dispatch!(self, s => s.srem(key, member).await)
    }

    /// Fixed-window counter: increments and returns the count, and the seconds left in the
    /// window (the window starts at the first increment).
    pub async fn incr_window(&self, key: &str, window: Duration) -> KvResult<(u64, u64)> {
        dispatch!(self, s => s.incr_window(key, window).await)
    }

    /// Gives back one increment of a window counter that is still running (never below zero,
    /// never re-creating an expired window).
    pub async fn decr_window(&self, key: &str) -> KvResult<()> {
        dispatch!(self, s => s.decr_window(key).await)
    }

    /// Current count and seconds left, without incrementing.
    pub async fn peek_window(&self, key: &str) -> KvResult<(u64, u64)> {
        dispatch!(self, s => s.peek_window(key).await)
    }

    pub async fn ping(&self) -> KvResult<()> {
        dispatch!(self, s => s.ping().await)
    }

    /// Publishes to a channel (Redis PUBLISH, or the in-process bus).
    pub async fn publish(&self, channel: &str, payload: &str) -> KvResult<()> {
        dispatch!(self, s => s.publish(channel, payload).await)
    }

    /// Every message published to a channel starting with `prefix` from now on (with Redis:
    /// by any replica).
    pub async fn subscribe(
        &self,
        prefix: &str,
    ) -> KvResult<tokio::sync::broadcast::Receiver<pubsub::Message>> {
        dispatch!(self, s => s.subscribe(prefix).await)
    }
}

/// Whose key it is: a county's, or the platform's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Tenant(TenantId),
    Platform,
}

impl Scope {
    fn segment(&self) -> String {
        match self {
            Scope::Tenant(t) => format!("t:{}", t.as_str()),
            Scope::Platform => "p".to_owned(),
        }
    }
}

/// The only place keys are spelled.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    pub fn session(&self, scope: &Scope, token_hash: &str) -> String {
        format!("{}:{}:sess:{token_hash}", self.prefix, scope.segment())
    }

    pub fn user_sessions(&self, scope: &Scope, user_id: &str) -> String {
        format!("{}:{}:usess:{user_id}", self.prefix, scope.segment())
    }

    pub fn failed_signins(&self, scope: &Scope, username: &str) -> String {
        // Hash the user name: keys are visible to whoever operates Redis.
        format!(
            "{}:{}:fail:{}",
            self.prefix,
            scope.segment(),
            crate::security::digest(username)
        )
    }

    /// The live-update channel of a county, or of the platform.
    pub fn events(&self, scope: &Scope) -> String {
        format!("{}:ev:{}", self.prefix, scope.segment())
    }

    /// What every events channel starts with.
    pub fn events_prefix(&self) -> String {
        format!("{}:ev:", self.prefix)
    }

    /// Where a replica announces a revoked or changed session (payload: the token digest) so
    /// that every replica's session cache drops it. Under the events prefix, so the process's
    /// one pub/sub subscription hears it; event subscribers skip it, as it carries no event.
    pub fn session_revocations(&self) -> String {
        format!("{}:ev:-sessions", self.prefix)
    }

    pub fn signin_rate(&self, client: &str) -> String {
        format!(
            "{}:rl:signin:{}",
            self.prefix,
            crate::security::digest(client)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_keys_carry_the_tenant_and_differ_between_tenants() {
        let k = Keys::new("sl");
        let a = Scope::Tenant(TenantId::new());
        let b = Scope::Tenant(TenantId::new());
        assert_ne!(k.session(&a, "h"), k.session(&b, "h"));
        assert!(k.session(&a, "h").contains(&a.segment()));
        assert_ne!(
            k.failed_signins(&a, "admin"),
            k.failed_signins(&Scope::Platform, "admin")
        );
        assert!(!k.failed_signins(&a, "admin").contains("admin"));
    }

    #[tokio::test]
    async fn memory_store_semantics() {
        let kv = Kv::Memory(MemoryStore::default());
        kv.set_ex("a", "1", Duration::from_secs(60))
            .await
            .expect("set");
        assert_eq!(kv.get("a").await.expect("get").as_deref(), Some("1"));
        kv.del("a").await.expect("del");
        assert_eq!(kv.get("a").await.expect("get"), None);
        kv.set_ex("e", "1", Duration::from_millis(20))
            .await
            .expect("set");
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(kv.get("e").await.expect("get"), None, "expired keys vanish");
        assert_eq!(
            kv.incr_window("c", Duration::from_secs(60))
                .await
                .expect("incr")
                .0,
            1
        );
        assert_eq!(
            kv.incr_window("c", Duration::from_secs(60))
                .await
                .expect("incr")
                .0,
            2
        );
        assert_eq!(kv.peek_window("c").await.expect("peek").0, 2);
        kv.decr_window("c").await.expect("decr");
        assert_eq!(kv.peek_window("c").await.expect("peek").0, 1);
        kv.decr_window("gone").await.expect("decr");
        assert_eq!(kv.peek_window("gone").await.expect("peek"), (0, 0));
        kv.sadd("s", "x", Duration::from_secs(60))
            .await
            .expect("sadd");
        kv.sadd("s", "y", Duration::from_secs(60))
            .await
            .expect("sadd");
        kv.srem("s", "x").await.expect("srem");
        assert_eq!(
            kv.smembers("s").await.expect("smembers"),
            vec!["y".to_owned()]
        );
    }
}
