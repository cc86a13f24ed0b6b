//! Reading a QQ group's actual member list: text pasted from QQ's member list, or a spreadsheet
//! (xlsx, or CSV in UTF-8, UTF-16 or GB18030) with the columns QQ号 and 群昵称. Plain functions
//! over bytes and strings; each bad line is reported with its number and a zh-CN message that
//! never repeats the value.

use std::collections::HashMap;
use std::io::Cursor;

use super::model::SnapshotSource;
use crate::privacy::identity::QqNumber;

/// QQ groups hold at most 3,000 people; anything longer is not a member list.
pub const MAX_PEOPLE: usize = 5_000;
/// Upload limit for a member-list file.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// An xlsx is a zip: refuse one that would unpack to more than this (a zip bomb).
const MAX_XLSX_UNPACKED: u64 = 64 * 1024 * 1024;
const MAX_NICKNAME: usize = 60;

/// One person of the group's list. `Debug` masks the QQ number.
#[derive(Debug, Clone)]
pub struct Person {
    /// 1-based line (pasted text, CSV) or row (xlsx).
    pub line: usize,
    pub qq: QqNumber,
    pub nickname: Option<String>,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub people: Vec<Person>,
    pub errors: Vec<LineError>,
}

/// The whole input is unusable (wrong format, encoding, headers, size).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

fn file_error(code: &'static str, zh: &str, en: &str) -> FileError {
    FileError {
        code,
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

fn too_many() -> FileError {
    FileError {
        code: "too_many_people",
        zh: format!("名单超过 {MAX_PEOPLE} 人，不是一个QQ群的成员名单"),
        en: format!("More than {MAX_PEOPLE} people: not one QQ group's member list"),
    }
}

/// Full-width ASCII (Ｑ１２３，（）) to half-width, ideographic and no-break spaces to spaces,
/// byte-order marks and zero-width characters dropped: what a copy from QQ or Excel brings.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' => None,
            '\u{3000}' | '\u{00A0}' => Some(' '),
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            _ => Some(c),
        })
        .collect()
}

/// A QQ number as written in a cell or field: digits, optionally as `…@qq.com`.
fn qq_digits(s: &str) -> Option<&str> {
    let s = s.trim();
    let cut = s.len().saturating_sub(7);
    let s = match (s.get(..cut), s.get(cut..)) {
        (Some(head), Some(tail)) if tail.eq_ignore_ascii_case("@qq.com") => head,
        _ => s,
    };
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

fn nickname(parts: &[&str]) -> Option<String> {
    let n: String = parts
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NICKNAME)
        .collect();
    let n = n.trim();
    (!n.is_empty()).then(|| n.to_owned())
}

fn looks_like_header(s: &str) -> bool {
    let l = s.to_lowercase();
    l.contains("qq") || l.contains("昵称") || l.contains("群名片") || l.contains("成员")
}

fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= n {
            return true;
        }
    }
    false
}

type LineResult =
    Result<Option<(QqNumber, Option<String>)>, (&'static str, &'static str, &'static str)>;

const NO_QQ: (&str, &str, &str) = ("missing_qq", "未找到QQ号", "no QQ number found");
const BAD_QQ: (&str, &str, &str) = (
    "invalid_qq",
    "QQ号应为5到11位数字且不以0开头",
    "a QQ number has 5 to 11 digits, not starting with 0",
);

/// One pasted line: `QQ号 群昵称` (tab, comma or spaces between, either order), or
/// `群昵称(QQ号)` as QQ shows members. Blank lines and a header line give `None`.
pub fn parse_line(raw: &str) -> LineResult {
    let s = normalise(raw);
    let s = s.trim();
    if s.is_empty() || (!has_digit_run(s, 5) && looks_like_header(s)) {
        return Ok(None);
    }
    if let Some(body) = s.strip_suffix(')')
        && let Some((nick, num)) = body.rsplit_once('(')
        && let Some(digits) = qq_digits(num)
    {
        let qq = QqNumber::parse("qq", digits).map_err(|_| BAD_QQ)?;
        return Ok(Some((qq, nickname(&[nick]))));
    }
    let fields: Vec<&str> = if s.contains('\t') {
        s.split('\t')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect()
    } else if s.contains(',') {
        s.split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect()
    } else {
        s.split_whitespace().collect()
    };
    // The first field that is a valid QQ number; failing that, a digits-only field is a QQ
    // number written wrong.
    let valid = fields
        .iter()
        .position(|f| qq_digits(f).is_some_and(|d| QqNumber::parse("qq", d).is_ok()));
    let Some(i) = valid else {
        return Err(if fields.iter().any(|f| qq_digits(f).is_some()) {
            BAD_QQ
        } else {
            NO_QQ
        });
    };
    let qq = qq_digits(fields[i])
        .and_then(|d| QqNumber::parse("qq", d).ok())
        .ok_or(BAD_QQ)?;
    let rest: Vec<&str> = fields
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, f)| *f)
        .collect();
    Ok(Some((qq, nickname(&rest))))
}

