//! A county's saved mapping for its own spreadsheets: which headers fill which field (or are
//! ignored), and which organisation names mean which unit, or a village to create under a
//! township. Saved once, used by every later import of the same kind of sheet.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::columns::{self, Col, Sheet};
use super::orgs::Units;
use crate::db::schema::import_mappings as im;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};
use crate::members::model::can_hold_membership;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;

/// The most entries a mapping holds, and the longest header or name it maps.
pub const MAX_COLUMNS: usize = 256;
pub const MAX_ORG_NAMES: usize = 2_000;
pub const MAX_KEY_CHARS: usize = 200;

/// What an organisation name written in a sheet means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct OrgTarget {
    /// An existing unit of the county.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Or: a village to create under this township when the import is committed.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_village_under: Option<String>,
    /// The new village's name (default: the name as written, without the township in front
    /// and without 党支部/支部).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_name: Option<String>,
}

/// The mapping itself, as saved and as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    /// Header as written → a field (`id_number`, or the template's header 身份证号) or `ignore`.
    pub columns: BTreeMap<String, String>,
    /// Organisation name as written → what it means.
    pub org_names: BTreeMap<String, OrgTarget>,
}

fn invalid(field: String, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, code, zh, en)
}

impl Mapping {
    /// What a header cell of a sheet of this kind means under this mapping: `Some(Some(col))`
    /// a field, `Some(None)` ignored, `None` not mapped here (the synonym table decides). The
    /// saved headers are keyed once, not again for every cell the layout detection reads.
    pub fn columns(
        &self,
        sheet: Sheet,
    ) -> impl Fn(&str) -> Option<Option<Col>> + Send + Sync + 'static {
        let mut by_key: HashMap<String, Option<Col>> = HashMap::new();
        for (h, target) in &self.columns {
            // Two headers written alike: the first (in the map's order) counts.
            by_key
                .entry(columns::header_key(h))
                .or_insert_with(|| columns::by_name(sheet, target));
        }
        move |header| by_key.get(&columns::header_key(header)).copied()
    }

    /// The headers this mapping sends to a field that a sheet of this kind does not have (a
    /// member sheet's mapping used for a business register): the import refuses them rather
    /// than leave the column out unsaid.
    pub fn check_for(&self, sheet: Sheet) -> Vec<FieldError> {
        self.columns
            .iter()
            .filter(|(_, t)| *t != "ignore" && columns::by_name(sheet, t).is_none())
            .map(|(h, t)| {
                let field = format!("columns.{h}");
                invalid(
                    field.clone(),
                    "unknown_field",
                    format!("{field}：“{t}”不是{}表格的字段", sheet.label_zh()),
                    format!("{field}: {t} is not a field of this kind of sheet"),
                )
            })
            .collect()
    }

    /// Checks sizes and column targets (without the database).
    pub fn check_shape(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if self.columns.len() > MAX_COLUMNS {
            errs.push(invalid(
                "columns".into(),
                "too_many",
                format!("columns：最多 {MAX_COLUMNS} 列"),
                format!("columns: at most {MAX_COLUMNS}"),
            ));
        }
        if self.org_names.len() > MAX_ORG_NAMES {
            errs.push(invalid(
                "org_names".into(),
                "too_many",
                format!("org_names：最多 {MAX_ORG_NAMES} 个名称"),
                format!("org_names: at most {MAX_ORG_NAMES}"),
            ));
        }
        for (h, target) in self.columns.iter().take(MAX_COLUMNS) {
            let field = format!("columns.{h}");
            if h.trim().is_empty() || h.chars().count() > MAX_KEY_CHARS {
                errs.push(invalid(
                    field.clone(),
                    "invalid_header",
                    format!("{field}：表头须为1到{MAX_KEY_CHARS}个字"),
                    format!("{field}: a header of 1 to {MAX_KEY_CHARS} characters"),
                ));
            }
            if target != "ignore" && !columns::is_field(target) {
                errs.push(invalid(
                    field.clone(),
                    "unknown_field",
                    format!("{field}：“{target}”不是可导入的字段（或写 ignore 表示不导入）"),
                    format!("{field}: {target} is not an importable field, nor ignore"),
                ));
            }
        }
        for (name, t) in self.org_names.iter().take(MAX_ORG_NAMES) {
            let field = format!("org_names.{name}");
            if name.trim().is_empty() || name.chars().count() > MAX_KEY_CHARS {
                errs.push(invalid(
                    field.clone(),
                    "invalid_name",
                    format!("{field}：名称须为1到{MAX_KEY_CHARS}个字"),
                    format!("{field}: a name of 1 to {MAX_KEY_CHARS} characters"),
                ));
            }
            if t.unit_id.is_some() == t.new_village_under.is_some()
                || (t.village_name.is_some() && t.new_village_under.is_none())
            {
                errs.push(invalid(
                    field.clone(),
                    "invalid_target",
                    format!("{field}：须填写 unit_id（已有组织）或 new_village_under（新建村所在乡镇）之一"),
                    format!("{field}: give either unit_id or new_village_under"),
                ));
            }
            if let Some(v) = &t.village_name
                && (v.trim().is_empty() || v.chars().count() > 50)
            {
                errs.push(invalid(
                    format!("{field}.village_name"),
                    "invalid_name",
                    format!("{field}.village_name：村名须为1到50个字"),
                    format!("{field}.village_name: 1 to 50 characters"),
                ));
            }
        }
        errs
    }

    /// Checks that every unit and township named is the county's own, active, and of a kind
    /// that fits.
    pub fn check_units(&self, units: &Units) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (name, t) in &self.org_names {
            let field = format!("org_names.{name}");
            let fits = |u: &&OrgUnitRow, kind: fn(OrgKind) -> bool| u.active && kind(u.kind());
            let ok = match (&t.unit_id, &t.new_village_under) {
                (Some(id), _) => units.by_id.get(id).is_some_and(|u| {
                    fits(&u, can_hold_membership) || fits(&u, crate::members::api::is_market)
                }),
                (_, Some(town)) => units
                    .by_id
                    .get(town)
                    .is_some_and(|u| fits(&u, |k| k == OrgKind::Township)),
                _ => true,
            };
            if !ok {
                errs.push(invalid(
                    field.clone(),
                    "org_unit_not_found",
                    format!("{field}：本县没有该组织（或已停用、类型不符）"),
                    format!("{field}: no such active unit of a fitting kind in the county"),
                ));
            }
        }
        errs
    }

    /// The units the mapped names stand for. Villages to create are made when `create` (the
    /// commit, inside its transaction), or else stand in as planned rows, so the dry run checks
    /// the rows that use them as the commit will. A target gone since the mapping was saved
    /// leaves its name unmapped.
    pub fn apply(
        &self,
        tx: &mut TenantTx<'_>,
        units: &mut Units,
        create: bool,
    ) -> DbResult<HashMap<String, String>> {
        let mut out = HashMap::new();
        for (name, t) in &self.org_names {
            if let Some(id) = &t.unit_id {
                if units.by_id.get(id).is_some_and(|u| u.active) {
                    out.insert(name.clone(), id.clone());
                }
                continue;
            }
            let Some(town) = t
                .new_village_under
                .as_ref()
                .and_then(|id| units.by_id.get(id))
                .filter(|u| u.active && u.kind() == OrgKind::Township)
                .cloned()
            else {
                continue;
            };
            let village = t
                .village_name
                .clone()
                .unwrap_or_else(|| units.village_name(name, &town.name));
            if let Some(existing) = units.child_named(&town.id, &village) {
                out.insert(name.clone(), existing);
                continue;
            }
            let row = if create {
                crate::org::repo::create(tx, OrgKind::Village, &village, Some(&town.id))?
            } else {
                units.planned_village(&village, &town)
            };
            out.insert(name.clone(), row.id.clone());
            units.add(row);
        }
        Ok(out)
    }
}

