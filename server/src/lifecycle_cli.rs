//! `shuanglian tenant export | restore | delete | certificate | keygen`: a county's data
//! lifecycle from the operator's shell (crates/lifecycle).

use crate::cli::{TenantAction, cli_state};
use crate::config::Settings;
use crate::security::MasterKey;
use shuanglian_lifecycle::{Target, archive, certificate};

/// Runs a lifecycle command; hands any other tenant command back.
pub(crate) async fn run(
    settings: &Settings,
    action: TenantAction,
) -> anyhow::Result<Option<TenantAction>> {
    let needs_db = matches!(
        action,
        TenantAction::Export { .. }
            | TenantAction::Restore { .. }
            | TenantAction::Delete { .. }
            | TenantAction::Certificate { .. }
    );
    if let TenantAction::Keygen { out } = &action {
        if out.exists() {
            anyhow::bail!("{} 已存在，未覆盖 / exists, not overwritten", out.display());
        }
        let (file, public) = archive::keygen();
        write_private(out, &file)?;
        println!(
            "私钥已写入 / private key written to {} (由县保管 / the county keeps it)",
            out.display()
        );
        println!("公钥 / public key: {public}");
        return Ok(None);
    }
    if !needs_db {
        return Ok(Some(action));
    }
    // The real master key: data restored under an ephemeral one would be unreadable later.
    let master = MasterKey::load(&settings.security, None)?;
    let state = cli_state(settings.clone(), master).await?;
    let db = &state.db;
    let key = &state.master_key;
    match action {
        TenantAction::Export {
            code,
            recipient,
            out,
        } => {
            let s = shuanglian_lifecycle::export(db, key, &code, &recipient, &out, "cli").await?;
            println!(
                "已导出 / exported {} {}: {} tables, {} rows, {} audit entries → {}",
                s.county.code,
                s.county.name,
                s.tables,
                s.rows,
                s.audit_entries,
                s.path.display()
            );
        }
        TenantAction::Restore {
            file,
            identity,
            new_code,
            new_name,
        } => {
            let identity = std::fs::read_to_string(&identity)?;
            let target = match new_code {
                Some(code) => Target::New {
                    code,
                    name: new_name,
                },
                None => Target::Same,
            };
            let s = shuanglian_lifecycle::restore(db, key, &file, &identity, target).await?;
            println!(
                "已恢复 / restored {} (id {}): {} rows, audit chain verified ({} entries); \
                 the county is suspended: shuanglian tenant reactivate --code {}",
                s.code, s.tenant_id, s.rows, s.audit_entries, s.code
            );
        }
        TenantAction::Delete {
            code,
            confirm,
            certificate_out,
        } => {
            let signed = shuanglian_lifecycle::delete(db, key, &code, &confirm, "cli").await?;
            std::fs::write(&certificate_out, serde_json::to_string_pretty(&signed)?)?;
            let cert = certificate::verify(&signed, &certificate::public_key(key.bytes()))
                .map_err(|e| anyhow::anyhow!(e))?;
            println!(
                "已删除 / deleted {}: {} keys destroyed, {} rows deleted; audit log kept until {}; \
                 certificate → {}",
                code,
                cert.keys_destroyed.len(),
                cert.rows_deleted.values().sum::<u64>(),
                cert.audit_log.retained_until,
                certificate_out.display()
            );
        }
        TenantAction::Certificate { code, file } => {
            let public = certificate::public_key(key.bytes());
            if let Some(file) = file {
                let signed: certificate::Signed =
                    serde_json::from_str(&std::fs::read_to_string(&file)?)?;
                let cert = certificate::verify(&signed, &public).map_err(|e| anyhow::anyhow!(e))?;
                println!(
                    "证书有效 / certificate verifies: {} {} deleted {} by {}",
                    cert.county.code, cert.county.name, cert.deleted_at, cert.deleted_by
                );
            } else if let Some(code) = code {
                let signed = shuanglian_lifecycle::certificate_of(db, &code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("{code} 未删除 / was not deleted"))?;
                println!("{}", serde_json::to_string_pretty(&signed)?);
                println!("公钥 / public key: {public}");
            }
        }
        other => return Ok(Some(other)),
    }
    Ok(None)
}

/// The county's private key: readable by its owner only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}