fn line_error(line: usize, (code, zh, en): (&'static str, &str, &str)) -> LineError {
    LineError {
        line,
        code,
        zh: format!("第{line}行：{zh}"),
        en: format!("line {line}: {en}"),
    }
}

/// Adds a person unless their QQ number came earlier (a copy mistake, reported).
fn push(
    out: &mut Parsed,
    seen: &mut HashMap<String, usize>,
    line: usize,
    qq: QqNumber,
    nick: Option<String>,
) {
    if let Some(first) = seen.get(qq.as_str()) {
        out.errors.push(LineError {
            line,
            code: "duplicate_qq",
            zh: format!("第{line}行：QQ号与第{first}行重复"),
            en: format!("line {line}: the same QQ number as line {first}"),
        });
        return;
    }
    seen.insert(qq.as_str().to_owned(), line);
    out.people.push(Person {
        line,
        qq,
        nickname: nick,
    });
}

/// Text pasted from QQ's group member list.
pub fn parse_paste(text: &str) -> Result<Parsed, FileError> {
    let mut out = Parsed::default();
    let mut seen = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        match parse_line(raw) {
            Ok(None) => {}
            Ok(Some((qq, nick))) => push(&mut out, &mut seen, line, qq, nick),
            Err(e) => out.errors.push(line_error(line, e)),
        }
        if out.people.len() + out.errors.len() > MAX_PEOPLE {
            return Err(too_many());
        }
    }
    Ok(out)
}

fn header_key(h: &str) -> String {
    normalise(h)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Rows of a sheet (1-based row number, cells as text): a header row naming QQ号 (required) and
/// 群昵称 (optional), then one person per row. Empty rows are skipped.
pub fn parse_table(
    rows: impl IntoIterator<Item = (usize, Vec<String>)>,
) -> Result<Parsed, FileError> {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !normalise(c).trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(file_error(
            "empty_file",
            "文件中没有内容",
            "The file holds no rows",
        ));
    };
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let Some(qq_col) = keys.iter().position(|k| k.contains("qq")) else {
        return Err(file_error(
            "missing_column",
            "缺少“QQ号”列：第一行应为表头，含“QQ号”和“群昵称”",
            "The QQ号 column is missing: the first row is the header with QQ号 and 群昵称",
        ));
    };
    let nick_col = keys.iter().position(|k| {
        k.contains("昵称")
            || k.contains("群名片")
            || k.contains("名称")
            || k == "成员"
            || k == "nickname"
    });
    let mut out = Parsed::default();
    let mut seen = HashMap::new();
    for (line, cells) in rows {
        let cell = |c: usize| cells.get(c).map(|v| normalise(v)).unwrap_or_default();
        let qq_cell = cell(qq_col);
        let qq = match qq_digits(&qq_cell) {
            None if qq_cell.trim().is_empty() => {
                out.errors.push(line_error(
                    line,
                    ("missing_qq", "QQ号为空", "the QQ number is empty"),
                ));
                continue;
            }
            None => Err(BAD_QQ),
            Some(d) => QqNumber::parse("qq", d).map_err(|_| BAD_QQ),
        };
        match qq {
            Ok(qq) => {
                let nick = nick_col.map(cell);
                push(
                    &mut out,
                    &mut seen,
                    line,
                    qq,
                    nick.as_deref().and_then(|n| nickname(&[n])),
                );
            }
            Err(e) => out.errors.push(line_error(line, e)),
        }
        if out.people.len() + out.errors.len() > MAX_PEOPLE {
            return Err(too_many());
        }
    }
    Ok(out)
}

