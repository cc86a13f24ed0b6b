//! Queries on org units, always inside a [`TenantTx`] and filtered by it.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{OrgKind, ancestors, check_parent, child_path, subtree_end};
use crate::api::PageRequest;
use crate::db::schema::org_units as o;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};

diesel::define_sql_function! {
    /// `substr(text, start)`: the same on SQLite and PostgreSQL.
    fn substr(s: diesel::sql_types::Text, start: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct OrgUnitRow {
    pub tenant_id: String,
    pub id: String,
    pub kind: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub depth: i32,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OrgUnitRow {
    pub fn kind(&self) -> OrgKind {
        // The CHECK constraint admits only known kinds.
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Village)
    }

    pub fn ancestor_ids(&self) -> Vec<String> {
        ancestors(&self.path)
    }
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<OrgUnitRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(tid).and(o::id.eq(id)))
        .select(OrgUnitRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// A parent named in a request: it must exist in this county and be active (422 otherwise,
/// naming `parent_id`; another county's id is simply unknown here).
fn parent_for(tx: &mut TenantTx<'_>, parent_id: &str) -> DbResult<OrgUnitRow> {
    match get(tx, parent_id)? {
        Some(p) if p.active => Ok(p),
        Some(_) => Err(AppError::field(
            "parent_id",
            "parent_inactive",
            "parent_id：上级组织已停用",
            "parent_id: the parent is inactive",
        )
        .into()),
        None => Err(AppError::field(
            "parent_id",
            "parent_not_found",
            "parent_id：上级组织不存在",
            "parent_id: no such org unit",
        )
        .into()),
    }
}

fn sibling_name_taken(
    tx: &mut TenantTx<'_>,
    parent_id: Option<&str>,
    name: &str,
    except: Option<&str>,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let mut q = o::table
        .filter(
            o::tenant_id
                .eq(tid)
                .and(o::name.eq(name.to_owned()))
                .and(o::active.eq(true)),
        )
        .select(o::id)
        .into_boxed();
    q = match parent_id {
        Some(p) => q.filter(o::parent_id.eq(p.to_owned())),
        None => q.filter(o::parent_id.is_null()),
    };
    if let Some(e) = except {
        q = q.filter(o::id.ne(e.to_owned()));
    }
    Ok(q.first::<String>(tx.conn()).optional()?.is_some())
}

fn name_taken() -> AppError {
    AppError::conflict(
        "duplicate_sibling_name",
        "同一上级下已有同名组织",
        "An active sibling already has this name",
    )
    .with_field(FieldError::new(
        "name",
        "taken",
        "同级名称重复",
        "name already used by a sibling",
    ))
}

pub fn create(
    tx: &mut TenantTx<'_>,
    kind: OrgKind,
    name: &str,
    parent_id: Option<&str>,
) -> DbResult<OrgUnitRow> {
    let parent = parent_id.map(|p| parent_for(tx, p)).transpose()?;
    check_parent(kind, parent.as_ref().map(OrgUnitRow::kind))
        .map_err(|f| AppError::validation(vec![f]))?;
    if kind == OrgKind::AssociationCommittee {
        let tid = tx.tid().to_owned();
        let exists = o::table
            .filter(o::tenant_id.eq(tid).and(o::kind.eq(kind.as_str())))
            .select(o::id)
            .first::<String>(tx.conn())
            .optional()?;
        if exists.is_some() {
            return Err(AppError::conflict(
                "association_committee_exists",
                "本县已有协会党委，每县只能有一个",
                "The county already has its association committee",
            )
            .into());
        }
    }
    if sibling_name_taken(tx, parent_id, name, None)? {
        return Err(name_taken().into());
    }
    let id = uuid::Uuid::now_v7().to_string();
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), &id);
    let depth = parent.as_ref().map_or(0, |p| p.depth + 1);
    let now = Utc::now().naive_utc();
    let tid = tx.tid().to_owned();
    diesel::insert_into(o::table)
        .values((
            o::tenant_id.eq(&tid),
            o::id.eq(&id),
            o::kind.eq(kind.as_str()),
            o::name.eq(name),
            o::parent_id.eq(parent_id),
            o::path.eq(&path),
            o::depth.eq(depth),
            o::active.eq(true),
            o::version.eq(1i64),
            o::created_at.eq(now),
            o::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted org unit vanished")).into())
}

/// Units of the county, or of one subtree (the root included), in id order.
pub fn list(
    tx: &mut TenantTx<'_>,
    page: &PageRequest,
    root_path: Option<&str>,
    kind: Option<OrgKind>,
    active: Option<bool>,
) -> DbResult<Vec<OrgUnitRow>> {
    let tid = tx.tid().to_owned();
    let mut q = o::table
        .filter(o::tenant_id.eq(tid))
        .select(OrgUnitRow::as_select())
        .into_boxed();
    if let Some(p) = root_path {
        q = q.filter(o::path.ge(p.to_owned()).and(o::path.lt(subtree_end(p))));
    }
    if let Some(k) = kind {
        q = q.filter(o::kind.eq(k.as_str()));
    }
    if let Some(a) = active {
        q = q.filter(o::active.eq(a));
    }
    if let Some(after) = &page.after {
        q = q.filter(o::id.gt(after.clone()));
    }
    Ok(q.order(o::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

fn bump(tx: &mut TenantTx<'_>, cur: &OrgUnitRow, expected: Option<i64>) -> DbResult<()> {
    if expected.is_some_and(|v| v != cur.version) {
        return Err(AppError::precondition_failed().into());
    }
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        o::table.filter(
            o::tenant_id
                .eq(tid)
                .and(o::id.eq(&cur.id))
                .and(o::version.eq(cur.version)),
        ),
    )
    .set((
        o::version.eq(cur.version + 1),
        o::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

fn current(tx: &mut TenantTx<'_>, id: &str) -> DbResult<OrgUnitRow> {
    Ok(get(tx, id)?.ok_or_else(AppError::not_found)?)
}

pub fn rename(tx: &mut TenantTx<'_>, id: &str, expected: i64, name: &str) -> DbResult<OrgUnitRow> {
    let cur = current(tx, id)?;
    if cur.active && sibling_name_taken(tx, cur.parent_id.as_deref(), name, Some(id))? {
        return Err(name_taken().into());
    }
    bump(tx, &cur, Some(expected))?;
    let tid = tx.tid().to_owned();
    diesel::update(o::table.filter(o::tenant_id.eq(tid).and(o::id.eq(id))))
        .set(o::name.eq(name))
        .execute(tx.conn())?;
    current(tx, id)
}

/// Moves a unit and its whole subtree under a new parent: one range update of the paths.
pub fn move_to(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    parent_id: Option<&str>,
) -> DbResult<OrgUnitRow> {
    let cur = current(tx, id)?;
    let parent = parent_id.map(|p| parent_for(tx, p)).transpose()?;
    if let Some(p) = &parent
        && p.path.starts_with(&cur.path)
    {
        return Err(AppError::field(
            "parent_id",
            "cycle",
            "parent_id：不能移到自己或自己的下级之下",
            "parent_id: a unit cannot move under itself or its own descendants",
        )
        .into());
    }
    check_parent(cur.kind(), parent.as_ref().map(OrgUnitRow::kind))
        .map_err(|f| AppError::validation(vec![f]))?;
    if sibling_name_taken(tx, parent_id, &cur.name, Some(id))? {
        return Err(name_taken().into());
    }
    bump(tx, &cur, Some(expected))?;
    let new_path = child_path(parent.as_ref().map(|p| p.path.as_str()), &cur.id);
    let delta = parent.as_ref().map_or(0, |p| p.depth + 1) - cur.depth;
    let old_len = i32::try_from(cur.path.chars().count()).unwrap_or(i32::MAX);
    let tid = tx.tid().to_owned();
    diesel::update(
        o::table.filter(
            o::tenant_id
                .eq(&tid)
                .and(o::path.ge(cur.path.clone()))
                .and(o::path.lt(subtree_end(&cur.path))),
        ),
    )
    .set((
        o::path.eq(new_path
            .clone()
            .into_sql::<diesel::sql_types::Text>()
            .concat(substr(o::path, old_len + 1))),
        o::depth.eq(o::depth + delta),
    ))
    .execute(tx.conn())?;
    diesel::update(o::table.filter(o::tenant_id.eq(&tid).and(o::id.eq(id))))
        .set(o::parent_id.eq(parent_id))
        .execute(tx.conn())?;
    current(tx, id)
}

/// Deactivates a unit with no active children; reactivates one whose parent is active.
/// Nothing is ever deleted: rows that reference a unit keep pointing at it.
pub fn set_active(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: Option<i64>,
    active: bool,
) -> DbResult<OrgUnitRow> {
    let cur = current(tx, id)?;
    if cur.active == active {
        return Err(AppError::conflict(
            "status_unchanged",
            if active {
                "该组织已是启用状态"
            } else {
                "该组织已停用"
            },
            if active {
                "The unit is already active"
            } else {
                "The unit is already inactive"
            },
        )
        .into());
    }
    let tid = tx.tid().to_owned();
    if active {
        if let Some(p) = &cur.parent_id
            && !current(tx, p)?.active
        {
            return Err(AppError::conflict(
                "parent_inactive",
                "上级组织已停用，请先启用上级",
                "Reactivate the parent first",
            )
            .into());
        }
        if sibling_name_taken(tx, cur.parent_id.as_deref(), &cur.name, Some(id))? {
            return Err(name_taken().into());
        }
    } else {
        let child = o::table
            .filter(
                o::tenant_id
                    .eq(&tid)
                    .and(o::parent_id.eq(id))
                    .and(o::active.eq(true)),
            )
            .select(o::id)
            .first::<String>(tx.conn())
            .optional()?;
        if child.is_some() {
            return Err(AppError::conflict(
                "has_active_children",
                "该组织仍有启用的下级组织，请先停用或移走下级",
                "The unit still has active children; deactivate or move them first",
            )
            .into());
        }
    }
    bump(tx, &cur, expected)?;
    diesel::update(o::table.filter(o::tenant_id.eq(&tid).and(o::id.eq(id))))
        .set(o::active.eq(active))
        .execute(tx.conn())?;
    current(tx, id)
}
