//! 告知与同意 Notice and consent (SPEC §11). Party membership is sensitive personal information
//! under PIPL (arts. 28–29): it may be processed only after a notice and with the member's
//! separate consent, which the county must be able to show. Each record keeps which notice was
//! given (version and where its text is kept), when and in what form the member consented, who
//! recorded it, and, once withdrawn, when and who recorded the withdrawal. Records are never
//! deleted; a member has consent while one of their records is not withdrawn.
//!
//! Model and rules, queries and API in one file: the member register's own files belong to
//! the register; this module only reads members through what `repo` makes public.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::repo::{self as members, MemberRow};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::schema::{member_consents as c, members as m, org_units as o};
use crate::db::{DbError, DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::model::subtree_end;
use crate::org::scope::{self, Visibility};

// Model and rules ------------------------------------------------------------------------------

/// How the member gave consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ConsentForm {
    /// 书面: a signed paper form, kept on file.
    Written,
    /// 电子: an electronic confirmation (e.g. in an app or a signed PDF).
    Electronic,
}

/// What the member agreed to. Processing their membership data is the consent the register
/// needs; SMS notices (activity notices to the member's mobile) are a separate choice.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ConsentPurpose {
    /// 处理党员信息 (PIPL arts. 28–29).
    #[default]
    Processing,
    /// 接收短信通知 (activity notices to the member's mobile).
    SmsNotices,
}

/// A validated consent to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConsent {
    pub purpose: ConsentPurpose,
    pub notice_version: String,
    pub notice_reference: Option<String>,
    pub consented_on: NaiveDate,
    pub form: ConsentForm,
}

fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn future(field: &str) -> FieldError {
    FieldError::new(
        field,
        "date_in_future",
        format!("{field}：日期不能晚于今天"),
        format!("{field}: the date cannot be in the future"),
    )
}

/// Checks a consent to record, reporting every field at fault.
pub fn validate_new(
    notice_version: &str,
    notice_reference: Option<&str>,
    consented_on: NaiveDate,
    form: ConsentForm,
    today: NaiveDate,
) -> Result<NewConsent, Vec<FieldError>> {
    let mut errs = Vec::new();
    let version = text("notice_version", notice_version, 50).gather(&mut errs);
    let reference = notice_reference
        .map(|r| text("notice_reference", r, 200))
        .gather(&mut errs);
    if consented_on > today {
        errs.push(future("consented_on"));
    }
    match version {
        Some(notice_version) if errs.is_empty() => Ok(NewConsent {
            purpose: ConsentPurpose::Processing,
            notice_version,
            notice_reference: reference,
            consented_on,
            form,
        }),
        _ => Err(errs),
    }
}

/// Checks a withdrawal date: not in the future and not before the consent it withdraws.
pub fn validate_withdrawal(
    withdrawn_on: NaiveDate,
    consented_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if withdrawn_on > today {
        return Err(future("withdrawn_on"));
    }
    if withdrawn_on < consented_on {
        return Err(FieldError::new(
            "withdrawn_on",
            "before_consent",
            "withdrawn_on：撤回日期不能早于同意日期",
            "withdrawn_on: cannot be before the consent was given",
        ));
    }
    Ok(())
}

fn consent_exists() -> AppError {
    AppError::conflict(
        "consent_exists",
        "该党员对此版本告知书的同意仍然有效，无需重复记录",
        "Consent to this notice version is already in force",
    )
}

/// Who records consents: those who register members.
fn may_record(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin, Role::BranchStaff])
}

// Queries --------------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = c)]
pub struct ConsentRow {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub notice_version: String,
    pub notice_reference: Option<String>,
    pub consented_on: NaiveDate,
    pub form: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub purpose: String,
}

