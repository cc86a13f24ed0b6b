//! 户籍所在地 as county sheets write it: a GB/T 2260 division code (330523), or a name (安吉县,
//! 湖州市安吉县, 浙江省湖州市安吉县, or just 安吉), read as the code. The list of divisions is
//! data (crates/register/data/divisions.csv, from a maintained package, refreshed by
//! crates/register/data/refresh), not typed here.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One division of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: u32,
    pub name: &'static str,
}

impl Division {
    fn is_province(&self) -> bool {
        self.code.is_multiple_of(10_000)
    }

    fn is_city(&self) -> bool {
        !self.is_province() && self.code.is_multiple_of(100)
    }

    /// Level for preference: a county-level name beats a city's, a city's a province's.
    fn level(&self) -> u8 {
        if self.is_province() {
            0
        } else if self.is_city() {
            1
        } else {
            2
        }
    }
}

struct Places {
    by_code: HashMap<u32, Division>,
    /// Full names and short names (安吉县 and 安吉) → divisions.
    by_name: HashMap<&'static str, Vec<u32>>,
}

const DATA: &str = include_str!("../../data/divisions.csv");

/// The suffixes a short name drops: 安吉县 is also written 安吉.
const SUFFIXES: &[&str] = &[
    "自治县",
    "自治旗",
    "自治州",
    "自治区",
    "特别行政区",
    "林区",
    "特区",
    "地区",
    "县",
    "区",
    "市",
    "旗",
    "省",
    "盟",
];

fn short(name: &str) -> Option<&str> {
    let s = SUFFIXES.iter().find_map(|x| name.strip_suffix(x))?;
    (s.chars().count() >= 2).then_some(s)
}

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<&'static str, Vec<u32>> = HashMap::new();
        for line in DATA.lines() {
            let Some((code, name)) = line.split_once(',') else {
                continue;
            };
            let Ok(code) = code.parse::<u32>() else {
                continue;
            };
            by_code.insert(code, Division { code, name });
            by_name.entry(name).or_default().push(code);
            if let Some(s) = short(name) {
                by_name.entry(s).or_default().push(code);
            }
        }
        Places { by_code, by_name }
    })
}

/// What a 户籍所在地 cell reads as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Written as a code: passed on as written, for the register's rule to judge.
    Code(String),
    /// Written as a name and found: its code.
    Named(String),
    /// No division of that name.
    Unknown,
    /// Several divisions of that name, each written in full with its code.
    Ambiguous(Vec<String>),
}

/// A division written in full: 浙江省湖州市安吉县（330523）.
pub fn full_name(code: u32) -> String {
    let p = places();
    let mut parts = Vec::new();
    for c in [code / 10_000 * 10_000, code / 100 * 100, code] {
        if let Some(d) = p.by_code.get(&c)
            && parts.last() != Some(&d.name)
        {
            parts.push(d.name);
        }
    }
    format!("{}（{code}）", parts.concat())
}

/// Whether `prefix` is what a division's province and city may be written as before its own
/// name: nothing, the province, the city, or both, each in full or short.
fn prefix_fits(prefix: &str, d: &Division) -> bool {
    let p = places();
    let mut rest = prefix;
    for parent in [d.code / 10_000 * 10_000, d.code / 100 * 100] {
        if parent == d.code {
            continue;
        }
        if let Some(up) = p.by_code.get(&parent) {
            let names = [Some(up.name), short(up.name)];
            if let Some(r) = names.iter().flatten().find_map(|n| rest.strip_prefix(n)) {
                rest = r;
            }
        }
    }
    rest.is_empty()
}

/// Reads a 户籍所在地 cell.
pub fn resolve(text: &str) -> Place {
    let t = super::normalise::compact(text);
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Place::Code(t);
    }
    let p = places();
    let mut found: Vec<&Division> = Vec::new();
    // Every ending of the text that is a division's name, with a prefix that fits it.
    for (i, _) in t.char_indices() {
        let (prefix, name) = t.split_at(i);
        for code in p.by_name.get(name).into_iter().flatten() {
            if let Some(d) = p.by_code.get(code)
                && prefix_fits(prefix, d)
                && !found.contains(&d)
            {
                found.push(d);
            }
        }
    }
    // The most specific level written wins: 湖州市安吉县 is the county, not the city.
    let Some(level) = found.iter().map(|d| d.level()).max() else {
        return Place::Unknown;
    };
    found.retain(|d| d.level() == level);
    match found.as_slice() {
        [one] => Place::Named(format!("{:06}", one.code)),
        many => {
            let mut names: Vec<String> = many.iter().map(|d| full_name(d.code)).collect();
            names.sort();
            Place::Ambiguous(names)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_in_every_form_resolve_to_the_code() {
        for s in [
            "安吉县",
            "湖州市安吉县",
            "浙江省湖州市安吉县",
            "浙江湖州安吉县",
            "安吉",
            "浙江省安吉县",
            " 安吉县 ",
        ] {
            assert_eq!(resolve(s), Place::Named("330523".into()), "{s}");
        }
        assert_eq!(resolve("湖州市"), Place::Named("330500".into()));
        assert_eq!(resolve("浙江省"), Place::Named("330000".into()));
        assert_eq!(resolve("北京市朝阳区"), Place::Named("110105".into()));
    }

    #[test]
    fn codes_pass_through_and_unknown_names_are_unknown() {
        assert_eq!(resolve("330523"), Place::Code("330523".into()));
        assert_eq!(resolve("12345"), Place::Code("12345".into()));
        assert_eq!(resolve("火星"), Place::Unknown);
        assert_eq!(resolve(""), Place::Unknown);
        // A prefix that is not the division's own province or city.
        assert_eq!(resolve("江苏省安吉县"), Place::Unknown);
    }

    #[test]
    fn an_ambiguous_name_lists_its_candidates() {
        let Place::Ambiguous(c) = resolve("朝阳区") else {
            panic!("朝阳区 is in Beijing and in Changchun");
        };
        assert!(c.contains(&"北京市朝阳区（110105）".to_owned()), "{c:?}");
        assert!(
            c.contains(&"吉林省长春市朝阳区（220104）".to_owned()),
            "{c:?}"
        );
    }

    #[test]
    fn the_list_is_complete_enough() {
        let p = places();
        // 34 provincial-level divisions, hundreds of cities, thousands of counties.
        assert!(p.by_code.len() > 3_000, "{}", p.by_code.len());
        assert_eq!(full_name(330523), "浙江省湖州市安吉县（330523）");
        assert_eq!(full_name(110105), "北京市朝阳区（110105）");
    }

    proptest! {
        #[test]
        fn resolve_never_panics(s in "\\PC{0,30}") {
            let _ = resolve(&s);
        }
    }
}
