//! HTTP for the semi-annual two-way feedback: drafting, review, sending, acknowledgement, the
//! two printable forms, and the feedback a member received.

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, BatchState, Direction};
use super::repo::{self, BatchRow};
use super::service;
use super::view::{BatchPage, BatchView, full, view};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::auth::Auth;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::Period;
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::handler::Call;
use crate::reporting::model::{check_date, parse_text};
use crate::reporting::repo as reporting;
use crate::reporting::service::Caller;

#[derive(Tags)]
enum ApiTags {
    /// 定期双向反馈 / Semi-annual two-way feedback
    Feedback,
}

pub struct FeedbackApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateFeedbackRequest {
    /// The village (for a branch's feedback) or the branch / party branch (for a village's).
    pub receiver_id: String,
    /// The half year: `2026H1` (due 15 July) or `2026H2` (due 15 January 2027).
    pub period: String,
    /// The sending branch or party branch, when the caller acts for several (default: the
    /// caller's unit). Village recorders always send for their village.
    pub sender_id: Option<String>,
    /// The members to give feedback on (default: the members the pair shares through
    /// two-way reporting).
    pub member_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FeedbackItemRequest {
    /// 经营地表现 / 居住地表现 in words (1–1000 characters).
    pub text: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EmptyRequest {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReviewFeedbackRequest {
    pub decision: Decision,
    /// Required when returning; an optional note when approving.
    pub reason: Option<String>,
    /// Default today.
    pub reviewed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SendFeedbackRequest {
    /// The day it was sent online (default today; not before the review).
    pub sent_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeFeedbackRequest {
    /// Default today; not before it was sent.
    pub acknowledged_on: Option<NaiveDate>,
}

#[derive(ApiResponse)]
pub enum BatchCreated {
    #[oai(status = 201)]
    Created(
        Json<BatchView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum BatchResponse {
    #[oai(status = 200)]
    Ok(Json<BatchView>, #[oai(header = "ETag")] String),
}

/// Feedback a member received, for star rating (village, business-place conduct) and credit
/// rating (association, residence conduct).
#[derive(Debug, Clone, Object)]
pub struct ReceivedFeedback {
    pub batch_id: String,
    pub direction: Direction,
    /// 经营地表现 / 居住地表现
    pub conduct_label: String,
    pub period: String,
    pub period_label: String,
    pub sender_id: String,
    pub sender_name: String,
    pub receiver_id: String,
    pub receiver_name: String,
    pub text: String,
    #[oai(skip_serializing_if_is_none)]
    pub sent_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub acknowledged_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct ReceivedPage {
    pub items: Vec<ReceivedFeedback>,
}

fn expected(h: Option<String>) -> AppResult<Option<i64>> {
    h.as_deref().map(|h| if_match(Some(h))).transpose()
}

fn date(field: &str, d: Option<NaiveDate>, today: NaiveDate) -> AppResult<NaiveDate> {
    let d = d.unwrap_or(today);
    check_date(field, d, today, None).map_err(|e| AppError::validation(vec![e]))
}

/// Tells `/events` subscribers who see the batch that it changed: the sender's side (and its
/// reviewer above it), and the receiver's once it is sent (before, the receiver cannot see it).
async fn publish(state: &AppState, emit: &Emitter, v: &BatchView) {
    let mut units = vec![v.sender_id.clone()];
    if matches!(v.state, BatchState::Sent | BatchState::Acknowledged) {
        units.push(v.receiver_id.clone());
    }
    emit.workflow(state, EventKind::FeedbackChanged, &v.id, units)
        .await;
}

impl FeedbackApi {
    /// Runs one write on a batch and answers with its new state.
    async fn act<F>(&self, auth: Auth, id: Path<String>, f: F) -> AppResult<BatchResponse>
    where
        F: FnOnce(&mut TenantTx<'_>, &Caller, &str) -> DbResult<BatchRow> + Send + 'static,
    {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let v = call
            .write(move |tx, c: &Caller| {
                let row = f(tx, c, &id)?;
                full(tx, row)
            })
            .await?;
        publish(&self.state, &emit, &v).await;
        let tag = etag(v.version);
        Ok(BatchResponse::Ok(Json(v), tag))
    }

    async fn document(
        &self,
        auth: Auth,
        id: Path<String>,
    ) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        call.read(move |tx, c: &Caller| {
            let l = service::visible(tx, c, &id)?;
            let v = full(tx, l.batch)?;
            let (county, _) = reporting::county(tx)?;
            Ok(super::document::build(&county, &v, c.role.label_zh()))
        })
        .await
    }
}

#[OpenApi(tag = "ApiTags::Feedback")]
impl FeedbackApi {
    /// 起草定期双向反馈 / Draft a feedback batch (branch staff or village recorder)
    ///
    /// One batch per sender, receiver and half year (409 `batch_exists`). Items start empty,
    /// one per member the pair shares through two-way reporting (or the `member_ids` given).
    /// Opens the sender's `semiannual_feedback` obligation for the half.
    #[oai(path = "/feedback-batches", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateFeedbackRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<BatchCreated> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let b = body.0;
        let req_hash = idempotency::request_hash("POST /feedback-batches", &b);
        let today = crate::clock::today();
        let mut errs = vec![];
        let period = model::parse_half("period", &b.period, today).gather(&mut errs);
        if b.member_ids.as_ref().is_some_and(|v| v.len() > 2000) {
            errs.push(FieldError::new(
                "member_ids",
                "too_many",
                "member_ids：一次最多2000名党员",
                "member_ids: at most 2000 members",
            ));
        }
        let Some(period) = period.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let k = service::Create {
            receiver_id: b.receiver_id.clone(),
            period,
            sender_id: b.sender_id.clone(),
            member_ids: b.member_ids.clone(),
        };
        let (v, replayed) = call
            .write(move |tx, c: &Caller| {
                if let Some(key) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &c.user_id, key, &req_hash)?
                {
                    let id: String = stored
                        .body
                        .get("id")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                    return Ok((full(tx, row)?, true));
                }
                let row = service::create(tx, c, &k)?;
                let v = full(tx, row)?;
                if let Some(key) = &key {
                    idempotency::tenant_store(
                        tx,
                        &c.user_id,
                        key,
                        &req_hash,
                        201,
                        &serde_json::json!({ "id": v.id }),
                    )?;
                }
                Ok((v, false))
            })
            .await?;
        let location = format!("/api/v1/feedback-batches/{}", v.id);
        let tag = etag(v.version);
        publish(&self.state, &emit, &v).await;
        Ok(BatchCreated::Created(
            Json(v),
            tag,
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 反馈列表 / List feedback batches
    ///
    /// The caller sees the batches their units send (reviewers see those of the units they
    /// review) and the sent batches their units receive. Items are not listed here.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/feedback-batches", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        period: Query<Option<String>>,
        state: Query<Option<BatchState>>,
        direction: Query<Option<Direction>>,
        sender_id: Query<Option<String>>,
        receiver_id: Query<Option<String>>,
        /// The day `overdue` is computed for.
        as_of: Query<Option<NaiveDate>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<BatchPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let as_of = as_of.0.unwrap_or_else(crate::clock::today);
        if let Some(p) = &period.0
            && !matches!(Period::parse(p), Some(Period::Half(..)))
        {
            return Err(AppError::field(
                "period",
                "invalid_period",
                "period：应为半年度，如 2026H1",
                "period: a half year such as 2026H1",
            ));
        }
        let ids = |v: Option<String>| v.map(|s| path_id(&s)).transpose();
        let mut f = repo::Filter {
            period: period.0,
            state: state.0,
            direction: direction.0,
            sender_id: ids(sender_id.0)?,
            receiver_id: ids(receiver_id.0)?,
            units: None,
        };
        let out = call
            .read(move |tx, c: &Caller| {
                f.units = c.unit_ids(tx)?;
                let rows = repo::list(tx, &f, &page)?;
                let (rows, next_cursor) = page.finish(rows, |r| r.id.as_str());
                let mut items = vec![];
                for r in rows {
                    items.push(view(tx, r, as_of, false)?);
                }
                Ok(BatchPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// 反馈详情 / One feedback batch with its items
    #[oai(path = "/feedback-batches/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<BatchResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let v = call
            .read(move |tx, c: &Caller| {
                let l = service::visible(tx, c, &id)?;
                full(tx, l.batch)
            })
            .await?;
        let tag = etag(v.version);
        Ok(BatchResponse::Ok(Json(v), tag))
    }

    /// 填写党员反馈 / Write one member's feedback (sender; draft or returned)
    #[oai(path = "/feedback-batches/:id/items/:member_id", method = "put")]
    async fn put_item(
        &self,
        auth: Auth,
        id: Path<String>,
        member_id: Path<String>,
        body: JsonBody<FeedbackItemRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let member = path_id(&member_id.0)?;
        let text =
            parse_text("text", &body.0.text, 1000).map_err(|e| AppError::validation(vec![e]))?;
        let exp = expected(if_match_h.0)?;
        self.act(auth, id, move |tx, c, id| {
            service::put_item(tx, c, id, &member, &text, exp)
        })
        .await
    }

    /// 移除党员 / Remove a member from a draft (sender)
    #[oai(path = "/feedback-batches/:id/items/:member_id", method = "delete")]
    async fn delete_item(
        &self,
        auth: Auth,
        id: Path<String>,
        member_id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let member = path_id(&member_id.0)?;
        let exp = expected(if_match_h.0)?;
        self.act(auth, id, move |tx, c, id| {
            service::delete_item(tx, c, id, &member, exp)
        })
        .await
    }

    /// 报送上级党委审核 / Submit for review (sender)
    ///
    /// Every member needs a text (422 `feedback_text_required` naming `items.<member_id>`).
    #[oai(path = "/feedback-batches/:id/submit", method = "post")]
    async fn submit(
        &self,
        auth: Auth,
        id: Path<String>,
        _body: JsonBody<EmptyRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let exp = expected(if_match_h.0)?;
        self.act(auth, id, move |tx, c, id| service::submit(tx, c, id, exp))
            .await
    }

    /// 上级党委审核 / Approve or return (the association committee for a branch's feedback, the
    /// township committee for a village's)
    #[oai(path = "/feedback-batches/:id/review", method = "post")]
    async fn review(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReviewFeedbackRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let exp = expected(if_match_h.0)?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = vec![];
        let reason = b
            .reason
            .as_deref()
            .and_then(|r| parse_text("reason", r, 200).gather(&mut errs));
        if b.decision == Decision::Return && reason.is_none() && errs.is_empty() {
            errs.push(FieldError::new(
                "reason",
                "required",
                "reason：退回须说明理由",
                "reason is required to return the feedback",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let r = service::Review {
            approve: b.decision == Decision::Approve,
            reason,
            reviewed_on: b.reviewed_on.unwrap_or(today),
            expected: exp,
        };
        self.act(auth, id, move |tx, c, id| {
            service::review(tx, c, id, &r, today)
        })
        .await
    }

    /// 在线反馈（发送） / Send online (sender; only after approval: 409 `not_reviewed`)
    ///
    /// Meets the sender's `semiannual_feedback` obligation for the half once all its batches
    /// of the half are sent; `late` when sent after the due day.
    #[oai(path = "/feedback-batches/:id/send", method = "post")]
    async fn send(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<SendFeedbackRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let exp = expected(if_match_h.0)?;
        let today = crate::clock::today();
        let on = date("sent_on", body.0.sent_on, today)?;
        self.act(auth, id, move |tx, c, id| {
            service::send(tx, c, id, on, exp, today)
        })
        .await
    }

    /// 签收 / Acknowledge receipt (receiver; twice: 409 `already_acknowledged`)
    #[oai(path = "/feedback-batches/:id/acknowledge", method = "post")]
    async fn acknowledge(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<AcknowledgeFeedbackRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<BatchResponse> {
        let exp = expected(if_match_h.0)?;
        let today = crate::clock::today();
        let on = date("acknowledged_on", body.0.acknowledged_on, today)?;
        self.act(auth, id, move |tx, c, id| {
            service::acknowledge(tx, c, id, on, exp, today)
        })
        .await
    }

    /// 反馈表（xlsx） / The printable 反馈表 as a workbook
    #[oai(path = "/feedback-batches/:id/document.xlsx", method = "get")]
    async fn document_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.document(auth, id).await?.xlsx_response()
    }

    /// 反馈表（打印版 HTML） / The printable 反馈表 as A4 HTML
    #[oai(path = "/feedback-batches/:id/document.html", method = "get")]
    async fn document_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self.document(auth, id).await?.html_response())
    }

    /// 党员收到的反馈 / The feedback received about a member (for star and credit rating)
    ///
    /// Sent batches only, oldest first. Members the caller does not reach are 404.
    #[oai(path = "/members/:id/feedback", method = "get")]
    async fn member_feedback(&self, auth: Auth, id: Path<String>) -> AppResult<Json<ReceivedPage>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let out = call
            .read(move |tx, c: &Caller| {
                let member = crate::members::repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                if !reporting::member_reachable(tx, &c.vis, &member)? {
                    return Err(AppError::not_found().into());
                }
                let got = repo::received_about(tx, &id)?;
                let mut units: Vec<String> = got
                    .iter()
                    .flat_map(|(_, b)| [b.sender_id.clone(), b.receiver_id.clone()])
                    .collect();
                units.sort();
                units.dedup();
                let names = reporting::unit_names(tx, &units)?;
                let name = |id: &str| names.get(id).cloned().unwrap_or_default();
                let items = got
                    .into_iter()
                    .map(|(i, b)| {
                        let d = b.direction();
                        ReceivedFeedback {
                            conduct_label: d.conduct_zh().to_owned(),
                            period_label: model::half_label(
                                Period::parse(&b.period).unwrap_or(Period::Anchored),
                            ),
                            sender_name: name(&b.sender_id),
                            receiver_name: name(&b.receiver_id),
                            batch_id: b.id,
                            direction: d,
                            period: b.period,
                            sender_id: b.sender_id,
                            receiver_id: b.receiver_id,
                            text: i.text,
                            sent_on: b.sent_on,
                            acknowledged_on: b.acknowledged_on,
                        }
                    })
                    .collect();
                Ok(ReceivedPage { items })
            })
            .await?;
        Ok(Json(out))
    }
}
