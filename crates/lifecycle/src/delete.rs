//! Deleting a county with proof: its keys destroyed (crypto-shredding), its rows deleted, a
//! signed certificate issued, all in one transaction. The audit log alone is kept, for
//! [`AUDIT_RETENTION_DAYS`], then purged by [`purge_expired_audit`].

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::Text;
use shuanglian_core::clock;
use shuanglian_core::db::schema::{audit_log as a, county_deletions as d};
use shuanglian_core::db::{AnyConnection, Db, Mode};
use shuanglian_core::security::MasterKey;
use shuanglian_http::privacy::keys;
use shuanglian_register::tenancy::{TenantStatus, repo};

use crate::archive::County;
use crate::certificate::{self, AuditRetention, Certificate, Signed};
use crate::{catalog, invalid, refuse};

/// How long a deleted county's audit entries are kept: at least six months (网络安全法
/// 第二十一条, 留存相关的网络日志不少于六个月), counted from each entry.
pub const AUDIT_RETENTION_DAYS: i64 = 183;

diesel::define_sql_function! {
    #[sql_name = "shuanglian_purge_audit"]
    fn purge_audit(county: Text, before: diesel::sql_types::Timestamp) -> diesel::sql_types::BigInt;
}

/// Deletes the suspended county `code` (typed twice: `confirm` must equal it) and returns its
/// signed certificate.
pub async fn delete(
    db: &Db,
    master: &MasterKey,
    code: &str,
    confirm: &str,
    by: &str,
) -> anyhow::Result<Signed> {
    if code != confirm {
        anyhow::bail!(
            "确认代码与县代码不一致，未做任何修改 / the confirmation does not match the code; nothing was changed"
        );
    }
    let master = *master.bytes();
    let code = code.to_owned();
    let by = by.to_owned();
    db.platform(Mode::Write, move |tx| {
        let t = crate::county(tx, &code)?;
        if repo::deleted(tx, &t.id)? {
            return Err(refuse(
                "tenant_deleted",
                "该县的数据已删除",
                "this county's data was deleted already",
            ));
        }
        if t.status() != TenantStatus::Suspended {
            return Err(refuse(
                "tenant_not_suspended",
                "请先停用该县（shuanglian tenant suspend），再删除其数据",
                "suspend the county first (shuanglian tenant suspend), then delete its data",
            ));
        }
        let now = clock::now().naive_utc();
        let mut ct = tx.enter_tenant(t.tenant_id())?;
        // 1. Crypto-shredding: whatever copy of a personal field survives is unreadable now.
        let destroyed = keys::destroy_all(&mut ct)?;
        // 2. The rows, children first; the audit log stays for its retention.
        let tables = catalog::county_tables(ct.conn()).map_err(invalid)?;
        let mut deleted = std::collections::BTreeMap::new();
        for table in tables.iter().rev() {
            if table.name == "audit_log" || table.name == "tenant_keys" {
                continue;
            }
            let n = crate::rows::delete(ct.conn(), table, &t.id)?;
            if n > 0 {
                deleted.insert(table.name.clone(), n as u64);
            }
        }
        let head: Option<(i64, String, chrono::NaiveDateTime)> = a::table
            .filter(a::tenant_id.eq(&t.id))
            .select((a::seq, a::hash, a::at))
            .order(a::seq.desc())
            .first(ct.conn())
            .optional()?;
        drop(ct);
        let (entries, head, last_at) = head.unwrap_or((0, String::new(), now));
        let retained_until = clock::china_date_of(last_at) + Duration::days(AUDIT_RETENTION_DAYS);
        let signed = certificate::sign(
            &master,
            Certificate {
                format: certificate::FORMAT.to_owned(),
                version: 1,
                county: County::of(&t),
                deleted_at: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
                deleted_by: by.clone(),
                keys_destroyed: destroyed,
                rows_deleted: deleted,
                audit_log: AuditRetention {
                    entries: entries as u64,
                    head,
                    retained_until: retained_until.to_string(),
                },
                public_key: String::new(),
            },
        );
        diesel::insert_into(d::table)
            .values((
                d::county_id.eq(&t.id),
                d::deleted_at.eq(now),
                d::deleted_by.eq(&by),
                d::certificate.eq(&signed.certificate),
                d::signature.eq(&signed.signature),
            ))
            .execute(tx.conn())?;
        Ok(signed)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The signed certificate of a deleted county, if it was deleted.
pub async fn certificate_of(db: &Db, code: &str) -> anyhow::Result<Option<Signed>> {
    let code = code.to_owned();
    db.platform(Mode::Read, move |tx| {
        let Some(t) = repo::by_code(tx, &code)? else {
            return Ok(None);
        };
        Ok(d::table
            .filter(d::county_id.eq(&t.id))
            .select((d::certificate, d::signature))
            .first::<(String, String)>(tx.conn())
            .optional()?
            .map(|(certificate, signature)| Signed {
                certificate,
                signature,
            }))
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Purges the audit entries of deleted counties that are older than the retention on `today`
/// (China); returns how many. The server's housekeeping runs it daily.
pub async fn purge_expired_audit(db: &Db, today: NaiveDate) -> anyhow::Result<u64> {
    let cutoff = clock::china_day_end(today - Duration::days(AUDIT_RETENTION_DAYS + 1));
    db.platform(Mode::Write, move |tx| {
        let ids: Vec<String> = d::table.select(d::county_id).load(tx.conn())?;
        let mut n = 0u64;
        for id in ids {
            n += match tx.conn() {
                // The application role cannot delete audit entries; this function can, and
                // only a deleted county's (migration 000230).
                AnyConnection::Postgresql(c) => {
                    diesel::select(purge_audit(&id, cutoff)).get_result::<i64>(c)? as u64
                }
                conn => diesel::delete(a::table.filter(a::tenant_id.eq(&id).and(a::at.lt(cutoff))))
                    .execute(conn)? as u64,
            };
        }
        Ok(n)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Rows per county table for one county (after a deletion: what is left).
pub async fn county_rows(
    db: &Db,
    tenant_id: &str,
) -> anyhow::Result<std::collections::BTreeMap<String, u64>> {
    let id = shuanglian_core::tenant::TenantId::parse(tenant_id)
        .ok_or_else(|| anyhow::anyhow!("not a county id"))?;
    db.platform(Mode::Read, move |tx| {
        let mut ct = tx.enter_tenant(id)?;
        let tid = ct.tid().to_owned();
        let tables = catalog::county_tables(ct.conn()).map_err(invalid)?;
        let mut out = std::collections::BTreeMap::new();
        for t in &tables {
            out.insert(t.name.clone(), crate::rows::count(ct.conn(), t, &tid)?);
        }
        Ok(out)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}