/// A saved mapping as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = im)]
pub struct MappingRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub header_map: String,
    pub org_map: String,
    pub version: i64,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MappingRow {
    /// The stored JSON, read back; a row that no longer parses maps nothing rather than fail.
    pub fn mapping(&self) -> Mapping {
        Mapping {
            columns: serde_json::from_str(&self.header_map).unwrap_or_default(),
            org_names: serde_json::from_str(&self.org_map).unwrap_or_default(),
        }
    }
}

fn json(v: &impl Serialize) -> DbResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::internal(anyhow::anyhow!(e)).into())
}

fn name_taken() -> AppError {
    AppError::conflict(
        "duplicate_mapping_name",
        "已有同名的导入对应关系",
        "A mapping of this name exists",
    )
    .with_field(FieldError::new(
        "name",
        "taken",
        "name：名称已被使用",
        "name: already used",
    ))
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<MappingRow>> {
    let tid = tx.tid().to_owned();
    Ok(im::table
        .filter(im::tenant_id.eq(tid).and(im::id.eq(id)))
        .select(MappingRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn list(tx: &mut TenantTx<'_>) -> DbResult<Vec<MappingRow>> {
    let tid = tx.tid().to_owned();
    Ok(im::table
        .filter(im::tenant_id.eq(tid))
        .order(im::name.asc())
        .limit(200)
        .select(MappingRow::as_select())
        .load(tx.conn())?)
}

fn name_in_use(tx: &mut TenantTx<'_>, name: &str, except: Option<&str>) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let ids: Vec<String> = im::table
        .filter(im::tenant_id.eq(tid).and(im::name.eq(name)))
        .select(im::id)
        .load(tx.conn())?;
    Ok(ids.iter().any(|i| Some(i.as_str()) != except))
}

pub fn insert(tx: &mut TenantTx<'_>, name: &str, m: &Mapping, by: &str) -> DbResult<MappingRow> {
    if name_in_use(tx, name, None)? {
        return Err(name_taken().into());
    }
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    let tid = tx.tid().to_owned();
    diesel::insert_into(im::table)
        .values((
            im::tenant_id.eq(&tid),
            im::id.eq(&id),
            im::name.eq(name),
            im::header_map.eq(json(&m.columns)?),
            im::org_map.eq(json(&m.org_names)?),
            im::version.eq(1i64),
            im::updated_by.eq(by),
            im::created_at.eq(now),
            im::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("mapping vanished")).into())
}

pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    name: &str,
    m: &Mapping,
    by: &str,
) -> DbResult<MappingRow> {
    let cur = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if cur.version != expected {
        return Err(AppError::precondition_failed().into());
    }
    if name_in_use(tx, name, Some(id))? {
        return Err(name_taken().into());
    }
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        im::table.filter(
            im::tenant_id
                .eq(&tid)
                .and(im::id.eq(id))
                .and(im::version.eq(expected)),
        ),
    )
    .set((
        im::name.eq(name),
        im::header_map.eq(json(&m.columns)?),
        im::org_map.eq(json(&m.org_names)?),
        im::version.eq(expected + 1),
        im::updated_by.eq(by),
        im::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn delete(tx: &mut TenantTx<'_>, id: &str) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::delete(im::table.filter(im::tenant_id.eq(tid).and(im::id.eq(id))))
        .execute(tx.conn())?;
    Ok(n > 0)
}

/// The demo county's saved mapping, as a county would keep it: its roster's extra columns and
/// the way it writes its first branch's party branch (县个民协会递铺分会支部).
pub fn demo(tx: &mut TenantTx<'_>, county: &str, by: &str) -> DbResult<()> {
    use crate::db::schema::org_units as o;
    let tid = tx.tid().to_owned();
    let first: Option<(String, Option<String>)> = o::table
        .filter(
            o::tenant_id
                .eq(&tid)
                .and(o::kind.eq(OrgKind::PartyBranch.as_str())),
        )
        .order(o::name.asc())
        .select((o::id, o::parent_id))
        .first(tx.conn())
        .optional()?;
    let mut m = Mapping::default();
    m.columns.insert("联系手机".into(), "phone".into());
    m.columns.insert("备注".into(), "ignore".into());
    if let Some((pb, Some(branch))) = first {
        let branch: String = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq(&branch)))
            .select(o::name)
            .first(tx.conn())?;
        m.org_names.insert(
            format!("{county}个体民营企业协会{branch}支部"),
            OrgTarget {
                unit_id: Some(pb),
                new_village_under: None,
                village_name: None,
            },
        );
    }
    insert(tx, "县个民协会党员名册", &m, by)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(unit: Option<&str>, town: Option<&str>) -> OrgTarget {
        OrgTarget {
            unit_id: unit.map(Into::into),
            new_village_under: town.map(Into::into),
            village_name: None,
        }
    }

    #[test]
    fn columns_map_by_field_or_header_or_are_ignored() {
        let mut m = Mapping::default();
        m.columns.insert("联系手机".into(), "phone".into());
        m.columns.insert("党员名字".into(), "姓名".into());
        m.columns.insert("备注".into(), "ignore".into());
        let column = m.columns(Sheet::Members);
        assert_eq!(column(" 联系手机 "), Some(Some(Col::Phone)));
        assert_eq!(column("党员名字"), Some(Some(Col::Name)));
        assert_eq!(column("备注"), Some(None));
        assert_eq!(column("姓名"), None);
        assert!(m.check_shape().is_empty());
        assert!(m.check_for(Sheet::Members).is_empty());
        // A business field is a field, but not of a member sheet.
        m.columns.insert("市场".into(), "market_id".into());
        m.columns.insert("信用码".into(), "credit_code".into());
        assert!(m.check_shape().is_empty());
        let codes: Vec<String> = m
            .check_for(Sheet::Members)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(codes, vec!["columns.信用码".to_owned()]);
        assert_eq!(
            m.columns(Sheet::Businesses)("信用码"),
            Some(Some(Col::BizCreditCode))
        );
        assert_eq!(
            m.check_for(Sheet::Businesses).len(),
            2,
            "联系手机 and 党员名字 are member fields"
        );
    }

    #[test]
    fn bad_shapes_are_named() {
        let mut m = Mapping::default();
        m.columns.insert("电话".into(), "telephone".into());
        m.org_names
            .insert("某村".into(), target(Some("u"), Some("t")));
        m.org_names.insert("另村".into(), target(None, None));
        let codes: Vec<(String, String)> = m
            .check_shape()
            .into_iter()
            .map(|e| (e.field, e.code.to_string()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("columns.电话".to_owned(), "unknown_field".to_owned()),
                ("org_names.另村".to_owned(), "invalid_target".to_owned()),
                ("org_names.某村".to_owned(), "invalid_target".to_owned()),
            ]
        );
        let mut big = Mapping::default();
        for i in 0..=MAX_COLUMNS {
            big.columns.insert(format!("列{i}"), "ignore".into());
        }
        assert_eq!(big.check_shape()[0].code, "too_many");
    }
}
