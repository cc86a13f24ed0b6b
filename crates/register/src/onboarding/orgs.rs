//! The county's org units, found by the names county sheets give them. First the exact name
//! (or `上级/名称`), then the normalised one: without the county's name in front, without the
//! association's name (present or historical), with 党支部/支部/党总支/党委 taken as one suffix,
//! and a village written after its township (递铺街道横山坞村党支部). What is still unknown is
//! gathered by distinct name, with the closest units as suggestions, for the caller to map once.

use std::collections::HashMap;

use diesel::prelude::*;

use super::normalise::compact;
use crate::db::schema::org_units as o;
use crate::db::schema::tenants as t;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;

/// The association's names, present and historical, as sheets write them in front of a
/// branch's name. The seeds call it 安吉县个体民营企业协会 (县个民协会); older sheets say
/// 个体私营企业协会 or 个体劳动者协会. Longest first, so the longest one written is removed.
const ASSOCIATION_NAMES: &[&str] = &[
    "个体私营企业协会",
    "个体民营企业协会",
    "个体劳动者协会",
    "县个私协会",
    "县个民协会",
    "个私协会",
    "个民协会",
    "个劳协",
];

/// Suffixes taken as one: a unit named 横山坞村 is 横山坞村党支部 in a sheet, and the reverse.
const ORG_SUFFIXES: &[&str] = &[
    "党总支部委员会",
    "党支部委员会",
    "党委员会",
    "党总支部",
    "党总支",
    "总支部",
    "党支部",
    "总支",
    "支部",
    "党委",
];

/// A unit's name as compared after the exact match failed.
pub fn key(name: &str, county: &[String]) -> String {
    let mut k = compact(name);
    // Each step only if something is left: a unit named 党委 keeps its name.
    let strip = |k: &mut String, prefix: &str, front: bool| {
        let rest = if front {
            k.strip_prefix(prefix)
        } else {
            k.strip_suffix(prefix)
        };
        if let Some(r) = rest.filter(|r| !r.is_empty()) {
            *k = r.to_owned();
            true
        } else {
            false
        }
    };
    for c in county {
        if strip(&mut k, c, true) {
            break;
        }
    }
    for a in ASSOCIATION_NAMES {
        if strip(&mut k, a, true) {
            break;
        }
    }
    for s in ORG_SUFFIXES {
        if strip(&mut k, s, false) {
            break;
        }
    }
    k
}

/// A unit named after a place: its party organisation goes by the place's name.
fn is_place(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::Township | OrgKind::Village | OrgKind::Market)
}

fn suffixed(name: &str) -> bool {
    let n = name.trim_end();
    ORG_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// The county's name as sheets write it in front of a unit's: 安吉县 and 安吉.
fn county_prefixes(name: &str) -> Vec<String> {
    let mut v = vec![name.to_owned()];
    for s in ["自治县", "县", "市", "区", "旗"] {
        if let Some(short) = name.strip_suffix(s).filter(|x| x.chars().count() >= 2) {
            v.push(short.to_owned());
            break;
        }
    }
    v
}

/// Why a name found no single unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    Unknown,
    Ambiguous,
}

/// How a name was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Exact,
    Normalised,
}

/// The county's org units, looked up by name the way spreadsheets name them.
pub struct Units {
    pub(super) by_id: HashMap<String, OrgUnitRow>,
    by_name: HashMap<String, Vec<String>>,
    by_key: HashMap<String, Vec<String>>,
    /// Each unit's key, computed once: resolving and suggesting compare against all of them.
    keys: HashMap<String, String>,
    /// The townships' ids, for names that write a village after its township.
    towns: Vec<String>,
    county: Vec<String>,
}

impl Units {
    pub fn load(tx: &mut TenantTx<'_>) -> DbResult<Units> {
        let tid = tx.tid().to_owned();
        let county: Option<String> = t::table
            .filter(t::id.eq(&tid))
            .select(t::name)
            .first(tx.conn())
            .optional()?;
        let rows: Vec<OrgUnitRow> = o::table
            .filter(o::tenant_id.eq(tid))
            .select(OrgUnitRow::as_select())
            .load(tx.conn())?;
        Ok(Units::new(
            county.as_deref().map(county_prefixes).unwrap_or_default(),
            rows,
        ))
    }

