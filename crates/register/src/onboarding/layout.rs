//! Where the table is in a sheet as a county keeps it: which sheet of the workbook, which row
//! holds the headers (past a merged title, a 填表日期 line and blank rows), and which rows at
//! the bottom are the form's footer (填表人, 审核人, 联系电话, 合计, signatures, a date) rather
//! than members. Rows that are not data are reported as skipped, never as errors.

use super::columns::{Col, Sheet, lookup};
use super::normalise::compact;
use super::sheet::{Cell, Row, Table};
use crate::error::{AppError, FieldError};

/// How far down a header row is looked for.
pub const HEADER_SCAN: usize = 30;
/// A header row names at least this many known columns; fewer is a title or a data row.
const MIN_HEADERS: usize = 2;

/// Why a row is not read as data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Skip {
    /// Above the header row: a title, a date line, a unit's name.
    Title,
    /// No value in any cell.
    Blank,
    /// 填表人, 审核人, 联系电话, 合计, a signature or a date under the table.
    Footer,
}

impl Skip {
    pub fn label_zh(self) -> &'static str {
        match self {
            Skip::Title => "表头上方的标题行",
            Skip::Blank => "空行",
            Skip::Footer => "表尾（填表人、审核人、合计、签字或日期）",
        }
    }
}

/// Where the table was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The sheet read (xlsx), and every sheet the workbook has.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    /// The header row as the user sees it (1 = the first row).
    pub header_row: u32,
    /// Each header cell: its column (0-based), its text, and the column it maps to.
    pub columns: Vec<(usize, String, Option<Col>)>,
    pub skipped: Vec<(u32, Skip)>,
}

/// A county's own mapping of headers: `Some(Some(col))` a field, `Some(None)` ignored, `None`
/// where the synonym table decides.
pub type Mapped<'a> = &'a dyn Fn(&str) -> Option<Option<Col>>;

fn column(sheet: Sheet, h: &str, mapped: Mapped<'_>) -> Option<Col> {
    mapped(h).unwrap_or_else(|| lookup(sheet, h))
}

/// The distinct known columns a row names.
fn score(sheet: Sheet, cells: &[Cell], mapped: Mapped<'_>) -> usize {
    let mut cols: Vec<Col> = cells
        .iter()
        .filter_map(|c| c.text().and_then(|t| column(sheet, &t, mapped)))
        .collect();
    cols.sort_by_key(|c| *c as usize);
    cols.dedup();
    cols.len()
}

/// The best header row among the first rows of a sheet: its index in `rows` and its score.
fn header(sheet: Sheet, rows: &[Row], mapped: Mapped<'_>) -> Option<(usize, usize)> {
    rows.iter()
        .take(HEADER_SCAN)
        .enumerate()
        .map(|(i, (_, cells))| (i, score(sheet, cells, mapped)))
        .filter(|(_, s)| *s >= MIN_HEADERS)
        // The highest score; the earliest row among equals (max_by_key keeps the last).
        .max_by_key(|(i, s)| (*s, std::cmp::Reverse(*i)))
}

/// Words that open a footer line, without spaces or colon.
const FOOTER_WORDS: &[&str] = &[
    "填表人",
    "填表日期",
    "填报人",
    "填报日期",
    "填报单位",
    "制表人",
    "制表",
    "审核人",
    "审核",
    "审批",
    "负责人",
    "单位负责人",
    "联系人",
    "联系电话",
    "合计",
    "总计",
    "小计",
    "签字",
    "签名",
    "盖章",
    "(盖章)",
    "日期",
    "注:",
    "说明:",
    "备注:",
];

/// A footer line: few cells filled (a data row fills most of its columns), and one of them
/// opens with a footer word, or all of them are dates (the form's closing date line).
pub fn is_footer(cells: &[Cell], columns: usize) -> bool {
    let filled: Vec<&Cell> = cells.iter().filter(|c| c.text().is_some()).collect();
    if filled.is_empty() || filled.len() * 2 > columns.max(2) {
        return false;
    }
    let worded = filled.iter().any(|c| {
        let t = compact(&c.text().unwrap_or_default());
        FOOTER_WORDS.iter().any(|w| t.starts_with(w))
    });
    let dated = filled.iter().all(|c| match c {
        Cell::Date(_) => true,
        Cell::Text(t) => {
            let t = compact(t);
            t.contains('年') && t.ends_with('日') && t.chars().any(|ch| ch.is_ascii_digit())
        }
        _ => false,
    });
    worded || dated
}

