//! Sessions in the key-value store: `<prefix>:<scope>:sess:<token-digest>` holds the record with
//! the token's lifetime as TTL; `<prefix>:<scope>:usess:<user>` indexes a user's sessions so they
//! can be listed and revoked. Deleting the record revokes the token at once: every change goes
//! through here, which evicts it from this process's [`SessionCache`] and tells the other
//! replicas to (module session_cache).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;
use super::session_cache::SessionCache;
use super::token;
use shuanglian_core::kv::{Keys, Kv, KvResult, Scope};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    pub role: Role,
    pub tenant_code: Option<String>,
    pub province_code: Option<String>,
    pub must_change_password: bool,
    /// The account must have a second factor and has none yet: only enrolment is open.
    /// (Default: records written before second factors existed.)
    #[serde(default)]
    pub totp_enrolment_required: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Sessions {
    kv: Kv,
    keys: Keys,
    ttl: Duration,
    cache: SessionCache,
}

impl Sessions {
    /// With the Redis store, starts the session cache's revocation listener (needs a runtime).
    pub fn new(kv: Kv, keys: Keys, ttl: Duration, cache_ttl: Duration) -> Self {
        let cache = SessionCache::for_store(&kv, &keys, cache_ttl);
        Self {
            kv,
            keys,
            ttl,
            cache,
        }
    }

    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Creates a session; returns the token (shown once) and the record.
    #[allow(clippy::too_many_arguments)]
    pub async fn create(
        &self,
        scope: &Scope,
        user_id: &str,
        role: Role,
        tenant_code: Option<String>,
        province_code: Option<String>,
        must_change_password: bool,
        totp_enrolment_required: bool,
    ) -> KvResult<(String, SessionRecord)> {
        let (tok, digest) = token::issue(scope);
        let now = Utc::now();
        let rec = SessionRecord {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_owned(),
            role,
            tenant_code,
            province_code,
            must_change_password,
            totp_enrolment_required,
            created_at: now,
            expires_at: now + chrono::Duration::seconds(self.ttl.as_secs() as i64),
        };
        self.write(scope, &digest, &rec).await?;
        self.kv
            .sadd(&self.keys.user_sessions(scope, user_id), &digest, self.ttl)
            .await?;
        Ok((tok, rec))
    }

    async fn write(&self, scope: &Scope, digest: &str, rec: &SessionRecord) -> KvResult<()> {
        let left = (rec.expires_at - Utc::now())
            .to_std()
            .unwrap_or(Duration::from_secs(1));
        let json = serde_json::to_string(rec).unwrap_or_default();
        self.kv
            .set_ex(&self.keys.session(scope, digest), &json, left)
            .await?;
        self.forget(digest).await
    }

    /// Drops a changed or revoked session from every replica's cache: here before returning,
    /// elsewhere through pub/sub.
    async fn forget(&self, digest: &str) -> KvResult<()> {
        self.cache.evict(digest);
        if let Kv::Redis(_) = self.kv {
            self.kv
                .publish(&self.keys.session_revocations(), digest)
                .await?;
        }
        Ok(())
    }

    /// The live session for a presented token, if any.
    pub async fn resolve(&self, token: &str) -> KvResult<Option<(Scope, String, SessionRecord)>> {
        let Some((scope, digest)) = token::parse(token) else {
            return Ok(None);
        };
        if let Some((cached_scope, rec)) = self.cache.get(&digest) {
            // The digest covers the whole token, scope included; compared all the same.
            if cached_scope == scope && rec.expires_at > Utc::now() {
                return Ok(Some((scope, digest, rec)));
            }
        }
        let epoch = self.cache.epoch();
        let Some(json) = self.kv.get(&self.keys.session(&scope, &digest)).await? else {
            return Ok(None);
        };
        let Ok(rec) = serde_json::from_str::<SessionRecord>(&json) else {
            return Ok(None);
        };
        if rec.expires_at <= Utc::now() {
            return Ok(None);
        }
        self.cache.insert(epoch, &digest, &scope, &rec);
        Ok(Some((scope, digest, rec)))
    }

    pub async fn clear_password_flag(
        &self,
        scope: &Scope,
        digest: &str,
        rec: &SessionRecord,
    ) -> KvResult<()> {
        let mut rec = rec.clone();
        rec.must_change_password = false;
        self.write(scope, digest, &rec).await
    }

    /// Lifts the enrolment gate of this session once its second factor is active.
    pub async fn clear_totp_flag(
        &self,
        scope: &Scope,
        digest: &str,
        rec: &SessionRecord,
    ) -> KvResult<()> {
        let mut rec = rec.clone();
        rec.totp_enrolment_required = false;
        self.write(scope, digest, &rec).await
    }

    pub async fn revoke(&self, scope: &Scope, digest: &str, user_id: &str) -> KvResult<()> {
        self.kv.del(&self.keys.session(scope, digest)).await?;
        self.forget(digest).await?;
        self.kv
            .srem(&self.keys.user_sessions(scope, user_id), digest)
            .await
    }

    /// A user's live sessions with their digests; drops index entries whose session expired.
    pub async fn list(
        &self,
        scope: &Scope,
        user_id: &str,
    ) -> KvResult<Vec<(String, SessionRecord)>> {
        let idx = self.keys.user_sessions(scope, user_id);
        let mut out = Vec::new();
        for digest in self.kv.smembers(&idx).await? {
            match self.kv.get(&self.keys.session(scope, &digest)).await? {
                Some(json) => {
                    if let Ok(rec) = serde_json::from_str::<SessionRecord>(&json) {
                        out.push((digest, rec));
                    }
                }
                None => self.kv.srem(&idx, &digest).await?,
            }
        }
        out.sort_by_key(|a| a.1.created_at);
        Ok(out)
    }

    /// Revokes every session of a user except, optionally, one (by digest). Returns how many.
    pub async fn revoke_all(
        &self,
        scope: &Scope,
        user_id: &str,
        except: Option<&str>,
    ) -> KvResult<usize> {
        let mut n = 0;
        for (digest, _) in self.list(scope, user_id).await? {
            if Some(digest.as_str()) != except {
                self.revoke(scope, &digest, user_id).await?;
                n += 1;
            }
        }
        Ok(n)
    }
}
