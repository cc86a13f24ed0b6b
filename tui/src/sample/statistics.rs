//! Made-up half-year statistics: the county's periods with a frozen snapshot and its diff, and
//! the province's tables, rankings and trends; and their screens.

use serde_json::{Value, json};

use crate::api::types::*;
use crate::app::{Model, Tab};
use crate::i18n::Lang;
use crate::screens::{province, statistics};

use super::model;

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("sample statistics")
}

fn revision(state: &str, version: i64) -> Value {
    json!({ "revision": 1, "state": state, "state_label": state,
            "computed_at": "2026-07-02T01:00:00Z", "version": version })
}

pub fn stat_periods() -> Vec<StatPeriod> {
    from(json!([
        { "period": "2026H2", "label": "2026年下半年", "cutoff": "2026-12-31", "over": false,
          "revisions": [] },
        { "period": "2026H1", "label": "2026年上半年", "cutoff": "2026-06-30", "over": true,
          "revisions": [revision("frozen", 3)] },
        { "period": "2025H2", "label": "2025年下半年", "cutoff": "2025-12-31", "over": true,
          "revisions": [revision("frozen", 3)] },
        { "period": "2025H1", "label": "2025年上半年", "cutoff": "2025-06-30", "over": true,
          "revisions": [] }
    ]))
}

pub fn stat_snapshot() -> StatSnapshot {
    from(json!({
        "period": "2026H1", "label": "2026年上半年", "current": revision("frozen", 3),
        "revisions": [revision("frozen", 3)],
        "figures": { "period": "2026H1", "cutoff": "2026-06-30", "tables": [
            { "key": "members", "title": "党员分布", "population": "在册党员",
              "provincial": true,
              "rows": [{ "key": "individual", "label": "个体工商户" },
                       { "key": "private", "label": "私营企业" }],
              "cols": [{ "key": "full", "label": "正式党员" },
                       { "key": "probationary", "label": "预备党员" }],
              "cells": [[812, 23], [406, 9]] }
        ] }
    }))
}

pub fn stat_diff() -> StatDiff {
    from(json!({
        "from": "2025H2", "to": "2026H1", "tables": [
            { "key": "members", "title": "党员分布", "from_total": 1220, "to_total": 1250,
              "changed": [
                { "row": { "key": "individual", "label": "个体工商户" },
                  "col": { "key": "full", "label": "正式党员" },
                  "from": 790, "to": 812, "change": 22 }
              ] }
        ]
    }))
}

fn ranking(rate: f64) -> Value {
    json!({ "key": "coverage", "title": "党组织覆盖率", "province_rate": rate, "lines": [
        { "code": "330522", "name": "长兴县", "rate": rate + 0.02, "place": 1 },
        { "code": "330523", "name": "安吉县", "rate": rate - 0.02, "place": 2 }
    ] })
}

pub fn province_statistics() -> ProvinceStatistics {
    from(json!({
        "province_code": "330000", "period": "2026H1", "label": "2026年上半年", "min_cell": 3,
        "counties": [
            { "code": "330522", "name": "长兴县", "revision": 1 },
            { "code": "330523", "name": "安吉县", "revision": 1 },
            { "code": "330521", "name": "德清县", "missing": "not_frozen" }
        ],
        "frozen": 2,
        "tables": [
            { "key": "members", "title": "党员分布", "population": "在册党员",
              "cols": [{ "key": "full", "label": "正式党员" },
                       { "key": "probationary", "label": "预备党员" }],
              "rows": [
                { "code": "330522", "name": "长兴县", "cells": [640, null], "total": null },
                { "code": "330523", "name": "安吉县", "cells": [1218, null], "total": null }
              ],
              "col_totals": [1858, 34], "total": 1892 }
        ],
        "rankings": [ranking(0.62)]
    }))
}

pub fn province_trends() -> ProvinceTrends {
    from(json!({
        "province_code": "330000",
        "periods": [
            { "period": "2024H2", "label": "2024年下半年", "frozen": 0, "rankings": [] },
            { "period": "2025H1", "label": "2025年上半年", "frozen": 2, "rankings": [ranking(0.41)] },
            { "period": "2025H2", "label": "2025年下半年", "frozen": 2, "rankings": [ranking(0.55)] },
            { "period": "2026H1", "label": "2026年上半年", "frozen": 2, "rankings": [ranking(0.62)] }
        ]
    }))
}

/// The statistics screens, for the rendering tests: (name, model).
pub(super) fn statistics_screens(lang: Lang) -> Vec<(&'static str, Model)> {
    let mut out = Vec::new();
    let mut m = model(lang, "county_admin", Tab::Statistics);
    statistics::periods_loaded(&mut m.statistics, stat_periods());
    m.statistics.sel = 1;
    statistics::snapshot_loaded(&mut m.statistics, stat_snapshot());
    out.push(("statistics", m));

    let mut m = model(lang, "county_admin", Tab::Statistics);
    statistics::periods_loaded(&mut m.statistics, stat_periods());
    m.statistics.sel = 1;
    m.statistics.show_diff = true;
    statistics::diff_loaded(&mut m.statistics, "2025H2", "2026H1", stat_diff());
    out.push(("statistics-diff", m));

    let mut m = model(lang, "provincial_office", Tab::Province);
    province::loaded(&mut m.province, &None, province_statistics());
    province::trends_loaded(&mut m.province, province_trends());
    out.push(("province", m));
    out
}
