//! A member's vanguard evaluation of a year: /api/v1/members/{id}/vanguard/{year} and its
//! steps, and the list of a campaign's entries.
//!
//! Who sees an entry: whoever sees the member on the register (404 otherwise, like another
//! county's ids). Who records the steps: branch staff who see the member and the association
//! committee (403 `vanguard_evaluators_only`); choosing outstanding members is the
//! committee's (403 `committee_only`). Each step needs If-Match.

use std::collections::HashMap;

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::api::{campaign_of, committee_only, refused, stars, text};
use super::model::{self, CampaignState, VetoKind};
use super::repo::{self, CampaignRow, EntryRow, ObjectionRow, Show, Step};
use super::rules::{self, Stars};
use super::view::{self, VanguardEntryPage, VanguardEntryView};
use crate::AppState;
use crate::api::{JsonBody, PageLimit, PageRequest, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, AppResult, FieldError};
use crate::workflows::handler::Call;
use crate::workflows::records::repo as records;

pub struct VanguardEntriesApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EntryFilter {
    All,
    Evaluated,
    Excluded,
    /// Evaluated, neither reviewed nor vetoed yet.
    Pending,
    Vetoed,
    Recommended,
    NeedsHelp,
    Outstanding,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SelfEvaluationRequest {
    /// The stars the member gives themselves (1–5), from their 自评表.
    pub stars: i32,
    /// Up to 500 characters.
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PeerEvaluationRequest {
    /// How many of the branch's members gave 1, 2, 3, 4 and 5 stars (five counts, 0–1000):
    /// the tally of the 互评表, never who gave what.
    pub votes: Vec<i32>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// The organisation's stars (组织审定), 1–5.
    pub stars: i32,
    /// Up to 500 characters.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct VetoRequest {
    pub kind: VetoKind,
    /// Where the evidence is (a decision's number, a document), 1–200 characters.
    pub evidence: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct OutstandingRequest {
    pub outstanding: bool,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct HelpRequest {
    /// 谈心谈话 held on; not in the future.
    pub talk_on: Option<NaiveDate>,
    /// 结对帮扶: the mentor's name (up to 50 characters).
    pub mentor: Option<String>,
    /// Help completed on (needs the talk and the mentor); not in the future.
    pub done_on: Option<NaiveDate>,
}

#[derive(ApiResponse)]
pub enum EntryResponse {
    #[oai(status = 200)]
    Ok(Json<VanguardEntryView>, #[oai(header = "ETag")] String),
}

fn evaluators_only(who: &Principal) -> AppResult<()> {
    if matches!(who.role, Role::BranchStaff | Role::AssociationCommittee) {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "vanguard_evaluators_only",
            "先锋指数考评由分会支部工作人员和协会党委登记",
            "Branch staff and the association committee record the evaluation",
        ))
    }
}

/// The entry of a member the caller sees, with the campaign, or 404.
fn visible_entry(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    member_id: &str,
    year: i32,
) -> DbResult<(CampaignRow, EntryRow, String, String)> {
    let m = crate::members::repo::get(tx, member_id)?.ok_or_else(AppError::not_found)?;
    let vis = crate::org::scope::visibility(tx, who.role, &who.user_id)?;
    if !crate::members::repo::visible(tx, &vis, &m)? {
        return Err(AppError::not_found().into());
    }
    let c = campaign_of(tx, year)?;
    let e = repo::entry(tx, &c.id, &m.id)?.ok_or_else(AppError::not_found)?;
    Ok((c, e, m.name, m.business_name))
}

fn names(tx: &mut TenantTx<'_>, rows: &[&EntryRow]) -> DbResult<HashMap<String, String>> {
    let units: Vec<String> = rows.iter().filter_map(|e| e.unit_id.clone()).collect();
    let users: Vec<String> = rows.iter().filter_map(|e| e.veto_by.clone()).collect();
    crate::workflows::centres::view::names(tx, &units, &[], &users)
}

fn one(
    tx: &mut TenantTx<'_>,
    year: i32,
    e: &EntryRow,
    name: String,
    business: String,
) -> DbResult<VanguardEntryView> {
    let n = names(tx, &[e])?;
    Ok(view::entry(year, e, name, business, &n))
}

fn not_future(field: &str, d: Option<NaiveDate>, today: NaiveDate, errs: &mut Vec<FieldError>) {
    if d.is_some_and(|d| d > today) {
        errs.push(FieldError::new(
            field,
            "date_in_future",
            format!("{field}：日期不能晚于今天"),
            format!("{field}: not in the future"),
        ));
    }
}

/// What a request asks of an entry, checked before the transaction.
enum Ask {
    SelfEvaluation {
        stars: i32,
        summary: Option<String>,
    },
    Peer([i32; 5]),
    Review {
        stars: i32,
        note: Option<String>,
    },
    Veto {
        kind: VetoKind,
        evidence: String,
    },
    Outstanding(bool),
    Help {
        talk_on: Option<NaiveDate>,
        mentor: Option<String>,
        done_on: Option<NaiveDate>,
    },
}

fn optional(
    field: &str,
    v: Option<&str>,
    max: usize,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    let t = v.map(str::trim).filter(|t| !t.is_empty())?;
    text(field, t, max).map_err(|e| errs.push(e)).ok()
}

fn checked(errs: Vec<FieldError>, ask: Ask) -> AppResult<Ask> {
    if errs.is_empty() {
        Ok(ask)
    } else {
        Err(AppError::validation(errs))
    }
}

impl VanguardEntriesApi {
    async fn step(
        &self,
        call: Call<'_>,
        member_id: String,
        year: i32,
        if_match: Option<String>,
        ask: Ask,
    ) -> AppResult<EntryResponse> {
        let expected = crate::api::if_match(if_match.as_deref())?;
        let id = path_id(&member_id)?;
        let today = crate::clock::today();
        let v = call
            .write(move |tx, who: &Principal| {
                let (c, e, name, business) = visible_entry(tx, who, &id, year)?;
                let state = c.state();
                let evaluate = || {
                    model::may_evaluate(state, e.excluded.is_some(), e.veto.is_some())
                        .map_err(refused)
                };
                let final_only = || -> AppResult<Stars> {
                    if !matches!(state, CampaignState::Final | CampaignState::Reported) {
                        return Err(refused(model::NOT_FINAL));
                    }
                    e.final_stars
                        .and_then(|s| u8::try_from(s).ok())
                        .and_then(Stars::new)
                        .ok_or_else(|| refused(model::NOT_FINAL))
                };
                let (action, step) = match &ask {
                    Ask::SelfEvaluation { stars, summary } => {
                        evaluate()?;
                        (
                            "vanguard.self",
                            Step::SelfEvaluation {
                                stars: *stars,
                                summary: summary.as_deref(),
                                on: today,
                            },
                        )
                    }
                    Ask::Peer(votes) => {
                        evaluate()?;
                        (
                            "vanguard.peer",
                            Step::Peer {
                                votes: *votes,
                                on: today,
                            },
                        )
                    }
                    Ask::Review { stars, note } => {
                        evaluate()?;
                        if e.self_stars.is_none() || e.peer_on.is_none() {
                            return Err(refused(model::NOT_READY_FOR_REVIEW).into());
                        }
                        (
                            "vanguard.review",
                            Step::Review {
                                stars: *stars,
                                note: note.as_deref(),
                                by: &who.user_id,
                                on: today,
                            },
                        )
                    }
                    Ask::Veto { kind, evidence } => {
                        evaluate()?;
                        (
                            "vanguard.veto",
                            Step::Veto {
                                kind: crate::enums::StrEnum::as_str(*kind),
                                evidence,
                                by: &who.user_id,
                                on: today,
                            },
                        )
                    }
                    Ask::Outstanding(v) => {
                        let s = final_only()?;
                        if *v {
                            rules::may_be_outstanding(s)
                                .map_err(|_| refused(model::OUTSTANDING_NEEDS_FOUR))?;
                        }
                        ("vanguard.outstanding", Step::Outstanding(*v))
                    }
                    Ask::Help {
                        talk_on,
                        mentor,
                        done_on,
                    } => {
                        if !final_only()?.needs_help() {
                            return Err(refused(model::NO_HELP_NEEDED).into());
                        }
                        if done_on.is_some() && (talk_on.is_none() || mentor.is_none()) {
                            return Err(AppError::field(
                                "done_on",
                                "help_incomplete",
                                "done_on：谈心谈话和结对帮扶都落实后才能办结",
                                "done_on: needs the talk and the mentor first",
                            )
                            .into());
                        }
                        (
                            "vanguard.help",
                            Step::Help {
                                talk_on: *talk_on,
                                mentor: mentor.as_deref(),
                                done_on: *done_on,
                            },
                        )
                    }
                };
                let e = repo::step(tx, &e, expected, step)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    action,
                    "vanguard_entry",
                    &format!("{}/{}", c.year, e.member_id),
                    None,
                    serde_json::json!({ "year": c.year }),
                )?;
                one(tx, c.year, &e, name, business)
            })
            .await?;
        let tag = etag(v.version);
        Ok(EntryResponse::Ok(Json(v), tag))
    }
}

#[OpenApi(tag = "super::api::ApiTags::Vanguard")]
impl VanguardEntriesApi {
    /// 考评名单 / A campaign's members you see: evaluated and excluded (with the reason)
    #[oai(path = "/evaluations/vanguard/:year/entries", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        year: Path<i32>,
        show: Query<Option<EntryFilter>>,
        unit_id: Query<Option<String>>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<VanguardEntryPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let show = match show.0.unwrap_or(EntryFilter::All) {
            EntryFilter::All => Show::All,
            EntryFilter::Evaluated => Show::Evaluated,
            EntryFilter::Excluded => Show::Excluded,
            EntryFilter::Pending => Show::Pending,
            EntryFilter::Vetoed => Show::Vetoed,
            EntryFilter::Recommended => Show::Recommended,
            EntryFilter::NeedsHelp => Show::NeedsHelp,
            EntryFilter::Outstanding => Show::Outstanding,
        };
        // A unit id that cannot exist matches no entry, like an unknown one.
        let unit = unit_id.0.as_deref().map(|u| path_id(u).unwrap_or_default());
        let out = call
            .read(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                let vis = crate::org::scope::visibility(tx, who.role, &who.user_id)?;
                let rows = repo::entries(tx, &c.id, &vis, show, unit.as_deref(), &page)?;
                let (rows, next_cursor) = page.finish(rows, |r| &r.0.member_id);
                let refs: Vec<&EntryRow> = rows.iter().map(|r| &r.0).collect();
                let n = names(tx, &refs)?;
                Ok(VanguardEntryPage {
                    items: rows
                        .into_iter()
                        .map(|(e, name, business)| view::entry(c.year, &e, name, business, &n))
                        .collect(),
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 党员先锋指数考评 / A member's evaluation of a year
    #[oai(path = "/members/:id/vanguard/:year", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>, year: Path<i32>) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let v = call
            .read(move |tx, who: &Principal| {
                let (c, e, name, business) = visible_entry(tx, who, &id, year.0)?;
                one(tx, c.year, &e, name, business)
            })
            .await?;
        let tag = etag(v.version);
        Ok(EntryResponse::Ok(Json(v), tag))
    }

    /// 个人自评 / Record the self-evaluation
    #[oai(path = "/members/:id/vanguard/:year/self", method = "put")]
    async fn self_evaluation(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<SelfEvaluationRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        evaluators_only(call.who())?;
        let mut errs = Vec::new();
        let s = stars("stars", body.0.stars)
            .map_err(|e| errs.push(e))
            .unwrap_or(1);
        let summary = optional("summary", body.0.summary.as_deref(), 500, &mut errs);
        let ask = checked(errs, Ask::SelfEvaluation { stars: s, summary })?;
        self.step(call, id.0, year.0, if_match.0, ask).await
    }

    /// 党员互评 / Record the peer evaluation's tally
    #[oai(path = "/members/:id/vanguard/:year/peer", method = "put")]
    async fn peer(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<PeerEvaluationRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        evaluators_only(call.who())?;
        let v = &body.0.votes;
        let ok =
            v.len() == 5 && v.iter().all(|n| (0..=1000).contains(n)) && v.iter().any(|n| *n > 0);
        if !ok {
            return Err(AppError::field(
                "votes",
                "invalid_votes",
                "votes：须为给1至5星的人数（5个0到1000的整数，至少一人评价）",
                "votes: five counts (0–1000) of 1 to 5 stars, at least one rater",
            ));
        }
        let votes = [v[0], v[1], v[2], v[3], v[4]];
        self.step(call, id.0, year.0, if_match.0, Ask::Peer(votes))
            .await
    }

    /// 组织审定 / Record the organisation's review (after self and peer evaluation)
    #[oai(path = "/members/:id/vanguard/:year/review", method = "put")]
    async fn review(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<ReviewRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        evaluators_only(call.who())?;
        let mut errs = Vec::new();
        let s = stars("stars", body.0.stars)
            .map_err(|e| errs.push(e))
            .unwrap_or(1);
        let note = optional("note", body.0.note.as_deref(), 500, &mut errs);
        let ask = checked(errs, Ask::Review { stars: s, note })?;
        self.step(call, id.0, year.0, if_match.0, ask).await
    }

    /// 一票否决 / Record a one-vote veto with its evidence
    #[oai(path = "/members/:id/vanguard/:year/veto", method = "put")]
    async fn veto(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<VetoRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        evaluators_only(call.who())?;
        let evidence =
            text("evidence", &body.0.evidence, 200).map_err(|e| AppError::validation(vec![e]))?;
        let ask = Ask::Veto {
            kind: body.0.kind,
            evidence,
        };
        self.step(call, id.0, year.0, if_match.0, ask).await
    }

    /// 评选优秀党员 / Choose (or unchoose) an outstanding member: 4 or 5 final stars only
    #[oai(path = "/members/:id/vanguard/:year/outstanding", method = "put")]
    async fn outstanding(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<OutstandingRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let ask = Ask::Outstanding(body.0.outstanding);
        self.step(call, id.0, year.0, if_match.0, ask).await
    }

    /// 谈心谈话、结对帮扶 / Track the talk and the mentor of a 1–2 star member
    #[oai(path = "/members/:id/vanguard/:year/help", method = "put")]
    async fn help(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<HelpRequest>,
    ) -> AppResult<EntryResponse> {
        let call = Call::new(&self.state, auth)?;
        evaluators_only(call.who())?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        not_future("talk_on", b.talk_on, today, &mut errs);
        not_future("done_on", b.done_on, today, &mut errs);
        let mentor = optional("mentor", b.mentor.as_deref(), 50, &mut errs);
        let ask = checked(
            errs,
            Ask::Help {
                talk_on: b.talk_on,
                mentor,
                done_on: b.done_on,
            },
        )?;
        self.step(call, id.0, year.0, if_match.0, ask).await
    }
}

/// The final step: each evaluated member's stars (the review's, or the last upheld
/// objection's revision) written on the entry and as the member's 党员先锋指数 record (A04),
/// in bulk; a vetoed member's record says so, without stars.
pub fn finalise(
    tx: &mut TenantTx<'_>,
    c: &CampaignRow,
    objections: &[ObjectionRow],
    who: &Principal,
    today: NaiveDate,
) -> DbResult<()> {
    let mut revised: Vec<(String, i32)> = Vec::new();
    for o in objections {
        if let Some(s) = o.revised_stars {
            revised.retain(|(m, _)| m != &o.member_id);
            revised.push((o.member_id.clone(), s));
        }
    }
    repo::finalise_stars(tx, &c.id, &revised)?;
    let finals = repo::all_entries(tx, &c.id)?
        .into_iter()
        .filter(|e| e.excluded.is_none())
        .map(|e| (e.member_id, e.final_stars))
        .collect();
    write_records(tx, c.year, finals, &who.user_id, today)
}

/// Each evaluated member's result as their 党员先锋指数 record (item A04), in bulk: "N星" with
/// the stars as its score, or 一票否决 without. Recorded for the caller's unit, or for the
/// county's association committee when the caller is bound to none.
pub fn write_records(
    tx: &mut TenantTx<'_>,
    year: i32,
    finals: Vec<(String, Option<i32>)>,
    by: &str,
    on: NaiveDate,
) -> DbResult<()> {
    records::ensure_seeded(tx)?;
    let item = records::item(tx, "A04")?.ok_or_else(|| refused(model::NO_RECORD_ITEM))?;
    let unit = match crate::users::repo::get(tx, by)?.and_then(|u| u.org_unit_id) {
        Some(u) => u,
        None => super::api::committees(tx)?
            .into_iter()
            .next()
            .ok_or_else(|| refused(model::NO_COMMITTEE))?,
    };
    let values: Vec<records::RecordValues> = finals
        .into_iter()
        .map(|(member_id, stars)| records::RecordValues {
            content: match stars {
                Some(s) => format!("{year}年度党员先锋指数考评为{s}星"),
                None => format!("{year}年度党员先锋指数考评一票否决"),
            },
            score: stars,
            member_id,
            item_code: item.code.clone(),
            item_version: item.current_version,
            category: item.category,
            recorded_on: on,
            recording_unit_id: unit.clone(),
        })
        .collect();
    records::insert_many(tx, &values, by)
}
