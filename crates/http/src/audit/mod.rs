//! The append-only, hash-chained audit log (SPEC §11): who changed, unmasked or exported what,
//! when, and why. Entries are written in the same transaction as the change they describe.
//! Details name fields and ids, never personal values.

pub mod api;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};
use shuanglian_core::enums::StrEnum;

use crate::api::PageRequest;
use crate::auth::Principal;
use shuanglian_core::db::schema::audit_log as a;
use shuanglian_core::db::{AnyConnection, DbResult, TenantTx};

/// The hash before the first entry of a county.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted: a signed-in user, or a shell command.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub role: String,
}

impl Actor {
    pub fn of(p: &Principal) -> Self {
        Self {
            id: p.user_id.clone(),
            role: p.role.as_str().to_owned(),
        }
    }

    pub fn cli() -> Self {
        Self {
            id: "cli".to_owned(),
            role: "shell".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AuditRow {
    pub tenant_id: String,
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub reason: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The county whose chain this entry continues when that is not its own: a county restored
    /// under a new tenant keeps its chain, whose hashes cover the original id. NULL otherwise.
    pub chain_id: Option<String>,
}

/// The chain hash of an entry: SHA-256 over the previous hash and every field, length-prefixed
/// so no two different entries serialise alike.
pub fn chain_hash(r: &AuditRow) -> String {
    let mut h = Sha256::new();
    let at = r.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let seq = r.seq.to_string();
    let reason = r.reason.clone().unwrap_or_default();
    for part in [
        r.prev_hash.as_str(),
        r.chain_id.as_deref().unwrap_or(&r.tenant_id),
        seq.as_str(),
        r.id.as_str(),
        at.as_str(),
        r.actor_id.as_str(),
        r.actor_role.as_str(),
        r.action.as_str(),
        r.entity.as_str(),
        r.entity_id.as_str(),
        reason.as_str(),
        r.details.as_str(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// One entry to append: what was done to which record, and why.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub reason: Option<&'a str>,
    pub details: serde_json::Value,
}

/// Appends an entry to the county's chain.
pub fn record(
    tx: &mut TenantTx<'_>,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    reason: Option<&str>,
    details: serde_json::Value,
) -> DbResult<()> {
    record_many(
        tx,
        actor,
        &[Entry {
            action,
            entity,
            entity_id,
            reason,
            details,
        }],
    )
}

/// Appends entries in order, reading the chain's head once and inserting in batches: an import
/// of 50,000 members writes 50,000 entries without 50,000 round trips for the head.
pub fn record_many(tx: &mut TenantTx<'_>, actor: &Actor, entries: &[Entry<'_>]) -> DbResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let tid = tx.tid().to_owned();
    // Appends to one county's chain take turns (SQLite serialises writers already).
    if let AnyConnection::Postgresql(pg) = tx.conn() {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<Text, _>(&tid)
            .execute(pg)?;
    }
    let last: Option<(i64, String, Option<String>)> = a::table
        .filter(a::tenant_id.eq(&tid))
        .select((a::seq, a::hash, a::chain_id))
        .order(a::seq.desc())
        .first(tx.conn())
        .optional()?;
    let (mut seq, mut prev_hash, chain_id) = last.unwrap_or((0, GENESIS.to_owned(), None));
    // Microseconds: what both databases keep, so the hash verifies after a round trip.
    let at = Utc::now().naive_utc().trunc_subsecs(6);
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let mut row = AuditRow {
            tenant_id: tid.clone(),
            seq,
            id: uuid::Uuid::now_v7().to_string(),
            at,
            actor_id: actor.id.clone(),
            actor_role: actor.role.clone(),
            action: e.action.to_owned(),
            entity: e.entity.to_owned(),
            entity_id: e.entity_id.to_owned(),
            reason: e.reason.map(str::to_owned),
            details: e.details.to_string(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
            chain_id: chain_id.clone(),
        };
        row.hash = chain_hash(&row);
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    // 14 columns a row: 1,000 rows stay under both backends' bind-parameter limits.
    for chunk in rows.chunks(1000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    a::tenant_id.eq(&row.tenant_id),
                    a::seq.eq(row.seq),
                    a::id.eq(&row.id),
                    a::at.eq(row.at),
                    a::actor_id.eq(&row.actor_id),
                    a::actor_role.eq(&row.actor_role),
                    a::action.eq(&row.action),
                    a::entity.eq(&row.entity),
                    a::entity_id.eq(&row.entity_id),
                    a::reason.eq(&row.reason),
                    a::details.eq(&row.details),
                    a::prev_hash.eq(&row.prev_hash),
                    a::hash.eq(&row.hash),
                    a::chain_id.eq(&row.chain_id),
                )
            })
            .collect();
        shuanglian_core::insert_rows!(tx.conn(), a::table, values)?;
    }
    Ok(())
}

pub fn list(
    tx: &mut TenantTx<'_>,
    page: &PageRequest,
    entity_id: Option<&str>,
    action: Option<&str>,
) -> DbResult<Vec<AuditRow>> {
    let tid = tx.tid().to_owned();
    let mut q = a::table
        .filter(a::tenant_id.eq(tid))
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(e) = entity_id {
        q = q.filter(a::entity_id.eq(e.to_owned()));
    }
    if let Some(action) = action {
        q = q.filter(a::action.eq(action.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(a::id.gt(after.clone()));
    }
    Ok(q.order(a::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// The outcome of recomputing a county's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        entries: u64,
    },
    /// The first entry whose hash, link or sequence does not hold.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

/// Recomputes the chain in batches, oldest first.
pub fn verify(tx: &mut TenantTx<'_>) -> DbResult<Verdict> {
    let tid = tx.tid().to_owned();
    let (mut prev, mut expected_seq, mut n) = (GENESIS.to_owned(), 1i64, 0u64);
    // Every entry continues the chain the first one started.
    let mut chain: Option<Option<String>> = None;
    loop {
        let batch: Vec<AuditRow> = a::table
            .filter(a::tenant_id.eq(&tid).and(a::seq.ge(expected_seq)))
            .select(AuditRow::as_select())
            .order(a::seq.asc())
            .limit(1000)
            .load(tx.conn())?;
        if batch.is_empty() {
            return Ok(Verdict::Intact { entries: n });
        }
        for r in batch {
            if r.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: "missing entry",
                });
            }
            if *chain.get_or_insert_with(|| r.chain_id.clone()) != r.chain_id {
                return Ok(Verdict::Broken {
                    seq: r.seq,
                    reason: "entry of another chain",
                });
            }
            if r.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: r.seq,
                    reason: "link to the previous entry broken",
                });
            }
            if chain_hash(&r) != r.hash {
                return Ok(Verdict::Broken {
                    seq: r.seq,
                    reason: "entry altered",
                });
            }
            prev = r.hash;
            expected_seq += 1;
            n += 1;
        }
    }
}
