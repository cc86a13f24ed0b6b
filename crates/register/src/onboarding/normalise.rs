//! Values as county sheets write them, made into the one form the register's rules read, before
//! those rules judge them: full-width digits typed on a Chinese keyboard, Excel date serials,
//! 2020年7月1日, √ for 是, +86 in front of a phone. Each function is total and says what it
//! changed ([`Fix`]), so the dry run can tell staff how many values were rewritten and how.
//! Nothing here decides whether a value is valid: that stays with the rules (an 11-digit phone,
//! an ID-card checksum), which then see the normalised value.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use super::sheet::Cell;
use crate::enums::StrEnum;

/// A kind of rewrite, as the dry-run report counts it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Fix {
    /// Full-width digits, letters or spaces made half-width.
    FullWidth,
    /// An ID number's final x made X.
    UpperX,
    /// A phone's +86 / 86- / 0086 country code removed.
    PhoneCountryCode,
    /// Spaces, dashes or brackets removed from a phone.
    PhoneSeparators,
    /// An Excel date serial (a number such as 38534) read as the date Excel shows.
    ExcelSerial,
    /// A date written 2020/7/1, 2020.7.1, 2020年7月1日 or 20200701 read as 2020-07-01.
    DateFormat,
    /// A month without a day (2020-07) taken as its first day: flagged, as the day is a guess.
    MonthOnly,
    /// Y/N, √/×, yes/no read as 是/否.
    YesNo,
    /// 男性/女性 read as 男/女.
    Gender,
    /// 正式党员/预备党员 read as 正式/预备.
    StatusSuffix,
    /// A place name (安吉县, 浙江省湖州市安吉县) read as its division code.
    PlaceName,
    /// An organisation name found by its normalised form (prefix, suffix or spelling).
    OrgName,
    /// Lower-case letters of a credit code made upper-case, separators removed.
    CreditCodeCase,
    /// A business kind written another way (个体户, 企业, 摊位) read as 个体工商户/小微企业/市场摊位.
    KindWord,
    /// A business kind not given, read from the credit code (92: 个体工商户, 91: 小微企业) or
    /// from a stall number in a market (市场摊位).
    KindFromCode,
}

impl Fix {
    /// What the report says, zh-CN and English.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Fix::FullWidth => ("全角字符改为半角", "full-width characters made half-width"),
            Fix::UpperX => ("身份证号末位 x 改为 X", "final x of an ID number made X"),
            Fix::PhoneCountryCode => ("去掉号码前的 +86", "country code +86 removed"),
            Fix::PhoneSeparators => ("去掉号码中的空格或横线", "spaces or dashes removed"),
            Fix::ExcelSerial => ("Excel 日期序号转为日期", "Excel date serial read as a date"),
            Fix::DateFormat => ("日期改写为 2020-07-01 格式", "date rewritten as 2020-07-01"),
            Fix::MonthOnly => (
                "只有年月的日期按当月1日计（请核对）",
                "month without a day taken as the 1st (please check)",
            ),
            Fix::YesNo => ("Y/N、√/× 等改为 是/否", "Y/N, √/× read as 是/否"),
            Fix::Gender => ("男性/女性 改为 男/女", "男性/女性 read as 男/女"),
            Fix::StatusSuffix => ("正式党员/预备党员 改为 正式/预备", "status words shortened"),
            Fix::PlaceName => (
                "户籍地名称转为行政区划代码",
                "place name read as its division code",
            ),
            Fix::OrgName => (
                "组织名称按规范化名称匹配",
                "organisation matched by normalised name",
            ),
            Fix::CreditCodeCase => (
                "信用代码中的小写字母改为大写、去掉分隔符",
                "credit code upper-cased, separators removed",
            ),
            Fix::KindWord => (
                "类型写法统一为 个体工商户/小微企业/市场摊位",
                "business kind word read as 个体工商户/小微企业/市场摊位",
            ),
            Fix::KindFromCode => (
                "未填类型，按信用代码或摊位推断（请核对）",
                "kind not given, read from the credit code or stall (please check)",
            ),
        }
    }
}