pub fn insert(
    tx: &mut TenantTx<'_>,
    member_id: &str,
    new: &NewConsent,
    recorded_by: &str,
) -> DbResult<ConsentRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(c::table)
        .values((
            c::tenant_id.eq(&tid),
            c::id.eq(&id),
            c::member_id.eq(member_id),
            c::purpose.eq(new.purpose.as_str()),
            c::notice_version.eq(&new.notice_version),
            c::notice_reference.eq(&new.notice_reference),
            c::consented_on.eq(new.consented_on),
            c::form.eq(new.form.as_str()),
            c::recorded_by.eq(recorded_by),
            c::recorded_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                consent_exists().into()
            } else {
                e
            }
        })?;
    get(tx, member_id, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted consent vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, member_id: &str, id: &str) -> DbResult<Option<ConsentRow>> {
    let tid = tx.tid().to_owned();
    Ok(c::table
        .filter(
            c::tenant_id
                .eq(tid)
                .and(c::member_id.eq(member_id))
                .and(c::id.eq(id)),
        )
        .select(ConsentRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// A member's records, newest first.
pub fn for_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<ConsentRow>> {
    let tid = tx.tid().to_owned();
    Ok(c::table
        .filter(c::tenant_id.eq(tid).and(c::member_id.eq(member_id)))
        .select(ConsentRow::as_select())
        .order(c::id.desc())
        .load(tx.conn())?)
}

/// Records a withdrawal if the consent is not withdrawn yet; false if it was.
pub fn withdraw(
    tx: &mut TenantTx<'_>,
    id: &str,
    withdrawn_on: NaiveDate,
    by: &str,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        c::table.filter(
            c::tenant_id
                .eq(tid)
                .and(c::id.eq(id))
                .and(c::withdrawn_on.is_null()),
        ),
    )
    .set((
        c::withdrawn_on.eq(Some(withdrawn_on)),
        c::withdrawn_by.eq(Some(by)),
        c::withdrawn_at.eq(Some(Utc::now().naive_utc())),
    ))
    .execute(tx.conn())?;
    Ok(n == 1)
}

/// A member without consent in force, as listed.
#[derive(Debug, Clone, Queryable)]
pub struct LackingRow {
    pub id: String,
    pub name: String,
    pub business_name: String,
    pub org_life_unit_id: Option<String>,
    pub membership_unit_id: Option<String>,
}

/// Members (within `within`, a subtree path, when given) with no consent in force (for
/// `notice_version`, when given), by id.
pub fn lacking(
    tx: &mut TenantTx<'_>,
    page: &PageRequest,
    within: Option<&str>,
    notice_version: Option<&str>,
) -> DbResult<Vec<LackingRow>> {
    let tid = tx.tid().to_owned();
    // The register's consent: agreeing to SMS notices is not consent to processing.
    let in_force = c::tenant_id
        .eq(m::tenant_id)
        .and(c::member_id.eq(m::id))
        .and(c::purpose.eq(ConsentPurpose::Processing.as_str()))
        .and(c::withdrawn_on.is_null());
    let mut q = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::name,
            m::business_name,
            m::org_life_unit_id,
            m::membership_unit_id,
        ))
        .into_boxed();
    q = match notice_version {
        Some(v) => q.filter(not(exists(
            c::table.filter(in_force.and(c::notice_version.eq(v.to_owned()))),
        ))),
        None => q.filter(not(exists(c::table.filter(in_force)))),
    };
    if let Some(p) = within {
        let units = || {
            o::table
                .filter(
                    o::tenant_id
                        .eq(tid.clone())
                        .and(o::path.ge(p.to_owned()))
                        .and(o::path.lt(subtree_end(p))),
                )
                .select(o::id.nullable())
        };
        q = q.filter(
            m::org_life_unit_id
                .eq_any(units())
                .or(m::membership_unit_id.eq_any(units())),
        );
    }
    if let Some(after) = &page.after {
        q = q.filter(m::id.gt(after.clone()));
    }
    Ok(q.order(m::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// Which of these members agreed to SMS notices and have not withdrawn (the notification
/// worker asks before every send, so a withdrawal stops the next message).
pub fn sms_consented(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut rows: Vec<String> = c::table
            .filter(c::tenant_id.eq(&tid).and(c::member_id.eq_any(chunk)))
            .filter(c::purpose.eq(ConsentPurpose::SmsNotices.as_str()))
            .filter(c::withdrawn_on.is_null())
            .select(c::member_id)
            .distinct()
            .load(tx.conn())?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// Which of these members have any consent record to processing (withdrawn ones included).
fn with_records(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    Ok(c::table
        .filter(c::tenant_id.eq(tid).and(c::member_id.eq_any(ids)))
        .filter(c::purpose.eq(ConsentPurpose::Processing.as_str()))
        .select(c::member_id)
        .distinct()
        .load(tx.conn())?)
}

// API ------------------------------------------------------------------------------------------

#[derive(Tags)]
enum ApiTags {
    /// 告知与同意 / Notice and consent
    Consent,
}

/// One notice-and-consent record of a member.
#[derive(Debug, Clone, Object)]
pub struct ConsentView {
    pub id: String,
    pub member_id: String,
    /// What the member agreed to.
    pub purpose: ConsentPurpose,
    /// Version of the privacy notice given (告知书版本), e.g. `2026-01`.
    pub notice_version: String,
    /// Where the notice text is kept (document number, file or URL).
    #[oai(skip_serializing_if_is_none)]
    pub notice_reference: Option<String>,
    pub consented_on: NaiveDate,
    pub form: ConsentForm,
    /// User id of who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub withdrawn_on: Option<NaiveDate>,
    /// User id of who recorded the withdrawal.
    #[oai(skip_serializing_if_is_none)]
    pub withdrawn_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Not withdrawn.
    pub in_force: bool,
}

impl From<&ConsentRow> for ConsentView {
    fn from(r: &ConsentRow) -> Self {
        Self {
            id: r.id.clone(),
            member_id: r.member_id.clone(),
            purpose: ConsentPurpose::parse(&r.purpose).unwrap_or_default(),
            notice_version: r.notice_version.clone(),
            notice_reference: r.notice_reference.clone(),
            consented_on: r.consented_on,
            form: ConsentForm::parse(&r.form).unwrap_or(ConsentForm::Written),
            recorded_by: r.recorded_by.clone(),
            recorded_at: r.recorded_at.and_utc(),
            withdrawn_on: r.withdrawn_on,
            withdrawn_by: r.withdrawn_by.clone(),
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
            in_force: r.withdrawn_on.is_none(),
        }
    }
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AddConsentRequest {
    /// What the member agrees to; default `processing` (the register's consent).
    pub purpose: Option<ConsentPurpose>,
    /// Version of the privacy notice given, e.g. `2026-01`.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub notice_version: String,
    /// Where the notice text is kept (document number, file or URL).
    #[oai(validator(max_length = 200))]
    pub notice_reference: Option<String>,
    /// The day the member consented (not in the future).
    pub consented_on: NaiveDate,
    pub form: ConsentForm,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct WithdrawConsentRequest {
    /// The day the member withdrew consent (not in the future, not before the consent).
    pub withdrawn_on: NaiveDate,
}

/// A member without consent in force.
#[derive(Debug, Clone, Object)]
pub struct MemberLackingConsent {
    pub member_id: String,
    pub name: String,
    pub business_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub org_life_unit_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub membership_unit_id: Option<String>,
    /// True when consent was recorded once and withdrawn; false when none was ever recorded.
    pub withdrawn: bool,
}

#[derive(Debug, Clone, Object)]
pub struct LackingConsentPage {
    pub items: Vec<MemberLackingConsent>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum ConsentResponse {
    #[oai(status = 200)]
    Ok(Json<ConsentView>),
    #[oai(status = 201)]
    Created(Json<ConsentView>, #[oai(header = "Location")] String),
}

pub struct ConsentApi {
    pub state: AppState,
}

/// The member, if the caller may see them (404 otherwise, as for another county's member).
fn visible_member(tx: &mut TenantTx<'_>, p: &(Role, String), id: &str) -> DbResult<MemberRow> {
    let row = members::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let vis = scope::visibility(tx, p.0, &p.1)?;
    if !members::visible(tx, &vis, &row)? {
        return Err(AppError::not_found().into());
    }
    Ok(row)
}

use crate::clock::today;

#[OpenApi(tag = "ApiTags::Consent")]
impl ConsentApi {
    /// 党员的告知与同意记录 / A member's notice-and-consent records (newest first)
    #[oai(path = "/members/:id/consents", method = "get")]
    async fn list(&self, auth: Auth, id: Path<String>) -> AppResult<Json<Vec<ConsentView>>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = (auth.0.role, auth.0.user_id.clone());
        let rows = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_member(tx, &who, &id)?;
                for_member(tx, &id)
            })
            .await?;
        Ok(Json(rows.iter().map(ConsentView::from).collect()))
    }

    /// 记录告知与同意 / Record a member's consent (county admin, branch staff)
    ///
    /// 409 `consent_exists` if consent to the same notice version is already in force.
    #[oai(path = "/members/:id/consents", method = "post")]
    async fn add(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<AddConsentRequest>,
    ) -> AppResult<ConsentResponse> {
        let tid = auth.0.tenant()?;
        may_record(&auth.0)?;
        let id = path_id(&id.0)?;
        let b = body.0;
        let mut new = validate_new(
            &b.notice_version,
            b.notice_reference.as_deref(),
            b.consented_on,
            b.form,
            today(),
        )
        .map_err(AppError::validation)?;
        new.purpose = b.purpose.unwrap_or_default();
        let who = (auth.0.role, auth.0.user_id.clone());
        let actor = Actor::of(&auth.0);
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                visible_member(tx, &who, &id)?;
                if for_member(tx, &id)?.iter().any(|r| {
                    r.withdrawn_on.is_none()
                        && r.notice_version == new.notice_version
                        && r.purpose == new.purpose.as_str()
                }) {
                    return Err(consent_exists().into());
                }
                let row = insert(tx, &id, &new, &who.1)?;
                audit::record(
                    tx,
                    &actor,
                    "member.consent_add",
                    "member",
                    &id,
                    None,
                    serde_json::json!({
                        "consent_id": row.id,
                        "notice_version": row.notice_version,
                        "form": row.form,
                        "purpose": row.purpose,
                    }),
                )?;
                Ok(row)
            })
            .await?;
        let location = format!("/api/v1/members/{}/consents/{}", row.member_id, row.id);
        Ok(ConsentResponse::Created(
            Json(ConsentView::from(&row)),
            location,
        ))
    }

    /// 查看一条同意记录 / Get one consent record
    #[oai(path = "/members/:id/consents/:consent_id", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        id: Path<String>,
        consent_id: Path<String>,
    ) -> AppResult<ConsentResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let cid = path_id(&consent_id.0)?;
        let who = (auth.0.role, auth.0.user_id.clone());
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_member(tx, &who, &id)?;
                get(tx, &id, &cid)?.ok_or_else(|| AppError::not_found().into())
            })
            .await?;
        Ok(ConsentResponse::Ok(Json(ConsentView::from(&row))))
    }

    /// 撤回同意 / Record that a member withdrew consent (county admin, branch staff)
    ///
    /// 409 `consent_already_withdrawn` if it was withdrawn before.
    #[oai(path = "/members/:id/consents/:consent_id/withdraw", method = "post")]
    async fn withdraw(
        &self,
        auth: Auth,
        id: Path<String>,
        consent_id: Path<String>,
        body: JsonBody<WithdrawConsentRequest>,
    ) -> AppResult<ConsentResponse> {
        let tid = auth.0.tenant()?;
        may_record(&auth.0)?;
        let id = path_id(&id.0)?;
        let cid = path_id(&consent_id.0)?;
        let on = body.0.withdrawn_on;
        let who = (auth.0.role, auth.0.user_id.clone());
        let actor = Actor::of(&auth.0);
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                visible_member(tx, &who, &id)?;
                let cur = get(tx, &id, &cid)?.ok_or_else(AppError::not_found)?;
                validate_withdrawal(on, cur.consented_on, today())
                    .map_err(|f| AppError::validation(vec![f]))?;
                if !withdraw(tx, &cid, on, &who.1)? {
                    return Err(AppError::conflict(
                        "consent_already_withdrawn",
                        "该同意已经撤回",
                        "This consent was withdrawn already",
                    )
                    .into());
                }
                audit::record(
                    tx,
                    &actor,
                    "member.consent_withdraw",
                    "member",
                    &id,
                    None,
                    serde_json::json!({ "consent_id": cid }),
                )?;
                get(tx, &id, &cid)?.ok_or_else(|| AppError::not_found().into())
            })
            .await?;
        Ok(ConsentResponse::Ok(Json(ConsentView::from(&row))))
    }

    /// 未取得同意的党员 / Members without consent in force
    ///
    /// Within what the caller sees (the county, or their unit's subtree). With
    /// `notice_version`, members without consent to that version, e.g. after the notice
    /// changed.
    #[oai(path = "/consents/missing", method = "get")]
    async fn missing(
        &self,
        auth: Auth,
        #[oai(validator(min_length = 1, max_length = 50))] notice_version: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<LackingConsentPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let version = notice_version
            .0
            .map(|v| text("notice_version", &v, 50))
            .transpose()
            .map_err(|f| AppError::validation(vec![f]))?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let within = match scope::visibility(tx, role, &uid)? {
                    Visibility::County => None,
                    Visibility::Subtree(p) => Some(p),
                    Visibility::Nothing => return Ok((Vec::new(), None)),
                };
                let rows = lacking(tx, &page, within.as_deref(), version.as_deref())?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let had = with_records(tx, &ids)?;
                let items = rows
                    .into_iter()
                    .map(|r| MemberLackingConsent {
                        withdrawn: had.contains(&r.id),
                        member_id: r.id,
                        name: r.name,
                        business_name: r.business_name,
                        org_life_unit_id: r.org_life_unit_id,
                        membership_unit_id: r.membership_unit_id,
                    })
                    .collect();
                Ok((items, next))
            })
            .await?;
        Ok(Json(LackingConsentPage { items, next_cursor }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<ConsentForm>();
        assert_str_enum::<ConsentPurpose>();
        assert_eq!(ConsentForm::parse("oral"), None);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_consent_names_every_field_at_fault() {
        let today = d("2026-11-26");
        let ok = validate_new(
            " 2026-01 ",
            Some("县委组织部〔2026〕1号"),
            d("2026-11-26"),
            ConsentForm::Written,
            today,
        )
        .expect("valid");
        assert_eq!(ok.notice_version, "2026-01");
        assert_eq!(
            ok.notice_reference.as_deref(),
            Some("县委组织部〔2026〕1号")
        );
        let errs = validate_new(
            "  ",
            Some(&"x".repeat(201)),
            d("2026-11-27"),
            ConsentForm::Electronic,
            today,
        )
        .expect_err("invalid");
        let fields: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("notice_version", "invalid_text"),
                ("notice_reference", "invalid_text"),
                ("consented_on", "date_in_future"),
            ]
        );
        assert!(errs.iter().all(|e| e.message.starts_with(&e.field)));
    }

    #[test]
    fn a_withdrawal_falls_between_the_consent_and_today() {
        let today = d("2026-11-26");
        assert!(validate_withdrawal(d("2026-11-26"), d("2026-01-01"), today).is_ok());
        assert!(validate_withdrawal(d("2026-01-01"), d("2026-01-01"), today).is_ok());
        assert_eq!(
            validate_withdrawal(d("2025-12-31"), d("2026-01-01"), today)
                .expect_err("before")
                .code,
            "before_consent"
        );
        assert_eq!(
            validate_withdrawal(d("2026-11-27"), d("2026-01-01"), today)
                .expect_err("future")
                .code,
            "date_in_future"
        );
    }
}
