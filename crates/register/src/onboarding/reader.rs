//! One spreadsheet row read cell by cell, for every import (members, business registers): each
//! cell made half-width and normalised (the rewrites counted for the report), organisation
//! names resolved the county's way (unknown ones gathered once, with their rows), and each
//! rejected cell recorded with its row, column, stable code and a zh-CN message naming both.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::columns::{Col, def};
use super::import::RowError;
use super::normalise::{self as norm, Fix, Fixes};
use super::orgs::{Found, Miss, Units};
use super::places::{self, Place};
use super::sheet::Cell;
use crate::members::model::can_hold_membership;
use crate::org::model::OrgKind;

/// The kinds of unit a column's names may resolve to: markets for a market column, townships
/// for a township column, units that hold membership otherwise.
pub(super) fn fits(c: Col) -> fn(OrgKind) -> bool {
    match c {
        Col::Market | Col::BizMarket => crate::members::api::is_market,
        Col::BizTownship => |k| k == OrgKind::Township,
        _ => can_hold_membership,
    }
}

pub(super) struct RowReader<'a> {
    pub(super) row: u32,
    pub(super) cells: &'a [Cell],
    pub(super) at: &'a HashMap<Col, usize>,
    pub(super) errors: Vec<RowError>,
    pub(super) fixes: &'a mut BTreeMap<(Col, Fix), u32>,
    pub(super) unknown: &'a mut BTreeMap<(Col, String), Vec<u32>>,
    /// The row names an organisation still to be mapped: it is not planned, and not an error.
    pub(super) waits: bool,
    /// Organisation names the county's mapping gives a unit.
    pub(super) mapped: &'a HashMap<String, String>,
}

impl<'a> RowReader<'a> {
    /// A reader of one row with no errors yet, counting its fixes and unknown names into the
    /// plan's tallies.
    pub(super) fn new(
        row: u32,
        cells: &'a [Cell],
        at: &'a HashMap<Col, usize>,
        fixes: &'a mut BTreeMap<(Col, Fix), u32>,
        unknown: &'a mut BTreeMap<(Col, String), Vec<u32>>,
        mapped: &'a HashMap<String, String>,
    ) -> Self {
        RowReader {
            row,
            cells,
            at,
            errors: Vec::new(),
            fixes,
            unknown,
            waits: false,
            mapped,
        }
    }

    pub(super) fn cell(&self, c: Col) -> Option<&Cell> {
        self.at.get(&c).and_then(|i| self.cells.get(*i))
    }

    /// The cell's text, half-width and trimmed.
    pub(super) fn text(&mut self, c: Col) -> Option<String> {
        let raw = self.cell(c).and_then(Cell::text)?;
        let mut fx = Fixes::default();
        let t = norm::half_width(&raw, &mut fx).trim().to_owned();
        self.count(c, fx);
        (!t.is_empty()).then_some(t)
    }

    /// The cell's text through a normaliser.
    pub(super) fn normal(&mut self, c: Col, f: fn(&str, &mut Fixes) -> String) -> Option<String> {
        let raw = self.cell(c).and_then(Cell::text)?;
        let mut fx = Fixes::default();
        let t = f(&raw, &mut fx);
        self.count(c, fx);
        (!t.is_empty()).then_some(t)
    }

    pub(super) fn count(&mut self, c: Col, fx: Fixes) {
        for f in fx.iter() {
            self.note(c, f);
        }
    }

    pub(super) fn note(&mut self, c: Col, f: Fix) {
        *self.fixes.entry((c, f)).or_default() += 1;
    }

    pub(super) fn error(&mut self, c: Col, code: &str, zh: String, en: String) {
        let d = def(c);
        self.errors.push(RowError {
            row: self.row,
            column: d.header.to_owned(),
            field: d.field.to_owned(),
            code: code.to_owned(),
            message: format!("第{}行“{}”：{zh}", self.row, d.header),
            message_en: format!("row {}, {}: {en}", self.row, d.field),
        });
    }

