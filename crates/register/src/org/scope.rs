//! Scoped roles (SPEC §1): which org units a county role may be bound to, and what a signed-in
//! user may see — the county, their unit's subtree, or (unbound) nothing.

use diesel::prelude::*;

use super::model::{OrgKind, subtree_end};
use super::repo::{self, OrgUnitRow};
use crate::auth::Role;
use crate::db::schema::users as u;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::FieldError;

/// The kinds of unit a role is bound to; `None` for roles that see the whole county.
pub fn bindable_kinds(role: Role) -> Option<&'static [OrgKind]> {
    match role {
        Role::CountyAdmin
        | Role::AssociationCommittee
        | Role::PlatformOperator
        | Role::ProvincialOffice => None,
        Role::BranchStaff => Some(&[
            OrgKind::Branch,
            OrgKind::PartyBranch,
            OrgKind::ServiceCentre,
        ]),
        Role::AicRecorder => Some(&[OrgKind::AicOffice, OrgKind::Market]),
        Role::TownshipCommittee => Some(&[OrgKind::Township]),
        Role::VillageRecorder => Some(&[OrgKind::Village]),
    }
}

/// Whether a user of `role` may be bound to a unit of `kind` (`org_unit_id` names the field).
pub fn check_binding(role: Role, kind: OrgKind) -> Result<(), FieldError> {
    match bindable_kinds(role) {
        None => Ok(()),
        Some(kinds) if kinds.contains(&kind) => Ok(()),
        Some(kinds) => {
            let zh: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
            let en: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            Err(FieldError::new(
                "org_unit_id",
                "org_unit_kind_mismatch",
                format!(
                    "org_unit_id：{}只能绑定到{}",
                    role.label_zh(),
                    zh.join("、")
                ),
                format!(
                    "org_unit_id: a {} is bound to a {}",
                    role.as_str(),
                    en.join(" or ")
                ),
            ))
        }
    }
}

/// What a signed-in county user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// County admin and association committee.
    County,
    /// The subtree at this path (the bound unit and everything under it).
    Subtree(String),
    /// A scoped role not (or no longer) bound to an active unit: fail closed.
    Nothing,
}

impl Visibility {
    pub fn sees(&self, unit: &OrgUnitRow) -> bool {
        match self {
            Visibility::County => true,
            Visibility::Subtree(p) => {
                unit.path.as_str() >= p.as_str() && unit.path < subtree_end(p)
            }
            Visibility::Nothing => false,
        }
    }
}

/// Resolves a user's visibility from their current binding (read in this transaction, so a
/// re-binding or a move applies to the next request).
pub fn visibility(tx: &mut TenantTx<'_>, role: Role, user_id: &str) -> DbResult<Visibility> {
    if bindable_kinds(role).is_none() {
        return Ok(Visibility::County);
    }
    let tid = tx.tid().to_owned();
    let unit: Option<Option<String>> = u::table
        .filter(u::tenant_id.eq(tid).and(u::id.eq(user_id)))
        .select(u::org_unit_id)
        .first(tx.conn())
        .optional()?;
    let Some(Some(unit_id)) = unit else {
        return Ok(Visibility::Nothing);
    };
    Ok(match repo::get(tx, &unit_id)? {
        // A service centre serves its branch's region (SPEC §1: "its branch and the grids it
        // serves"): its staff see the branch's subtree, where the members they register and
        // whose requests they take keep their organisational life.
        Some(unit) if unit.active && unit.kind() == OrgKind::ServiceCentre => {
            match unit
                .parent_id
                .as_deref()
                .map(|p| repo::get(tx, p))
                .transpose()?
                .flatten()
            {
                Some(branch) if branch.active => Visibility::Subtree(branch.path),
                _ => Visibility::Subtree(unit.path),
            }
        }
        Some(unit) if unit.active => Visibility::Subtree(unit.path),
        _ => Visibility::Nothing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_follow_the_roles() {
        assert!(check_binding(Role::VillageRecorder, OrgKind::Village).is_ok());
        assert!(check_binding(Role::BranchStaff, OrgKind::ServiceCentre).is_ok());
        assert!(check_binding(Role::AicRecorder, OrgKind::Market).is_ok());
        assert!(check_binding(Role::CountyAdmin, OrgKind::Village).is_ok());
        let e = check_binding(Role::VillageRecorder, OrgKind::Branch).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("org_unit_id", "org_unit_kind_mismatch")
        );
        assert!(check_binding(Role::TownshipCommittee, OrgKind::Village).is_err());
        for &r in Role::ALL {
            if r.is_tenant_role() && bindable_kinds(r).is_some() {
                assert!(
                    OrgKind::ALL.iter().any(|k| check_binding(r, *k).is_ok()),
                    "{r:?} can be bound somewhere"
                );
            }
        }
    }
}
