//! A county's data lifecycle under PIPL (issue 17 item 6), for the platform operator:
//!
//! - [`export`]: every row of the county (found from the catalog, so no table is forgotten), its
//!   personal fields in clear and its audit chain, in one file encrypted to a key the county
//!   holds ([`archive`]);
//! - [`restore`]: that file into a fresh deployment (same id) or under a new tenant, in one
//!   transaction, re-encrypted under new keys, the audit chain verified before it commits;
//! - [`delete`]: crypto-shredding (the county's keys destroyed), then its rows deleted, and a
//!   signed certificate ([`certificate`]); the audit log is kept for its retention period
//!   ([`purge_expired_audit`]) and then purged.

pub mod archive;
pub mod catalog;
pub mod certificate;
mod delete;
mod export;
pub mod fields;
mod restore;
pub mod rows;

pub use delete::{AUDIT_RETENTION_DAYS, certificate_of, county_rows, delete, purge_expired_audit};
pub use export::{ExportSummary, export};
pub use restore::{RestoreSummary, Target, restore};

use poem::http::StatusCode;
use shuanglian_core::error::{AppError, DbError};

/// A lifecycle step that cannot go on: the transaction rolls back and nothing changes.
pub(crate) fn refuse(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> DbError {
    AppError::new(StatusCode::CONFLICT, code, zh.into(), en.into()).into()
}

/// The county with this division code, or 409 `tenant_not_found`.
pub(crate) fn county(
    tx: &mut shuanglian_core::db::PlatformTx<'_>,
    code: &str,
) -> Result<shuanglian_register::tenancy::repo::TenantRow, DbError> {
    shuanglian_register::tenancy::repo::by_code(tx, code)?.ok_or_else(|| {
        refuse(
            "tenant_not_found",
            format!("没有代码为 {code} 的县"),
            format!("no county {code}"),
        )
    })
}

/// Something in the data or the file that does not fit (a bad archive, a broken key).
pub(crate) fn invalid(e: impl std::fmt::Display) -> DbError {
    let msg = e.to_string();
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "lifecycle_invalid",
        format!("无法完成：{msg}"),
        format!("cannot complete: {msg}"),
    )
    .into()
}
