//! What the API shows of a vanguard campaign, its entries and objections.

use std::collections::HashMap;

use chrono::NaiveDate;
use poem_openapi::Object;

use super::model::{CampaignState, ExclusionReason, VetoKind, peer_summary};
use super::repo::{CampaignRow, EntryRow, ObjectionRow, Tally};
use super::rules::Stars;
use crate::enums::StrEnum;

#[derive(Debug, Clone, Object)]
pub struct CountByKey {
    pub key: String,
    pub label: String,
    pub count: u32,
}

/// Where the year's evaluation stands, county-wide.
#[derive(Debug, Clone, Object, Default)]
pub struct CampaignCounts {
    /// Members on the list: evaluated and excluded.
    pub listed: u32,
    pub evaluated: u32,
    pub excluded: u32,
    pub excluded_by_reason: Vec<CountByKey>,
    pub self_done: u32,
    pub peer_done: u32,
    pub reviewed: u32,
    pub vetoed: u32,
    /// Final stars 1 to 5 (index 0 is one star).
    pub final_stars: Vec<u32>,
    /// 4–5 stars: 优先推荐.
    pub recommended: u32,
    pub outstanding: u32,
    /// 1–2 stars: 谈心谈话、结对帮扶; and of them, those whose help is complete.
    pub needs_help: u32,
    pub help_done: u32,
}

#[derive(Debug, Clone, Object)]
pub struct CampaignView {
    pub id: String,
    pub year: i32,
    pub state: CampaignState,
    pub state_label: String,
    pub notice_days: i32,
    #[oai(skip_serializing_if_is_none)]
    pub notice_from: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub notice_until: Option<NaiveDate>,
    pub opened_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub finalised_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub reported_on: Option<NaiveDate>,
    pub counts: CampaignCounts,
    pub objections: u32,
    pub objections_open: u32,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct CampaignList {
    pub items: Vec<CampaignView>,
}

/// Peer evaluation, only as the aggregate of what the branch's members gave.
#[derive(Debug, Clone, Object)]
pub struct PeerView {
    pub raters: u32,
    /// Mean stars, one decimal.
    pub mean: f64,
    /// How many gave 1, 2, 3, 4 and 5 stars.
    pub votes: Vec<u32>,
}

#[derive(Debug, Clone, Object)]
pub struct VanguardEntryView {
    pub year: i32,
    pub member_id: String,
    pub member_name: String,
    pub business_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub unit_id: Option<String>,
    pub unit_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub excluded: Option<ExclusionReason>,
    #[oai(skip_serializing_if_is_none)]
    pub excluded_label: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub self_stars: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub self_summary: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub peer: Option<PeerView>,
    #[oai(skip_serializing_if_is_none)]
    pub review_stars: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub review_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub veto: Option<VetoKind>,
    #[oai(skip_serializing_if_is_none)]
    pub veto_label: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub veto_evidence: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub veto_by_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub veto_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub final_stars: Option<i32>,
    /// 4–5 final stars: 优先推荐.
    pub recommended: bool,
    /// 1–2 final stars: a talk and a mentor.
    pub needs_help: bool,
    pub outstanding: bool,
    #[oai(skip_serializing_if_is_none)]
    pub talk_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub mentor: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub help_done_on: Option<NaiveDate>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct VanguardEntryPage {
    pub items: Vec<VanguardEntryView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ObjectionView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub received_on: NaiveDate,
    pub content: String,
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub revised_stars: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub answered_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub answered_by_name: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ObjectionList {
    pub items: Vec<ObjectionView>,
}

fn n(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub fn counts(t: &[Tally]) -> CampaignCounts {
    let mut c = CampaignCounts {
        listed: n(t.len()),
        final_stars: vec![0; 5],
        ..CampaignCounts::default()
    };
    let mut reasons: Vec<CountByKey> = ExclusionReason::ALL
        .iter()
        .map(|r| CountByKey {
            key: r.as_str().to_owned(),
            label: r.label_zh().to_owned(),
            count: 0,
        })
        .collect();
    for (excluded, self_stars, peer_on, review, veto, fin, outstanding, talk, done) in t {
        if let Some(x) = excluded {
            c.excluded += 1;
            if let Some(r) = reasons.iter_mut().find(|r| &r.key == x) {
                r.count += 1;
            }
            continue;
        }
        c.evaluated += 1;
        c.self_done += u32::from(self_stars.is_some());
        c.peer_done += u32::from(peer_on.is_some());
        c.reviewed += u32::from(review.is_some());
        c.vetoed += u32::from(veto.is_some());
        c.outstanding += u32::from(*outstanding);
        if let Some(s) = fin.and_then(|s| u8::try_from(s).ok()).and_then(Stars::new) {
            c.final_stars[usize::from(s.get() - 1)] += 1;
            c.recommended += u32::from(s.recommended());
            if s.needs_help() {
                c.needs_help += 1;
                c.help_done += u32::from(talk.is_some() && done.is_some());
            }
        }
    }
    c.excluded_by_reason = reasons;
    c
}

pub fn campaign(c: &CampaignRow, t: &[Tally], objections: &[ObjectionRow]) -> CampaignView {
    let state = c.state();
    CampaignView {
        id: c.id.clone(),
        year: c.year,
        state,
        state_label: state.label_zh().to_owned(),
        notice_days: c.notice_days,
        notice_from: c.notice_from,
        notice_until: c.notice_until,
        opened_on: c.opened_on,
        finalised_on: c.finalised_on,
        reported_on: c.reported_on,
        counts: counts(t),
        objections: n(objections.len()),
        objections_open: n(objections
            .iter()
            .filter(|o| o.answered_on.is_none())
            .count()),
        version: c.version,
    }
}

/// An entry with the names it needs (`names`: units and users by id).
pub fn entry(
    year: i32,
    e: &EntryRow,
    member_name: String,
    business_name: String,
    names: &HashMap<String, String>,
) -> VanguardEntryView {
    let excluded = e.excluded.as_deref().and_then(ExclusionReason::parse);
    let veto = e.veto.as_deref().and_then(VetoKind::parse);
    let stars = e
        .final_stars
        .and_then(|s| u8::try_from(s).ok())
        .and_then(Stars::new);
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i)).cloned();
    VanguardEntryView {
        year,
        member_id: e.member_id.clone(),
        member_name,
        business_name,
        unit_id: e.unit_id.clone(),
        unit_name: name(&e.unit_id).unwrap_or_default(),
        excluded,
        excluded_label: excluded.map(|x| x.label_zh().to_owned()),
        self_stars: e.self_stars,
        self_summary: e.self_summary.clone(),
        peer: e.votes().and_then(|v| {
            peer_summary(v).map(|(raters, mean)| PeerView {
                raters,
                mean: f64::from(mean) / 10.0,
                votes: v.to_vec(),
            })
        }),
        review_stars: e.review_stars,
        review_note: e.review_note.clone(),
        veto,
        veto_label: veto.map(|v| v.label_zh().to_owned()),
        veto_evidence: e.veto_evidence.clone(),
        veto_by_name: name(&e.veto_by),
        veto_on: e.veto_on,
        final_stars: e.final_stars,
        recommended: stars.is_some_and(Stars::recommended),
        needs_help: stars.is_some_and(Stars::needs_help),
        outstanding: e.outstanding,
        talk_on: e.talk_on,
        mentor: e.mentor.clone(),
        help_done_on: e.help_done_on,
        version: e.version,
    }
}
