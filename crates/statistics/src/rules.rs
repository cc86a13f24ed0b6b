//! The snapshot's life as plain functions: when a period may be computed, what computing does
//! to the revisions there are, the steps of review and freezing, and the diff of two periods.

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::model::{Figures, HalfYear, Label, SnapshotState};

/// Why a step is refused: a stable code and its zh-CN and English messages (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// What computing a period does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compute {
    /// Writes this revision (1 for the first; the next after a frozen one).
    New(i32),
    /// Computes the open revision again.
    Again,
}

/// Computing `half` on `today`, when its newest revision is `latest` (state, number) and the
/// caller gave `reason`.
pub fn compute(
    half: HalfYear,
    today: NaiveDate,
    latest: Option<(SnapshotState, i32)>,
    reason: Option<&str>,
) -> Result<Compute, Refused> {
    if today <= half.cutoff() {
        return Err(Refused {
            code: "period_not_over",
            zh: "统计截止日之后才能生成该期统计",
            en: "A period is computed after its cut-off",
        });
    }
    match latest {
        None => Ok(Compute::New(1)),
        Some((SnapshotState::Frozen, n)) if reason.is_some() => Ok(Compute::New(n + 1)),
        Some((SnapshotState::Frozen, _)) => Err(Refused {
            code: "revision_needs_reason",
            zh: "该期统计已冻结，更正须作为新修订并说明原因（reason）",
            en: "The period is frozen: a correction is a new revision with a reason",
        }),
        Some(_) => Ok(Compute::Again),
    }
}

/// The next step of a revision in `state`: reviewing a computed one, freezing a reviewed one.
pub fn advance(state: SnapshotState, to: SnapshotState) -> Result<(), Refused> {
    match (state, to) {
        (SnapshotState::Computed, SnapshotState::Reviewed)
        | (SnapshotState::Reviewed, SnapshotState::Frozen) => Ok(()),
        (SnapshotState::Frozen, _) => Err(Refused {
            code: "snapshot_frozen",
            zh: "该期统计已冻结，不能再更改",
            en: "The snapshot is frozen",
        }),
        (SnapshotState::Computed, SnapshotState::Frozen) => Err(Refused {
            code: "snapshot_not_reviewed",
            zh: "统计须先审核才能冻结",
            en: "Review the snapshot before freezing it",
        }),
        _ => Err(Refused {
            code: "snapshot_already_reviewed",
            zh: "该期统计已审核",
            en: "The snapshot is already reviewed",
        }),
    }
}

/// One cell of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[oai(rename = "StatDiffCell")]
pub struct DiffCell {
    pub row: Label,
    pub col: Label,
    pub from: i64,
    pub to: i64,
    pub change: i64,
}

/// One table of a diff: its cells that changed, and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Object, Serialize, Deserialize)]
#[oai(rename = "StatDiffTable")]
pub struct DiffTable {
    pub key: String,
    pub title: String,
    pub from_total: i64,
    pub to_total: i64,
    /// The cells that differ (a row or column only one side has counts as 0 on the other).
    pub changed: Vec<DiffCell>,
}