/// The rewrites made to one value: a set, so a value counts once per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fixes(u16);

impl Fixes {
    pub fn add(&mut self, f: Fix) {
        self.0 |= 1 << (f as u16);
    }

    pub fn has(self, f: Fix) -> bool {
        self.0 & (1 << (f as u16)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Fix> {
        Fix::ALL.iter().copied().filter(move |f| self.has(*f))
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space made half-width; text without
/// them is returned as it is.
pub fn half_width<'a>(s: &'a str, fixes: &mut Fixes) -> Cow<'a, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if !s.chars().any(wide) {
        return Cow::Borrowed(s);
    }
    fixes.add(Fix::FullWidth);
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// Whitespace of any width, inside the text too (a name typed as 张　三 is 张三).
/// Half-width and without whitespace, the rewrites not counted: how headers, footer words,
/// place and organisation names are compared.
pub fn compact(s: &str) -> String {
    without_spaces(&half_width(s, &mut Fixes::default()))
}

fn without_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An ID-card number: half-width, no spaces, a final x upper-cased. The checksum is the
/// register's rule to check.
pub fn id_number(s: &str, fixes: &mut Fixes) -> String {
    let mut t = without_spaces(&half_width(s, fixes));
    if t.ends_with('x') {
        t.pop();
        t.push('X');
        fixes.add(Fix::UpperX);
    }
    t
}

/// A phone: half-width, without separators, without the country code when what remains is a
/// mobile number. A landline keeps its area code (0572-…), written without the dash.
pub fn phone(s: &str, fixes: &mut Fixes) -> String {
    let t = half_width(s.trim(), fixes);
    let digits: String = t
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '-' | '—' | '–' | '(' | ')' | '（' | '）' | '\u{a0}'
            )
        })
        .collect();
    if digits.chars().count() != t.chars().count() {
        fixes.add(Fix::PhoneSeparators);
    }
    for prefix in ["+86", "0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == 11
            && rest.starts_with('1')
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            fixes.add(Fix::PhoneCountryCode);
            return rest.to_owned();
        }
    }
    digits
}

/// 是/否 and the ways sheets write them.
pub fn yes_no(s: &str, fixes: &mut Fixes) -> Option<bool> {
    let t = without_spaces(&half_width(s, fixes)).to_lowercase();
    let v = match t.as_str() {
        "是" => return Some(true),
        "否" => return Some(false),
        "y" | "yes" | "true" | "1" | "√" | "✓" | "✔" | "☑" | "有" | "t" => true,
        "n" | "no" | "false" | "0" | "×" | "✗" | "✘" | "x" | "无" | "f" => false,
        _ => return None,
    };
    fixes.add(Fix::YesNo);
    Some(v)
}

/// 男/女, also written 男性/女性.
pub fn gender(s: &str, fixes: &mut Fixes) -> Option<&'static str> {
    match without_spaces(s).as_str() {
        "男" => Some("男"),
        "女" => Some("女"),
        "男性" => {
            fixes.add(Fix::Gender);
            Some("男")
        }
        "女性" => {
            fixes.add(Fix::Gender);
            Some("女")
        }
        _ => None,
    }
}

/// 正式/预备, with or without 党员.
pub fn membership_status(s: &str, fixes: &mut Fixes) -> Option<&'static str> {
    let t = without_spaces(s);
    let (word, suffixed) = match t.strip_suffix("党员") {
        Some(w) => (w, true),
        None => (t.as_str(), false),
    };
    let v = match word {
        "正式" => "正式",
        "预备" => "预备",
        _ => return None,
    };
    if suffixed {
        fixes.add(Fix::StatusSuffix);
    }
    Some(v)
}

