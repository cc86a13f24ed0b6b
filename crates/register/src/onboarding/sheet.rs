//! Reads an uploaded spreadsheet into text cells: xlsx (calamine) or CSV in UTF-8, UTF-16 (with
//! BOM) or GB18030 (encoding_rs), the encodings Chinese offices' spreadsheets come in. Nothing
//! here knows about members or QQ groups; a file either becomes rows or a clear error. The
//! member import, the business-register import and the QQ member-list import read through here.

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

/// What a caller accepts. Every bound is checked while reading, before the work or memory it
/// guards is spent: an upload is small, but what it describes need not be (an xlsx is a zip
/// that can unpack to gigabytes, and two cells, A1 and XFD1048576, span 17 billion).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Non-blank rows, header included.
    pub max_rows: usize,
    /// Columns: a cell further right than this refuses the file.
    pub max_cols: usize,
    /// Cells: those an xlsx holds (empty ones included), and those the rows take once laid
    /// out side by side (a row is as wide as its last cell).
    pub max_cells: usize,
    /// xlsx: the unpacked size of all parts together, and the shared-string table's entries.
    pub max_unpacked: u64,
    pub max_strings: usize,
}

/// The member import's limits: 100,000 rows of the template's 19 columns with room to spare.
pub const MEMBER_SHEET: Limits = Limits {
    max_rows: MAX_ROWS + 1,
    max_cols: 256,
    max_cells: 4_000_000,
    max_unpacked: 512 * 1024 * 1024,
    max_strings: 4_000_000,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

fn unreadable(code: &str, zh: &str, en: &str) -> AppError {
    AppError::validation(vec![FieldError::new("file", code, zh, en)])
}

/// The member import's view: the table found in the workbook (layout detection), and where.
pub fn read(bytes: &[u8]) -> Result<(super::layout::Layout, Table), AppError> {
    read_mapped(bytes, super::columns::Sheet::Members, &|_| None)
}

/// [`read`] for a sheet of either kind (members, a business register), under a county's own
/// mapping of headers. Both kinds have the same bounds.
pub fn read_mapped(
    bytes: &[u8],
    kind: super::columns::Sheet,
    mapped: super::layout::Mapped<'_>,
) -> Result<(super::layout::Layout, Table), AppError> {
    let (_, sheets) = sheets(bytes, MEMBER_SHEET)?;
    super::layout::detect(sheets, kind, mapped)
}

fn too_many(limits: Limits) -> AppError {
    let n = limits.max_rows.saturating_sub(1);
    unreadable(
        "too_many_rows",
        format!("file：一次最多导入 {n} 行").as_str(),
        format!("file: at most {n} rows per import").as_str(),
    )
}

fn too_wide(limits: Limits) -> AppError {
    let n = limits.max_cols;
    unreadable(
        "too_many_columns",
        format!("file：表格最多 {n} 列，请删除右侧无关的列后重新上传").as_str(),
        format!("file: at most {n} columns; delete unrelated columns on the right").as_str(),
    )
}

fn too_many_cells(limits: Limits) -> AppError {
    let n = limits.max_cells;
    unreadable(
        "too_many_cells",
        format!("file：表格单元格过多（上限 {n} 个），请只保留需要导入的内容").as_str(),
        format!("file: more than {n} cells; keep only what is to be imported").as_str(),
    )
}

fn too_large_unpacked() -> AppError {
    unreadable(
        "file_too_large",
        "file：xlsx 文件解压后过大",
        "file: the xlsx unpacks to too much data",
    )
}

/// Each sheet's name (None for CSV) and its non-blank rows, numbered as the user sees them.
pub type Sheets = Vec<(Option<String>, Vec<Row>)>;

/// Every sheet's non-blank rows with their numbers as the user sees them, headers included.
/// xlsx files are zip archives; anything else is taken as CSV text (one sheet, no name).
pub fn sheets(bytes: &[u8], limits: Limits) -> Result<(Format, Sheets), AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable(
            "empty_file",
            "file：文件为空",
            "file: the file is empty",
        ));
    }
    let (format, sheets) = if bytes.starts_with(b"PK\x03\x04") {
        // A reader library must not take the server down on a crafted file: what calamine
        // could be made to allocate is bounded before it runs, and a panic inside it is
        // caught here (it cannot leave shared state behind: everything is local).
        let sheets = std::panic::catch_unwind(|| read_xlsx(bytes, limits))
            .unwrap_or_else(|_| Err(bad_xlsx()))?;
        (Format::Xlsx, sheets)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(
            "xls_not_supported",
            "file：不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
            "file: legacy .xls is not supported; save as .xlsx or CSV",
        ));
    } else {
        (Format::Csv, vec![(None, read_csv(bytes, limits)?)])
    };
    if sheets.iter().map(|(_, r)| r.len()).sum::<usize>() > limits.max_rows {
        return Err(too_many(limits));
    }
    if sheets.iter().all(|(_, r)| r.is_empty()) {
        return Err(unreadable(
            "empty_file",
            "file：文件中没有内容",
            "file: the file holds no rows",
        ));
    }
    Ok((format, sheets))
}