/// Text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"),
/// else GB18030 (what Excel writes on a Chinese Windows).
pub fn decode_text(bytes: &[u8]) -> Result<String, FileError> {
    let bad = || {
        file_error(
            "bad_encoding",
            "文件编码无法识别：请使用 UTF-8 或 GB18030（GBK）编码的 CSV 文件",
            "Unknown text encoding: use a CSV file in UTF-8 or GB18030 (GBK)",
        )
    };
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        std::str::from_utf8(rest).map_err(|_| bad())?.to_owned()
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, errors) = encoding_rs::UTF_16LE.decode(bytes);
        if errors {
            return Err(bad());
        }
        text.into_owned()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_owned()
    } else {
        let (text, errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if errors {
            return Err(bad());
        }
        text.into_owned()
    };
    if text.contains('\0') {
        return Err(bad());
    }
    Ok(text)
}

pub fn parse_csv(bytes: &[u8]) -> Result<Parsed, FileError> {
    // One line ending, so the reader's line numbers are the ones an editor shows.
    let text = decode_text(bytes)?
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains('\t') && !first.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|_| {
            file_error(
                "malformed_csv",
                "CSV 文件格式错误（引号未闭合或行无法读取）",
                "The CSV is malformed (unclosed quote or unreadable row)",
            )
        })?;
        let line = rec.position().map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push((line, rec.iter().map(str::to_owned).collect()));
        if rows.len() > MAX_PEOPLE + 1 {
            return Err(too_many());
        }
    }
    parse_table(rows)
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Int(i) => i.to_string(),
        // QQ numbers typed into Excel become numbers; whole ones are shown without a fraction.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty | Data::Error(_) => String::new(),
        other => other.to_string(),
    }
}

fn unreadable_xlsx() -> FileError {
    file_error(
        "unreadable_file",
        "无法读取该 xlsx 文件：文件已损坏或不是 Excel 工作簿",
        "The xlsx file cannot be read: it is damaged or not an Excel workbook",
    )
}

/// The first worksheet of an xlsx workbook.
pub fn parse_xlsx(bytes: &[u8]) -> Result<Parsed, FileError> {
    use calamine::Reader;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable_xlsx())?;
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| unreadable_xlsx())?;
        unpacked = unpacked.saturating_add(f.size());
    }
    if unpacked > MAX_XLSX_UNPACKED {
        return Err(file_error(
            "file_too_large",
            "xlsx 文件解压后过大，不是一个QQ群的成员名单",
            "The xlsx unpacks to too much data for one QQ group's member list",
        ));
    }
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable_xlsx())?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| {
            file_error(
                "empty_file",
                "工作簿中没有工作表",
                "The workbook has no sheet",
            )
        })?
        .map_err(|_| unreadable_xlsx())?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    if range.height() > MAX_PEOPLE + 1 {
        return Err(too_many());
    }
    let rows: Vec<(usize, Vec<String>)> = range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row + i + 1, row.iter().map(cell_text).collect()))
        .collect();
    parse_table(rows)
}