fn no_header(sheet: Sheet) -> AppError {
    let expected: Vec<&str> = sheet
        .columns()
        .iter()
        .filter(|d| d.required)
        .map(|d| d.header)
        .collect();
    AppError::validation(vec![FieldError::new(
        "file",
        "header_not_found",
        format!(
            "file：在前 {HEADER_SCAN} 行中没有找到表头（应含有 {} 等列）",
            expected.join("、")
        ),
        format!(
            "file: no header row in the first {HEADER_SCAN} rows (expected columns such as {})",
            expected.join(", ")
        ),
    )])
}

/// Finds the table: the sheet whose header row names the most known columns (the first sheet
/// among equals), the header row, the rows under it, and the rows skipped. `sheets` holds each
/// sheet's name (None for CSV) and its non-blank rows; `kind` says which column table the
/// headers are read against.
pub fn detect(
    sheets: Vec<(Option<String>, Vec<Row>)>,
    kind: Sheet,
    mapped: Mapped<'_>,
) -> Result<(Layout, Table), AppError> {
    let names: Vec<String> = sheets.iter().filter_map(|(n, _)| n.clone()).collect();
    let best = sheets
        .iter()
        .enumerate()
        .filter_map(|(i, (_, rows))| header(kind, rows, mapped).map(|(h, s)| (i, h, s)))
        .max_by_key(|(i, _, s)| (*s, std::cmp::Reverse(*i)));
    let Some((sheet_index, header_index, _)) = best else {
        return Err(no_header(kind));
    };
    let (sheet, rows) = sheets.into_iter().nth(sheet_index).unwrap_or_default();
    let mut rows = rows.into_iter();
    let mut skipped: Vec<(u32, Skip)> = Vec::new();
    let mut last = 0u32;
    for (n, _) in rows.by_ref().take(header_index) {
        skipped.push((n, Skip::Title));
        last = n;
    }
    let Some((header_row, header_cells)) = rows.next() else {
        return Err(no_header(kind));
    };
    // Blank rows above the header are part of the title area.
    skipped.extend((last + 1..header_row).map(|n| (n, Skip::Title)));
    let columns: Vec<(usize, String, Option<Col>)> = header_cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.text().map(|t| (i, t.clone(), column(kind, &t, mapped))))
        .collect();
    let width = columns.len();
    let mut data = Vec::new();
    let mut previous = header_row;
    for (n, cells) in rows {
        skipped.extend((previous + 1..n).map(|b| (b, Skip::Blank)));
        previous = n;
        if is_footer(&cells, width) {
            skipped.push((n, Skip::Footer));
        } else {
            data.push((n, cells));
        }
    }
    skipped.sort_by_key(|(n, _)| *n);
    let headers = header_cells
        .iter()
        .map(|c| c.text().unwrap_or_default())
        .collect();
    Ok((
        Layout {
            sheet,
            sheets: names,
            header_row,
            columns,
            skipped,
        },
        Table {
            headers,
            rows: data,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(n: u32, cells: &[&str]) -> Row {
        (
            n,
            cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text((*s).to_owned())
                    }
                })
                .collect(),
        )
    }

    const HEADER: &[&str] = &[
        "序号",
        "党员姓名",
        "身份证号码",
        "手机号码",
        "党员类别",
        "党员分布",
        "单位名称",
    ];

    #[test]
    fn the_header_is_found_under_a_title_and_a_date_line() {
        let rows = vec![
            row(1, &["安吉县个体工商户党员信息登记表"]),
            row(2, &["", "", "", "", "填表日期：2024年6月30日"]),
            row(4, HEADER),
            row(5, &["1", "张三", "330523198001010011", "13800138000"]),
            row(7, &["2", "李四", "330523198001010011", "13800138000"]),
            row(8, &["填表人：王五", "", "联系电话：0572-5123456"]),
            row(9, &["审核人：", "", "", "2024年6月30日"]),
        ];
        let (layout, table) = detect(vec![(Some("Sheet1".into()), rows)], Sheet::Members, &|_| {
            None
        })
        .expect("found");
        assert_eq!(layout.header_row, 4);
        assert_eq!(layout.sheet.as_deref(), Some("Sheet1"));
        assert_eq!(
            table.rows.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![5, 7]
        );
        assert_eq!(
            layout.skipped,
            vec![
                (1, Skip::Title),
                (2, Skip::Title),
                (3, Skip::Title),
                (6, Skip::Blank),
                (8, Skip::Footer),
                (9, Skip::Footer),
            ]
        );
        assert_eq!(layout.columns[0], (0, "序号".to_owned(), None));
        assert_eq!(layout.columns[1].2, Some(Col::Name));
        assert_eq!(layout.columns[4].2, Some(Col::MembershipStatus));
        assert_eq!(layout.columns[5].2, Some(Col::Distribution));
    }

    #[test]
    fn the_sheet_with_the_table_is_chosen_and_named() {
        let notes = vec![row(1, &["说明：请按登记表填写"]), row(2, &["姓名"])];
        let members = vec![row(1, HEADER), row(2, &["1", "张三"])];
        let (layout, table) = detect(
            vec![
                (Some("填表说明".into()), notes),
                (Some("党员名册".into()), members),
            ],
            Sheet::Members,
            &|_| None,
        )
        .expect("found");
        assert_eq!(layout.sheet.as_deref(), Some("党员名册"));
        assert_eq!(layout.sheets, vec!["填表说明", "党员名册"]);
        assert_eq!(table.rows.len(), 1);
    }

    #[test]
    fn no_header_is_a_clear_error() {
        let e = detect(
            vec![(None, vec![row(1, &["a", "b"]), row(2, &["1", "2"])])],
            Sheet::Members,
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(e.fields[0].code, "header_not_found");
        assert!(
            e.fields[0].message.contains("身份证号"),
            "{}",
            e.fields[0].message
        );
        assert_eq!(
            detect(vec![], Sheet::Members, &|_| None)
                .unwrap_err()
                .fields[0]
                .code,
            "header_not_found"
        );
    }

    #[test]
    fn a_business_register_is_found_under_its_title() {
        let rows = vec![
            row(1, &["安吉县个体工商户名录"]),
            row(
                3,
                &["序号", "统一社会信用代码", "字号名称", "经营者", "所属市场"],
            ),
            row(4, &["1", "92330523MA2B3C4D5X", "王记小吃", "王五", ""]),
            row(6, &["填表人：李四", "", "", "联系电话：0572-5123456"]),
        ];
        let (layout, table) =
            detect(vec![(None, rows)], Sheet::Businesses, &|_| None).expect("found");
        assert_eq!(layout.header_row, 3);
        assert_eq!(layout.columns[1].2, Some(Col::BizCreditCode));
        assert_eq!(layout.columns[3].2, Some(Col::BizOwnerName));
        assert_eq!(table.rows.len(), 1);
        assert_eq!(
            layout.skipped,
            vec![
                (1, Skip::Title),
                (2, Skip::Title),
                (5, Skip::Blank),
                (6, Skip::Footer)
            ]
        );
        // The business columns are no header of a member sheet.
        let e = detect(
            vec![(None, vec![row(1, &["统一社会信用代码", "经营者"])])],
            Sheet::Members,
            &|_| None,
        );
        assert!(e.is_err());
    }

    #[test]
    fn data_rows_are_not_footers() {
        let full = row(
            1,
            &["1", "张三", "330523198001010011", "13800138000", "正式"],
        )
        .1;
        assert!(!is_footer(&full, 7));
        // A member whose business is called 合计 still fills most of the row.
        let named = row(
            1,
            &[
                "3",
                "合计",
                "330523198001010011",
                "138",
                "正式",
                "个体工商户",
            ],
        )
        .1;
        assert!(!is_footer(&named, 7));
        assert!(is_footer(&row(1, &["合计", "", "402"]).1, 7));
        assert!(is_footer(&row(1, &["（盖章）"]).1, 7));
        assert!(is_footer(&[Cell::Date(chrono::NaiveDate::MIN)], 7));
        assert!(!is_footer(&row(1, &["张三"]).1, 7));
    }

    proptest! {
        #[test]
        fn detection_never_panics(
            sheets in prop::collection::vec(
                prop::collection::vec(
                    (1u32..60, prop::collection::vec("(姓名|身份证号|手机|填表人：|合计|\\PC{0,6})", 0..8)),
                    0..40,
                ),
                0..3,
            )
        ) {
            let sheets = sheets
                .into_iter()
                .map(|rows| {
                    let mut rows: Vec<Row> = rows
                        .into_iter()
                        .map(|(n, cells)| (n, cells.into_iter().map(Cell::Text).collect()))
                        .collect();
                    // Row numbers rise, as the reader gives them.
                    rows.sort_by_key(|(n, _)| *n);
                    rows.dedup_by_key(|(n, _)| *n);
                    (None, rows)
                })
                .collect();
            if let Ok((layout, table)) = detect(sheets, Sheet::Members, &|_| None) {
                prop_assert!(table.rows.iter().all(|(n, _)| *n > layout.header_row));
            }
        }
    }
}