/// A unified social credit code: half-width, without spaces or dashes, upper-case. Whether it
/// is valid (GB 32100 check character) stays the register's rule to judge.
pub fn credit_code(s: &str, fixes: &mut Fixes) -> String {
    let t: String = half_width(s, fixes)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '–'))
        .collect();
    let upper = t.to_uppercase();
    if upper != t || t.chars().count() != s.trim().chars().count() {
        fixes.add(Fix::CreditCodeCase);
    }
    upper
}

/// 个体工商户 / 小微企业 / 市场摊位, and the words sheets use for them.
pub fn business_kind(s: &str, fixes: &mut Fixes) -> Option<&'static str> {
    let t = without_spaces(s);
    let v = match t.as_str() {
        "个体工商户" | "小微企业" | "市场摊位" => {
            return ["个体工商户", "小微企业", "市场摊位"]
                .into_iter()
                .find(|w| *w == t);
        }
        "个体户" | "个体" | "个体经营户" | "个体工商" => "个体工商户",
        "企业" | "小型企业" | "微型企业" | "小微" | "私营企业" | "有限责任公司" | "公司" => {
            "小微企业"
        }
        "摊位" | "市场经营户" | "市场内个体工商户" | "市场内个体户" | "市场摊点" => {
            "市场摊位"
        }
        _ => return None,
    };
    fixes.add(Fix::KindWord);
    Some(v)
}

/// 经营 / 停歇业 / 注销, and the words registers use for them (存续 is a registry's 经营).
pub fn business_status(s: &str) -> Option<&'static str> {
    match without_spaces(s).as_str() {
        "经营" | "在营" | "在业" | "存续" | "正常" | "开业" => Some("经营"),
        "停歇业" | "停业" | "歇业" => Some("停歇业"),
        "注销" | "吊销" | "已注销" => Some("注销"),
        _ => None,
    }
}

/// A head count: digits (full-width too), optionally followed by 人 or written 12.0 by a number
/// cell. None for anything else; the range is the register's rule.
pub fn count(s: &str, fixes: &mut Fixes) -> Option<i64> {
    let t = without_spaces(&half_width(s, fixes));
    let t = t.strip_suffix('人').unwrap_or(&t);
    let t = t.strip_suffix(".0").unwrap_or(t);
    if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The earliest date a serial is read as one: 10000 is 1927-05-18. A smaller number in a date
/// column is far more likely a year or a typo than a date before the members' lifetimes.
const SERIAL_MIN: i64 = 10_000;
/// 2099-12-31.
const SERIAL_MAX: i64 = 73_050;

/// An Excel (1900 date system) serial as the date Excel shows for it.
pub fn excel_serial(n: i64) -> Option<NaiveDate> {
    if !(SERIAL_MIN..=SERIAL_MAX).contains(&n) {
        return None;
    }
    // Excel counts 1900-02-29, which did not exist, so from serial 61 on day 0 is 1899-12-30.
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n as u64))
}

/// The years a date may fall in: what the register can store on both backends.
fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    (1900..=2100).contains(&d.year()).then_some(d)
}

