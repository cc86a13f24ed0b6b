//! What an import reports: where the table was found, what was rewritten, which organisation
//! names are still to be mapped, and the rejected cells.

use std::collections::BTreeMap;

use poem_openapi::Object;

use super::columns::{Col, def};
use super::import::{self, RowError};
use super::layout::Layout;
use super::normalise::{self as norm, Fix, Fixes};
use super::sheet::Table;
use crate::enums::StrEnum;
use crate::error::{AppError, Capped, FieldError};
use crate::privacy::identity::{IdCardNumber, MobileNumber};

/// The outcome of an import, or of its dry run.
#[derive(Debug, Clone, Object)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Data rows read (blank rows skipped).
    pub rows: u32,
    /// Members (businesses) new to the county (would be, in a dry run).
    pub created: u32,
    /// Members matched by ID-card number (businesses by credit code) whose data differ.
    pub updated: u32,
    /// Members matched by ID-card number (businesses by credit code) with nothing to change.
    pub unchanged: u32,
    /// The rejected cells (at most 500); a commit with any is refused as a whole.
    pub errors: Vec<RowError>,
    /// How many rejected cells were left out of `errors` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    pub more_errors: Option<u32>,
    #[oai(skip_serializing_if_is_none)]
    pub import_id: Option<String>,
    /// Where the table was found in the file.
    pub layout: ImportLayout,
    /// Organisation names of this county that match no unit, each listed once with the rows
    /// that use it and the closest units (at most 500 names). Their rows are not imported; a
    /// commit with any is refused.
    pub unknown_org_names: Vec<UnknownOrgName>,
    /// How many unknown names were left out of `unknown_org_names` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    pub more_unknown_org_names: Option<u32>,
    /// The first data rows as the mapping reads them (identifiers masked), to check the mapping
    /// before anything is checked or written.
    pub preview: Vec<PreviewRow>,
    /// Values rewritten before they were checked (full-width digits, Excel dates, 安吉县 → its
    /// code …), counted per column and kind, so staff see what was changed.
    pub normalised: Vec<Normalisation>,
    /// Business registers only: owners found in the member register (by ID-card number, or by
    /// name and phone) and newly linked to their business as 业主 (would be, in a dry run).
    #[oai(skip_serializing_if_is_none)]
    pub owners_linked: Option<u32>,
    /// Business registers only: rows naming an owner who is not a member of the register (most
    /// owners are not party members); the business is imported without an owner link.
    #[oai(skip_serializing_if_is_none)]
    pub owners_not_in_register: Option<u32>,
}

/// What an import's plan says, whatever the kind of sheet: the parts of the report that come
/// from checking the rows.
pub struct Outcome<'a> {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: &'a Capped<RowError>,
    pub fixes: &'a BTreeMap<(Col, Fix), u32>,
    pub unknown: &'a BTreeMap<(Col, String), Vec<u32>>,
    pub suggestions: &'a BTreeMap<(Col, String), Vec<(String, String)>>,
}

impl Outcome<'_> {
    /// The report of a dry run (or, once `import_id` is set, of a commit).
    pub fn report(&self, dry_run: bool, layout: &Layout, table: &Table) -> ImportReport {
        let listed = self.unknown.len().min(import::UNKNOWN_LISTED);
        ImportReport {
            dry_run,
            rows: self.rows as u32,
            created: self.created as u32,
            updated: self.updated as u32,
            unchanged: self.unchanged as u32,
            errors: self.errors.listed().to_vec(),
            more_errors: self.errors.more(),
            import_id: None,
            preview: preview(layout, table),
            layout: layout_view(layout),
            normalised: normalised_view(self.fixes),
            unknown_org_names: unknown_view(self.unknown, self.suggestions),
            more_unknown_org_names: (self.unknown.len() > listed)
                .then(|| (self.unknown.len() - listed) as u32),
            owners_linked: None,
            owners_not_in_register: None,
        }
    }

    /// The end of every import: a dry run answers its report; a commit is refused (rejected rows
    /// unless skipped, names still to be mapped) or `apply` writes it and names the import.
    pub fn settle(
        &self,
        mut report: ImportReport,
        dry_run: bool,
        skip_invalid: bool,
        apply: impl FnOnce() -> crate::db::DbResult<String>,
    ) -> crate::db::DbResult<ImportReport> {
        if dry_run {
            return Ok(report);
        }
        if let Some(refused) = self.refusal(&report, skip_invalid) {
            return Err(refused.into());
        }
        report.import_id = Some(apply()?);
        Ok(report)
    }

    /// Why a commit is refused: rejected rows (unless they are to be skipped) or names still to
    /// be mapped (always). None when it may go ahead.
    pub fn refusal(&self, report: &ImportReport, skip_invalid: bool) -> Option<AppError> {
        if (self.errors.is_empty() || skip_invalid) && self.unknown.is_empty() {
            return None;
        }
        let unknown = report.unknown_org_names.iter().map(|u| {
            FieldError::new(
                format!("org_names.{}", u.name),
                "unknown_org_name",
                u.message.clone(),
                format!("{}: {} is not a unit of the county", u.field, u.name),
            )
        });
        let mut fields: Vec<FieldError> = self
            .errors
            .listed()
            .iter()
            .map(|r| {
                FieldError::new(
                    format!("rows.{}.{}", r.row, r.field),
                    &r.code,
                    r.message.clone(),
                    r.message_en.clone(),
                )
            })
            .collect();
        fields.extend(unknown);
        let total = self.errors.total() + self.unknown.len();
        let mut e = AppError::validation(fields);
        e.more_fields =
            self.errors.more().unwrap_or(0) + report.more_unknown_org_names.unwrap_or(0);
        e.code = "import_rejected";
        e.zh = format!(
            "有 {total} 处错误或未对应的组织名称，未导入任何数据；请先用试导入（dry_run）查看并修正"
        )
        .into();
        e.en =
            format!("{total} errors or unmapped organisation names; nothing was imported").into();
        Some(e)
    }
}

