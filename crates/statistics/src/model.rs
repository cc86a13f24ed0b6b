//! What a snapshot is: a half-year period with its cut-off, a revision's state, and the fixed
//! tables of counts it holds. Each table partitions one population (its rows × columns add up
//! to the population's size), which is what disclosure control and the diff rely on.

use chrono::{Datelike, NaiveDate};
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::deadlines::Period;
use crate::error::{AppError, AppResult};

/// A statistics period: a half-year, `2026H1` (cut-off 30 June) or `2026H2` (31 December).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfYear {
    pub year: i32,
    pub half: u32,
}

impl HalfYear {
    /// Parses `field`'s value, else 422 naming it.
    pub fn parse(field: &str, s: &str) -> AppResult<Self> {
        match Period::parse(s.trim()) {
            Some(Period::Half(year, half)) => Ok(Self { year, half }),
            _ => Err(AppError::field(
                field,
                "invalid_period",
                format!("{field}：统计期应写作如 2026H1（上半年，截至6月30日）或 2026H2"),
                format!("{field}: a half-year such as 2026H1 (cut-off 30 June) or 2026H2"),
            )),
        }
    }

    /// The half-year `d` falls in.
    pub fn of(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            half: if d.month() <= 6 { 1 } else { 2 },
        }
    }

    pub fn period(self) -> Period {
        Period::Half(self.year, self.half)
    }

    /// First day and cut-off (last day).
    pub fn bounds(self) -> (NaiveDate, NaiveDate) {
        self.period()
            .bounds()
            .unwrap_or((NaiveDate::MIN, NaiveDate::MIN))
    }

    pub fn cutoff(self) -> NaiveDate {
        self.bounds().1
    }

    pub fn previous(self) -> Self {
        if self.half == 1 {
            Self {
                year: self.year - 1,
                half: 2,
            }
        } else {
            Self {
                year: self.year,
                half: 1,
            }
        }
    }

    /// 2026年上半年
    pub fn label_zh(self) -> String {
        format!(
            "{}年{}",
            self.year,
            if self.half == 1 {
                "上半年"
            } else {
                "下半年"
            }
        )
    }
}

impl std::fmt::Display for HalfYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}H{}", self.year, self.half)
    }
}

crate::str_enum! {
    /// Where a revision of a snapshot stands.
    pub enum SnapshotState {
        /// Computed from the records; may be computed again.
        Computed => "已生成",
        /// Checked by the county admin; freezing comes next.
        Reviewed => "已审核",
        /// Frozen: never changes again; the province reads it.
        Frozen => "已冻结",
    }
}

/// A row or column of a table: a stable key and its zh-CN label.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[oai(rename = "StatLabel")]
pub struct Label {
    pub key: String,
    pub label: String,
}

impl Label {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
        }
    }
}

/// One fixed table of counts. Its cells partition `population`: every table of the same
/// population adds up to the same total.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[oai(rename = "StatTable")]
pub struct Table {
    /// Stable key, e.g. `members_category_status`.
    pub key: String,
    pub title: String,
    /// What is counted, e.g. `members`.
    pub population: String,
    pub rows: Vec<Label>,
    pub cols: Vec<Label>,
    /// rows × cols
    pub cells: Vec<Vec<i64>>,
    /// Whether the table goes to the province: fixed dimensions only, never the county's own
    /// units.
    pub provincial: bool,
}

impl Table {
    /// A one-row table.
    pub fn flat(key: &str, title: &str, population: &str, cols: Vec<(Label, i64)>) -> Self {
        let (cols, cells): (Vec<Label>, Vec<i64>) = cols.into_iter().unzip();
        Self {
            key: key.to_owned(),
            title: title.to_owned(),
            population: population.to_owned(),
            rows: vec![Label::new("all", "合计")],
            cols,
            cells: vec![cells],
            provincial: true,
        }
    }

    pub fn total(&self) -> i64 {
        self.cells.iter().flatten().sum()
    }

    /// The cells as one row (row-major), with their labels: how a county's table becomes its
    /// line in the province's cross-county table.
    pub fn flattened(&self) -> (Vec<Label>, Vec<i64>) {
        let mut labels = Vec::new();
        let mut values = Vec::new();
        for (r, row) in self.rows.iter().zip(&self.cells) {
            for (c, v) in self.cols.iter().zip(row) {
                labels.push(if self.rows.len() == 1 {
                    c.clone()
                } else {
                    Label::new(
                        format!("{}.{}", r.key, c.key),
                        format!("{}·{}", r.label, c.label),
                    )
                });
                values.push(*v);
            }
        }
        (labels, values)
    }
}

/// A county's figures on a cut-off.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[oai(rename = "StatFigures")]
pub struct Figures {
    pub period: String,
    pub cutoff: NaiveDate,
    pub tables: Vec<Table>,
}

impl Figures {
    pub fn table(&self, key: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_years_parse_and_name_their_cutoff() {
        let h = HalfYear::parse("period", "2026H1").expect("valid");
        assert_eq!(
            h.cutoff(),
            NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
        );
        assert_eq!(h.previous().to_string(), "2025H2");
        assert_eq!(h.previous().cutoff().to_string(), "2025-12-31");
        assert_eq!(HalfYear::of(h.cutoff()), h);
        for bad in ["2026Q1", "2026", "", "2026H3", "H1", "２０２６H1"] {
            assert!(HalfYear::parse("period", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_two_way_table_flattens_row_major() {
        let t = Table {
            key: "k".into(),
            title: "t".into(),
            population: "p".into(),
            rows: vec![Label::new("a", "甲"), Label::new("b", "乙")],
            cols: vec![Label::new("x", "X"), Label::new("y", "Y")],
            cells: vec![vec![1, 2], vec![3, 4]],
            provincial: true,
        };
        let (labels, values) = t.flattened();
        assert_eq!(values, vec![1, 2, 3, 4]);
        assert_eq!(labels[1].key, "a.y");
        assert_eq!(labels[2].label, "乙·X");
        assert_eq!(t.total(), 10);
    }

    #[test]
    fn states_are_named_by_the_one_mechanism() {
        shuanglian_testkit::assert_str_enum::<SnapshotState>();
    }
}
