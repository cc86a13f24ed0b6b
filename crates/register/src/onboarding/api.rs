//! /api/v1/members/import… and /api/v1/member-exports: the spreadsheet side of the register.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::columns::{COLUMNS, Col, Sheet};
use super::export::{self, ExportRow, ExportStatus};
use super::import;
use super::report::{ImportReport, Outcome};
use super::{sheet, xlsx};
use crate::AppState;
use crate::api::body::UploadBody;
use crate::api::{JsonBody, PageRequest, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError};
use crate::members::api::{Clear, MemberQuery, masked};
use crate::members::model::{BusinessStatus, Distribution, MembershipStatus};
use crate::members::repo::{self as members, MemberRow};
use crate::org::scope;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::keys;

#[derive(Tags)]
enum ApiTags {
    /// 表格导入与导出 / Spreadsheet import and export
    Spreadsheets,
}

/// The county's saved mapping an import names (none: the synonym table alone).
pub(super) async fn saved_mapping(
    state: &AppState,
    tid: &crate::tenant::TenantId,
    id: Option<String>,
) -> AppResult<super::mapping::Mapping> {
    let Some(id) = id else {
        return Ok(super::mapping::Mapping::default());
    };
    let id = crate::api::path_id(&id).map_err(|_| mapping_not_found())?;
    state
        .db
        .tenant(tid.clone(), Mode::Read, move |tx| {
            Ok(super::mapping::get(tx, &id)?.map(|m| m.mapping()))
        })
        .await?
        .ok_or_else(mapping_not_found)
}

/// An uploaded sheet, read under the county's saved mapping, as a kind of sheet's plan sees it.
pub struct Upload {
    pub mapping: super::mapping::Mapping,
    pub layout: super::layout::Layout,
    pub table: sheet::Table,
    /// The file's SHA-256, kept with the import's audit entry.
    pub sha: String,
    pub actor: Actor,
    pub dry_run: bool,
    pub skip_invalid: bool,
}

/// What every sheet import does around its own plan: the county admin only (refused before the
/// file is read), the saved mapping, the file read off the async threads, and one transaction
/// (read-only for a dry run) in which `run` plans the rows and settles the report.
pub async fn import_sheet<F>(
    state: &AppState,
    auth: Auth,
    kind: Sheet,
    query: (Option<bool>, Option<String>, Option<bool>),
    file: UploadBody,
    run: F,
) -> AppResult<Json<ImportReport>>
where
    F: FnOnce(&mut TenantTx<'_>, &CountyKeys, &Upload) -> DbResult<ImportReport> + Send + 'static,
{
    let (dry_run, mapping, skip_invalid) = query;
    let tid = auth.0.tenant()?;
    // The whole county's register is written: the county admin's alone.
    auth.0.require(&[Role::CountyAdmin])?;
    let dry_run = dry_run.unwrap_or(true);
    let mapping = saved_mapping(state, &tid, mapping).await?;
    let bytes = file.0.read().await?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let columns = mapping.columns(kind);
    let (layout, table) =
        tokio::task::spawn_blocking(move || sheet::read_mapped(&bytes, kind, &columns))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))??;
    let master = *state.master_key.bytes();
    let upload = Upload {
        mapping,
        layout,
        table,
        sha,
        actor: Actor::of(&auth.0),
        dry_run,
        skip_invalid: skip_invalid.unwrap_or(false),
    };
    let mode = if dry_run { Mode::Read } else { Mode::Write };
    let report = state
        .db
        .tenant(tid, mode, move |tx| {
            let keys = keys::load(tx, &master)?;
            run(tx, &keys, &upload)
        })
        .await?;
    Ok(Json(report))
}

fn mapping_not_found() -> AppError {
    AppError::validation(vec![FieldError::new(
        "mapping",
        "mapping_not_found",
        "mapping：本县没有该导入对应关系",
        "mapping: no such saved mapping in the county",
    )])
}

#[derive(ApiResponse)]
pub enum XlsxFile {
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn attachment(name: &str) -> String {
    crate::documents::attachment(name, "export.xlsx")
}

/// An export request.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateExportRequest {
    /// Which members: the member list's filters.
    #[serde(default)]
    pub query: Option<MemberQuery>,
    /// Include ID-card number, phone and home address in clear (needs a county admin's
    /// approval); otherwise they are masked. Even then, a field the county's masking policy
    /// keeps `masked` for your role stays masked in the file.
    pub personal: bool,
    /// Why the export is needed; kept with the request and in the audit log.
    #[oai(validator(min_length = 4, max_length = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[oai(validator(max_length = 200))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ExportView {
    pub id: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub reason: String,
    pub query: MemberQuery,
    pub personal: bool,
    pub status: ExportStatus,
    #[oai(skip_serializing_if_is_none)]
    pub decided_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub decided_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub decision_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub downloaded_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub row_count: Option<i64>,
}

