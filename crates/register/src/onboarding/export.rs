//! Export requests (SPEC §11): an export of personal identifiers in clear needs a county
//! admin's approval (not the requester's own), any export downloads once, by its requester, and
//! the file carries who exported it and when. The state rules are plain functions.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::member_exports as x;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;

/// Where an export request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ExportStatus {
    Pending,
    Approved,
    Denied,
    Downloaded,
}

/// An export without identifiers in clear (masked values only) needs no second person.
pub fn initial_status(personal: bool) -> ExportStatus {
    if personal {
        ExportStatus::Pending
    } else {
        ExportStatus::Approved
    }
}

fn conflict(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::conflict(code, zh.to_owned(), en.to_owned())
}

/// Approving or denying: a pending request, by a county admin who did not request it.
pub fn check_decision(
    status: ExportStatus,
    requested_by: &str,
    role: Role,
    user_id: &str,
) -> Result<(), AppError> {
    if role != Role::CountyAdmin {
        return Err(AppError::new(
            poem::http::StatusCode::FORBIDDEN,
            "forbidden",
            "只有县级管理员可以审批导出",
            "Only a county admin may decide on exports",
        ));
    }
    if requested_by == user_id {
        return Err(conflict(
            "self_approval",
            "不能审批自己提出的导出申请，请由另一位县级管理员审批",
            "You cannot decide on your own export request; another county admin must",
        ));
    }
    if status != ExportStatus::Pending {
        return Err(conflict(
            "export_not_pending",
            "该导出申请已处理",
            "This export request has already been decided",
        ));
    }
    Ok(())
}

/// Downloading: an approved request, once.
pub fn check_download(status: ExportStatus) -> Result<(), AppError> {
    match status {
        ExportStatus::Approved => Ok(()),
        ExportStatus::Pending => Err(conflict(
            "export_not_approved",
            "导出申请尚未获批",
            "The export has not been approved yet",
        )),
        ExportStatus::Denied => Err(conflict(
            "export_denied",
            "导出申请已被拒绝",
            "The export request was denied",
        )),
        ExportStatus::Downloaded => Err(AppError::new(
            poem::http::StatusCode::GONE,
            "export_already_downloaded",
            "该导出文件已下载过，每次导出只能下载一次；如需再次导出请重新申请",
            "This export was already downloaded; each export downloads once",
        )),
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = x)]
pub struct ExportRow {
    pub tenant_id: String,
    pub id: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub reason: String,
    pub query: String,
    pub personal: bool,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub downloaded_at: Option<NaiveDateTime>,
    pub row_count: Option<i64>,
}

impl ExportRow {
    pub fn status(&self) -> ExportStatus {
        ExportStatus::parse(&self.status).unwrap_or(ExportStatus::Denied)
    }
}

pub fn insert(
    tx: &mut TenantTx<'_>,
    requested_by: &str,
    reason: &str,
    query: &str,
    personal: bool,
) -> DbResult<ExportRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    let status = initial_status(personal);
    let auto = status == ExportStatus::Approved;
    diesel::insert_into(x::table)
        .values((
            x::tenant_id.eq(&tid),
            x::id.eq(&id),
            x::requested_by.eq(requested_by),
            x::requested_at.eq(now),
            x::reason.eq(reason),
            x::query.eq(query),
            x::personal.eq(personal),
            x::status.eq(status.as_str()),
            x::decided_at.eq(auto.then_some(now)),
            x::decision_note.eq(auto.then_some("无个人信息明文，自动批准")),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("export vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<ExportRow>> {
    let tid = tx.tid().to_owned();
    Ok(x::table
        .filter(x::tenant_id.eq(tid).and(x::id.eq(id)))
        .select(ExportRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Newest first; `requested_by` limits to one user's requests.
pub fn list(
    tx: &mut TenantTx<'_>,
    page: &crate::api::PageRequest,
    requested_by: Option<&str>,
    status: Option<ExportStatus>,
) -> DbResult<Vec<ExportRow>> {
    let tid = tx.tid().to_owned();
    let mut q = x::table
        .filter(x::tenant_id.eq(tid))
        .select(ExportRow::as_select())
        .into_boxed();
    if let Some(u) = requested_by {
        q = q.filter(x::requested_by.eq(u.to_owned()));
    }
    if let Some(s) = status {
        q = q.filter(x::status.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(x::id.lt(after.clone()));
    }
    Ok(q.order(x::id.desc()).limit(page.fetch()).load(tx.conn())?)
}

/// Moves a request from `from` to `to`; zero rows changed means someone else moved it first.
pub fn transition(
    tx: &mut TenantTx<'_>,
    id: &str,
    from: ExportStatus,
    to: ExportStatus,
    decided_by: Option<&str>,
    note: Option<&str>,
    row_count: Option<i64>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let target = x::table.filter(
        x::tenant_id
            .eq(&tid)
            .and(x::id.eq(id))
            .and(x::status.eq(from.as_str())),
    );
    let n = if to == ExportStatus::Downloaded {
        diesel::update(target)
            .set((
                x::status.eq(to.as_str()),
                x::downloaded_at.eq(now),
                x::row_count.eq(row_count),
            ))
            .execute(tx.conn())?
    } else {
        diesel::update(target)
            .set((
                x::status.eq(to.as_str()),
                x::decided_by.eq(decided_by),
                x::decided_at.eq(now),
                x::decision_note.eq(note),
            ))
            .execute(tx.conn())?
    };
    if n == 0 {
        return Err(conflict(
            "export_not_pending",
            "该导出申请的状态已变化",
            "The export request changed meanwhile",
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn status_names_round_trip() {
        assert_str_enum::<ExportStatus>();
    }

    #[test]
    fn decisions_need_another_county_admin_and_a_pending_request() {
        use ExportStatus::*;
        assert!(check_decision(Pending, "a", Role::CountyAdmin, "b").is_ok());
        assert_eq!(
            check_decision(Pending, "a", Role::CountyAdmin, "a")
                .unwrap_err()
                .code,
            "self_approval"
        );
        assert_eq!(
            check_decision(Pending, "a", Role::BranchStaff, "b")
                .unwrap_err()
                .code,
            "forbidden"
        );
        for s in [Approved, Denied, Downloaded] {
            assert_eq!(
                check_decision(s, "a", Role::CountyAdmin, "b")
                    .unwrap_err()
                    .code,
                "export_not_pending"
            );
        }
    }

    #[test]
    fn downloads_once_and_only_when_approved() {
        use ExportStatus::*;
        assert!(check_download(Approved).is_ok());
        assert_eq!(
            check_download(Pending).unwrap_err().code,
            "export_not_approved"
        );
        assert_eq!(check_download(Denied).unwrap_err().code, "export_denied");
        let e = check_download(Downloaded).unwrap_err();
        assert_eq!(
            (e.code, e.status.as_u16()),
            ("export_already_downloaded", 410)
        );
        assert_eq!(initial_status(true), Pending);
        assert_eq!(initial_status(false), Approved);
    }
}
