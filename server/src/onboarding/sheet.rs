//! Reads an uploaded spreadsheet into text cells: xlsx (calamine) or CSV in UTF-8 or GB18030
//! (encoding_rs), the two encodings Chinese offices' spreadsheets come in. Nothing here knows
//! about members; the file either becomes a table or a clear error.

use calamine::{Data, DataType, Reader, Xlsx};

use crate::error::{AppError, FieldError};

/// One cell as read. Numbers are kept apart from text because an 18-digit ID number typed into
/// a number cell has already lost its last digits, and the user needs to be told why.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell, written as Excel shows it (no trailing `.0`).
    Number(String),
    Date(chrono::NaiveDate),
}

impl Cell {
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) | Cell::Number(s) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_owned())
            }
            Cell::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        }
    }
}

/// A header row and the data rows under it, each with its row number as the user sees it
/// (the header is row 1).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<Cell>)>,
}

pub const MAX_ROWS: usize = 100_000;

fn unreadable(code: &str, zh: &str, en: &str) -> AppError {
    AppError::validation(vec![FieldError::new("file", code, zh, en)])
}

/// xlsx files are zip archives; anything else is taken as CSV text.
pub fn read(bytes: &[u8]) -> Result<Table, AppError> {
    if bytes.is_empty() {
        return Err(unreadable(
            "empty_file",
            "file：文件为空",
            "file: the file is empty",
        ));
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(
            "xls_not_supported",
            "file：不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
            "file: legacy .xls is not supported; save as .xlsx or CSV",
        ));
    } else {
        read_csv(bytes)?
    };
    if table.rows.len() > MAX_ROWS {
        return Err(unreadable(
            "too_many_rows",
            format!("file：一次最多导入 {MAX_ROWS} 行").as_str(),
            format!("file: at most {MAX_ROWS} rows per import").as_str(),
        ));
    }
    Ok(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, AppError> {
    let bad = || {
        unreadable(
            "unreadable_xlsx",
            "file：无法读取该 xlsx 文件（文件损坏或不完整），请重新保存后上传",
            "file: the xlsx file is damaged or incomplete",
        )
    };
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| bad())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| {
            unreadable(
                "no_worksheet",
                "file：文件中没有工作表",
                "file: no worksheet",
            )
        })?
        .map_err(|_| bad())?;
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        let number = first_row + i as u32 + 1;
        let mut cells = vec![Cell::Empty; first_col];
        cells.extend(row.iter().map(cell));
        if table.headers.is_empty() {
            if cells.iter().all(|c| c.text().is_none()) {
                continue; // blank lines above the header
            }
            table.headers = cells.iter().map(|c| c.text().unwrap_or_default()).collect();
            continue;
        }
        if cells.iter().any(|c| c.text().is_some()) {
            table.rows.push((number, cells));
        }
    }
    Ok(table)
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Cell::Number(format!("{}", *f as i64))
        }
        Data::Float(f) => Cell::Number(f.to_string()),
        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
        Data::DateTime(_) => d.as_date().map_or(Cell::Empty, Cell::Date),
        Data::Error(_) => Cell::Text("#错误".to_owned()),
    }
}

/// UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (a superset of
/// GBK and GB2312, what Excel and WPS write for "CSV" on Chinese Windows).
pub fn decode(bytes: &[u8]) -> Result<String, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or_else(|| {
            unreadable(
                "bad_encoding",
                "file：无法识别文件编码（应为 xlsx，或 UTF-8 / GB18030 编码的 CSV）",
                "file: not xlsx, and not CSV in UTF-8 or GB18030",
            )
        })
}

fn read_csv(bytes: &[u8]) -> Result<Table, AppError> {
    let text = decode(bytes)?;
    if text.contains('\0') {
        return Err(unreadable(
            "bad_encoding",
            "file：文件含有二进制内容，不是 CSV 文本",
            "file: binary content, not CSV text",
        ));
    }
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    // The csv crate skips blank lines without counting them; a lone delimiter keeps each one a
    // (blank, skipped) record so row numbers match what the user sees in their editor.
    let text: String = text
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                (delimiter as char).to_string()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|_| {
            unreadable(
                "unreadable_csv",
                format!("file：第 {} 行 CSV 格式错误（引号不配对？）", i + 1).as_str(),
                format!("file: line {} is not valid CSV", i + 1).as_str(),
            )
        })?;
        let number = rec.position().map_or(i as u32 + 1, |p| p.line() as u32);
        let cells: Vec<Cell> = rec.iter().map(|s| Cell::Text(s.to_owned())).collect();
        if cells.iter().all(|c| c.text().is_none()) {
            continue;
        }
        if table.headers.is_empty() {
            table.headers = cells.iter().map(|c| c.text().unwrap_or_default()).collect();
        } else {
            table.rows.push((number, cells));
        }
        if table.rows.len() > MAX_ROWS {
            break;
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: AppError) -> String {
        e.fields[0].code.clone()
    }

    #[test]
    fn csv_in_utf8_with_bom_and_in_gb18030() {
        let utf8 = "\u{feff}姓名,手机号码\n张三,13812345678\n\n李四,\n";
        let t = read(utf8.as_bytes()).expect("utf8");
        assert_eq!(t.headers, vec!["姓名", "手机号码"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[1].0, 4,
            "row numbers count blank lines as the user sees them"
        );
        let (gb, _, bad) = encoding_rs::GB18030.encode("姓名,手机号码\n王五,13900001111\n");
        assert!(!bad);
        let t = read(&gb).expect("gb18030");
        assert_eq!(t.rows[0].1[0], Cell::Text("王五".into()));
    }

    #[test]
    fn tabs_when_pasted_from_a_sheet() {
        let t = read("姓名\t手机号码\n张三\t13812345678\n".as_bytes()).expect("tsv");
        assert_eq!(t.rows[0].1.len(), 2);
    }

    #[test]
    fn junk_and_broken_files_are_named() {
        assert_eq!(code(read(b"").unwrap_err()), "empty_file");
        assert_eq!(
            code(read(b"PK\x03\x04garbage").unwrap_err()),
            "unreadable_xlsx"
        );
        assert_eq!(
            code(read(&[0xD0, 0xCF, 0x11, 0xE0, 1, 2]).unwrap_err()),
            "xls_not_supported"
        );
        // 0xFF is neither UTF-8 nor a GB18030 lead byte.
        assert_eq!(
            code(read(&[b'a', 0xFF, 0xFF, b'b']).unwrap_err()),
            "bad_encoding"
        );
        assert_eq!(code(read(b"a,b\n\0\0\0").unwrap_err()), "bad_encoding");
    }

    #[test]
    fn numbers_keep_their_digits_as_shown() {
        assert_eq!(
            cell(&Data::Float(13812345678.0)),
            Cell::Number("13812345678".into())
        );
        assert_eq!(cell(&Data::Float(1.5)), Cell::Number("1.5".into()));
        assert_eq!(cell(&Data::Bool(true)), Cell::Text("是".into()));
    }
}