impl From<ExportRow> for ExportView {
    fn from(r: ExportRow) -> Self {
        ExportView {
            status: r.status(),
            query: serde_json::from_str(&r.query).unwrap_or_default(),
            id: r.id,
            requested_by: r.requested_by,
            requested_at: r.requested_at.and_utc(),
            reason: r.reason,
            personal: r.personal,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|d| d.and_utc()),
            decision_note: r.decision_note,
            downloaded_at: r.downloaded_at.map(|d| d.and_utc()),
            row_count: r.row_count,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct ExportPage {
    pub items: Vec<ExportView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum ExportCreated {
    #[oai(status = 201)]
    Created(Json<ExportView>, #[oai(header = "Location")] String),
}

pub struct SpreadsheetApi {
    pub state: AppState,
}

/// Beijing time, for the stamp a reader of the file sees (China has no daylight saving).
fn beijing(t: DateTime<Utc>) -> String {
    crate::clock::beijing_minute(t)
}

/// An export row in the template's column order, in the words the import accepts, so an
/// export with identifiers re-imports as "unchanged".
fn export_cells(
    r: &MemberRow,
    keys: &CountyKeys,
    clear_fields: Clear,
    unit_name: &dyn Fn(&Option<String>) -> String,
) -> Vec<String> {
    let view = masked(keys, r);
    let clear = |field: &str, v: &Option<String>| {
        v.as_ref()
            .and_then(|c| keys.decrypt(field, c).ok())
            .unwrap_or_default()
    };
    COLUMNS
        .iter()
        .map(|d| match d.col {
            Col::Name => r.name.clone(),
            Col::Gender => match r.gender.as_deref() {
                Some("male") => "男".into(),
                Some("female") => "女".into(),
                _ => String::new(),
            },
            Col::IdNumber if clear_fields.id_number => clear("id_number", &r.id_number_enc),
            Col::IdNumber => view.id_number_masked.clone().unwrap_or_default(),
            Col::Phone if clear_fields.phone => clear("phone", &r.phone_enc),
            Col::Phone => view.phone_masked.clone().unwrap_or_default(),
            Col::HomeAddress if clear_fields.home_address => {
                clear("home_address", &r.home_address_enc)
            }
            Col::HomeAddress => {
                if r.home_address_enc.is_some() {
                    "（已登记，未导出）".into()
                } else {
                    String::new()
                }
            }
            Col::Household => r.household_registration.clone().unwrap_or_default(),
            Col::IsOwner => if r.is_owner { "是" } else { "否" }.into(),
            Col::BusinessName => r.business_name.clone(),
            Col::RegistrationNo => r.business_registration_no.clone().unwrap_or_default(),
            Col::OrgLifeUnit => unit_name(&r.org_life_unit_id),
            Col::MembershipOrg => match &r.membership_unit_id {
                Some(_) => unit_name(&r.membership_unit_id),
                None => r.membership_org_name.clone(),
            },
            Col::MembershipStatus => match MembershipStatus::parse(&r.membership_status) {
                Some(MembershipStatus::Probationary) => "预备".into(),
                _ => "正式".into(),
            },
            Col::Distribution => match Distribution::parse(&r.distribution) {
                Some(Distribution::MarketBusiness) => "市场内个体工商户".into(),
                _ => "个体工商户".into(),
            },
            Col::Market => unit_name(&r.market_id),
            Col::BusinessStatus => match BusinessStatus::parse(&r.business_status) {
                Some(BusinessStatus::Suspended) => "停歇业".into(),
                Some(BusinessStatus::Closed) => "注销".into(),
                _ => "经营".into(),
            },
            Col::AwaySince => r.away_since.map(|d| d.to_string()).unwrap_or_default(),
            Col::JoinedParty => r.joined_party_on.map(|d| d.to_string()).unwrap_or_default(),
            Col::AssociationMember => if r.association_member { "是" } else { "否" }.into(),
            // A business register's columns are not in the member sheet.
            _ => String::new(),
        })
        .collect()
}

/// Requests are seen by county admins and by their requester; to anyone else they do not exist.
fn visible_export(row: Option<ExportRow>, role: Role, user_id: &str) -> AppResult<ExportRow> {
    row.filter(|r| role == Role::CountyAdmin || r.requested_by == user_id)
        .ok_or_else(AppError::not_found)
}

#[OpenApi(tag = "ApiTags::Spreadsheets")]
impl SpreadsheetApi {
    /// 下载导入模板 / Download the member import template (xlsx)
    #[oai(path = "/members/import/template", method = "get")]
    async fn template(&self, auth: Auth) -> AppResult<XlsxFile> {
        auth.0.tenant()?;
        let bytes = tokio::task::spawn_blocking(xlsx::template)
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!(e)))??;
        Ok(XlsxFile::Ok(
            Binary(bytes),
            attachment("党员信息导入模板.xlsx"),
            "no-store".to_owned(),
        ))
    }

    /// 导入党员表格 / Import members from xlsx or CSV (county admin)
    ///
    /// `dry_run=true` (the default) checks every row and writes nothing; `dry_run=false` writes
    /// all rows or, if any row is rejected, none (422 `import_rejected` listing them). Members
    /// are matched by ID-card number, so importing the same file again changes nothing.
    #[oai(path = "/members/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        dry_run: Query<Option<bool>>,
        /// A saved mapping of this county's headers and organisation names
        /// (`/import-mappings`).
        mapping: Query<Option<String>>,
        /// With `dry_run=false`: write the valid rows and list the rejected ones, instead of
        /// refusing the whole file. Names still to be mapped refuse it either way.
        skip_invalid: Query<Option<bool>>,
        file: UploadBody,
    ) -> AppResult<Json<ImportReport>> {
        let query = (dry_run.0, mapping.0, skip_invalid.0);
        import_sheet(
            &self.state,
            auth,
            Sheet::Members,
            query,
            file,
            |tx, keys, up| {
                let plan = import::plan(tx, keys, &up.table, &up.mapping, !up.dry_run)?;
                let outcome = Outcome {
                    rows: plan.rows,
                    created: plan.creates.len(),
                    updated: plan.updates.len(),
                    unchanged: plan.unchanged,
                    errors: &plan.errors,
                    fixes: &plan.fixes,
                    unknown: &plan.unknown_orgs,
                    suggestions: &plan.suggestions,
                };
                let report = outcome.report(up.dry_run, &up.layout, &up.table);
                outcome.settle(report, up.dry_run, up.skip_invalid, || {
                    Ok(import::apply(tx, &up.actor, &plan, &up.sha)?.import_id)
                })
            },
        )
        .await
    }

    /// 申请导出党员名单 / Request an export of a member list
    ///
    /// Without `personal` the file has identifiers masked and is ready at once; with it, a
    /// county admin other than the requester must approve. Either way it downloads once.
    #[oai(path = "/member-exports", method = "post")]
    async fn request_export(
        &self,
        auth: Auth,
        body: JsonBody<CreateExportRequest>,
    ) -> AppResult<ExportCreated> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let b = body.0;
        let reason = b.reason.trim().to_owned();
        if reason.chars().count() > 200 {
            return Err(AppError::field(
                "reason",
                "too_long",
                "reason：最多200个字",
                "reason: at most 200 characters",
            ));
        }
        if reason.chars().count() < 4 {
            return Err(AppError::field(
                "reason",
                "reason_too_short",
                "reason：请写明导出原因（至少4个字）",
                "reason: say why (at least 4 characters)",
            ));
        }
        let mut q = b.query.unwrap_or_default();
        q.check()?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let actor = Actor::of(&auth.0);
        let personal = b.personal;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                // The filter must make sense to the requester now (an unseen unit is a 404).
                let vis = scope::visibility(tx, role, &uid)?;
                q.filter(tx, &vis)?;
                let query = serde_json::to_string(&q)
                    .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
                let row = export::insert(tx, &uid, &reason, &query, personal)?;
                audit::record(
                    tx,
                    &actor,
                    "member_export.request",
                    "member_export",
                    &row.id,
                    Some(&reason),
                    serde_json::json!({ "personal": personal }),
                )?;
                Ok(row)
            })
            .await?;
        let location = format!("/api/v1/member-exports/{}", row.id);
        ev.export(&self.state, &row.id).await;
        Ok(ExportCreated::Created(Json(row.into()), location))
    }

    /// 导出申请列表 / Export requests (county admins: all; others: their own)
    #[oai(path = "/member-exports", method = "get")]
    async fn list_exports(
        &self,
        auth: Auth,
        status: Query<Option<ExportStatus>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<ExportPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let mine = (auth.0.role != Role::CountyAdmin).then(|| auth.0.user_id.clone());
        let status = status.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let rows = export::list(tx, &page, mine.as_deref(), status)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.into_iter().map(ExportView::from).collect(), next))
            })
            .await?;
        Ok(Json(ExportPage { items, next_cursor }))
    }

    /// 查看导出申请 / Get an export request
    #[oai(path = "/member-exports/:id", method = "get")]
    async fn get_export(&self, auth: Auth, id: Path<String>) -> AppResult<Json<ExportView>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                Ok(visible_export(export::get(tx, &id)?, role, &uid)?)
            })
            .await?;
        Ok(Json(row.into()))
    }

    /// 批准导出 / Approve an export (another county admin)
    #[oai(path = "/member-exports/:id/approve", method = "post")]
    async fn approve(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<DecisionRequest>,
    ) -> AppResult<Json<ExportView>> {
        self.decide(auth, id, body.0, ExportStatus::Approved).await
    }

    /// 拒绝导出 / Deny an export (another county admin)
    #[oai(path = "/member-exports/:id/deny", method = "post")]
    async fn deny(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<DecisionRequest>,
    ) -> AppResult<Json<ExportView>> {
        self.decide(auth, id, body.0, ExportStatus::Denied).await
    }

    /// 下载导出文件（仅一次）/ Download the export, once (its requester)
    #[oai(path = "/member-exports/:id/download", method = "get")]
    async fn download(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxFile> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let bytes = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = export::get(tx, &id)?
                    .filter(|r| r.requested_by == who.user_id)
                    .ok_or_else(AppError::not_found)?;
                export::check_download(row.status())?;
                let q: MemberQuery = serde_json::from_str(&row.query)
                    .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
                let keys = keys::load(tx, &master)?;
                // Scope as of now: a requester moved to another branch meanwhile gets that
                // branch's members, never more.
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let rows = match q.filter(tx, &vis)? {
                    Some(f) => all_pages(tx, &f)?,
                    None => Vec::new(),
                };
                let units = super::import::Units::load(tx)?;
                let unit_name = |id: &Option<String>| units.display(id.as_deref());
                let clear = Clear::for_export(tx, who.role, row.personal)?;
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| export_cells(r, &keys, clear, &unit_name))
                    .collect();
                let me = crate::users::repo::get(tx, &who.user_id)?
                    .map(|u| format!("{}（{}）", u.display_name, u.username))
                    .unwrap_or_else(|| who.user_id.clone());
                let approver = match &row.decided_by {
                    Some(d) => crate::users::repo::get(tx, d)?
                        .map(|u| format!("{}（{}）", u.display_name, u.username))
                        .unwrap_or_default(),
                    None => "（无个人信息明文，无需审批）".to_owned(),
                };
                let stamp = format!(
                    "导出人：{me}　导出时间：{}　审批人：{approver}　导出编号：{}　{}",
                    beijing(Utc::now()),
                    row.id,
                    if clear.any() {
                        "含个人信息明文，注意保密"
                    } else {
                        "个人信息已脱敏"
                    }
                );
                export::transition(
                    tx,
                    &row.id,
                    ExportStatus::Approved,
                    ExportStatus::Downloaded,
                    None,
                    None,
                    Some(rows.len() as i64),
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "member_export.download",
                    "member_export",
                    &row.id,
                    None,
                    serde_json::json!({
                        "rows": rows.len(), "personal": row.personal, "clear": clear.any(),
                    }),
                )?;
                let headers: Vec<&str> = COLUMNS.iter().map(|d| d.header).collect();
                Ok(xlsx::table("党员名单", &stamp, &headers, &cells)?)
            })
            .await?;
        Ok(XlsxFile::Ok(
            Binary(bytes),
            attachment("党员名单.xlsx"),
            "no-store".to_owned(),
        ))
    }
}