    pub(super) fn required(&mut self, c: Col) -> Option<String> {
        let v = self.text(c);
        if v.is_none() {
            self.error(c, "required", "必填".into(), "required".into());
        }
        v
    }

    pub(super) fn choice<T>(
        &mut self,
        c: Col,
        parse: impl Fn(&str, &mut Fixes) -> Option<T>,
    ) -> Option<T> {
        let t = self.text(c)?;
        let mut fx = Fixes::default();
        let v = parse(&t, &mut fx);
        self.count(c, fx);
        if v.is_none() {
            let allowed = def(c).choices.join("、");
            self.error(
                c,
                "invalid_choice",
                format!("应为 {allowed} 之一"),
                format!("must be one of {allowed}"),
            );
        }
        v
    }

    pub(super) fn date(&mut self, c: Col) -> Option<NaiveDate> {
        let cell = self.cell(c)?.clone();
        cell.text()?;
        let mut fx = Fixes::default();
        let d = norm::date(&cell, &mut fx);
        self.count(c, fx);
        if d.is_none() {
            self.error(
                c,
                "invalid_date",
                "日期无法识别（可写 2020-07-01、2020/7/1、2020年7月1日、20200701，或 Excel 日期）"
                    .into(),
                "not a date (2020-07-01, 2020/7/1, 2020年7月1日, 20200701 or an Excel date)".into(),
            );
        }
        d
    }

    /// 户籍所在地: a division code, or a name read as its code.
    pub(super) fn place(&mut self, c: Col) -> Option<String> {
        let t = self.text(c)?;
        match places::resolve(&t) {
            Place::Code(code) => Some(code),
            Place::Named(code) => {
                self.note(c, Fix::PlaceName);
                Some(code)
            }
            Place::Unknown => {
                self.error(
                    c,
                    "unknown_place",
                    format!("找不到“{t}”，请写县级行政区划名称（如 安吉县）或6位代码"),
                    format!("no division named {t}; write a county name or its 6-digit code"),
                );
                None
            }
            Place::Ambiguous(candidates) => {
                let list = candidates.join("、");
                self.error(
                    c,
                    "ambiguous_place",
                    format!("“{t}”有多处：{list}，请写上省市或6位代码"),
                    format!("{t} is ambiguous: {list}; add the province and city, or the code"),
                );
                None
            }
        }
    }

    pub(super) fn unit(
        &mut self,
        c: Col,
        units: &Units,
        ok: fn(OrgKind) -> bool,
    ) -> Option<String> {
        let t = self.text(c)?;
        if let Some(id) = self.mapped_unit(&t, units, ok) {
            return Some(id);
        }
        match units.resolve(&t, ok) {
            Ok((u, found)) => {
                self.found(c, found);
                Some(u.id.clone())
            }
            Err(Miss::Unknown) => {
                self.wait_for(c, t);
                None
            }
            Err(Miss::Ambiguous) => {
                self.ambiguous(c);
                None
            }
        }
    }

    /// The unit the county's mapping gives a name, when it is of a kind that fits.
    pub(super) fn mapped_unit(
        &mut self,
        t: &str,
        units: &Units,
        ok: fn(OrgKind) -> bool,
    ) -> Option<String> {
        let id = self.mapped.get(t)?;
        units
            .by_id
            .get(id)
            .filter(|u| ok(u.kind()))
            .map(|u| u.id.clone())
    }

    pub(super) fn found(&mut self, c: Col, found: Found) {
        if found == Found::Normalised {
            self.note(c, Fix::OrgName);
        }
    }

    /// A name to be mapped: listed once with its rows.
    pub(super) fn wait_for(&mut self, c: Col, name: String) {
        self.unknown.entry((c, name)).or_default().push(self.row);
        self.waits = true;
    }

    pub(super) fn ambiguous(&mut self, c: Col) {
        self.error(
            c,
            "ambiguous_org_unit",
            "有多个同名组织，请写成“上级/名称”".into(),
            "several units have this name; write parent/name".into(),
        );
    }
}
