//! Reading a QQ group's actual member list: text pasted from QQ's member list, or a spreadsheet
//! (xlsx, or CSV in UTF-8, UTF-16 or GB18030, read by `onboarding::sheet` like every upload)
//! with the columns QQ号 and 群昵称. Plain functions over bytes and strings; each bad line is
//! reported with its number and a zh-CN message that never repeats the value.

use std::collections::HashMap;

use super::model::SnapshotSource;
use crate::onboarding::layout::is_footer;
use crate::onboarding::sheet::{Cell, Row};
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
    pub code: String,
    pub zh: String,
    pub en: String,
}

fn file_error(code: &str, zh: &str, en: &str) -> FileError {
    FileError {
        code: code.to_owned(),
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

impl From<crate::error::AppError> for FileError {
    /// The shared reader's file problem, without its `file：` prefix (the QQ API adds its own).
    fn from(e: crate::error::AppError) -> Self {
        let f = e.fields.into_iter().next();
        let strip = |m: &str, sep: &str| {
            m.split_once(sep)
                .map_or(m.to_owned(), |(_, r)| r.to_owned())
        };
        match f {
            Some(f) => FileError {
                zh: strip(&f.message, "："),
                en: strip(&f.message_en, ": "),
                code: f.code,
            },
            None => file_error("unreadable_file", "无法读取文件", "The file cannot be read"),
        }
    }
}

fn too_many() -> FileError {
    FileError {
        code: "too_many_people".to_owned(),
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

/// Rows read for the header before the file is refused (titles and date lines sit above it).
const HEADER_SCAN: usize = 10;

/// A header cell naming the QQ number: a short label with "QQ" in it (QQ号, QQ号码, 成员QQ), not
/// a title that mentions the group (安吉县党建QQ群成员名单).
fn is_qq_label(key: &str) -> bool {
    key.contains("qq") && key.chars().count() <= 6
}

fn header_key(h: &str) -> String {
    normalise(h)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// Rows of a sheet (1-based row number, cells as the reader gives them, so that a date cell is
/// still a date to the footer rule): a header row naming QQ号 (required) and
/// 群昵称 (optional), then one person per row. The header is looked for among the first
/// [`HEADER_SCAN`] non-blank rows, past a title or a date line above it, as the member
/// register's import does (`onboarding::layout`); footer lines under the list (填表人, 合计, a
/// date, a signature) and empty rows are skipped, not reported.
pub fn parse_table(rows: impl IntoIterator<Item = Row>) -> Result<Parsed, FileError> {
    let text = |cells: &[Cell]| -> Vec<String> {
        cells.iter().map(|c| c.text().unwrap_or_default()).collect()
    };
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| text(cells).iter().any(|c| !normalise(c).trim().is_empty()))
        .peekable();
    if rows.peek().is_none() {
        return Err(file_error(
            "empty_file",
            "文件中没有内容",
            "The file holds no rows",
        ));
    }
    let mut keys = Vec::new();
    let mut qq_col = None;
    for (_, header) in rows.by_ref().take(HEADER_SCAN) {
        keys = text(&header).iter().map(|h| header_key(h)).collect();
        qq_col = keys.iter().position(|k| is_qq_label(k));
        if qq_col.is_some() {
            break;
        }
    }
    let Some(qq_col) = qq_col else {
        return Err(file_error(
            "missing_column",
            "缺少“QQ号”列：前几行中应有表头，含“QQ号”和“群昵称”",
            "The QQ号 column is missing: a header row with QQ号 and 群昵称 should open the list",
        ));
    };
    let width = keys.len();
    let nick_col = keys.iter().position(|k| {
        k.contains("昵称")
            || k.contains("群名片")
            || k.contains("名称")
            || k == "成员"
            || k == "nickname"
    });
    let mut out = Parsed::default();
    let mut seen = HashMap::new();
    for (line, row) in rows {
        if is_footer(&row, width) {
            continue;
        }
        let line = line as usize;
        let cells = text(&row);
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

/// An uploaded member list, xlsx or CSV, through the shared spreadsheet reader.
pub fn parse_file(bytes: &[u8]) -> Result<(SnapshotSource, Parsed), FileError> {
    use crate::onboarding::sheet::{self, Format, Limits};
    // A QQ export has a handful of columns (QQ号, 昵称, 群名片, 性别, 入群时间, …).
    let limits = Limits {
        max_rows: MAX_PEOPLE + 1,
        max_cols: 64,
        max_cells: (MAX_PEOPLE + 1) * 32,
        max_unpacked: MAX_XLSX_UNPACKED,
        max_strings: (MAX_PEOPLE + 1) * 32,
    };
    let (format, rows) = sheet::rows(bytes, limits).map_err(|e| {
        if e.fields.first().is_some_and(|f| f.code == "too_many_rows") {
            too_many()
        } else {
            FileError::from(e)
        }
    })?;
    let source = match format {
        Format::Xlsx => SnapshotSource::Xlsx,
        Format::Csv => SnapshotSource::Csv,
    };
    Ok((source, parse_table(rows)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet's rows, numbered from 1, of text cells.
    fn table(v: Vec<Vec<&str>>) -> Vec<Row> {
        (1..)
            .zip(v)
            .map(|(i, r)| (i, r.into_iter().map(|c| Cell::Text(c.to_owned())).collect()))
            .collect()
    }

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
        let p = parse_table(table(vec![
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
            parse_table(table(vec![vec!["姓名", "电话"], vec!["张三", "1"]]))
                .unwrap_err()
                .code,
            "missing_column"
        );
        assert_eq!(parse_table(table(vec![])).unwrap_err().code, "empty_file");
    }

    #[test]
    fn tables_as_counties_keep_them_title_above_footer_below_one_column() {
        // A title naming the group, a date line, a blank row, then the one-column list, and
        // the form's footer.
        let p = parse_table(table(vec![
            vec!["安吉县个体工商户党建QQ群成员名单"],
            vec!["2026年12月1日"],
            vec![""],
            vec!["QQ号码"],
            vec!["123456789"],
            vec!["１２３４５６７８"],
            vec!["填表人：张三"],
            vec!["2026年12月1日"],
        ]))
        .expect("ok");
        assert_eq!(
            qqs(&p),
            vec![(5, "123456789".into(), None), (6, "12345678".into(), None)]
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        // A header further down than the scan reaches is not found.
        let mut late = vec![vec!["说明"]; HEADER_SCAN];
        late.push(vec!["QQ号"]);
        late.push(vec!["123456789"]);
        assert_eq!(parse_table(table(late)).unwrap_err().code, "missing_column");
        // A footer date typed as an Excel date (not text) is still the footer.
        let mut dated = table(vec![vec!["QQ号"], vec!["123456789"]]);
        dated.push((3, vec![Cell::Date(chrono::NaiveDate::MIN)]));
        let p = parse_table(dated).expect("ok");
        assert_eq!(qqs(&p), vec![(2, "123456789".into(), None)]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn csv_in_utf8_gb18030_and_utf16() {
        let text = "QQ号,群昵称\r\n123456789,张三\r\n\"98765432\",\"李四, 古城村\"\r\n";
        let p = parse_file(text.as_bytes()).expect("utf-8").1;
        assert_eq!(p.people.len(), 2);
        assert_eq!(p.people[1].nickname.as_deref(), Some("李四, 古城村"));
        assert_eq!(p.people[1].line, 3);
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
        let p = parse_file(&gbk).expect("gb18030").1;
        assert_eq!(p.people[0].nickname.as_deref(), Some("张三"));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("QQ号\t群昵称\n123456789\t张三\n".as_bytes());
        assert_eq!(parse_file(&bom).expect("tsv").1.people.len(), 1);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "QQ号\t群昵称\n123456789\t张三\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(parse_file(&utf16).expect("utf-16").1.people.len(), 1);
        assert_eq!(
            parse_file(b"\xFF\xFF\x80\x80").unwrap_err().code,
            "bad_encoding"
        );
        assert_eq!(parse_file(b"QQ\x00,a").unwrap_err().code, "bad_encoding");
    }

    #[test]
    fn files_are_recognised_and_broken_ones_refused() {
        assert_eq!(parse_file(b"  \n").unwrap_err().code, "empty_file");
        assert_eq!(
            parse_file(b"PK\x03\x04garbage").unwrap_err().code,
            "unreadable_xlsx"
        );
        assert_eq!(
            parse_file(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
                .unwrap_err()
                .code,
            "xls_not_supported"
        );
        let (src, p) = parse_file("QQ号\n123456789\n".as_bytes()).expect("csv");
        assert_eq!((src, p.people.len()), (SnapshotSource::Csv, 1));
        let junk: Vec<u8> = (0..200_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        assert!(parse_file(&junk).is_err());
    }

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        /// Characters of pasted lists: digits (half- and full-width), separators, brackets,
        /// BOMs and zero-width characters, letters and Chinese.
        fn pasted() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    6 => proptest::char::range('0', '9'),
                    1 => proptest::char::range('０', '９'),
                    1 => proptest::sample::select(vec![
                        '\t', ',', ' ', '\n', '\r', '(', ')', '（', '）', '@', '\u{3000}',
                        '\u{FEFF}', '\u{200B}', 'q', 'Q', '.', 'c', 'o', 'm', '张', '号',
                    ]),
                ],
                0..200,
            )
            .prop_map(|v| v.into_iter().collect())
        }

        proptest! {
            #[test]
            fn pastes_never_panic(s in prop_oneof![any::<String>(), pasted()]) {
                let _ = parse_line(&s);
                if let Ok(p) = parse_paste(&s) {
                    prop_assert!(p.people.len() + p.errors.len() <= MAX_PEOPLE);
                    for e in &p.errors {
                        let prefix = format!("第{}行", e.line);
                        prop_assert!(e.zh.starts_with(&prefix), "{}", e.zh);
                    }
                }
            }

            #[test]
            fn listed_people_round_trip(
                people in proptest::collection::btree_map(10_000u64..100_000_000_000, "[a-z\u{4E00}-\u{4E20}]{1,8}", 1..30),
                sep in proptest::sample::select(vec!["\t", ",", " ", "paren"]),
            ) {
                let text: String = people
                    .iter()
                    .map(|(qq, nick)| match sep {
                        "paren" => format!("{nick}({qq})\n"),
                        s => format!("{qq}{s}{nick}\n"),
                    })
                    .collect();
                let p = parse_paste(&text).expect("a list");
                prop_assert!(p.errors.is_empty(), "{:?}", p.errors);
                let got: Vec<(String, Option<String>)> = p
                    .people
                    .iter()
                    .map(|x| (x.qq.as_str().to_owned(), x.nickname.clone()))
                    .collect();
                let want: Vec<(String, Option<String>)> =
                    people.iter().map(|(q, n)| (q.to_string(), Some(n.clone()))).collect();
                prop_assert_eq!(got, want);
            }

            #[test]
            fn files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000), pk in any::<bool>()) {
                let mut b = if pk { b"PK\x03\x04".to_vec() } else { Vec::new() };
                b.extend(bytes);
                let _ = parse_file(&b);
            }
        }
    }
}