/// An uploaded member list, recognised by its first bytes: xlsx (a zip), else CSV text.
pub fn parse_file(bytes: &[u8]) -> Result<(SnapshotSource, Parsed), FileError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error("empty_file", "文件为空", "The file is empty"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A reader library must not take the server down on a crafted file.
        let parsed = std::panic::catch_unwind(|| parse_xlsx(bytes))
            .unwrap_or_else(|_| Err(unreadable_xlsx()))?;
        return Ok((SnapshotSource::Xlsx, parsed));
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(file_error(
            "unsupported_format",
            "不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
            "Old .xls files are not supported: save as .xlsx or CSV first",
        ));
    }
    Ok((SnapshotSource::Csv, parse_csv(bytes)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qqs(p: &Parsed) -> Vec<(usize, String, Option<String>)> {
        p.people
            .iter()
            .map(|x| (x.line, x.qq.as_str().to_owned(), x.nickname.clone()))
            .collect()
    }

    #[test]
    fn pasted_lines_in_every_shape() {
        let text = "\u{FEFF}QQ号\t群昵称\n\
                    123456789\t张三-古城村\n\
                    \n\
                    李四, 98765432\n\
                    王五（１２３４５６７８）\n\
                    \u{3000}５５５６６６７７\u{3000}赵六 组织员\n\
                    \t  \n\
                    77788899@qq.com 钱七\n\
                    孙八(66677788)\r\n";
        let p = parse_paste(text).expect("parsed");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            qqs(&p),
            vec![
                (2, "123456789".into(), Some("张三-古城村".into())),
                (4, "98765432".into(), Some("李四".into())),
                (5, "12345678".into(), Some("王五".into())),
                (6, "55566677".into(), Some("赵六 组织员".into())),
                (8, "77788899".into(), Some("钱七".into())),
                (9, "66677788".into(), Some("孙八".into())),
            ]
        );
    }

    #[test]
    fn bad_pasted_lines_are_named_by_number_without_the_value() {
        let text = "123456789 张三\n只有名字\n0123456 李四\n1234 王五\n123456789 重复\n";
        let p = parse_paste(text).expect("parsed");
        assert_eq!(p.people.len(), 1);
        let got: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(
            got,
            vec![
                (2, "missing_qq"),
                (3, "invalid_qq"),
                (4, "invalid_qq"),
                (5, "duplicate_qq")
            ]
        );
        assert!(p.errors[0].zh.starts_with("第2行："), "{}", p.errors[0].zh);
        assert!(p.errors[4 - 1].zh.contains("第1行"), "{:?}", p.errors[3]);
        assert!(
            p.errors
                .iter()
                .all(|e| !e.zh.contains("0123456") && !e.en.contains("0123456"))
        );
        let many: String = (0..=MAX_PEOPLE)
            .map(|i| format!("{}\n", 10_000_000 + i))
            .collect();
        assert_eq!(parse_paste(&many).unwrap_err().code, "too_many_people");
    }

    #[test]
    fn tables_need_the_qq_column() {
        let rows = |v: Vec<Vec<&str>>| {
            v.into_iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r.into_iter().map(str::to_owned).collect()))
                .collect::<Vec<_>>()
        };
        let p = parse_table(rows(vec![
            vec!["群昵称", "QQ号"],
            vec!["张三", "123456789"],
            vec!["", ""],
            vec!["李四", "１２３４５６７８"],
            vec!["王五", ""],
            vec!["赵六", "abc"],
        ]))
        .expect("ok");
        assert_eq!(
            qqs(&p),
            vec![
                (2, "123456789".into(), Some("张三".into())),
                (4, "12345678".into(), Some("李四".into()))
            ]
        );
        let codes: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(codes, vec![(5, "missing_qq"), (6, "invalid_qq")]);
        assert_eq!(
            parse_table(rows(vec![vec!["姓名", "电话"], vec!["张三", "1"]]))
                .unwrap_err()
                .code,
            "missing_column"
        );
        assert_eq!(parse_table(rows(vec![])).unwrap_err().code, "empty_file");
    }

    #[test]
    fn csv_in_utf8_gb18030_and_utf16() {
        let text = "QQ号,群昵称\r\n123456789,张三\r\n\"98765432\",\"李四, 古城村\"\r\n";
        let p = parse_csv(text.as_bytes()).expect("utf-8");
        assert_eq!(p.people.len(), 2);
        assert_eq!(p.people[1].nickname.as_deref(), Some("李四, 古城村"));
        assert_eq!(p.people[1].line, 3);
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
        let p = parse_csv(&gbk).expect("gb18030");
        assert_eq!(p.people[0].nickname.as_deref(), Some("张三"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("QQ号\t群昵称\n123456789\t张三\n".as_bytes());
        assert_eq!(parse_csv(&bom).expect("tsv").people.len(), 1);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "QQ号\t群昵称\n123456789\t张三\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(parse_csv(&utf16).expect("utf-16").people.len(), 1);
        assert_eq!(
            parse_csv(b"\xFF\xFF\x80\x80").unwrap_err().code,
            "bad_encoding"
        );
        assert_eq!(parse_csv(b"QQ\x00,a").unwrap_err().code, "bad_encoding");
    }

    #[test]
    fn files_are_recognised_and_broken_ones_refused() {
        assert_eq!(parse_file(b"  \n").unwrap_err().code, "empty_file");
        assert_eq!(
            parse_file(b"PK\x03\x04garbage").unwrap_err().code,
            "unreadable_file"
        );
        assert_eq!(
            parse_file(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
                .unwrap_err()
                .code,
            "unsupported_format"
        );
        let (src, p) = parse_file("QQ号\n123456789\n".as_bytes()).expect("csv");
        assert_eq!((src, p.people.len()), (SnapshotSource::Csv, 1));
        let junk: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        assert!(parse_file(&junk).is_err());
    }
}