/// The first sheet holding anything: the QQ member list's and the tests' view.
pub fn rows(bytes: &[u8], limits: Limits) -> Result<(Format, Vec<Row>), AppError> {
    let (format, sheets) = self::sheets(bytes, limits)?;
    let rows = sheets
        .into_iter()
        .map(|(_, r)| r)
        .find(|r| !r.is_empty())
        .unwrap_or_default();
    Ok((format, rows))
}

fn bad_xlsx() -> AppError {
    unreadable(
        "unreadable_xlsx",
        "file：无法读取该 xlsx 文件（文件损坏或不完整），请重新保存后上传",
        "file: the xlsx file is damaged or incomplete",
    )
}

fn bad_cell_reference() -> AppError {
    unreadable(
        "bad_cell_reference",
        "file：xlsx 文件中的单元格位置超出 Excel 的范围（XFD1048576），文件可能已损坏，请重新保存后上传",
        "file: the xlsx places a cell beyond Excel's last cell (XFD1048576); the file may be damaged",
    )
}

/// Rows gathered cell by cell, laid out only once every bound has held.
struct Grid {
    limits: Limits,
    /// Row index (0-based) → (column, cell), non-empty cells only.
    rows: std::collections::BTreeMap<u32, Vec<(u32, Cell)>>,
    /// Cells seen, empty ones included: the work done.
    seen: usize,
    /// Cells the rows take side by side: the memory they will need.
    laid_out: usize,
    /// Non-blank rows of the sheets already finished: the limits hold for the whole workbook.
    rows_before: usize,
}

impl Grid {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            rows: Default::default(),
            seen: 0,
            laid_out: 0,
            rows_before: 0,
        }
    }

    fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), AppError> {
        self.seen += 1;
        if self.seen > self.limits.max_cells {
            return Err(too_many_cells(self.limits));
        }
        if col as usize >= self.limits.max_cols {
            return Err(too_wide(self.limits));
        }
        if cell.text().is_none() {
            return Ok(());
        }
        let cells = self.rows.entry(row).or_default();
        let before = cells.iter().map(|(c, _)| *c + 1).max().unwrap_or(0);
        cells.push((col, cell));
        // A non-blank row counts towards the row limit as it appears, so a file of many
        // one-cell rows stops at the limit, not at the end.
        if cells.len() == 1 && self.rows_before + self.rows.len() > self.limits.max_rows {
            return Err(too_many(self.limits));
        }
        self.laid_out += (col + 1).saturating_sub(before) as usize;
        if self.laid_out > self.limits.max_cells {
            return Err(too_many_cells(self.limits));
        }
        Ok(())
    }

    /// The rows of the sheet read so far; the budget carries on to the next sheet.
    fn finish(&mut self) -> Vec<Row> {
        self.rows_before += self.rows.len();
        std::mem::take(&mut self.rows)
            .into_iter()
            .map(|(r, cells)| {
                let width = cells
                    .iter()
                    .map(|(c, _)| *c as usize + 1)
                    .max()
                    .unwrap_or(0);
                let mut row = vec![Cell::Empty; width];
                for (c, cell) in cells {
                    row[c as usize] = cell;
                }
                (r.saturating_add(1), row)
            })
            .collect()
    }
}

