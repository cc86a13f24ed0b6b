//! Reads an uploaded spreadsheet into text cells: xlsx (calamine) or CSV in UTF-8, UTF-16 (with
//! BOM) or GB18030 (encoding_rs), the encodings Chinese offices' spreadsheets come in. Nothing
//! here knows about members or QQ groups; a file either becomes rows or a clear error. The
//! member import and the QQ member-list import both read through here.

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

/// A row number as the user sees it, and the row's cells.
pub type Row = (u32, Vec<Cell>);

/// A header row and the data rows under it, each with its row number as the user sees it
/// (the header is row 1).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

pub const MAX_ROWS: usize = 100_000;

/// What a caller accepts: rows (header included) and, for xlsx, the unpacked size. An xlsx is a
/// zip; a small upload can unpack to gigabytes, so the sizes in the zip directory are checked
/// before anything is unpacked.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: usize,
    pub max_unpacked: u64,
}

/// The member import's limits.
pub const MEMBER_SHEET: Limits = Limits {
    max_rows: MAX_ROWS + 1,
    max_unpacked: 512 * 1024 * 1024,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

fn unreadable(code: &str, zh: &str, en: &str) -> AppError {
    AppError::validation(vec![FieldError::new("file", code, zh, en)])
}

/// A header row and the rows under it (blank rows dropped): the member import's view.
pub fn read(bytes: &[u8]) -> Result<Table, AppError> {
    let (_, rows) = rows(bytes, MEMBER_SHEET)?;
    let mut rows = rows.into_iter();
    let headers = rows
        .next()
        .map(|(_, cells)| cells.iter().map(|c| c.text().unwrap_or_default()).collect())
        .unwrap_or_default();
    Ok(Table {
        headers,
        rows: rows.collect(),
    })
}

fn too_many(limits: Limits) -> AppError {
    let n = limits.max_rows.saturating_sub(1);
    unreadable(
        "too_many_rows",
        format!("file：一次最多导入 {n} 行").as_str(),
        format!("file: at most {n} rows per import").as_str(),
    )
}

/// Every non-blank row with its number as the user sees it, header included. xlsx files are
/// zip archives; anything else is taken as CSV text.
pub fn rows(bytes: &[u8], limits: Limits) -> Result<(Format, Vec<Row>), AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable(
            "empty_file",
            "file：文件为空",
            "file: the file is empty",
        ));
    }
    let (format, rows) = if bytes.starts_with(b"PK\x03\x04") {
        // A reader library must not take the server down on a crafted file.
        let rows = std::panic::catch_unwind(|| read_xlsx(bytes, limits))
            .unwrap_or_else(|_| Err(bad_xlsx()))?;
        (Format::Xlsx, rows)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(
            "xls_not_supported",
            "file：不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
            "file: legacy .xls is not supported; save as .xlsx or CSV",
        ));
    } else {
        (Format::Csv, read_csv(bytes, limits)?)
    };
    if rows.len() > limits.max_rows {
        return Err(too_many(limits));
    }
    if rows.is_empty() {
        return Err(unreadable(
            "empty_file",
            "file：文件中没有内容",
            "file: the file holds no rows",
        ));
    }
    Ok((format, rows))
}

fn bad_xlsx() -> AppError {
    unreadable(
        "unreadable_xlsx",
        "file：无法读取该 xlsx 文件（文件损坏或不完整），请重新保存后上传",
        "file: the xlsx file is damaged or incomplete",
    )
}

fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Vec<Row>, AppError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| bad_xlsx())?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > limits.max_unpacked {
        return Err(unreadable(
            "file_too_large",
            "file：xlsx 文件解压后过大",
            "file: the xlsx unpacks to too much data",
        ));
    }
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| {
            unreadable(
                "no_worksheet",
                "file：文件中没有工作表",
                "file: no worksheet",
            )
        })?
        .map_err(|_| bad_xlsx())?;
    if range.height() > limits.max_rows.saturating_mul(2) {
        return Err(too_many(limits));
    }
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells = vec![Cell::Empty; first_col];
        cells.extend(row.iter().map(cell));
        if cells.iter().any(|c| c.text().is_some()) {
            out.push((first_row + i as u32 + 1, cells));
        }
    }
    Ok(out)
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

/// UTF-16 with a BOM (Excel's "Unicode text"); UTF-8 (with or without BOM) when the bytes
/// are valid UTF-8; else GB18030 (a superset of GBK and GB2312, what Excel and WPS write for
/// "CSV" on Chinese Windows).
pub fn decode(bytes: &[u8]) -> Result<String, AppError> {
    let bad = || {
        unreadable(
            "bad_encoding",
            "file：无法识别文件编码（应为 xlsx，或 UTF-8 / GB18030 编码的 CSV）",
            "file: not xlsx, and not CSV in UTF-8 or GB18030",
        )
    };
    let text = if let Some((enc, n)) = encoding_rs::Encoding::for_bom(bytes)
        && enc != encoding_rs::UTF_8
    {
        enc.decode_without_bom_handling_and_without_replacement(&bytes[n..])
            .ok_or_else(bad)?
            .into_owned()
    } else {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or_else(bad)?
                .into_owned(),
        }
    };
    if text.contains('\0') {
        return Err(unreadable(
            "bad_encoding",
            "file：文件含有二进制内容，不是 CSV 文本",
            "file: binary content, not CSV text",
        ));
    }
    Ok(text)
}

fn read_csv(bytes: &[u8], limits: Limits) -> Result<Vec<Row>, AppError> {
    let text = decode(bytes)?;
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
    let mut out = Vec::new();
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
        if cells.iter().any(|c| c.text().is_some()) {
            out.push((number, cells));
        }
        if out.len() > limits.max_rows {
            return Err(too_many(limits));
        }
    }
    Ok(out)
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
    fn utf16_with_a_bom() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "姓名\t手机号码\n张三\t13812345678\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let t = read(&utf16).expect("utf-16");
        assert_eq!(t.rows[0].1[0], Cell::Text("张三".into()));
    }

    #[test]
    fn tabs_when_pasted_from_a_sheet() {
        let t = read("姓名\t手机号码\n张三\t13812345678\n".as_bytes()).expect("tsv");
        assert_eq!(t.rows[0].1.len(), 2);
    }

    #[test]
    fn junk_and_broken_files_are_named() {
        assert_eq!(code(read(b"").unwrap_err()), "empty_file");
        assert_eq!(code(read(b" \n ").unwrap_err()), "empty_file");
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
