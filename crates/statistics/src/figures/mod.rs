//! A county's figures on a cut-off, each computed from what the records said by then: dates of
//! events on or before the cut-off count, later ones are undone or left out. Computing a past
//! period again therefore gives the same figures, whatever happened after its cut-off (a
//! correction of an earlier fact is what a revision is for).

pub mod members;
pub mod services;
pub mod work;

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::org_units as o;
use crate::db::{DbResult, TenantTx};
use crate::model::{Figures, HalfYear};
use crate::org::model::OrgKind;

/// The county's units: kinds, names and the branch or township each belongs to.
#[derive(Debug, Default)]
pub struct Units {
    /// id → (name, kind, parent)
    units: HashMap<String, (String, Option<OrgKind>, Option<String>)>,
    /// name → id, for names only one unit has
    by_name: HashMap<String, Option<String>>,
}

impl Units {
    pub fn load(tx: &mut TenantTx<'_>) -> DbResult<Self> {
        let tid = tx.tid().to_owned();
        let rows: Vec<(String, String, String, Option<String>)> = o::table
            .filter(o::tenant_id.eq(&tid))
            .select((o::id, o::name, o::kind, o::parent_id))
            .load(tx.conn())?;
        let mut u = Units::default();
        for (id, name, kind, parent) in rows {
            u.by_name
                .entry(name.clone())
                .and_modify(|e| *e = None)
                .or_insert_with(|| Some(id.clone()));
            let kind = <OrgKind as crate::enums::StrEnum>::parse(&kind);
            u.units.insert(id, (name, kind, parent));
        }
        Ok(u)
    }

    pub fn kind(&self, id: &str) -> Option<OrgKind> {
        self.units.get(id).and_then(|u| u.1)
    }

    /// The one unit with this name.
    pub fn named(&self, name: &str) -> Option<String> {
        self.by_name.get(name).cloned().flatten()
    }

    /// The branch (分会) or township a unit belongs to, else its top unit: (id, name).
    pub fn group(&self, id: &str) -> (String, String) {
        let mut cur = id.to_owned();
        // Bounded: a tree is never deeper than this, and a broken parent chain must not loop.
        for _ in 0..32 {
            let Some((name, kind, parent)) = self.units.get(&cur) else {
                break;
            };
            if matches!(kind, Some(OrgKind::Branch | OrgKind::Township)) {
                return (cur, name.clone());
            }
            match parent {
                Some(p) => cur = p.clone(),
                None => return (cur, name.clone()),
            }
        }
        (id.to_owned(), "（未知组织）".to_owned())
    }
}

/// Every table of the county on `half`'s cut-off.
pub fn compute(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Figures> {
    let cutoff = half.cutoff();
    let units = Units::load(tx)?;
    let people = members::as_of(tx, &units, cutoff)?;
    let mut tables = members::tables(&people, &units, cutoff);
    tables.push(services::training(tx, &people, cutoff)?);
    tables.extend(work::tables(tx, half)?);
    tables.push(services::service_requests(tx, half)?);
    Ok(Figures {
        period: half.to_string(),
        cutoff,
        tables,
    })
}