/// A date as county sheets write it: a date cell; an Excel serial (a number cell, or digits in
/// CSV text); 2020-07-01, 2020/7/1, 2020.7.1, 2020年7月1日, 20200701; or a month alone (2020-07,
/// 2020年7月, 202007), taken as its first day and flagged.
pub fn date(cell: &Cell, fixes: &mut Fixes) -> Option<NaiveDate> {
    let text = match cell {
        Cell::Empty => return None,
        Cell::Date(d) => return plausible(*d),
        Cell::Text(s) | Cell::Number(s) => s,
    };
    let t = without_spaces(&half_width(text, fixes));
    let all_digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if all_digits && t.len() <= 5 {
        let d = t.parse().ok().and_then(excel_serial);
        if d.is_some() {
            fixes.add(Fix::ExcelSerial);
        }
        return d;
    }
    // `2020年7月1日` → `2020-7-1`.
    let unified: String = t
        .trim_end_matches(['日', '号'])
        .chars()
        .map(|c| match c {
            '/' | '.' | '年' | '月' | '-' | '－' => '-',
            c => c,
        })
        .collect();
    let unified = unified.trim_end_matches('-');
    let full = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.split('-').count() == 3)
    };
    if let Some(d) = full(unified) {
        if t != d.format("%Y-%m-%d").to_string() {
            fixes.add(Fix::DateFormat);
        }
        return plausible(d);
    }
    if all_digits && t.len() == 8 {
        let d = NaiveDate::parse_from_str(&t, "%Y%m%d")
            .ok()
            .and_then(plausible);
        if d.is_some() {
            fixes.add(Fix::DateFormat);
        }
        return d;
    }
    let month = if all_digits && t.len() == 6 {
        Some((&t[..4], &t[4..]))
    } else {
        unified.split_once('-').filter(|(_, m)| !m.contains('-'))
    };
    let (y, m) = month?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if y.to_string().len() != 4 {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(y, m, 1).and_then(plausible)?;
    fixes.add(Fix::MonthOnly);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixed<T>(f: impl FnOnce(&mut Fixes) -> T) -> (T, Vec<Fix>) {
        let mut fx = Fixes::default();
        let v = f(&mut fx);
        (v, fx.iter().collect())
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn full_width_becomes_half_width() {
        assert_eq!(
            fixed(|f| half_width("１３８　００１３Ａ", f).into_owned()),
            ("138 0013A".to_owned(), vec![Fix::FullWidth])
        );
        assert_eq!(
            fixed(|f| half_width("递铺街道", f).into_owned()),
            ("递铺街道".to_owned(), vec![])
        );
    }

    #[test]
    fn id_numbers() {
        assert_eq!(
            fixed(|f| id_number(" 33052319800101001x ", f)),
            ("33052319800101001X".to_owned(), vec![Fix::UpperX])
        );
        assert_eq!(
            fixed(|f| id_number("３３０５２３ １９８００１０１００１Ｘ", f)),
            ("33052319800101001X".to_owned(), vec![Fix::FullWidth])
        );
        assert_eq!(
            fixed(|f| id_number("330523198001010011", f)),
            ("330523198001010011".to_owned(), vec![])
        );
    }

    #[test]
    fn phones() {
        let cases: &[(&str, &str, &[Fix])] = &[
            ("13800138000", "13800138000", &[]),
            ("138 0013 8000", "13800138000", &[Fix::PhoneSeparators]),
            ("138-0013-8000", "13800138000", &[Fix::PhoneSeparators]),
            (
                "+86 138 0013 8000",
                "13800138000",
                &[Fix::PhoneCountryCode, Fix::PhoneSeparators],
            ),
            (
                "86-13800138000",
                "13800138000",
                &[Fix::PhoneCountryCode, Fix::PhoneSeparators],
            ),
            ("008613800138000", "13800138000", &[Fix::PhoneCountryCode]),
            ("１３８００１３８０００", "13800138000", &[Fix::FullWidth]),
            // A landline keeps its area code; a number that is not a mobile keeps its 86.
            ("0572-5123456", "05725123456", &[Fix::PhoneSeparators]),
            ("8612345", "8612345", &[]),
        ];
        for (input, want, fixes) in cases {
            assert_eq!(
                fixed(|f| phone(input, f)),
                ((*want).to_owned(), fixes.to_vec()),
                "{input}"
            );
        }
    }

    #[test]
    fn yes_no_words() {
        for (s, v, counted) in [
            ("是", Some(true), false),
            ("否", Some(false), false),
            ("Y", Some(true), true),
            ("n", Some(false), true),
            ("√", Some(true), true),
            ("×", Some(false), true),
            ("ｙｅｓ", Some(true), true),
            ("也许", None, false),
            ("", None, false),
        ] {
            let (got, fx) = fixed(|f| yes_no(s, f));
            assert_eq!(got, v, "{s}");
            assert_eq!(fx.contains(&Fix::YesNo), counted, "{s}");
        }
    }

    #[test]
    fn gender_and_status_words() {
        assert_eq!(fixed(|f| gender("男", f)), (Some("男"), vec![]));
        assert_eq!(
            fixed(|f| gender("女性", f)),
            (Some("女"), vec![Fix::Gender])
        );
        assert_eq!(fixed(|f| gender("男女", f)), (None, vec![]));
        assert_eq!(
            fixed(|f| membership_status("正式", f)),
            (Some("正式"), vec![])
        );
        assert_eq!(
            fixed(|f| membership_status("预备党员", f)),
            (Some("预备"), vec![Fix::StatusSuffix])
        );
        assert_eq!(fixed(|f| membership_status("党员", f)), (None, vec![]));
        assert_eq!(fixed(|f| membership_status("积极分子", f)), (None, vec![]));
    }

    #[test]
    fn credit_codes_as_typed() {
        assert_eq!(
            fixed(|f| credit_code("92330523MA2B3C4D5X", f)),
            ("92330523MA2B3C4D5X".to_owned(), vec![])
        );
        assert_eq!(
            fixed(|f| credit_code(" 92330523ma2b3c4d5x ", f)),
            ("92330523MA2B3C4D5X".to_owned(), vec![Fix::CreditCodeCase])
        );
        assert_eq!(
            fixed(|f| credit_code("９２３３０５２３ＭＡ２Ｂ３Ｃ４Ｄ５Ｘ", f)),
            ("92330523MA2B3C4D5X".to_owned(), vec![Fix::FullWidth])
        );
        assert_eq!(
            fixed(|f| credit_code("9233-0523 MA2B3C4D5X", f)),
            ("92330523MA2B3C4D5X".to_owned(), vec![Fix::CreditCodeCase])
        );
    }

    #[test]
    fn business_kinds_statuses_and_counts() {
        assert_eq!(
            fixed(|f| business_kind("个体工商户", f)),
            (Some("个体工商户"), vec![])
        );
        assert_eq!(
            fixed(|f| business_kind("个体户", f)),
            (Some("个体工商户"), vec![Fix::KindWord])
        );
        assert_eq!(
            fixed(|f| business_kind(" 摊位 ", f)),
            (Some("市场摊位"), vec![Fix::KindWord])
        );
        assert_eq!(
            fixed(|f| business_kind("有限责任公司", f)),
            (Some("小微企业"), vec![Fix::KindWord])
        );
        assert_eq!(
            fixed(|f| business_kind("农民专业合作社", f)),
            (None, vec![])
        );
        assert_eq!(business_status("存续"), Some("经营"));
        assert_eq!(business_status("歇业"), Some("停歇业"));
        assert_eq!(business_status("吊销"), Some("注销"));
        assert_eq!(business_status("迁出"), None);
        assert_eq!(fixed(|f| count("12", f)), (Some(12), vec![]));
        assert_eq!(
            fixed(|f| count("１２人", f)),
            (Some(12), vec![Fix::FullWidth])
        );
        assert_eq!(fixed(|f| count("3.0", f)), (Some(3), vec![]));
        for bad in ["", "-1", "十二", "1.5", "9999999999", "12 34人人"] {
            assert_eq!(fixed(|f| count(bad, f)).0, None, "{bad}");
        }
    }

    #[test]
    fn dates_in_every_form_counties_use() {
        let july = ymd(2020, 7, 1);
        let cases: &[(Cell, Option<NaiveDate>, &[Fix])] = &[
            (text("2020-07-01"), july, &[]),
            (text("2020/7/1"), july, &[Fix::DateFormat]),
            (text("2020.7.1"), july, &[Fix::DateFormat]),
            (text("2020年7月1日"), july, &[Fix::DateFormat]),
            (text("20200701"), july, &[Fix::DateFormat]),
            (Cell::Number("20200701".into()), july, &[Fix::DateFormat]),
            (text(" 2020-7-01 "), july, &[Fix::DateFormat]),
            (text("２０２０－０７－０１"), july, &[Fix::FullWidth]),
            (Cell::Number("44013".into()), july, &[Fix::ExcelSerial]),
            (text("44013"), july, &[Fix::ExcelSerial]),
            (Cell::Date(july.unwrap_or_default()), july, &[]),
            (text("2020-07"), july, &[Fix::MonthOnly]),
            (text("2020年7月"), july, &[Fix::MonthOnly]),
            (text("2020.7"), july, &[Fix::MonthOnly]),
            (text("202007"), july, &[Fix::MonthOnly]),
        ];
        for (cell, want, fixes) in cases {
            assert_eq!(
                fixed(|f| date(cell, f)),
                (*want, fixes.to_vec()),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn impossible_dates_are_none() {
        for s in [
            "2020-13-01",
            "2020-02-30",
            "七月",
            "1800-01-01",
            "2020",
            "9999",
            "2020-7-1-1",
            "20-07-01",
            "2020-00",
            "0",
            "99999",
            "2020年13月",
            "1e5",
        ] {
            assert_eq!(fixed(|f| date(&text(s), f)).0, None, "{s}");
        }
        assert_eq!(fixed(|f| date(&Cell::Empty, f)), (None, vec![]));
    }

    #[test]
    fn excel_serials_match_excel() {
        // Values Excel shows for these serials.
        assert_eq!(excel_serial(10_000), ymd(1927, 5, 18));
        assert_eq!(excel_serial(25_569), ymd(1970, 1, 1));
        assert_eq!(excel_serial(36_526), ymd(2000, 1, 1));
        assert_eq!(excel_serial(73_050), ymd(2099, 12, 31));
        assert_eq!(excel_serial(9_999), None);
        assert_eq!(excel_serial(73_051), None);
    }

    #[test]
    fn every_fix_has_a_distinct_name_and_description() {
        let names: std::collections::BTreeSet<&str> = Fix::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(names.len(), Fix::ALL.len());
        for &f in Fix::ALL {
            assert_eq!(Fix::parse(f.as_str()), Some(f));
            assert!(!f.describe().0.is_empty());
        }
        assert!(Fix::ALL.len() <= 16, "Fixes is a u16");
    }

    proptest! {
        #[test]
        fn normalisers_never_panic(s in "\\PC{0,40}") {
            let mut f = Fixes::default();
            let _ = half_width(&s, &mut f);
            let _ = id_number(&s, &mut f);
            let _ = phone(&s, &mut f);
            let _ = yes_no(&s, &mut f);
            let _ = gender(&s, &mut f);
            let _ = membership_status(&s, &mut f);
            let code = credit_code(&s, &mut f);
            prop_assert!(code.chars().all(|c| !c.is_whitespace()));
            let _ = business_kind(&s, &mut f);
            let _ = business_status(&s);
            if let Some(n) = count(&s, &mut f) {
                prop_assert!(n >= 0);
            }
            let _ = date(&Cell::Text(s.clone()), &mut f);
            let _ = date(&Cell::Number(s), &mut f);
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9０-９ .\\-/年月日]{0,12}") {
            let _ = date(&Cell::Text(s), &mut Fixes::default());
        }

        #[test]
        fn half_width_is_idempotent(s in "\\PC{0,40}") {
            let once = half_width(&s, &mut Fixes::default()).into_owned();
            let mut f = Fixes::default();
            prop_assert_eq!(half_width(&once, &mut f).into_owned(), once);
            prop_assert!(f.is_empty());
        }
    }
}
