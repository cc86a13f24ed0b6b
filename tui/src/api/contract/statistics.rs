//! The half-year statistics' schemas (统计) and the fields of them the console reads, in the
//! form of [`FIELDS`](super::FIELDS).

pub const FIELDS: &[(&str, &[(&str, &str)])] = &[
    (
        "StatRevision",
        &[
            ("revision", "integer"),
            ("state", "object"),
            ("state_label", "string"),
            ("reason", "string"),
            ("computed_at", "string"),
            ("reviewed_at", "string"),
            ("frozen_at", "string"),
            ("version", "integer"),
        ],
    ),
    (
        "StatPeriod",
        &[
            ("period", "string"),
            ("label", "string"),
            ("cutoff", "string"),
            ("over", "boolean"),
            ("revisions", "array"),
        ],
    ),
    ("StatLabel", &[("key", "string"), ("label", "string")]),
    (
        "StatTable",
        &[
            ("key", "string"),
            ("title", "string"),
            ("population", "string"),
            ("rows", "array"),
            ("cols", "array"),
            ("cells", "array"),
            ("provincial", "boolean"),
        ],
    ),
    (
        "StatFigures",
        &[
            ("period", "string"),
            ("cutoff", "string"),
            ("tables", "array"),
        ],
    ),
    (
        "StatSnapshot",
        &[
            ("period", "string"),
            ("label", "string"),
            ("current", "object"),
            ("revisions", "array"),
            ("figures", "object"),
        ],
    ),
    ("StatComputeRequest", &[("reason", "string")]),
    (
        "StatDiffCell",
        &[
            ("row", "object"),
            ("col", "object"),
            ("from", "integer"),
            ("to", "integer"),
            ("change", "integer"),
        ],
    ),
    (
        "StatDiffTable",
        &[
            ("key", "string"),
            ("title", "string"),
            ("from_total", "integer"),
            ("to_total", "integer"),
            ("changed", "array"),
        ],
    ),
    (
        "StatDiff",
        &[("from", "string"), ("to", "string"), ("tables", "array")],
    ),
    (
        "ProvinceStatCounty",
        &[
            ("code", "string"),
            ("name", "string"),
            ("revision", "integer"),
            ("missing", "string"),
        ],
    ),
    (
        "ProvinceStatRow",
        &[
            ("code", "string"),
            ("name", "string"),
            ("cells", "array"),
            ("total", "integer"),
        ],
    ),
    (
        "ProvinceStatTable",
        &[
            ("key", "string"),
            ("title", "string"),
            ("population", "string"),
            ("cols", "array"),
            ("rows", "array"),
            ("col_totals", "array"),
            ("total", "integer"),
        ],
    ),
    (
        "ProvinceRankLine",
        &[
            ("code", "string"),
            ("name", "string"),
            ("rate", "number"),
            ("place", "integer"),
        ],
    ),
    (
        "ProvinceRanking",
        &[
            ("key", "string"),
            ("title", "string"),
            ("province_rate", "number"),
            ("lines", "array"),
        ],
    ),
    (
        "ProvinceStatistics",
        &[
            ("province_code", "string"),
            ("period", "string"),
            ("label", "string"),
            ("min_cell", "integer"),
            ("counties", "array"),
            ("frozen", "integer"),
            ("tables", "array"),
            ("rankings", "array"),
        ],
    ),
    (
        "ProvinceTrendPeriod",
        &[
            ("period", "string"),
            ("label", "string"),
            ("frozen", "integer"),
            ("rankings", "array"),
        ],
    ),
    (
        "ProvinceTrends",
        &[("province_code", "string"), ("periods", "array")],
    ),
];