/// Every member a filter matches, a page at a time.
fn all_pages(tx: &mut TenantTx<'_>, f: &members::Filter) -> DbResult<Vec<MemberRow>> {
    let mut out = Vec::new();
    let mut page = PageRequest {
        limit: 1000,
        after: None,
    };
    loop {
        let rows = members::list(tx, &page, f)?;
        let more = rows.len() > page.limit as usize;
        out.extend(rows.into_iter().take(page.limit as usize));
        if !more {
            return Ok(out);
        }
        page.after = out.last().map(|r| r.id.clone());
    }
}

impl SpreadsheetApi {
    async fn decide(
        &self,
        auth: Auth,
        id: Path<String>,
        body: DecisionRequest,
        to: ExportStatus,
    ) -> AppResult<Json<ExportView>> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let note = body
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(AppError::field(
                "note",
                "too_long",
                "note：最多200个字",
                "note: at most 200 characters",
            ));
        }
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = visible_export(export::get(tx, &id)?, who.role, &who.user_id)?;
                export::check_decision(row.status(), &row.requested_by, who.role, &who.user_id)?;
                export::transition(
                    tx,
                    &id,
                    ExportStatus::Pending,
                    to,
                    Some(&who.user_id),
                    note.as_deref(),
                    None,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    if to == ExportStatus::Approved {
                        "member_export.approve"
                    } else {
                        "member_export.deny"
                    },
                    "member_export",
                    &id,
                    note.as_deref(),
                    serde_json::json!({}),
                )?;
                Ok(export::get(tx, &id)?.ok_or_else(AppError::not_found)?)
            })
            .await?;
        ev.export(&self.state, &row.id).await;
        Ok(Json(row.into()))
    }
}
