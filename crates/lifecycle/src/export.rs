//! The county's full export (see [`crate::archive`] for the file).

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;
use secrecy::ExposeSecret;
use shuanglian_core::db::schema::audit_log as a;
use shuanglian_core::db::{Db, Mode};
use shuanglian_core::security::MasterKey;
use shuanglian_http::privacy::keys;
use shuanglian_register::tenancy::repo;

use crate::archive::{self, County, Header, Writer};
use crate::{catalog, fields, invalid, refuse, rows};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub county: County,
    pub tables: usize,
    pub rows: u64,
    pub audit_entries: u64,
    pub path: PathBuf,
}

/// Exports the county with division code `code` to `out`, encrypted to `recipient` (the
/// county's age public key). The file appears only when complete (written beside, then
/// renamed). Runs in one read transaction: a consistent picture of the county.
pub async fn export(
    db: &Db,
    master: &MasterKey,
    code: &str,
    recipient: &str,
    out: &Path,
    by: &str,
) -> anyhow::Result<ExportSummary> {
    let recipient = archive::parse_recipient(recipient)?;
    let master = *master.bytes();
    let code = code.to_owned();
    let by = by.to_owned();
    let backend = db.backend().name().to_owned();
    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial)?;
    let path = partial.clone();
    let result = db
        .platform(Mode::Read, move |tx| {
            let t = crate::county(tx, &code)?;
            if repo::deleted(tx, &t.id)? {
                return Err(refuse(
                    "tenant_deleted",
                    "该县的数据已删除，没有可导出的数据",
                    "this county's data was deleted; there is nothing to export",
                ));
            }
            let county = County::of(&t);
            let mut ct = tx.enter_tenant(t.tenant_id())?;
            let county_keys = keys::load(&mut ct, &master)?;
            let index = keys::index_key(&mut ct, &master)?;
            let head: Option<(i64, String, Option<String>)> = a::table
                .filter(a::tenant_id.eq(&t.id))
                .select((a::seq, a::hash, a::chain_id))
                .order(a::seq.desc())
                .first(ct.conn())
                .optional()?;
            let (entries, audit_head, chain) = head.unwrap_or((0, String::new(), None));
            let mut w = Writer::new(std::io::BufWriter::new(file), &recipient).map_err(invalid)?;
            w.header(&Header {
                format: archive::FORMAT.to_owned(),
                version: archive::VERSION,
                county: county.clone(),
                exported_at: chrono::Utc::now()
                    .naive_utc()
                    .format("%Y-%m-%dT%H:%M:%S")
                    .to_string(),
                exported_by: by,
                source_backend: backend,
                index_key: STANDARD.encode(index.expose_secret()),
                audit_chain: chain.unwrap_or_else(|| t.id.clone()),
                audit_head,
            })
            .map_err(invalid)?;
            let tables = catalog::county_tables(ct.conn()).map_err(invalid)?;
            let (mut n_tables, mut n_rows) = (0usize, 0u64);
            for table in &tables {
                // Keys are never exported wrapped: the restore makes its own (see restore).
                if table.name == "tenant_keys" {
                    continue;
                }
                let unlisted = fields::unlisted(table);
                if !unlisted.is_empty() {
                    return Err(invalid(format!(
                        "encrypted columns not in the lifecycle registry: {unlisted:?}"
                    )));
                }
                let mut rs = rows::read(ct.conn(), table, &t.id).map_err(invalid)?;
                for r in &mut rs {
                    fields::open_row(table, r, &county_keys).map_err(invalid)?;
                }
                w.table(&table.name, &table.columns, &rs).map_err(invalid)?;
                n_tables += 1;
                n_rows += rs.len() as u64;
            }
            let out = w.finish().map_err(invalid)?;
            out.into_inner()
                .map_err(|e| invalid(e.error()))?
                .sync_all()
                .map_err(invalid)?;
            Ok(ExportSummary {
                county,
                tables: n_tables,
                rows: n_rows,
                audit_entries: entries as u64,
                path: path.clone(),
            })
        })
        .await;
    match result {
        Ok(mut s) => {
            std::fs::rename(&partial, out)?;
            s.path = out.to_path_buf();
            Ok(s)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(anyhow::anyhow!("{e}"))
        }
    }
}
