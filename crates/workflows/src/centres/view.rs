//! What a service request looks like to the API: the 受(办)理表's fields with the member's and
//! staff members' names, where its clock stands, and (for one request) its steps.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::model::{
    self, AnswerMethod, FollowUpMethod, RequestCategory, RequestChannel, RequestState, Satisfaction,
};
use super::repo::{self, RequestRow};
use crate::db::schema::{members as m, org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ServiceRequestStep {
    /// taken / escalated / extended / handed_over / answered / followed_up / archived
    pub kind: String,
    pub on: NaiveDate,
    pub by_user_id: String,
    pub by_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
}

/// A service request (党员服务受(办)理表).
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ServiceRequestView {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub member_id: String,
    pub member_name: String,
    pub channel: RequestChannel,
    pub category: RequestCategory,
    /// 咨询 / 维权 / 法律援助 / 困难帮扶 / 其他
    pub category_label: String,
    /// 重大服务事项: followed up before it is archived.
    pub major: bool,
    pub content: String,
    pub received_on: NaiveDate,
    /// 首问责任人
    pub first_responder_id: String,
    pub first_responder_name: String,
    /// Who is responsible now (the first responder unless handed over).
    pub owner_id: String,
    pub owner_name: String,
    pub state: RequestState,
    pub state_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub escalated_on: Option<NaiveDate>,
    /// The 7-working-day limit on the county's calendar, or its extension.
    #[oai(skip_serializing_if_is_none)]
    pub due_on: Option<NaiveDate>,
    /// Past the due day and not answered, or answered after it.
    pub overdue: bool,
    pub extensions: i32,
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub answer_method: Option<AnswerMethod>,
    #[oai(skip_serializing_if_is_none)]
    pub answered_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub follow_up_method: Option<FollowUpMethod>,
    #[oai(skip_serializing_if_is_none)]
    pub followed_up_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub follow_up_opinion: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub satisfaction: Option<Satisfaction>,
    #[oai(skip_serializing_if_is_none)]
    pub archived_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub archive_reference: Option<String>,
    /// The steps so far, oldest first (one request only; lists leave them out).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default)]
    pub steps: Vec<ServiceRequestStep>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct ServiceRequestPage {
    pub items: Vec<ServiceRequestView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// Names by id, read once for a page: org units, members and users.
pub fn names<T: AsRef<str>>(
    tx: &mut TenantTx<'_>,
    centres: &[T],
    members: &[T],
    users: &[T],
) -> DbResult<HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    let ids = |v: &[T]| -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.as_ref().to_owned()).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut out = HashMap::new();
    for chunk in ids(centres).chunks(500) {
        let rows: Vec<(String, String)> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(chunk)))
            .select((o::id, o::name))
            .load(tx.conn())?;
        out.extend(rows);
    }
    for chunk in ids(members).chunks(500) {
        let rows: Vec<(String, String)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::name))
            .load(tx.conn())?;
        out.extend(rows);
    }
    for chunk in ids(users).chunks(500) {
        let rows: Vec<(String, String)> = u::table
            .filter(u::tenant_id.eq(&tid).and(u::id.eq_any(chunk)))
            .select((u::id, u::display_name))
            .load(tx.conn())?;
        out.extend(rows);
    }
    Ok(out)
}

fn build(
    r: &RequestRow,
    n: &HashMap<String, String>,
    steps: Vec<ServiceRequestStep>,
) -> ServiceRequestView {
    let name = |id: &str| n.get(id).cloned().unwrap_or_default();
    let state = RequestState::parse(&r.state).unwrap_or(RequestState::Taken);
    let category = RequestCategory::parse(&r.category).unwrap_or(RequestCategory::Other);
    ServiceRequestView {
        id: r.id.clone(),
        centre_id: r.centre_id.clone(),
        centre_name: name(&r.centre_id),
        member_id: r.member_id.clone(),
        member_name: name(&r.member_id),
        channel: RequestChannel::parse(&r.channel).unwrap_or(RequestChannel::OnSite),
        category,
        category_label: category.label_zh().to_owned(),
        major: r.major,
        content: r.content.clone(),
        received_on: r.received_on,
        first_responder_id: r.first_responder_id.clone(),
        first_responder_name: name(&r.first_responder_id),
        owner_id: r.owner_id.clone(),
        owner_name: name(&r.owner_id),
        state,
        state_label: state.label_zh().to_owned(),
        escalated_on: r.escalated_on,
        due_on: r.due_on,
        overdue: model::overdue(r.due_on, r.answered_on, crate::clock::today()),
        extensions: r.extensions,
        answer: r.answer.clone(),
        answer_method: r.answer_method.as_deref().and_then(AnswerMethod::parse),
        answered_on: r.answered_on,
        follow_up_method: r
            .follow_up_method
            .as_deref()
            .and_then(FollowUpMethod::parse),
        followed_up_on: r.followed_up_on,
        follow_up_opinion: r.follow_up_opinion.clone(),
        satisfaction: r.satisfaction.as_deref().and_then(Satisfaction::parse),
        archived_on: r.archived_on,
        archive_reference: r.archive_reference.clone(),
        steps,
        version: r.version,
    }
}

/// One request; with its steps when `with_steps`.
pub(super) fn view(
    tx: &mut TenantTx<'_>,
    r: &RequestRow,
    with_steps: bool,
) -> DbResult<ServiceRequestView> {
    let events = if with_steps {
        repo::events(tx, std::slice::from_ref(&r.id))?
    } else {
        Vec::new()
    };
    let mut users: Vec<&str> = vec![&r.first_responder_id, &r.owner_id];
    users.extend(events.iter().map(|e| e.by_user_id.as_str()));
    let n = names(tx, &[r.centre_id.as_str()], &[r.member_id.as_str()], &users)?;
    let steps = events
        .iter()
        .map(|e| ServiceRequestStep {
            kind: e.kind.clone(),
            on: e.on_day,
            by_user_id: e.by_user_id.clone(),
            by_name: n.get(&e.by_user_id).cloned().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    Ok(build(r, &n, steps))
}

/// A page of requests, names read once.
pub(super) fn views(
    tx: &mut TenantTx<'_>,
    rows: &[RequestRow],
) -> DbResult<Vec<ServiceRequestView>> {
    let centres: Vec<&str> = rows.iter().map(|r| r.centre_id.as_str()).collect();
    let members: Vec<&str> = rows.iter().map(|r| r.member_id.as_str()).collect();
    let users: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.first_responder_id.as_str(), r.owner_id.as_str()])
        .collect();
    let n = names(tx, &centres, &members, &users)?;
    Ok(rows.iter().map(|r| build(r, &n, Vec::new())).collect())
}
