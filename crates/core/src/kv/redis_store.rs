//! Redis store over a multiplexed, auto-reconnecting connection manager.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::KvResult;

#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    client: redis::Client,
    bus: super::pubsub::Bus,
    /// Set once this process's PSUBSCRIBE listener runs.
    listening: std::sync::Arc<tokio::sync::OnceCell<()>>,
}

impl RedisStore {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client =
            redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid REDIS_URL: {e}"))?;
        let conn = tokio::time::timeout(
            Duration::from_secs(10),
            ConnectionManager::new(client.clone()),
        )
        .await
        .map_err(|_| anyhow::anyhow!("timed out connecting to Redis"))?
        .map_err(|e| anyhow::anyhow!("cannot connect to Redis: {e}"))?;
        Ok(Self {
            conn,
            client,
            bus: Default::default(),
            listening: Default::default(),
        })
    }

    pub async fn publish(&self, channel: &str, payload: &str) -> KvResult<()> {
        let _: i64 = self.conn.clone().publish(channel, payload).await?;
        Ok(())
    }

    pub async fn subscribe(
        &self,
        prefix: &str,
    ) -> KvResult<tokio::sync::broadcast::Receiver<super::pubsub::Message>> {
        // Subscribe to the bus before the listener may start, so nothing it forwards is missed.
        let rx = self.bus.subscribe();
        let pattern = format!("{prefix}*");
        self.listening
            .get_or_try_init(|| {
                super::pubsub::listen(self.client.clone(), pattern, self.bus.clone())
            })
            .await?;
        Ok(rx)
    }

    pub async fn get(&self, key: &str) -> KvResult<Option<String>> {
        Ok(self.conn.clone().get(key).await?)
    }

    pub async fn set(&self, key: &str, value: &str) -> KvResult<()> {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> KvResult<()> {
        let ms = ttl.as_millis().max(1) as u64;
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(ms)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub async fn del(&self, key: &str) -> KvResult<()> {
        let _: () = self.conn.clone().del(key).await?;
        Ok(())
    }

    pub async fn sadd(&self, key: &str, member: &str, ttl: Duration) -> KvResult<()> {
        let secs = ttl.as_secs().max(1) as i64;
        let _: () = redis::pipe()
            .atomic()
            .sadd(key, member)
            .ignore()
            .cmd("EXPIRE")
            .arg(key)
            .arg(secs)
            .arg("GT")
            .ignore()
            .cmd("EXPIRE")
            .arg(key)
            .arg(secs)
            .arg("NX")
            .ignore()
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub async fn smembers(&self, key: &str) -> KvResult<Vec<String>> {
        Ok(self.conn.clone().smembers(key).await?)
    }

    pub async fn srem(&self, key: &str, member: &str) -> KvResult<()> {
        let _: () = self.conn.clone().srem(key, member).await?;
        Ok(())
    }

    pub async fn incr_window(&self, key: &str, window: Duration) -> KvResult<(u64, u64)> {
        let secs = window.as_secs().max(1) as i64;
        let (n, ttl): (u64, i64) = redis::pipe()
            .atomic()
            .incr(key, 1u64)
            .cmd("EXPIRE")
            .arg(key)
            .arg(secs)
            .arg("NX")
            .ignore()
            .ttl(key)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok((n, ttl.max(1) as u64))
    }

    pub async fn decr_window(&self, key: &str) -> KvResult<()> {
        // One script, so a window that expires meanwhile is not re-created without a TTL.
        const SCRIPT: &str = "if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 \
             then return redis.call('DECR', KEYS[1]) else return 0 end";
        let _: i64 = redis::cmd("EVAL")
            .arg(SCRIPT)
            .arg(1)
            .arg(key)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    pub async fn peek_window(&self, key: &str) -> KvResult<(u64, u64)> {
        let (n, ttl): (Option<u64>, i64) = redis::pipe()
            .get(key)
            .ttl(key)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok((n.unwrap_or(0), ttl.max(0) as u64))
    }

    pub async fn ping(&self) -> KvResult<()> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }
}