/// The tables of `from` and `to`, cell by cell, matched by their keys (a table or cell one side
/// lacks counts 0 there).
pub fn diff(from: &Figures, to: &Figures) -> Vec<DiffTable> {
    let mut out = Vec::new();
    for t in &to.tables {
        let old = from.table(&t.key);
        let value = |row: &str, col: &str| -> i64 {
            old.and_then(|o| {
                let r = o.rows.iter().position(|l| l.key == row)?;
                let c = o.cols.iter().position(|l| l.key == col)?;
                o.cells.get(r)?.get(c).copied()
            })
            .unwrap_or(0)
        };
        let mut changed = Vec::new();
        for (r, row) in t.rows.iter().zip(&t.cells) {
            for (c, v) in t.cols.iter().zip(row) {
                let was = value(&r.key, &c.key);
                if was != *v {
                    changed.push(DiffCell {
                        row: r.clone(),
                        col: c.clone(),
                        from: was,
                        to: *v,
                        change: v - was,
                    });
                }
            }
        }
        // Rows and columns that only the earlier period has: gone to zero.
        if let Some(o) = old {
            for (r, row) in o.rows.iter().zip(&o.cells) {
                for (c, v) in o.cols.iter().zip(row) {
                    let present = t.rows.iter().any(|l| l.key == r.key)
                        && t.cols.iter().any(|l| l.key == c.key);
                    if !present && *v != 0 {
                        changed.push(DiffCell {
                            row: r.clone(),
                            col: c.clone(),
                            from: *v,
                            to: 0,
                            change: -v,
                        });
                    }
                }
            }
        }
        out.push(DiffTable {
            key: t.key.clone(),
            title: t.title.clone(),
            from_total: old.map_or(0, crate::model::Table::total),
            to_total: t.total(),
            changed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Table;

    fn half() -> HalfYear {
        HalfYear::parse("p", "2026H1").expect("valid")
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_period_is_computed_after_its_cutoff_only() {
        let r = compute(half(), d("2026-06-30"), None, None);
        assert_eq!(r.map_err(|e| e.code), Err("period_not_over"));
        assert_eq!(
            compute(half(), d("2026-07-01"), None, None),
            Ok(Compute::New(1))
        );
    }

    #[test]
    fn an_open_revision_is_computed_again_and_a_frozen_one_needs_a_reason() {
        let today = d("2026-12-07");
        for open in [SnapshotState::Computed, SnapshotState::Reviewed] {
            assert_eq!(
                compute(half(), today, Some((open, 2)), None),
                Ok(Compute::Again)
            );
        }
        let frozen = Some((SnapshotState::Frozen, 1));
        assert_eq!(
            compute(half(), today, frozen, None).map_err(|e| e.code),
            Err("revision_needs_reason")
        );
        assert_eq!(
            compute(half(), today, frozen, Some("补录漏登党员")),
            Ok(Compute::New(2))
        );
    }

    #[test]
    fn review_comes_before_freezing_and_frozen_is_final() {
        use SnapshotState::*;
        assert!(advance(Computed, Reviewed).is_ok());
        assert!(advance(Reviewed, Frozen).is_ok());
        assert_eq!(
            advance(Computed, Frozen).map_err(|e| e.code),
            Err("snapshot_not_reviewed")
        );
        assert_eq!(
            advance(Reviewed, Reviewed).map_err(|e| e.code),
            Err("snapshot_already_reviewed")
        );
        assert_eq!(
            advance(Frozen, Reviewed).map_err(|e| e.code),
            Err("snapshot_frozen")
        );
        assert_eq!(
            advance(Frozen, Frozen).map_err(|e| e.code),
            Err("snapshot_frozen")
        );
    }

    #[test]
    fn the_diff_names_each_changed_cell_and_what_vanished() {
        let t = |cells: Vec<(&str, i64)>| Figures {
            period: "x".into(),
            cutoff: d("2026-06-30"),
            tables: vec![Table::flat(
                "k",
                "表",
                "p",
                cells
                    .into_iter()
                    .map(|(k, v)| (Label::new(k, k), v))
                    .collect(),
            )],
        };
        let from = t(vec![("a", 5), ("b", 7), ("gone", 2)]);
        let to = t(vec![("a", 5), ("b", 9), ("new", 1)]);
        let diff = diff(&from, &to);
        assert_eq!(diff.len(), 1);
        assert_eq!((diff[0].from_total, diff[0].to_total), (14, 15));
        let by: Vec<(&str, i64, i64)> = diff[0]
            .changed
            .iter()
            .map(|c| (c.col.key.as_str(), c.from, c.to))
            .collect();
        assert_eq!(by, vec![("b", 7, 9), ("new", 0, 1), ("gone", 2, 0)]);
    }
}