    pub fn new(county: Vec<String>, rows: Vec<OrgUnitRow>) -> Units {
        let mut units = Units {
            by_id: HashMap::with_capacity(rows.len()),
            by_name: HashMap::new(),
            by_key: HashMap::new(),
            keys: HashMap::with_capacity(rows.len()),
            towns: Vec::new(),
            county,
        };
        for r in rows {
            units.add(r);
        }
        units
    }

    fn key_of(&self, u: &OrgUnitRow) -> &str {
        self.keys.get(&u.id).map_or("", String::as_str)
    }

    /// A unit as a spreadsheet names it: `上级/名称` when its name is not unique, so that an
    /// export imports back to the same units.
    pub fn display(&self, id: Option<&str>) -> String {
        let Some(u) = id.and_then(|i| self.by_id.get(i)) else {
            return String::new();
        };
        let shared = self.by_name.get(&u.name).is_some_and(|v| v.len() > 1);
        match self.parent(u) {
            Some(parent) if shared => format!("{}/{}", parent.name, u.name),
            _ => u.name.clone(),
        }
    }

    fn parent(&self, u: &OrgUnitRow) -> Option<&OrgUnitRow> {
        u.parent_id.as_ref().and_then(|p| self.by_id.get(p))
    }

    fn pick<'a>(
        &'a self,
        ids: Option<&'a Vec<String>>,
        ok: fn(OrgKind) -> bool,
        parent: impl Fn(&OrgUnitRow) -> bool,
    ) -> Vec<&'a OrgUnitRow> {
        ids.into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
            .filter(|u| u.active && ok(u.kind()) && parent(u))
            .collect()
    }

    /// `古城村`, or `递铺街道/古城村` when several units share the name, or a name as county
    /// sheets write it (see the module). Only units of kinds `ok` accepts count, so a village
    /// and a party branch of the same name do not clash.
    pub fn resolve(
        &self,
        text: &str,
        ok: fn(OrgKind) -> bool,
    ) -> Result<(&OrgUnitRow, Found), Miss> {
        let mut parts: Vec<&str> = text.split(['/', '／']).map(str::trim).collect();
        let name = parts.pop().unwrap_or_default();
        let parent = parts.pop();
        let under =
            |u: &OrgUnitRow| parent.is_none_or(|p| self.parent(u).is_some_and(|pu| pu.name == p));
        fn one(v: Vec<&OrgUnitRow>) -> Result<Option<&OrgUnitRow>, Miss> {
            match v.as_slice() {
                [] => Ok(None),
                [u] => Ok(Some(*u)),
                _ => Err(Miss::Ambiguous),
            }
        }
        if let Some(u) = one(self.pick(self.by_name.get(name), ok, under))? {
            return Ok((u, Found::Exact));
        }
        let k = key(name, &self.county);
        // 孝丰分会 and 孝丰分会党支部 share a key, but a 支部 is not its 分会: a suffix written
        // must be the unit's own, except for a place, whose party organisation sheets name
        // after it (古城村 is written 古城村党支部).
        let wants = suffixed(name);
        let mut by_key = self.pick(self.by_key.get(&k), ok, under);
        by_key.retain(|u| suffixed(&u.name) == wants || is_place(u.kind()));
        if let Some(u) = one(by_key)? {
            return Ok((u, Found::Normalised));
        }
        // A village written after its township: 递铺街道横山坞村党支部.
        let mut within = Vec::new();
        for town in self.towns.iter().filter_map(|id| self.by_id.get(id)) {
            if let Some(rest) = k.strip_prefix(self.key_of(town)).filter(|r| !r.is_empty()) {
                let rk = key(rest, &self.county);
                within.extend(
                    self.pick(self.by_key.get(&rk), ok, |u| {
                        u.parent_id.as_deref() == Some(town.id.as_str())
                    })
                    .into_iter()
                    .filter(|u| suffixed(&u.name) == wants || is_place(u.kind())),
                );
            }
        }
        match one(within)? {
            Some(u) => Ok((u, Found::Normalised)),
            None => Err(Miss::Unknown),
        }
    }

    /// Whether a name not found reads as one of this county's units rather than an
    /// organisation elsewhere: it begins with the county's name or a township's, or names the
    /// association. A membership organisation outside the county stays free text (SPEC §3);
    /// one inside must be mapped to its unit.
    pub fn looks_local(&self, text: &str) -> bool {
        let t = compact(text);
        self.county.iter().any(|c| t.starts_with(c.as_str()))
            || ASSOCIATION_NAMES.iter().any(|a| t.contains(a))
            || self
                .towns
                .iter()
                .filter_map(|id| self.by_id.get(id))
                .any(|u| t.starts_with(u.name.as_str()))
    }

    /// The units most like a name, best first: the suggestions shown beside an unknown name.
    pub fn suggest(&self, text: &str, ok: fn(OrgKind) -> bool, n: usize) -> Vec<&OrgUnitRow> {
        let k = key(text, &self.county);
        let mut scored: Vec<(f64, &OrgUnitRow)> = self
            .by_id
            .values()
            .filter(|u| u.active && ok(u.kind()))
            .map(|u| {
                let own_key = self.key_of(u);
                let full = self
                    .parent(u)
                    .map(|p| format!("{}{own_key}", self.key_of(p)))
                    .unwrap_or_default();
                let own = strsim::normalized_levenshtein(&k, own_key);
                let with_parent = strsim::normalized_levenshtein(&k, &full);
                (own.max(with_parent), u)
            })
            .filter(|(s, _)| *s > 0.3)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        scored.into_iter().take(n).map(|(_, u)| u).collect()
    }

    pub fn add(&mut self, row: OrgUnitRow) {
        let k = key(&row.name, &self.county);
        self.by_name
            .entry(row.name.clone())
            .or_default()
            .push(row.id.clone());
        self.by_key
            .entry(k.clone())
            .or_default()
            .push(row.id.clone());
        self.keys.insert(row.id.clone(), k);
        if row.kind() == OrgKind::Township {
            self.towns.push(row.id.clone());
        }
        self.by_id.insert(row.id.clone(), row);
    }

    /// An active village of this name under the township.
    pub fn child_named(&self, parent: &str, name: &str) -> Option<String> {
        self.by_id
            .values()
            .find(|u| u.active && u.parent_id.as_deref() == Some(parent) && u.name == name)
            .map(|u| u.id.clone())
    }

    /// The village a name written in a sheet stands for: 递铺街道红庙村党支部 under 递铺街道 is
    /// 红庙村.
    pub fn village_name(&self, written: &str, township: &str) -> String {
        let k = key(written, &self.county);
        let k = k
            .strip_prefix(key(township, &self.county).as_str())
            .filter(|r| !r.is_empty())
            .unwrap_or(&k);
        key(k, &self.county)
    }

    /// A village the commit will create, standing in for it in a dry run.
    pub fn planned_village(&self, name: &str, township: &OrgUnitRow) -> OrgUnitRow {
        OrgUnitRow {
            tenant_id: township.tenant_id.clone(),
            id: format!("planned-{}", uuid::Uuid::now_v7()),
            kind: OrgKind::Village.as_str().to_owned(),
            name: name.to_owned(),
            parent_id: Some(township.id.clone()),
            path: String::new(),
            depth: township.depth + 1,
            active: true,
            version: 0,
            created_at: township.created_at,
            updated_at: township.updated_at,
        }
    }

    /// A unit written in full for a person: 递铺分会/递铺分会第一支部.
    pub fn path_name(&self, u: &OrgUnitRow) -> String {
        match self.parent(u) {
            Some(p) => format!("{}/{}", p.name, u.name),
            None => u.name.clone(),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::members::model::can_hold_membership;
    use proptest::prelude::*;

    /// An org unit row for tests (business_import's tests build their county with it too).
    pub(in crate::onboarding) fn unit(
        id: &str,
        kind: &str,
        name: &str,
        parent: Option<&str>,
    ) -> OrgUnitRow {
        OrgUnitRow {
            tenant_id: "t".into(),
            id: id.into(),
            kind: kind.into(),
            name: name.into(),
            parent_id: parent.map(Into::into),
            path: String::new(),
            depth: 0,
            active: true,
            version: 1,
            created_at: chrono::NaiveDateTime::MIN,
            updated_at: chrono::NaiveDateTime::MIN,
        }
    }

    fn anji() -> Units {
        Units::new(
            county_prefixes("安吉县"),
            vec![
                unit(
                    "c",
                    "association_committee",
                    "安吉县个体民营企业协会党委",
                    None,
                ),
                unit("b", "branch", "递铺分会", Some("c")),
                unit("pb1", "party_branch", "递铺分会第一支部", Some("b")),
                unit("pb2", "party_branch", "递铺分会第二支部", Some("b")),
                unit("x", "branch", "孝丰分会", Some("c")),
                unit("xp", "party_branch", "孝丰分会党支部", Some("x")),
                unit("t", "township", "递铺街道", None),
                unit("v", "village", "横山坞村", Some("t")),
                unit("t2", "township", "孝丰镇", None),
                unit("v2", "village", "横山坞村", Some("t2")),
                unit("v3", "village", "古城村", Some("t")),
            ],
        )
    }

    fn found(u: &Units, s: &str) -> Result<(String, Found), Miss> {
        u.resolve(s, can_hold_membership)
            .map(|(r, f)| (r.id.clone(), f))
    }

    #[test]
    fn names_as_counties_write_them() {
        let u = anji();
        assert_eq!(found(&u, "古城村"), Ok(("v3".into(), Found::Exact)));
        assert_eq!(
            found(&u, "孝丰镇/横山坞村"),
            Ok(("v2".into(), Found::Exact))
        );
        for (s, id) in [
            ("古城村党支部", "v3"),
            ("安吉县古城村支部", "v3"),
            ("递铺街道横山坞村党支部", "v"),
            ("孝丰镇横山坞村", "v2"),
            ("安吉县个体民营企业协会递铺分会", "b"),
            ("安吉县个体私营企业协会孝丰分会支部", "xp"),
            ("安吉县个体私营企业协会党委", "c"),
            ("县个民协会孝丰分会党支部", "xp"),
            ("安吉 古城村 党支部", "v3"),
        ] {
            assert_eq!(found(&u, s), Ok((id.to_owned(), Found::Normalised)), "{s}");
        }
    }

    #[test]
    fn unknown_and_ambiguous_names() {
        let u = anji();
        // Two villages named 横山坞村: the township says which.
        assert_eq!(found(&u, "横山坞村"), Err(Miss::Ambiguous));
        assert_eq!(found(&u, "横山坞村党支部"), Err(Miss::Ambiguous));
        assert_eq!(found(&u, "梅溪镇红庙村党支部"), Err(Miss::Unknown));
        assert_eq!(found(&u, "湖州市吴兴区某某党支部"), Err(Miss::Unknown));
        // A 支部 of 递铺分会 is not 递铺分会 itself, and it has several: to be mapped.
        assert_eq!(
            found(&u, "安吉县个体民营企业协会递铺分会支部"),
            Err(Miss::Unknown)
        );
    }

    #[test]
    fn local_names_and_suggestions() {
        let u = anji();
        assert!(u.looks_local("安吉县个体民营企业协会递铺分会支部"));
        assert!(u.looks_local("递铺街道红庙村党支部"));
        assert!(!u.looks_local("湖州市吴兴区某某党支部"));
        let s: Vec<&str> = u
            .suggest("安吉县个体民营企业协会递铺分会支部", can_hold_membership, 3)
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(s.first(), Some(&"b"), "{s:?}");
        assert!(s.contains(&"pb1") || s.contains(&"pb2"), "{s:?}");
        assert_eq!(u.path_name(&u.by_id["pb1"]), "递铺分会/递铺分会第一支部");
    }

    proptest! {
        #[test]
        fn resolution_never_panics(s in "(安吉县|递铺街道|党支部|支部|/|\\PC){0,12}") {
            let u = anji();
            let _ = u.resolve(&s, can_hold_membership);
            let _ = u.suggest(&s, can_hold_membership, 3);
            let _ = u.looks_local(&s);
        }
    }
}