/// Where the table was found: the sheet, the header row, how each header maps, and the rows
/// that are not data.
#[derive(Debug, Clone, Object)]
pub struct ImportLayout {
    /// The worksheet read (xlsx; absent for CSV).
    #[oai(skip_serializing_if_is_none)]
    pub sheet: Option<String>,
    /// Every worksheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// The header row as the spreadsheet numbers it.
    pub header_row: u32,
    /// Each non-empty header cell and the field it fills (absent: the column is not imported).
    pub columns: Vec<ImportColumn>,
    /// Headers that fill no field and are not imported (e.g. 序号, 备注).
    pub unmapped_columns: Vec<String>,
    /// Rows read as no data: titles above the header, blank rows, the footer (at most 500).
    pub skipped: Vec<SkippedRow>,
    /// How many skipped rows were left out of `skipped` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    pub more_skipped: Option<u32>,
}

#[derive(Debug, Clone, Object)]
pub struct ImportColumn {
    /// The header as written in the file.
    pub header: String,
    /// The API field it fills, e.g. `id_number`.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// The template's header for that field, e.g. 身份证号.
    #[oai(skip_serializing_if_is_none)]
    pub template_header: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct SkippedRow {
    pub row: u32,
    /// `title`, `blank` or `footer`.
    pub reason: String,
    pub message: String,
}

/// One kind of rewrite in one column, and how many values it changed.
#[derive(Debug, Clone, Object)]
pub struct Normalisation {
    /// The template's header of the column, e.g. 入党时间.
    pub column: String,
    pub field: String,
    /// `full_width`, `upper_x`, `phone_country_code`, `phone_separators`, `excel_serial`,
    /// `date_format`, `month_only`, `yes_no`, `gender`, `status_suffix`, `place_name`,
    /// `org_name`, `credit_code_case`, `kind_word`, `kind_from_code`.
    pub kind: String,
    pub count: u32,
    pub message: String,
    pub message_en: String,
}

/// An organisation name used in the sheet that matches none of the county's units.
#[derive(Debug, Clone, Object)]
pub struct UnknownOrgName {
    /// The template's header of the column, e.g. 组织关系所在地党组织.
    pub column: String,
    pub field: String,
    /// The name as written.
    pub name: String,
    /// How many rows use it, and the first 20 of them.
    pub row_count: u32,
    pub rows: Vec<u32>,
    /// The closest existing units, best first (at most 3).
    pub suggestions: Vec<UnitSuggestion>,
    pub message: String,
}

#[derive(Debug, Clone, Object)]
pub struct UnitSuggestion {
    pub id: String,
    /// 上级/名称.
    pub name: String,
}

pub(super) fn unknown_view(
    unknown: &BTreeMap<(Col, String), Vec<u32>>,
    suggestions: &BTreeMap<(Col, String), Vec<(String, String)>>,
) -> Vec<UnknownOrgName> {
    unknown
        .iter()
        .take(import::UNKNOWN_LISTED)
        .map(|((col, name), rows)| {
            let d = super::columns::def(*col);
            UnknownOrgName {
                column: d.header.to_owned(),
                field: d.field.to_owned(),
                name: name.clone(),
                row_count: rows.len() as u32,
                rows: rows.iter().take(20).copied().collect(),
                suggestions: suggestions
                    .get(&(*col, name.clone()))
                    .into_iter()
                    .flatten()
                    .map(|(id, n)| UnitSuggestion {
                        id: id.clone(),
                        name: n.clone(),
                    })
                    .collect(),
                message: format!(
                    "“{}”列的“{name}”不是本县已有的组织（{} 行使用），请对应到已有组织",
                    d.header,
                    rows.len()
                ),
            }
        })
        .collect()
}

/// The most skipped rows a report lists.
const SKIPPED_LISTED: usize = 500;

pub(super) fn layout_view(layout: &super::layout::Layout) -> ImportLayout {
    let columns: Vec<ImportColumn> = layout
        .columns
        .iter()
        .map(|(_, header, col)| ImportColumn {
            header: header.clone(),
            field: col.map(|c| super::columns::def(c).field.to_owned()),
            template_header: col.map(|c| super::columns::def(c).header.to_owned()),
        })
        .collect();
    let skipped: Vec<SkippedRow> = layout
        .skipped
        .iter()
        .take(SKIPPED_LISTED)
        .map(|(row, why)| SkippedRow {
            row: *row,
            reason: why.as_str().to_owned(),
            message: format!("第{row}行：{}，未导入", why.label_zh()),
        })
        .collect();
    ImportLayout {
        sheet: layout.sheet.clone(),
        sheets: layout.sheets.clone(),
        header_row: layout.header_row,
        unmapped_columns: columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.header.clone())
            .collect(),
        columns,
        more_skipped: (layout.skipped.len() > SKIPPED_LISTED)
            .then(|| (layout.skipped.len() - SKIPPED_LISTED) as u32),
        skipped,
    }
}