/// Every worksheet, in the workbook's order, with its name and non-blank rows; the limits hold
/// for all of them together.
fn read_xlsx(bytes: &[u8], limits: Limits) -> Result<Sheets, AppError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    // The sizes in the zip directory; the zip reader refuses to inflate a part past its
    // declared size, so they bound the real work too (for calamine, which reads through the
    // same crate, as for the count below).
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| bad_xlsx())?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > limits.max_unpacked {
        return Err(too_large_unpacked());
    }
    super::shared_strings::check(&mut zip, limits, unreadable, bad_xlsx)?;
    super::cell_refs::check(&mut zip, bad_xlsx, bad_cell_reference)?;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| bad_xlsx())?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(unreadable(
            "no_worksheet",
            "file：文件中没有工作表",
            "file: no worksheet",
        ));
    }
    let mut grid = Grid::new(limits);
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let mut reader = book.worksheet_cells_reader(&name).map_err(|_| bad_xlsx())?;
        // The declared extent first: a sheet that says it is larger than allowed is refused
        // without reading it. Cells are still checked one by one (the declaration may lie).
        let dim = reader.dimensions();
        let height = dim.end.0.saturating_sub(dim.start.0) as usize + 1;
        if height > limits.max_rows.saturating_mul(2) {
            return Err(too_many(limits));
        }
        if dim.end.1 as usize >= limits.max_cols {
            return Err(too_wide(limits));
        }
        while let Some(c) = reader.next_cell().map_err(|_| bad_xlsx())? {
            let (r, col) = c.get_position();
            grid.push(r, col, cell(&Data::from(c.get_value().clone())))?;
        }
        drop(reader);
        sheets.push((Some(name), grid.finish()));
    }
    Ok(sheets)
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
    // A lone CR ends a line too (old Mac files; editors show it so). The csv crate ends a record
    // at one but counts lines by LF only, so without this two records could share a number.
    let text = decode(bytes)?.replace("\r\n", "\n").replace('\r', "\n");
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
    let mut laid_out = 0usize;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|_| {
            unreadable(
                "unreadable_csv",
                format!("file：第 {} 行 CSV 格式错误（引号不配对？）", i + 1).as_str(),
                format!("file: line {} is not valid CSV", i + 1).as_str(),
            )
        })?;
        let number = rec.position().map_or(i as u32 + 1, |p| p.line() as u32);
        if !rec.iter().any(|f| !f.trim().is_empty()) {
            continue;
        }
        if rec.len() > limits.max_cols {
            return Err(too_wide(limits));
        }
        laid_out += rec.len();
        if laid_out > limits.max_cells {
            return Err(too_many_cells(limits));
        }
        out.push((
            number,
            rec.iter().map(|s| Cell::Text(s.to_owned())).collect(),
        ));
        if out.len() > limits.max_rows {
            return Err(too_many(limits));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader's view without layout detection: the first row is the header.
    fn read(bytes: &[u8]) -> Result<Table, AppError> {
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

    #[test]
    fn lone_carriage_returns_end_lines_and_row_numbers_stay_unique() {
        let csv = "党员名册\r\r序号,党员姓名,身份证号码\r1,张三,\r\r2,李四,x\r\n3,王五,y\r";
        let (_, rows) = rows(csv.as_bytes(), MEMBER_SHEET).expect("rows");
        let numbers: Vec<u32> = rows.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [1, 3, 4, 6, 7]);
        // The fuzzer's case: a record ended by CRs, then a quote running to the end of the file;
        // a footer and a data row once shared a number (the layout listed a row both ways).
        let csv = "序号,党员姓名,身份证号码\n3,韩建,正式,\r\r\r\",330523,x\n10000001,y\n\n填表人：张会计,,,\n";
        let (layout, table) = super::read(csv.as_bytes()).expect("read");
        let data: Vec<u32> = table.rows.iter().map(|r| r.0).collect();
        assert!(
            layout.skipped.iter().all(|(n, _)| !data.contains(n)),
            "{:?} {data:?}",
            layout.skipped
        );
        let mut sorted = data.clone();
        sorted.dedup();
        assert_eq!(sorted, data);
    }

    #[test]
    fn every_sheet_is_read_with_its_name_and_the_limits_hold_across_them() {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, n) in [("说明", 1u32), ("党员名册", 3)] {
            let ws = book.add_worksheet().set_name(name).expect("name");
            for r in 0..n {
                ws.write_string(r, 0, format!("{name}{r}")).expect("cell");
            }
        }
        let bytes = book.save_to_buffer().expect("xlsx");
        let (_, read) = sheets(&bytes, MEMBER_SHEET).expect("read");
        assert_eq!(
            read.iter()
                .map(|(n, r)| (n.clone(), r.len()))
                .collect::<Vec<_>>(),
            vec![(Some("说明".into()), 1), (Some("党员名册".into()), 3)]
        );
        let small = Limits {
            max_rows: 3,
            ..MEMBER_SHEET
        };
        assert_eq!(code(sheets(&bytes, small).unwrap_err()), "too_many_rows");
    }

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

    /// An xlsx of the given cells (row, column, text).
    fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (r, c, t) in cells {
            ws.write_string(*r, *c, *t).expect("cell");
        }
        book.save_to_buffer().expect("xlsx")
    }

    /// The same xlsx with one part's text changed.
    fn rewrite(bytes: &[u8], part: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f_in = zin.by_index(i).expect("entry");
            let name = f_in.name().expect("name").into_owned();
            let mut data = Vec::new();
            f_in.read_to_end(&mut data).expect("read");
            if name == part {
                data = f(std::str::from_utf8(&data).expect("xml")).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("start");
            out.write_all(&data).expect("write");
        }
        out.finish().expect("finish").into_inner()
    }

    #[test]
    fn two_cells_far_apart_are_refused_without_laying_them_out() {
        // A1 and XFD1048576: laid out densely, 17 billion cells.
        let bytes = xlsx(&[(0, 0, "QQ号"), (1_048_575, 16_383, "x")]);
        assert!(bytes.len() < 10_000);
        let e = read(&bytes).unwrap_err();
        assert_eq!(e.fields[0].field, "file");
        assert!(
            ["too_many_rows", "too_many_columns"].contains(&e.fields[0].code.as_str()),
            "{:?}",
            e.fields
        );
        // The declared dimension may lie: the cells themselves are checked too.
        let lying = rewrite(&bytes, "xl/worksheets/sheet1.xml", |x| {
            x.replace("A1:XFD1048576", "A1:B2")
        });
        assert_eq!(code(read(&lying).unwrap_err()), "too_many_columns");
        // Far down but narrow is fine: rows are kept apart, not laid out.
        let t = read(&xlsx(&[(0, 0, "姓名"), (150_000, 0, "张三")])).expect("sparse");
        assert_eq!(t.rows, vec![(150_001, vec![Cell::Text("张三".into())])]);
    }

    #[test]
    fn positions_beyond_excels_grid_are_a_damaged_file_not_a_panic() {
        // calamine adds these up in a u32 unchecked (found by fuzz/run sheet_xlsx).
        let bytes = xlsx(&[(0, 0, "姓名"), (1, 0, "张三")]);
        for (from, to) in [
            ("r=\"A2\"", "r=\"ZZZZZZZZZZZZ2\""),
            ("r=\"2\"", "r=\"99999999999999\""),
            ("ref=\"A1:A2\"", "ref=\"A1:A99999999999\""),
        ] {
            let crafted = rewrite(&bytes, "xl/worksheets/sheet1.xml", |x| {
                assert!(x.contains(from), "{from} in {x}");
                x.replace(from, to)
            });
            assert_eq!(
                code(read(&crafted).unwrap_err()),
                "bad_cell_reference",
                "{to}"
            );
        }
        assert_eq!(read(&bytes).expect("untouched").rows.len(), 1);
    }

    #[test]
    fn cell_and_string_counts_are_bounded() {
        let small = Limits {
            max_rows: 10,
            max_cols: 8,
            max_cells: 20,
            max_unpacked: 1 << 20,
            max_strings: 20,
        };
        let wide: Vec<(u32, u16, &str)> = (0..6)
            .flat_map(|r| (0..5).map(move |c| (r, c, "x")))
            .collect();
        assert_eq!(
            code(rows(&xlsx(&wide), small).unwrap_err()),
            "too_many_cells"
        );
        assert_eq!(
            code(rows(b"a,b,c,d,e,f,g,h,i\n", small).unwrap_err()),
            "too_many_columns"
        );
        let csv: String = (0..6).map(|_| "a,b,c,d,e\n").collect();
        assert_eq!(
            code(rows(csv.as_bytes(), small).unwrap_err()),
            "too_many_cells"
        );
        // A shared-string table claiming billions of entries is refused before calamine
        // reserves room for them.
        let claimed = rewrite(&xlsx(&[(0, 0, "QQ号")]), "xl/sharedStrings.xml", |x| {
            let at = x.find("uniqueCount=\"").expect("uniqueCount") + 13;
            let end = at + x[at..].find('"').expect("quote");
            format!("{}4000000000{}", &x[..at], &x[end..])
        });
        assert_eq!(code(read(&claimed).unwrap_err()), "too_many_strings");
        let many: Vec<String> = (0..30).map(|i| format!("s{i}")).collect();
        let cells: Vec<(u32, u16, &str)> = many
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, 0, s.as_str()))
            .collect();
        let small = Limits {
            max_cells: 1000,
            max_rows: 1000,
            ..small
        };
        assert_eq!(
            code(rows(&xlsx(&cells), small).unwrap_err()),
            "too_many_strings"
        );
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn any_bytes_are_rows_or_a_file_error(bytes in proptest::collection::vec(any::<u8>(), 0..4000), head in 0usize..3) {
                let mut b = [&b""[..], b"PK\x03\x04", b"\xEF\xBB\xBF"][head].to_vec();
                b.extend(bytes);
                match rows(&b, MEMBER_SHEET) {
                    Ok((_, rows)) => prop_assert!(!rows.is_empty()),
                    Err(e) => prop_assert_eq!(e.fields[0].field.as_str(), "file"),
                }
            }

            #[test]
            fn csv_tables_round_trip(table in proptest::collection::vec(
                proptest::collection::vec("[^\\x00-\\x1f\"\u{FEFF}]{0,12}", 1..6), 1..20)) {
                let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
                for r in &table {
                    w.write_record(r).expect("record");
                }
                let bytes = w.into_inner().expect("csv");
                let want: Vec<Vec<Option<String>>> = table
                    .iter()
                    .map(|r| r.iter().map(|c| Some(c.trim().to_owned()).filter(|c| !c.is_empty())).collect::<Vec<_>>())
                    .filter(|r| r.iter().any(Option::is_some))
                    .collect();
                match rows(&bytes, MEMBER_SHEET) {
                    Ok((Format::Csv, got)) => {
                        let got: Vec<Vec<Option<String>>> =
                            got.iter().map(|(_, r)| r.iter().map(Cell::text).collect()).collect();
                        prop_assert_eq!(got, want);
                    }
                    other => prop_assert!(want.is_empty(), "{:?}", other.map(|_| ())),
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]
            #[test]
            fn xlsx_tables_round_trip(cells in proptest::collection::btree_map((0u32..50, 0u16..10), "[a-z0-9张李]{1,6}", 1..40)) {
                let list: Vec<(u32, u16, &str)> = cells.iter().map(|((r, c), t)| (*r, *c, t.as_str())).collect();
                let (format, got) = rows(&xlsx(&list), MEMBER_SHEET).expect("xlsx");
                prop_assert_eq!(format, Format::Xlsx);
                let got: Vec<((u32, u16), String)> = got
                    .iter()
                    .flat_map(|(r, row)| {
                        row.iter().enumerate().filter_map(move |(c, cell)| {
                            cell.text().map(|t| ((*r - 1, c as u16), t))
                        })
                    })
                    .collect();
                let want: Vec<((u32, u16), String)> = cells.into_iter().collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}
