//! Restoring a county's export, in one transaction: nothing lands unless all of it does and
//! its audit chain verifies.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use shuanglian_core::db::{Db, Mode};
use shuanglian_core::security::MasterKey;
use shuanglian_core::tenant::TenantId;
use shuanglian_http::audit::{self, Actor, Verdict};
use shuanglian_http::privacy::keys;
use shuanglian_register::tenancy::{DivisionCode, TenantStatus, repo};

use crate::archive::{self, Reader};
use crate::catalog::{self, Table};
use crate::{fields, invalid, refuse, rows};

/// Where the county goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// Its own id and code (a fresh deployment, or after its deletion here).
    Same,
    /// A new tenant with this division code and name.
    New { code: String, name: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSummary {
    pub tenant_id: String,
    pub code: String,
    pub rows: u64,
    pub audit_entries: u64,
}

pub async fn restore(
    db: &Db,
    master: &MasterKey,
    file: &Path,
    identity: &str,
    target: Target,
) -> anyhow::Result<RestoreSummary> {
    let identity = archive::parse_identity(identity)?;
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let (mut reader, header) = Reader::open(input, &identity)?;
    let master = *master.bytes();
    let index: [u8; 32] = STANDARD
        .decode(&header.index_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| anyhow::anyhow!("the export's index key is malformed"))?;
    let (id, code, name) = match &target {
        Target::Same => (
            TenantId::parse(&header.county.id)
                .ok_or_else(|| anyhow::anyhow!("the export's county id is malformed"))?,
            header.county.code.clone(),
            header.county.name.clone(),
        ),
        Target::New { code, name } => (
            TenantId::new(),
            code.clone(),
            name.clone().unwrap_or_else(|| header.county.name.clone()),
        ),
    };
    let code = DivisionCode::parse("code", &code).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let origin = header.county.id.clone();
    let chain = header.audit_chain.clone();
    let summary = db
        .platform(Mode::Write, move |tx| {
            if repo::get(tx, id.as_str())?.is_some() {
                return Err(refuse(
                    "tenant_exists",
                    "该县（同一标识）已在本部署中；请先删除，或恢复为新县（--new-code）",
                    "this county (same id) exists in this deployment; delete it first or restore under a new code (--new-code)",
                ));
            }
            let row = repo::insert_as(tx, &id, &code, &name)?;
            let mut ct = tx.enter_tenant(id.clone())?;
            let tid = ct.tid().to_owned();
            let county_keys = keys::install_restored(&mut ct, &master, &index)?;
            let here: Vec<Table> = catalog::county_tables(ct.conn()).map_err(invalid)?;
            let mut sections = std::collections::BTreeMap::new();
            while let Some((section, rs)) = reader.next_table().map_err(invalid)? {
                sections.insert(section.table.clone(), (section, rs));
            }
            let (mut total, mut entries) = (0u64, 0u64);
            // In this deployment's dependency order, whatever order the file had.
            for table in &here {
                let Some((section, mut rs)) = sections.remove(&table.name) else { continue };
                // The file's columns, each of which must exist here with the same kind; a
                // column added here since keeps its default.
                for c in &section.columns {
                    match table.columns.iter().find(|h| h.name == c.name) {
                        Some(h) if h.kind == c.kind => {}
                        _ => return Err(invalid(format!("{}.{} does not exist here as {:?}", table.name, c.name, c.kind))),
                    }
                }
                let mut t = table.clone();
                t.columns = section.columns.clone();
                let tenant_col = t.index_of("tenant_id").ok_or_else(|| invalid(format!("{} has no tenant_id", t.name)))?;
                let chain_col = (t.name == "audit_log").then(|| t.index_of("chain_id")).flatten();
                for r in &mut rs {
                    for (v, c) in r.iter_mut().zip(&t.columns) {
                        *v = rows::canonical(c.kind, std::mem::take(v))
                            .map_err(|e| invalid(format!("{}.{}: {e}", t.name, c.name)))?;
                    }
                    r[tenant_col] = Value::String(tid.clone());
                    if let Some(i) = chain_col {
                        // The chain's hashes cover the county it began in.
                        if r[i].is_null() && chain != tid {
                            r[i] = Value::String(chain.clone());
                        }
                    }
                    fields::seal_row(&t, r, &county_keys).map_err(invalid)?;
                }
                if t.name == "audit_log" {
                    entries = rs.len() as u64;
                }
                total += rs.len() as u64;
                let rs = rows::parents_first(&t, rs);
                rows::insert(ct.conn(), &t, &rs).map_err(invalid)?;
            }
            if let Some(name) = sections.keys().next() {
                return Err(invalid(format!("table {name} of the export does not exist here")));
            }
            audit::record(
                &mut ct,
                &Actor::cli(),
                "county.restored",
                "tenant",
                &tid,
                None,
                serde_json::json!({ "from": origin, "rows": total }),
            )?;
            match audit::verify(&mut ct)? {
                Verdict::Intact { .. } => {}
                Verdict::Broken { seq, reason } => {
                    return Err(refuse(
                        "audit_chain_broken",
                        format!("恢复后的审计链在第 {seq} 条不成立（{reason}），未做任何修改"),
                        format!("the restored audit chain breaks at entry {seq} ({reason}); nothing was changed"),
                    ));
                }
            }
            drop(ct);
            // Restored suspended: the operator looks before the county's staff sign in again.
            repo::update(tx, &row.id, None, None, Some(TenantStatus::Suspended))?;
            Ok(RestoreSummary {
                tenant_id: row.id,
                code: row.code,
                rows: total,
                audit_entries: entries + 1,
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(summary)
}
