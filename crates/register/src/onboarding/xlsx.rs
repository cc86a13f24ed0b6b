//! Writing member sheets (rust_xlsxwriter): the import template and exports. Every cell is
//! written as text, and text that a spreadsheet would run as a formula when the file is re-saved
//! or opened as CSV (`=`, `+`, `-`, `@`, tab, CR) is prefixed with `'` (OWASP CSV injection).

use rust_xlsxwriter::{DataValidation, DocProperties, Format, Workbook, XlsxError};

use super::columns::COLUMNS;
use crate::error::AppError;

/// A value as it may safely go into a cell.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            format!("'{s}").into()
        }
        _ => s.into(),
    }
}

fn failed(e: XlsxError) -> AppError {
    AppError::internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The import template: the registration form's headers, drop-downs for the fixed choices, the
/// ID column as text, and a sheet explaining each column.
pub fn template() -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#F2DCDB");
    let text = Format::new().set_num_format("@");
    let ws = book.add_worksheet();
    ws.set_name("党员信息").map_err(failed)?;
    for (i, d) in COLUMNS.iter().enumerate() {
        let c = i as u16;
        ws.write_string_with_format(0, c, d.header, &header)
            .map_err(failed)?;
        ws.set_column_width(c, (d.header.chars().count() as f64 * 2.2).max(10.0))
            .map_err(failed)?;
        // Text format everywhere: ID and phone numbers must not become numbers.
        ws.set_column_format(c, &text).map_err(failed)?;
        if !d.choices.is_empty() {
            let dv = DataValidation::new()
                .allow_list_strings(d.choices)
                .map_err(failed)?;
            ws.add_data_validation(1, c, 100_000, c, &dv)
                .map_err(failed)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(failed)?;
    let notes = book.add_worksheet();
    notes.set_name("填写说明").map_err(failed)?;
    for (c, h) in ["列名", "是否必填", "可填写的值", "说明"]
        .iter()
        .enumerate()
    {
        notes
            .write_string_with_format(0, c as u16, *h, &header)
            .map_err(failed)?;
    }
    for (i, d) in COLUMNS.iter().enumerate() {
        let r = i as u32 + 1;
        notes.write_string(r, 0, d.header).map_err(failed)?;
        notes
            .write_string(r, 1, if d.required { "必填" } else { "选填" })
            .map_err(failed)?;
        notes
            .write_string(r, 2, d.choices.join(" / "))
            .map_err(failed)?;
        notes.write_string(r, 3, d.note).map_err(failed)?;
    }
    notes.set_column_width(0, 24).map_err(failed)?;
    notes.set_column_width(2, 24).map_err(failed)?;
    notes.set_column_width(3, 80).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

/// A sheet of rows under headers, with a first line saying who exported it and when (the
/// export carries its exporter, SPEC §11) and the same in the document properties.
pub fn table(
    title: &str,
    stamp: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author(stamp)
            .set_comment(stamp),
    );
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_background_color("#F2DCDB");
    let ws = book.add_worksheet();
    ws.set_name(title).map_err(failed)?;
    ws.write_string_with_format(0, 0, neutralise(stamp), &bold)
        .map_err(failed)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &header)
            .map_err(failed)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).max(10.0))
            .map_err(failed)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 2, c as u16, neutralise(v))
                    .map_err(failed)?;
            }
        }
    }
    ws.set_freeze_panes(2, 0).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::sheet::Cell;

    fn read(bytes: &[u8]) -> Result<crate::onboarding::sheet::Table, AppError> {
        crate::onboarding::sheet::read(bytes).map(|(_, t)| t)
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("+86 138"), "'+86 138");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("＝HYPERLINK()"), "'＝HYPERLINK()");
        assert_eq!(neutralise("张三"), "张三");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn the_template_reads_back_as_its_own_headers() {
        let t = read(&template().expect("template")).expect("read");
        let want: Vec<&str> = COLUMNS.iter().map(|d| d.header).collect();
        assert_eq!(t.headers, want);
        assert!(t.rows.is_empty());
    }

    #[test]
    fn a_table_reads_back_with_its_stamp_and_safe_cells() {
        let bytes = table(
            "党员名单",
            "导出人：管理员 时间：2026-11-26",
            &["姓名", "单位名称"],
            &[vec!["张三".into(), "=HYPERLINK(\"x\")".into()]],
        )
        .expect("xlsx");
        // The stamp is a title row above the header, which the import steps over.
        let (layout, t) = crate::onboarding::sheet::read(&bytes).expect("read");
        assert_eq!(layout.header_row, 2);
        assert_eq!(
            layout.skipped,
            vec![(1, crate::onboarding::layout::Skip::Title)]
        );
        assert_eq!(t.headers, vec!["姓名", "单位名称"]);
        assert_eq!(t.rows[0].1[1], Cell::Text("'=HYPERLINK(\"x\")".into()));
    }
}
