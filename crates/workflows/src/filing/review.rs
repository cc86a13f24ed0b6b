//! The upper committee's side of quarterly filing: its inbox of submitted filings, and
//! accepting or returning one (a township committee its villages', the association committee
//! the party branches' and AIC offices').

use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use super::api::{
    ApiTags, FilingResponse, audit_filing, date_field, refused, units_under, visible,
};
use super::model::{Action, FilingState, transition, upper_role};
use super::repo::{self, FilingRow};
use super::view::{FilingPage, FilingView, full_view, page_of};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, path_id};
use crate::auth::{Auth, Role};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::handler::Call;
use crate::org::model::OrgKind;
use crate::org::scope::Visibility;
use crate::records::model::check_text;
use crate::records::scope::Caller;

pub struct FilingReviewApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReviewFilingRequest {
    /// Required to return a filing: what to correct.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
    /// Default today; not in the future, not before the submission.
    pub reviewed_on: Option<NaiveDate>,
}

fn not_upper_committee() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_upper_committee",
        "只有报送单位的上级党委（村/社区：乡镇/街道党委；分会支部、工商所：县个民协会党委）可以审核",
        "Only the filing unit's upper committee may review it",
    )
}

fn reviewed_after_submission(cur: &FilingRow, on: NaiveDate) -> DbResult<()> {
    if let Some(s) = cur.submitted_on.filter(|s| on < *s) {
        return Err(AppError::field(
            "reviewed_on",
            "before_submission",
            format!("reviewed_on：不能早于报送日期 {s}"),
            format!("reviewed_on cannot be before the submission on {s}"),
        )
        .into());
    }
    Ok(())
}

impl FilingReviewApi {
    /// Runs a review on a filing the caller's committee reviews.
    async fn review<F>(&self, auth: Auth, id: String, f: F) -> AppResult<(FilingView, i64)>
    where
        F: FnOnce(&mut TenantTx<'_>, &Caller, FilingRow) -> DbResult<FilingRow> + Send + 'static,
    {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let today = crate::clock::today();
        let out = call
            .write(move |tx, c: &Caller| {
                let (cur, unit) = visible(tx, c, &id)?;
                // A unit never reviews its own filing; the reviewer is its upper committee and
                // sees the unit (a township committee only its own villages).
                if upper_role(unit.kind()) != Some(c.principal.role) || !c.vis.sees(&unit) {
                    return Err(not_upper_committee().into());
                }
                let next = f(tx, c, cur)?;
                Ok((full_view(tx, &next, &unit, today)?, next.version))
            })
            .await?;
        super::api::publish(&self.state, &emit, &out.0).await;
        Ok(out)
    }
}

#[OpenApi(tag = "ApiTags::Filings")]
impl FilingReviewApi {
    /// 待审核的报送件 / Your committee's inbox: submitted filings to accept or return
    #[oai(path = "/filings/inbox", method = "get")]
    async fn inbox(
        &self,
        auth: Auth,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<FilingPage>> {
        let call = Call::new(&self.state, auth)?;
        call.who()
            .require(&[
                Role::TownshipCommittee,
                Role::AssociationCommittee,
                Role::CountyAdmin,
            ])
            .map_err(|_| not_upper_committee())?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let today = crate::clock::today();
        let out = call
            .read(move |tx, c: &Caller| {
                let mut flt = repo::Filter {
                    state: Some(FilingState::Submitted),
                    ..Default::default()
                };
                match c.principal.role {
                    Role::TownshipCommittee => {
                        flt.unit_kinds = Some(vec![OrgKind::Village.as_str()]);
                        flt.unit_ids = Some(match &c.vis {
                            Visibility::Subtree(p) => units_under(tx, p)?,
                            _ => vec![],
                        });
                    }
                    Role::AssociationCommittee => {
                        flt.unit_kinds = Some(vec![
                            OrgKind::PartyBranch.as_str(),
                            OrgKind::AicOffice.as_str(),
                        ]);
                    }
                    _ => {}
                }
                page_of(tx, &flt, &page, today)
            })
            .await?;
        Ok(Json(out))
    }

    /// 审核通过（备案）/ Accept the filing (the upper committee)
    #[oai(path = "/filings/:id/accept", method = "post")]
    async fn accept(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReviewFilingRequest>,
    ) -> AppResult<FilingResponse> {
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        // Accepting needs no reason; one given anyway is held to the documented bound (the
        // API fuzz sent 800 characters and was answered 200).
        if let Some(r) = body
            .0
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let mut errs = Vec::new();
            check_text("reason", r, 500, true).gather(&mut errs);
            if !errs.is_empty() {
                return Err(AppError::validation(errs));
            }
        }
        let on = date_field("reviewed_on", body.0.reviewed_on, today)
            .map_err(|e| AppError::validation(vec![e]))?;
        let (v, version) = self
            .review(auth, id, move |tx, c, cur| {
                let who = &c.principal;
                let to = transition(cur.state(), Action::Accept).map_err(refused)?;
                reviewed_after_submission(&cur, on)?;
                let mut next = cur.clone();
                next.state = to.as_str().to_owned();
                next.reviewed_on = Some(on);
                next.reviewed_by = Some(who.user_id.clone());
                let saved = repo::save(tx, &next, cur.version)?;
                repo::event(tx, &saved.id, "accepted", on, &who.user_id, None)?;
                audit_filing(tx, who, "filing.accept", &saved, None)?;
                Ok(saved)
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }

    /// 退回（须说明原因）/ Return the filing with a reason (the upper committee)
    #[oai(path = "/filings/:id/return", method = "post")]
    async fn return_filing(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReviewFilingRequest>,
    ) -> AppResult<FilingResponse> {
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        let b = body.0;
        let mut errs = vec![];
        let on = date_field("reviewed_on", b.reviewed_on, today).gather(&mut errs);
        let reason = match b.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => {
                errs.push(FieldError::new(
                    "reason",
                    "reason_required",
                    "reason：退回须说明原因",
                    "reason: a returned filing needs a reason",
                ));
                None
            }
            Some(r) => check_text("reason", r, 500, true).gather(&mut errs),
        };
        let (Some(on), Some(reason)) = (on, reason) else {
            return Err(AppError::validation(errs));
        };
        let (v, version) = self
            .review(auth, id, move |tx, c, cur| {
                let who = &c.principal;
                let to = transition(cur.state(), Action::Return).map_err(refused)?;
                reviewed_after_submission(&cur, on)?;
                let mut next = cur.clone();
                next.state = to.as_str().to_owned();
                next.reviewed_on = Some(on);
                next.reviewed_by = Some(who.user_id.clone());
                next.return_reason = Some(reason.clone());
                let saved = repo::save(tx, &next, cur.version)?;
                repo::event(tx, &saved.id, "returned", on, &who.user_id, Some(&reason))?;
                audit_filing(tx, who, "filing.return", &saved, Some(&reason))?;
                Ok(saved)
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }
}
