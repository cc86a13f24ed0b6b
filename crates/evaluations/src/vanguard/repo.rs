//! Vanguard campaigns, their entries and objections, in storage.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::CampaignState;
use crate::api::PageRequest;
use crate::db::schema::{
    members as m, org_units as o, vanguard_campaigns as vc, vanguard_entries as ve,
    vanguard_objections as vo,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, DbError};
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;

/// The most members a campaign lists: the largest county's register.
pub const ENTRIES_MAX: usize = 100_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = vc)]
pub struct CampaignRow {
    pub tenant_id: String,
    pub id: String,
    pub year: i32,
    pub state: String,
    pub notice_days: i32,
    pub notice_from: Option<NaiveDate>,
    pub notice_until: Option<NaiveDate>,
    pub opened_by: String,
    pub opened_on: NaiveDate,
    pub finalised_on: Option<NaiveDate>,
    pub reported_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CampaignRow {
    pub fn state(&self) -> CampaignState {
        CampaignState::parse(&self.state).unwrap_or(CampaignState::Open)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ve)]
pub struct EntryRow {
    pub tenant_id: String,
    pub campaign_id: String,
    pub member_id: String,
    pub unit_id: Option<String>,
    pub excluded: Option<String>,
    pub self_stars: Option<i32>,
    pub self_summary: Option<String>,
    pub self_on: Option<NaiveDate>,
    pub peer_1: Option<i32>,
    pub peer_2: Option<i32>,
    pub peer_3: Option<i32>,
    pub peer_4: Option<i32>,
    pub peer_5: Option<i32>,
    pub peer_on: Option<NaiveDate>,
    pub review_stars: Option<i32>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub veto: Option<String>,
    pub veto_evidence: Option<String>,
    pub veto_by: Option<String>,
    pub veto_on: Option<NaiveDate>,
    pub final_stars: Option<i32>,
    pub outstanding: bool,
    pub talk_on: Option<NaiveDate>,
    pub mentor: Option<String>,
    pub help_done_on: Option<NaiveDate>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

impl EntryRow {
    pub fn votes(&self) -> Option<[u32; 5]> {
        let v = [
            self.peer_1,
            self.peer_2,
            self.peer_3,
            self.peer_4,
            self.peer_5,
        ];
        if v.iter().all(Option::is_none) {
            return None;
        }
        Some(v.map(|x| u32::try_from(x.unwrap_or(0)).unwrap_or(0)))
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = vo)]
pub struct ObjectionRow {
    pub tenant_id: String,
    pub id: String,
    pub campaign_id: String,
    pub member_id: String,
    pub received_on: NaiveDate,
    pub content: String,
    pub recorded_by: String,
    pub answer: Option<String>,
    pub revised_stars: Option<i32>,
    pub answered_on: Option<NaiveDate>,
    pub answered_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn campaign(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<CampaignRow>> {
    let tid = tx.tid().to_owned();
    Ok(vc::table
        .filter(vc::tenant_id.eq(tid).and(vc::id.eq(id)))
        .select(CampaignRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn campaigns(tx: &mut TenantTx<'_>) -> DbResult<Vec<CampaignRow>> {
    let tid = tx.tid().to_owned();
    Ok(vc::table
        .filter(vc::tenant_id.eq(tid))
        .order(vc::year.desc())
        .limit(100)
        .select(CampaignRow::as_select())
        .load(tx.conn())?)
}

pub fn of_year(tx: &mut TenantTx<'_>, year: i32) -> DbResult<Option<CampaignRow>> {
    let tid = tx.tid().to_owned();
    Ok(vc::table
        .filter(vc::tenant_id.eq(tid).and(vc::year.eq(year)))
        .select(CampaignRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// A member on a new campaign's list.
pub struct NewEntry {
    pub member_id: String,
    pub unit_id: Option<String>,
    pub excluded: Option<&'static str>,
}

pub fn open(
    tx: &mut TenantTx<'_>,
    year: i32,
    notice_days: i32,
    by: &str,
    today: NaiveDate,
    entries: &[NewEntry],
) -> DbResult<CampaignRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(vc::table)
        .values((
            vc::tenant_id.eq(&tid),
            vc::id.eq(&id),
            vc::year.eq(year),
            vc::state.eq(CampaignState::Open.as_str()),
            vc::notice_days.eq(notice_days),
            vc::opened_by.eq(by),
            vc::opened_on.eq(today),
            vc::version.eq(1i64),
            vc::created_at.eq(now),
            vc::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| DbError::from(e).unique_as(super::model::campaign_exists))?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                ve::tenant_id.eq(tid.clone()),
                ve::campaign_id.eq(id.clone()),
                ve::member_id.eq(e.member_id.clone()),
                ve::unit_id.eq(e.unit_id.clone()),
                ve::excluded.eq(e.excluded),
                ve::outstanding.eq(false),
                ve::version.eq(1i64),
                ve::updated_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), ve::table, chunk)?;
    }
    campaign(tx, &id)?.ok_or_else(|| AppError::not_found().into())
}

/// Moves a campaign on (412 when it changed meanwhile).
pub fn set_state(
    tx: &mut TenantTx<'_>,
    c: &CampaignRow,
    expected: i64,
    state: CampaignState,
    notice: Option<(NaiveDate, NaiveDate)>,
    on: NaiveDate,
) -> DbResult<CampaignRow> {
    let tid = tx.tid().to_owned();
    let target = vc::table.filter(
        vc::tenant_id
            .eq(&tid)
            .and(vc::id.eq(&c.id))
            .and(vc::version.eq(expected)),
    );
    let now = Utc::now().naive_utc();
    let n = match state {
        CampaignState::Notice => diesel::update(target)
            .set((
                vc::state.eq(state.as_str()),
                vc::notice_from.eq(notice.map(|n| n.0)),
                vc::notice_until.eq(notice.map(|n| n.1)),
                vc::version.eq(expected + 1),
                vc::updated_at.eq(now),
            ))
            .execute(tx.conn())?,
        CampaignState::Final => diesel::update(target)
            .set((
                vc::state.eq(state.as_str()),
                vc::finalised_on.eq(Some(on)),
                vc::version.eq(expected + 1),
                vc::updated_at.eq(now),
            ))
            .execute(tx.conn())?,
        CampaignState::Reported | CampaignState::Open => diesel::update(target)
            .set((
                vc::state.eq(state.as_str()),
                vc::reported_on.eq(Some(on)),
                vc::version.eq(expected + 1),
                vc::updated_at.eq(now),
            ))
            .execute(tx.conn())?,
    };
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    campaign(tx, &c.id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn entry(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    member_id: &str,
) -> DbResult<Option<EntryRow>> {
    let tid = tx.tid().to_owned();
    Ok(ve::table
        .filter(ve::tenant_id.eq(tid).and(ve::campaign_id.eq(campaign_id)))
        .filter(ve::member_id.eq(member_id))
        .select(EntryRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Which entries a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    Evaluated,
    Excluded,
    /// Evaluated, neither reviewed nor vetoed yet.
    Pending,
    Vetoed,
    /// Final 4–5 stars.
    Recommended,
    /// Final 1–2 stars.
    NeedsHelp,
    Outstanding,
}

/// A page of a campaign's entries the caller sees (by the member's org-life unit), in member
/// order, with each member's name and business.
pub fn entries(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    vis: &Visibility,
    show: Show,
    unit: Option<&str>,
    page: &PageRequest,
) -> DbResult<Vec<(EntryRow, String, String)>> {
    let tid = tx.tid().to_owned();
    let mut q = ve::table
        .inner_join(m::table.on(m::tenant_id.eq(ve::tenant_id).and(m::id.eq(ve::member_id))))
        .filter(ve::tenant_id.eq(&tid).and(ve::campaign_id.eq(campaign_id)))
        .select((EntryRow::as_select(), m::name, m::business_name))
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        // As the register decides who sees a member: by the org-life or membership unit.
        Visibility::Subtree(p) => {
            let units = || {
                o::table
                    .filter(o::tenant_id.eq(tid.clone()))
                    .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                    .select(o::id.nullable())
            };
            q = q.filter(
                m::org_life_unit_id
                    .eq_any(units())
                    .or(m::membership_unit_id.eq_any(units())),
            );
        }
    }
    q = match show {
        Show::All => q,
        Show::Evaluated => q.filter(ve::excluded.is_null()),
        Show::Excluded => q.filter(ve::excluded.is_not_null()),
        Show::Pending => q
            .filter(ve::excluded.is_null())
            .filter(ve::review_stars.is_null())
            .filter(ve::veto.is_null()),
        Show::Vetoed => q.filter(ve::veto.is_not_null()),
        Show::Recommended => q.filter(ve::final_stars.ge(4)),
        Show::NeedsHelp => q.filter(ve::final_stars.le(2)),
        Show::Outstanding => q.filter(ve::outstanding.eq(true)),
    };
    if let Some(u) = unit {
        q = q.filter(ve::unit_id.eq(u.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(ve::member_id.gt(after.clone()));
    }
    Ok(q.order(ve::member_id.asc())
        .limit(i64::from(page.limit) + 1)
        .load(tx.conn())?)
}

/// Every entry of a campaign (for the notice check, the final step and the report).
pub fn all_entries(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<EntryRow>> {
    let tid = tx.tid().to_owned();
    Ok(ve::table
        .filter(ve::tenant_id.eq(tid).and(ve::campaign_id.eq(campaign_id)))
        .order(ve::member_id.asc())
        .limit(i64::try_from(ENTRIES_MAX).unwrap_or(i64::MAX))
        .select(EntryRow::as_select())
        .load(tx.conn())?)
}

/// What one step writes on an entry.
pub enum Step<'a> {
    SelfEvaluation {
        stars: i32,
        summary: Option<&'a str>,
        on: NaiveDate,
    },
    Peer {
        votes: [i32; 5],
        on: NaiveDate,
    },
    Review {
        stars: i32,
        note: Option<&'a str>,
        by: &'a str,
        on: NaiveDate,
    },
    Veto {
        kind: &'a str,
        evidence: &'a str,
        by: &'a str,
        on: NaiveDate,
    },
    Outstanding(bool),
    Help {
        talk_on: Option<NaiveDate>,
        mentor: Option<&'a str>,
        done_on: Option<NaiveDate>,
    },
}

/// Writes a step on an entry at `expected` (412 when it changed meanwhile).
pub fn step(tx: &mut TenantTx<'_>, e: &EntryRow, expected: i64, s: Step<'_>) -> DbResult<EntryRow> {
    let tid = tx.tid().to_owned();
    let target = ve::table.filter(
        ve::tenant_id
            .eq(&tid)
            .and(ve::campaign_id.eq(&e.campaign_id))
            .and(ve::member_id.eq(&e.member_id))
            .and(ve::version.eq(expected)),
    );
    let bump = (
        ve::version.eq(expected + 1),
        ve::updated_at.eq(Utc::now().naive_utc()),
    );
    let conn = tx.conn();
    let n = match s {
        Step::SelfEvaluation { stars, summary, on } => diesel::update(target)
            .set((
                ve::self_stars.eq(Some(stars)),
                ve::self_summary.eq(summary),
                ve::self_on.eq(Some(on)),
                bump,
            ))
            .execute(conn)?,
        Step::Peer { votes, on } => diesel::update(target)
            .set((
                ve::peer_1.eq(Some(votes[0])),
                ve::peer_2.eq(Some(votes[1])),
                ve::peer_3.eq(Some(votes[2])),
                ve::peer_4.eq(Some(votes[3])),
                ve::peer_5.eq(Some(votes[4])),
                ve::peer_on.eq(Some(on)),
                bump,
            ))
            .execute(conn)?,
        Step::Review {
            stars,
            note,
            by,
            on,
        } => diesel::update(target)
            .set((
                ve::review_stars.eq(Some(stars)),
                ve::review_note.eq(note),
                ve::reviewed_by.eq(Some(by)),
                ve::reviewed_on.eq(Some(on)),
                bump,
            ))
            .execute(conn)?,
        Step::Veto {
            kind,
            evidence,
            by,
            on,
        } => diesel::update(target)
            .set((
                ve::veto.eq(Some(kind)),
                ve::veto_evidence.eq(Some(evidence)),
                ve::veto_by.eq(Some(by)),
                ve::veto_on.eq(Some(on)),
                bump,
            ))
            .execute(conn)?,
        Step::Outstanding(v) => diesel::update(target)
            .set((ve::outstanding.eq(v), bump))
            .execute(conn)?,
        Step::Help {
            talk_on,
            mentor,
            done_on,
        } => diesel::update(target)
            .set((
                ve::talk_on.eq(talk_on),
                ve::mentor.eq(mentor),
                ve::help_done_on.eq(done_on),
                bump,
            ))
            .execute(conn)?,
    };
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    entry(tx, &e.campaign_id, &e.member_id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn objection(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<ObjectionRow>> {
    let tid = tx.tid().to_owned();
    Ok(vo::table
        .filter(vo::tenant_id.eq(tid).and(vo::id.eq(id)))
        .select(ObjectionRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn objections(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<ObjectionRow>> {
    let tid = tx.tid().to_owned();
    Ok(vo::table
        .filter(vo::tenant_id.eq(tid).and(vo::campaign_id.eq(campaign_id)))
        .order(vo::id.asc())
        .limit(10_000)
        .select(ObjectionRow::as_select())
        .load(tx.conn())?)
}

pub fn add_objection(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    member_id: &str,
    received_on: NaiveDate,
    content: &str,
    by: &str,
) -> DbResult<ObjectionRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(vo::table)
        .values((
            vo::tenant_id.eq(&tid),
            vo::id.eq(&id),
            vo::campaign_id.eq(campaign_id),
            vo::member_id.eq(member_id),
            vo::received_on.eq(received_on),
            vo::content.eq(content),
            vo::recorded_by.eq(by),
            vo::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    objection(tx, &id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn answer_objection(
    tx: &mut TenantTx<'_>,
    o: &ObjectionRow,
    answer: &str,
    revised: Option<i32>,
    by: &str,
    on: NaiveDate,
) -> DbResult<ObjectionRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        vo::table
            .filter(vo::tenant_id.eq(&tid).and(vo::id.eq(&o.id)))
            .filter(vo::answered_on.is_null()),
    )
    .set((
        vo::answer.eq(Some(answer)),
        vo::revised_stars.eq(revised),
        vo::answered_on.eq(Some(on)),
        vo::answered_by.eq(Some(by)),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    objection(tx, &o.id)?.ok_or_else(|| AppError::not_found().into())
}

/// What the counts of a campaign read of each entry.
pub type Tally = (
    Option<String>,
    Option<i32>,
    Option<NaiveDate>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    bool,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// Each entry's state, in a few columns, for the campaign's counts.
pub fn tallies(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<Tally>> {
    let tid = tx.tid().to_owned();
    Ok(ve::table
        .filter(ve::tenant_id.eq(tid).and(ve::campaign_id.eq(campaign_id)))
        .limit(i64::try_from(ENTRIES_MAX).unwrap_or(i64::MAX))
        .select((
            ve::excluded,
            ve::self_stars,
            ve::peer_on,
            ve::review_stars,
            ve::veto,
            ve::final_stars,
            ve::outstanding,
            ve::talk_on,
            ve::help_done_on,
        ))
        .load(tx.conn())?)
}

/// The final step's stars: the review's for every evaluated member not vetoed, then each
/// upheld objection's revision.
pub fn finalise_stars(
    tx: &mut TenantTx<'_>,
    campaign_id: &str,
    revised: &[(String, i32)],
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let of = || {
        ve::table
            .filter(
                ve::tenant_id
                    .eq(tid.clone())
                    .and(ve::campaign_id.eq(campaign_id.to_owned())),
            )
            .filter(ve::excluded.is_null().and(ve::veto.is_null()))
    };
    diesel::update(of())
        .set((
            ve::final_stars.eq(ve::review_stars),
            ve::version.eq(ve::version + 1),
            ve::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    for (member, stars) in revised {
        diesel::update(of().filter(ve::member_id.eq(member)))
            .set(ve::final_stars.eq(Some(*stars)))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Whole entries as they are, for the demo's campaigns.
pub fn insert_entries(tx: &mut TenantTx<'_>, rows: &[EntryRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), ve::table, chunk)?;
    }
    Ok(())
}