pub(super) fn normalised_view(fixes: &BTreeMap<(Col, Fix), u32>) -> Vec<Normalisation> {
    fixes
        .iter()
        .map(|((col, fix), n)| {
            let d = super::columns::def(*col);
            let (zh, en) = fix.describe();
            Normalisation {
                column: d.header.to_owned(),
                field: d.field.to_owned(),
                kind: fix.as_str().to_owned(),
                count: *n,
                message: format!("“{}”列：{zh} {n} 处", d.header),
                message_en: format!("{}: {en} ({n})", d.field),
            }
        })
        .collect()
}

/// One data row as mapped.
#[derive(Debug, Clone, Object)]
pub struct PreviewRow {
    pub row: u32,
    pub cells: Vec<PreviewCell>,
}

#[derive(Debug, Clone, Object)]
pub struct PreviewCell {
    /// The header as written in the file.
    pub header: String,
    /// The field it fills.
    pub field: String,
    /// The value as it will be read: normalised, identifiers masked, an address only marked.
    pub value: String,
}

/// How many data rows the preview shows.
pub const PREVIEW_ROWS: usize = 5;

fn preview_value(col: Col, cell: &super::sheet::Cell) -> Option<String> {
    let mut fx = Fixes::default();
    let text = cell.text()?;
    Some(match col {
        Col::BizCreditCode => norm::credit_code(&text, &mut fx),
        Col::IdNumber | Col::BizOwnerIdNumber => {
            let t = norm::id_number(&text, &mut fx);
            IdCardNumber::parse("id_number", &t)
                .map_or_else(|_| "（无效）".to_owned(), |i| i.masked())
        }
        Col::Phone | Col::BizOwnerPhone => {
            let t = norm::phone(&text, &mut fx);
            MobileNumber::parse("phone", &t).map_or_else(|_| "（无效）".to_owned(), |p| p.masked())
        }
        Col::HomeAddress => "（已填写）".to_owned(),
        Col::BizKind => norm::business_kind(&text, &mut fx).map_or(text, str::to_owned),
        Col::JoinedParty | Col::AwaySince => norm::date(cell, &mut fx)
            .map_or_else(|| text.clone(), |d| d.format("%Y-%m-%d").to_string()),
        Col::Household => match super::places::resolve(&norm::half_width(&text, &mut fx)) {
            super::places::Place::Named(code) | super::places::Place::Code(code) => code,
            _ => text,
        },
        _ => norm::half_width(&text, &mut fx).trim().to_owned(),
    })
}

/// The first data rows under the columns the layout (and mapping) gives them.
pub(super) fn preview(layout: &Layout, table: &Table) -> Vec<PreviewRow> {
    table
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|(row, cells)| PreviewRow {
            row: *row,
            cells: layout
                .columns
                .iter()
                .filter_map(|(i, header, col)| {
                    let col = (*col)?;
                    let value = preview_value(col, cells.get(*i)?)?;
                    Some(PreviewCell {
                        header: header.clone(),
                        field: def(col).field.to_owned(),
                        value,
                    })
                })
                .collect(),
        })
        .collect()
}
