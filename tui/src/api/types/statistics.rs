//! The half-year statistics' shapes (统计): a county's periods and snapshots
//! (`GET /statistics/...`) and the provincial office's cross-county tables, rankings and
//! trends (`GET /province/statistics...`).

use serde::{Deserialize, Serialize};

/// One revision of a period's snapshot.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatRevision {
    pub revision: u32,
    /// `computed`, `reviewed`, `frozen`
    pub state: String,
    pub state_label: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub computed_at: String,
    #[serde(default)]
    pub reviewed_at: Option<String>,
    #[serde(default)]
    pub frozen_at: Option<String>,
    /// For the `If-Match: "v<version>"` of a review or freeze.
    pub version: i64,
}

/// A half-year (`GET /statistics/periods`: the current one and six before).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatPeriod {
    /// `2026H1`
    pub period: String,
    pub label: String,
    pub cutoff: String,
    /// Its cut-off has passed: it can be computed.
    pub over: bool,
    /// Newest first.
    pub revisions: Vec<StatRevision>,
}

impl StatPeriod {
    /// The newest revision, if computed at all.
    pub fn current(&self) -> Option<&StatRevision> {
        self.revisions.first()
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatLabel {
    pub key: String,
    pub label: String,
}

/// One of a county's count tables.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatTable {
    pub key: String,
    pub title: String,
    pub population: String,
    pub rows: Vec<StatLabel>,
    pub cols: Vec<StatLabel>,
    pub cells: Vec<Vec<i64>>,
    /// Sent to the province.
    pub provincial: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatFigures {
    pub period: String,
    pub cutoff: String,
    pub tables: Vec<StatTable>,
}

/// A period's snapshot (`GET /statistics/periods/{period}`): its current revision's figures.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatSnapshot {
    pub period: String,
    pub label: String,
    pub current: StatRevision,
    pub revisions: Vec<StatRevision>,
    pub figures: StatFigures,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct StatComputeRequest {
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatDiffCell {
    pub row: StatLabel,
    pub col: StatLabel,
    pub from: i64,
    pub to: i64,
    pub change: i64,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatDiffTable {
    pub key: String,
    pub title: String,
    pub from_total: i64,
    pub to_total: i64,
    pub changed: Vec<StatDiffCell>,
}

/// Two periods' current revisions compared (`GET /statistics/diff?from=&to=`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatDiff {
    pub from: String,
    pub to: String,
    pub tables: Vec<StatDiffTable>,
}

/// A county of the province, and why its figures are absent (`not_frozen`,
/// `tenant_suspended`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceStatCounty {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub revision: Option<u32>,
    #[serde(default)]
    pub missing: Option<String>,
}

/// A county's row of a cross-county table: `None` is a suppressed cell.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceStatRow {
    pub code: String,
    pub name: String,
    pub cells: Vec<Option<i64>>,
    #[serde(default)]
    pub total: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceStatTable {
    pub key: String,
    pub title: String,
    pub population: String,
    pub cols: Vec<StatLabel>,
    pub rows: Vec<ProvinceStatRow>,
    pub col_totals: Vec<Option<i64>>,
    #[serde(default)]
    pub total: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceRankLine {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub place: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceRanking {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub province_rate: Option<f64>,
    pub lines: Vec<ProvinceRankLine>,
}

/// A province's half-year (`GET /province/statistics`), from its counties' frozen snapshots.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceStatistics {
    pub province_code: String,
    pub period: String,
    pub label: String,
    /// Counts below this (and above 0) are suppressed.
    pub min_cell: i64,
    pub counties: Vec<ProvinceStatCounty>,
    /// How many of the counties are frozen.
    pub frozen: u32,
    pub tables: Vec<ProvinceStatTable>,
    pub rankings: Vec<ProvinceRanking>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceTrendPeriod {
    pub period: String,
    pub label: String,
    pub frozen: u32,
    pub rankings: Vec<ProvinceRanking>,
}

/// The province's rankings over the periods, oldest first.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProvinceTrends {
    pub province_code: String,
    pub periods: Vec<ProvinceTrendPeriod>,
}
