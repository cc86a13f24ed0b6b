//! /api/v1/letter-batches: a centre's 30 December letters. The centre's staff generate the year's
//! batch from what is recorded (again, until it is sent), print it, mark it sent (which meets
//! the `participation_letters` deadline), and record each receipt or a reminder for it.
//!
//! Who sees a batch: as for the centre's activities (404 outside the caller's scope). Who acts:
//! the centre's staff and its director (403 `centre_staff_only`); an illegal step is 409 with
//! the stable code of [`model`].

use chrono::{Datelike, NaiveDate};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::documents::{self, Context};
use super::model::{self, LetterBatchState};
use super::repo::{self, BatchRow, LetterLine};
use crate::AppState;
use crate::api::{JsonBody, PageLimit, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::centres::api::{acts_for, branch_staff, taking_centre};
use crate::centres::view::names;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::floating::api::{not_future, opt_text};
use crate::floating::model::{ChaseMethod, SendMethod};
use crate::handler::Call;
use crate::org::repo::OrgUnitRow;
use crate::org::scope;

#[derive(Tags)]
enum ApiTags {
    /// 区域性党员服务中心：年度函告 / Service centres: the 30 December letters
    ParticipationLetters,
}

pub struct LettersApi {
    pub state: AppState,
}

/// Letters printed per part (one HTML or xlsx download).
pub const PART: usize = 500;

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct GenerateLettersRequest {
    /// The service centre. Default: the centre you are bound to.
    pub centre_id: Option<String>,
    /// Default: this year.
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SendLettersRequest {
    pub method: SendMethod,
    /// Default today; not in the future.
    pub sent_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LetterReceiptRequest {
    /// Default today; not in the future, not before the batch was sent.
    pub received_on: Option<NaiveDate>,
    /// Who signed the receipt (up to 50 characters).
    pub received_by: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LetterChaseRequest {
    pub method: ChaseMethod,
    /// Default today; not in the future, not before the batch was sent.
    pub chased_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A centre's batch of letters for a year.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct LetterBatchView {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub year: i32,
    pub state: LetterBatchState,
    pub state_label: String,
    pub letters: i32,
    /// Receipts back, and outstanding (after sending).
    pub received: i64,
    pub outstanding: i64,
    /// Parts of up to 500 letters to print (`part=1…`).
    pub parts: i32,
    pub generated_on: NaiveDate,
    pub generated_by_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub sent_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_method: Option<SendMethod>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct LetterBatchList {
    pub items: Vec<LetterBatchView>,
}

/// One letter of a batch.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct LetterView {
    pub id: String,
    /// 编号, e.g. 2026-0007.
    pub letter_no: String,
    pub member_id: String,
    pub member_name: String,
    pub business_name: String,
    /// The home organisation written to.
    pub recipient: String,
    pub activities: String,
    pub operation: String,
    pub credit: String,
    #[oai(skip_serializing_if_is_none)]
    pub received_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub received_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub receipt_note: Option<String>,
    pub chases: i32,
    #[oai(skip_serializing_if_is_none)]
    pub last_chased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct LetterPage {
    pub items: Vec<LetterView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum BatchResponse {
    #[oai(status = 200)]
    Ok(Json<LetterBatchView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<LetterBatchView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

fn staff_only() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "centre_staff_only",
        "年度函告由该服务中心工作人员办理",
        "The centre's staff handle its letters",
    )
}

/// A batch the caller can see, with its centre (404 otherwise).
fn visible_batch(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    id: &str,
) -> DbResult<(BatchRow, OrgUnitRow)> {
    let b = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let centre = crate::org::repo::get(tx, &b.centre_id)?.ok_or_else(AppError::not_found)?;
    if !scope::visibility(tx, who.role, &who.user_id)?.sees(&centre) {
        return Err(AppError::not_found().into());
    }
    Ok((b, centre))
}

fn views(tx: &mut TenantTx<'_>, rows: &[BatchRow]) -> DbResult<Vec<LetterBatchView>> {
    let centres: Vec<&str> = rows.iter().map(|b| b.centre_id.as_str()).collect();
    let users: Vec<&str> = rows.iter().map(|b| b.generated_by.as_str()).collect();
    let n = names(tx, &centres, &[], &users)?;
    let ids: Vec<String> = rows.iter().map(|b| b.id.clone()).collect();
    let received = repo::receipt_counts(tx, &ids)?;
    Ok(rows
        .iter()
        .map(|b| {
            let state = LetterBatchState::parse(&b.state).unwrap_or(LetterBatchState::Draft);
            let got = received.get(&b.id).copied().unwrap_or(0);
            let parts = (b.letters.max(0) as usize).div_ceil(PART);
            LetterBatchView {
                id: b.id.clone(),
                centre_id: b.centre_id.clone(),
                centre_name: n.get(&b.centre_id).cloned().unwrap_or_default(),
                year: b.year,
                state,
                state_label: state.label_zh().to_owned(),
                letters: b.letters,
                received: got,
                outstanding: if state == LetterBatchState::Sent {
                    i64::from(b.letters) - got
                } else {
                    0
                },
                parts: i32::try_from(parts).unwrap_or(i32::MAX),
                generated_on: b.generated_on,
                generated_by_name: n.get(&b.generated_by).cloned().unwrap_or_default(),
                sent_on: b.sent_on,
                sent_method: b.sent_method.as_deref().and_then(SendMethod::parse),
                version: b.version,
            }
        })
        .collect())
}

fn one(tx: &mut TenantTx<'_>, b: &BatchRow) -> DbResult<LetterBatchView> {
    views(tx, std::slice::from_ref(b))?
        .pop()
        .ok_or_else(|| AppError::not_found().into())
}

fn letter_view(year: i32, (l, name, business): LetterLine) -> LetterView {
    LetterView {
        letter_no: model::letter_no(year, l.seq),
        id: l.id,
        member_id: l.member_id,
        member_name: name,
        business_name: business,
        recipient: l.recipient,
        activities: l.activities,
        operation: l.operation,
        credit: l.credit,
        received_on: l.received_on,
        received_by: l.received_by,
        receipt_note: l.receipt_note,
        chases: l.chases,
        last_chased_on: l.last_chased_on,
    }
}

/// A follow-up's day: given or today, not in the future, not before the batch was sent.
fn follow_up_day(
    field: &str,
    given: Option<NaiveDate>,
    sent: Option<NaiveDate>,
) -> AppResult<NaiveDate> {
    let today = crate::clock::today();
    let d = not_future(field, given.unwrap_or(today), today)
        .map_err(|e| AppError::validation(vec![e]))?;
    if sent.is_some_and(|s| d < s) {
        return Err(AppError::field(
            field,
            "date_before_previous_step",
            format!("{field}：日期不能早于函件寄发日期"),
            format!("{field}: before the letters were sent"),
        ));
    }
    Ok(d)
}

#[OpenApi(tag = "ApiTags::ParticipationLetters")]
impl LettersApi {
    /// 年度函告批次 / The letter batches of the centres you see, the latest year first
    #[oai(path = "/letter-batches", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        centre_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Query<
            Option<i32>,
        >,
    ) -> AppResult<Json<LetterBatchList>> {
        let call = Call::new(&self.state, auth)?;
        let centre = centre_id.0.as_deref().map(path_id).transpose();
        let items = call
            .read(move |tx, who: &Principal| {
                let Ok(centre) = centre else {
                    return Ok(Vec::new());
                };
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let rows = repo::list(tx, &vis, centre.as_deref(), year.0)?;
                views(tx, &rows)
            })
            .await?;
        Ok(Json(LetterBatchList { items }))
    }

    /// 生成年度函告 / Generate a centre's letters for a year (the centre's staff)
    ///
    /// One letter per member of the centre's region whose membership is held outside the
    /// region, to that organisation, stating the year's attendance at the centre's activities,
    /// business status and business records, and credit records. 409 `batch_exists` when the
    /// year's batch exists (generate it again with `/regenerate` until it is sent).
    #[oai(path = "/letter-batches", method = "post")]
    async fn generate(
        &self,
        auth: Auth,
        body: JsonBody<GenerateLettersRequest>,
    ) -> AppResult<BatchResponse> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let b = body.0;
        let today = crate::clock::today();
        let year = b.year.unwrap_or(today.year());
        if !model::may_generate(year, today) {
            return Err(AppError::field(
                "year",
                "out_of_range",
                "year：只能生成本年度或以往年度的函告",
                "year: this year or a past one",
            ));
        }
        let named = match b.centre_id.as_deref().map(path_id).transpose() {
            Ok(c) => c,
            Err(_) => {
                return Err(AppError::field(
                    "centre_id",
                    "centre_not_found",
                    "centre_id：不是你所在范围内的区域性党员服务中心",
                    "centre_id: no such service centre in your scope",
                ));
            }
        };
        let view = call
            .write(move |tx, who: &Principal| {
                let centre = taking_centre(tx, who, named.as_deref())?;
                acts_for(tx, who, &centre, staff_only)?;
                if repo::of_centre(tx, &centre.id, year)?.is_some() {
                    return Err(AppError::conflict(
                        "batch_exists",
                        "该服务中心本年度的函告已生成，可重新生成",
                        "The centre's letters for the year exist; generate them again instead",
                    )
                    .into());
                }
                let letters = repo::compose(tx, &centre, year)?;
                let row = repo::store(tx, None, &centre.id, year, &letters, &who.user_id, today)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "letters.generate",
                    "letter_batch",
                    &row.id,
                    None,
                    serde_json::json!({ "centre_id": row.centre_id, "year": year,
                        "letters": row.letters }),
                )?;
                one(tx, &row)
            })
            .await?;
        let tag = etag(view.version);
        let location = format!("/api/v1/letter-batches/{}", view.id);
        Ok(BatchResponse::Created(Json(view), tag, location))
    }

    /// 年度函告批次 / One batch
    #[oai(path = "/letter-batches/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<BatchResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let view = call
            .read(move |tx, who: &Principal| {
                let (b, _) = visible_batch(tx, who, &id)?;
                one(tx, &b)
            })
            .await?;
        let tag = etag(view.version);
        Ok(BatchResponse::Ok(Json(view), tag))
    }

    /// 重新生成 / Generate a draft batch again from what is recorded now (the centre's staff)
    #[oai(path = "/letter-batches/:id/regenerate", method = "post")]
    async fn regenerate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let id = path_id(&id.0)?;
        let expected = if_match_h
            .0
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let view = call
            .write(move |tx, who: &Principal| {
                let (b, centre) = visible_batch(tx, who, &id)?;
                acts_for(tx, who, &centre, staff_only)?;
                if expected.is_some_and(|v| v != b.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = LetterBatchState::parse(&b.state).unwrap_or(LetterBatchState::Draft);
                model::may_change(state).map_err(AppError::from)?;
                let letters = repo::compose(tx, &centre, b.year)?;
                let today = crate::clock::today();
                let row = repo::store(
                    tx,
                    Some(&b),
                    &centre.id,
                    b.year,
                    &letters,
                    &who.user_id,
                    today,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "letters.regenerate",
                    "letter_batch",
                    &row.id,
                    None,
                    serde_json::json!({ "letters": row.letters }),
                )?;
                one(tx, &row)
            })
            .await?;
        let tag = etag(view.version);
        Ok(BatchResponse::Ok(Json(view), tag))
    }

    /// 寄发 / Mark the batch sent: the `participation_letters` deadline is met (the centre's staff)
    #[oai(path = "/letter-batches/:id/send", method = "post")]
    async fn send(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<SendLettersRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let id = path_id(&id.0)?;
        let expected = if_match_h
            .0
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let today = crate::clock::today();
        let on = not_future("sent_on", body.0.sent_on.unwrap_or(today), today)
            .map_err(|e| AppError::validation(vec![e]))?;
        let method = body.0.method;
        let view = call
            .write(move |tx, who: &Principal| {
                let (b, centre) = visible_batch(tx, who, &id)?;
                acts_for(tx, who, &centre, staff_only)?;
                if expected.is_some_and(|v| v != b.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = LetterBatchState::parse(&b.state).unwrap_or(LetterBatchState::Draft);
                model::may_send(state, b.letters).map_err(AppError::from)?;
                if on < b.generated_on {
                    return Err(AppError::field(
                        "sent_on",
                        "date_before_previous_step",
                        "sent_on：寄发日期不能早于函件生成日期",
                        "sent_on: before the letters were generated",
                    )
                    .into());
                }
                let row = repo::mark_sent(tx, &b, on, method.as_str(), &who.user_id)?;
                deadlines::close_on(
                    tx,
                    ObligationKind::ParticipationLetters,
                    &centre.id,
                    Period::Year(b.year),
                    &who.user_id,
                    on,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "letters.send",
                    "letter_batch",
                    &row.id,
                    None,
                    serde_json::json!({ "sent_on": on, "method": method.as_str(),
                        "letters": row.letters }),
                )?;
                one(tx, &row)
            })
            .await?;
        let tag = etag(view.version);
        Ok(BatchResponse::Ok(Json(view), tag))
    }

    /// 函件 / The batch's letters in order; `outstanding=true`: receipts not back
    #[oai(path = "/letter-batches/:id/letters", method = "get")]
    async fn letters(
        &self,
        auth: Auth,
        id: Path<String>,
        outstanding: Query<Option<bool>>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<LetterPage>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let outstanding = outstanding.0.unwrap_or(false);
        let out = call
            .read(move |tx, who: &Principal| {
                let (b, _) = visible_batch(tx, who, &id)?;
                let rows = repo::letters(tx, &b.id, outstanding, &page)?;
                let (rows, next_cursor) = page.finish(rows, |l| &l.0.id);
                Ok(LetterPage {
                    items: rows.into_iter().map(|l| letter_view(b.year, l)).collect(),
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 打印函件 / The letters as print-ready HTML, one per page with its receipt (500 a part)
    #[oai(path = "/letter-batches/:id/letters.html", method = "get")]
    async fn letters_html(
        &self,
        auth: Auth,
        id: Path<String>,
        /// 1-based; default 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        part: Query<Option<u32>>,
    ) -> AppResult<HtmlDocument> {
        let (ctx_batch, centre, by, lines) = self.part(auth, id.0, part.0).await?;
        let ctx = Context {
            batch: &ctx_batch,
            centre_name: &centre,
            printed_by: &by,
            today: crate::clock::today(),
        };
        let docs: Vec<_> = lines.iter().map(|l| documents::letter(&ctx, l)).collect();
        let title = format!("{centre}{}年度函告", ctx_batch.year);
        Ok(crate::documents::pages_response(&title, &docs))
    }

    /// 函告登记表（xlsx） / The letters as one xlsx table (500 a part)
    #[oai(path = "/letter-batches/:id/letters.xlsx", method = "get")]
    async fn letters_xlsx(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] part: Query<Option<u32>>,
    ) -> AppResult<XlsxDocument> {
        let (b, centre, by, lines) = self.part(auth, id.0, part.0).await?;
        let parts = (b.letters.max(0) as usize).div_ceil(PART).max(1);
        let ctx = Context {
            batch: &b,
            centre_name: &centre,
            printed_by: &by,
            today: crate::clock::today(),
        };
        let which = part.0.unwrap_or(1) as usize;
        documents::register(&ctx, &lines, (parts > 1).then_some((which, parts))).xlsx_response()
    }

    /// 登记回执 / Record a letter's receipt (the centre's staff)
    #[oai(
        path = "/letter-batches/:id/letters/:letter_id/receipt",
        method = "post"
    )]
    async fn receipt(
        &self,
        auth: Auth,
        id: Path<String>,
        letter_id: Path<String>,
        body: JsonBody<LetterReceiptRequest>,
    ) -> AppResult<Json<LetterView>> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let (id, lid) = (path_id(&id.0)?, path_id(&letter_id.0)?);
        let b = body.0;
        let mut errs = Vec::new();
        let by = opt_text("received_by", b.received_by.as_deref(), 50)
            .transpose()
            .gather(&mut errs)
            .flatten();
        let note = opt_text("note", b.note.as_deref(), 200)
            .transpose()
            .gather(&mut errs)
            .flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let given = b.received_on;
        self.follow_up(call, id, lid, "receipt", move |tx, batch, letter| {
            let on = follow_up_day("received_on", given, batch.sent_on)?;
            repo::record_receipt(tx, &letter.id, on, by.as_deref(), note.as_deref())?;
            Ok(serde_json::json!({ "received_on": on }))
        })
        .await
    }

    /// 催收回执 / Record a reminder for an outstanding receipt (the centre's staff)
    #[oai(path = "/letter-batches/:id/letters/:letter_id/chase", method = "post")]
    async fn chase(
        &self,
        auth: Auth,
        id: Path<String>,
        letter_id: Path<String>,
        body: JsonBody<LetterChaseRequest>,
    ) -> AppResult<Json<LetterView>> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let (id, lid) = (path_id(&id.0)?, path_id(&letter_id.0)?);
        let b = body.0;
        let note = opt_text("note", b.note.as_deref(), 200)
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        let (given, method) = (b.chased_on, b.method);
        self.follow_up(call, id, lid, "chase", move |tx, batch, letter| {
            let on = follow_up_day("chased_on", given, batch.sent_on)?;
            repo::record_chase(tx, &letter.id, on)?;
            Ok(serde_json::json!({ "chased_on": on, "method": method.as_str(), "note": note }))
        })
        .await
    }
}

type FollowUpFn = dyn FnOnce(&mut TenantTx<'_>, &BatchRow, &repo::LetterRow) -> DbResult<serde_json::Value>
    + Send;

impl LettersApi {
    /// A receipt or a reminder on one letter of a sent batch, audited.
    async fn follow_up(
        &self,
        call: Call<'_>,
        id: String,
        lid: String,
        what: &'static str,
        f: impl FnOnce(&mut TenantTx<'_>, &BatchRow, &repo::LetterRow) -> DbResult<serde_json::Value>
        + Send
        + 'static,
    ) -> AppResult<Json<LetterView>> {
        let f: Box<FollowUpFn> = Box::new(f);
        let view = call
            .write(move |tx, who: &Principal| {
                let (b, centre) = visible_batch(tx, who, &id)?;
                acts_for(tx, who, &centre, staff_only)?;
                let letter = repo::letter(tx, &b.id, &lid)?.ok_or_else(AppError::not_found)?;
                let state = LetterBatchState::parse(&b.state).unwrap_or(LetterBatchState::Draft);
                model::may_follow_up(state, letter.received_on.is_some())
                    .map_err(AppError::from)?;
                let details = f(tx, &b, &letter)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    &format!("letters.{what}"),
                    "participation_letter",
                    &letter.id,
                    None,
                    details,
                )?;
                let fresh = repo::letter(tx, &b.id, &letter.id)?.ok_or_else(AppError::not_found)?;
                let (name, business) = crate::members::repo::get(tx, &fresh.member_id)?
                    .map(|m| (m.name, m.business_name))
                    .unwrap_or_default();
                Ok(letter_view(b.year, (fresh, name, business)))
            })
            .await?;
        Ok(Json(view))
    }

    /// One part of a batch's letters, with the centre's and the printer's names.
    async fn part(
        &self,
        auth: Auth,
        id: String,
        part: Option<u32>,
    ) -> AppResult<(BatchRow, String, String, Vec<LetterLine>)> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id)?;
        let part = part.unwrap_or(1).max(1) as usize;
        call.read(move |tx, who: &Principal| {
            let (b, centre) = visible_batch(tx, who, &id)?;
            // Letters are numbered 1… in the batch: part p holds (p - 1) × PART + 1 …= p × PART.
            let first = (part - 1) * PART + 1;
            if first > b.letters.max(0) as usize && part > 1 {
                return Err(AppError::not_found().into());
            }
            let lines = repo::letters_in(tx, &b.id, first, first + PART - 1)?;
            let by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok((b, centre.name, by, lines))
        })
        .await
    }
}
