//! Demo QQ groups (SPEC §13: "QQ rosters with realistic gaps"): one group per grid, kept by a
//! branch staff account, with the grid's township and village organisers, branch staff and
//! some members; one imported member list from mid-May. Some organisers never joined, some
//! joined late, some entries are not verified, and a few people in the group are not on the
//! roster. Deterministic for a seed; a few hundred rows per grid, so the large and province
//! presets stay fast.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{RosterRole, SnapshotSource};
use super::repo::{self, EntryValues, GroupValues, NewPerson, NewSnapshot};
use super::rules::{self, Expected};
use crate::api::PageRequest;
use crate::db::schema::{members as m, org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::privacy::crypto::CountyKeys;
use crate::rng::Rng;

/// The demo year: imports and join dates fall around its 10 May.
const YEAR: i32 = 2026;
/// Villages per township put on a group's roster (Yiwu-sized townships have 50).
const VILLAGES_PER_TOWNSHIP: usize = 12;
const ACTOR: &str = "demo-data";

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, m, d).unwrap_or_default()
}

struct Planned {
    values: EntryValues,
    /// Whether the person is in the group's list of 15 May.
    in_group: bool,
}

/// Creates the county's QQ groups; returns how many roster entries were written.
pub fn fill(tx: &mut TenantTx<'_>, keys: &CountyKeys, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let staff: Vec<(String, String, String)> = u::table
        .inner_join(
            o::table.on(o::tenant_id
                .eq(u::tenant_id)
                .and(o::id.nullable().eq(u::org_unit_id))),
        )
        .filter(
            u::tenant_id
                .eq(&tid)
                .and(u::role.eq("branch_staff"))
                .and(u::status.eq("active")),
        )
        .select((u::id, u::display_name, o::path))
        .order(u::id.asc())
        .load(tx.conn())?;
    if staff.is_empty() {
        return Ok(0);
    }
    let members: Vec<(String, String)> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((m::id, m::name))
        .order(m::id.asc())
        .limit(400)
        .load(tx.conn())?;
    let page = PageRequest {
        limit: 1000,
        after: None,
    };
    let grids = crate::grids::repo::list(tx, &page)?;
    let mut written = 0;
    for (gi, grid) in grids.iter().enumerate() {
        // The maintainer: branch staff whose branch holds the grid's party branch, if any.
        let pb_path = match &grid.party_branch_id {
            Some(p) => crate::org::repo::get(tx, p)?.map(|u| u.path),
            None => None,
        };
        let (maintainer, maintainer_name, _) = staff
            .iter()
            .find(|(_, _, path)| {
                pb_path
                    .as_deref()
                    .is_some_and(|p| p.starts_with(path.as_str()))
            })
            .unwrap_or(&staff[gi % staff.len()])
            .clone();
        let grp = repo::insert_group(
            tx,
            &GroupValues {
                name: format!("{}实名制党建QQ群", grid.name),
                group_number: Some(format!("{}", 600_000_000 + rng.below(300_000_000))),
                grid_id: Some(grid.id.clone()),
                org_unit_id: None,
                maintainer_id: maintainer.clone(),
                active: true,
            },
        )?;
        repo::record_history(
            tx,
            &grp.id,
            None,
            ACTOR,
            "group.create",
            &serde_json::json!({ "name": { "new": grp.name }, "grid_id": { "new": grid.id }, "maintainer_id": { "new": maintainer } }),
        )?;
        let mut used = HashSet::new();
        let mut qq = |rng: &mut Rng| loop {
            let n = format!("{}", 10_000_000 + rng.below(2_989_999_999));
            if used.insert(n.clone()) {
                return n;
            }
        };
        let mut plan = Vec::new();
        let mut add = |rng: &mut Rng,
                       name: String,
                       role: RosterRole,
                       unit: Option<String>,
                       member: Option<String>| {
            let number = qq(rng);
            let roll = rng.below(100);
            // Organisers: most joined by 10 May, some late, some never; others mostly early.
            let (joined_on, in_group) = match (role.is_organiser(), roll) {
                (true, 0..=9) => (None, false),
                (true, 10..=17) => (Some(day(5, 11 + rng.below(15) as u32)), true),
                (true, 18..=22) => (None, true),
                (_, 23..=25) => (None, false),
                _ => (Some(day(4, 1 + rng.below(30) as u32)), true),
            };
            plan.push(Planned {
                values: EntryValues {
                    real_name: name,
                    role: role.as_str().to_owned(),
                    org_unit_id: unit,
                    qq_enc: keys.encrypt("qq", &number),
                    qq_bidx: keys.blind_index("qq", &number),
                    member_id: member,
                    joined_on,
                    verified: rng.below(100) >= 15,
                },
                in_group: in_group && joined_on.is_none_or(|d| d <= day(5, 15)),
            });
        };
        add(
            &mut rng,
            maintainer_name.clone(),
            RosterRole::Administrator,
            None,
            None,
        );
        for _ in 0..2 {
            let n = rng.person_name();
            add(
                &mut rng,
                n,
                RosterRole::BranchStaff,
                grid.party_branch_id.clone(),
                None,
            );
        }
        for town in repo::grid_townships(tx, &grid.id)? {
            let n = rng.person_name();
            add(
                &mut rng,
                n,
                RosterRole::TownshipOrganiser,
                Some(town.clone()),
                None,
            );
            let villages: Vec<String> = o::table
                .filter(o::tenant_id.eq(&tid).and(o::parent_id.eq(&town)))
                .select(o::id)
                .order(o::id.asc())
                .limit(VILLAGES_PER_TOWNSHIP as i64)
                .load(tx.conn())?;
            for v in villages {
                let n = rng.person_name();
                add(&mut rng, n, RosterRole::VillageOrganiser, Some(v), None);
            }
        }
        let mut linked = HashSet::new();
        for _ in 0..8 {
            if let Some((id, name)) = members.get(rng.below(members.len().max(1)))
                && linked.insert(id.clone())
            {
                add(
                    &mut rng,
                    name.clone(),
                    RosterRole::Member,
                    None,
                    Some(id.clone()),
                );
            }
        }
        let mut rows = Vec::new();
        for p in &plan {
            let row = repo::insert_entry(tx, &grp.id, &p.values)?;
            repo::record_history(
                tx,
                &grp.id,
                Some(&row.id),
                ACTOR,
                "entry.add",
                &serde_json::json!({ "role": { "new": row.role } }),
            )?;
            rows.push(row);
        }
        written += rows.len();
        // The list imported on 15 May: everyone who had joined by then, and a few strangers.
        let mut people = Vec::new();
        for (i, p) in plan.iter().enumerate().filter(|(_, p)| p.in_group) {
            people.push(NewPerson {
                line_no: people.len() as i32 + 2,
                qq_enc: p.values.qq_enc.clone(),
                qq_bidx: p.values.qq_bidx.clone(),
                nickname_enc: Some(keys.encrypt(
                    "qq_nickname",
                    &format!(
                        "{}-{}",
                        rows[i].real_name,
                        RosterRole::parse(&rows[i].role).map_or("", RosterRole::label_zh)
                    ),
                )),
            });
        }
        for _ in 0..(2 + rng.below(4)) {
            let number = qq(&mut rng);
            let nick = rng.person_name();
            people.push(NewPerson {
                line_no: people.len() as i32 + 2,
                qq_enc: keys.encrypt("qq", &number),
                qq_bidx: keys.blind_index("qq", &number),
                nickname_enc: Some(keys.encrypt("qq_nickname", &nick)),
            });
        }
        let expected: Vec<Expected<'_>> = rows
            .iter()
            .map(|r| Expected {
                qq_bidx: &r.qq_bidx,
                role: RosterRole::parse(&r.role).unwrap_or(RosterRole::Member),
                verified: r.verified,
            })
            .collect();
        let present: Vec<&str> = people.iter().map(|p| p.qq_bidx.as_str()).collect();
        let d = rules::diff(&expected, &present);
        let snap = repo::insert_snapshot(
            tx,
            &NewSnapshot {
                group_id: &grp.id,
                taken_on: day(5, 15),
                source: SnapshotSource::Paste.as_str(),
                counts: [
                    people.len() as i32,
                    d.matched.len() as i32,
                    d.missing.len() as i32,
                    d.unknown.len() as i32,
                    d.unverified.len() as i32,
                ],
                imported_by: &maintainer,
            },
            &people,
        )?;
        repo::record_history(
            tx,
            &grp.id,
            None,
            &maintainer,
            "snapshot.import",
            &serde_json::json!({ "snapshot_id": snap.id, "people": snap.people, "matched": snap.matched, "missing": snap.missing, "unknown": snap.unknown }),
        )?;
    }
    Ok(written)
}
