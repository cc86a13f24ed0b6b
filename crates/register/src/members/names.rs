//! Pinyin keys for names: Chinese users find people by initials (张三 → `zs`) and expect lists
//! sorted by pinyin, not by code point. Readings come from the `pinyin` crate's table (the most
//! common reading of each character; a surname read unusually, e.g. 单 as Shàn, sorts under its
//! common reading, which is what other Chinese software does too).

use pinyin::ToPinyin;

/// The keys stored beside a name: full toneless pinyin without separators (`zhangsan`) and the
/// initials (`zs`). Latin letters and digits are kept lower-cased; everything else is dropped.
pub fn pinyin_keys(name: &str) -> (String, String) {
    let mut full = String::with_capacity(name.len() * 2);
    let mut initials = String::with_capacity(name.chars().count());
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        match p {
            Some(p) => {
                // Pinyin input methods type ü as v (吕 → lv).
                full.extend(p.plain().chars().map(|c| if c == 'ü' { 'v' } else { c }));
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                let l = c.to_ascii_lowercase();
                full.push(l);
                initials.push(l);
            }
            None => {}
        }
    }
    (full, initials)
}

/// A search term typed in Latin letters is pinyin (initials or full); anything with a Chinese
/// character is a name prefix.
pub fn is_pinyin_query(q: &str) -> bool {
    !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_chinese_names() {
        assert_eq!(pinyin_keys("张三"), ("zhangsan".into(), "zs".into()));
        assert_eq!(
            pinyin_keys("欧阳 娜娜"),
            ("ouyangnana".into(), "oynn".into())
        );
        assert_eq!(pinyin_keys("吕小龙"), ("lvxiaolong".into(), "lxl".into()));
        assert_eq!(pinyin_keys("Anna李"), ("annali".into(), "annal".into()));
        assert_eq!(pinyin_keys("·"), (String::new(), String::new()));
    }

    #[test]
    fn pinyin_order_is_not_code_point_order() {
        // 李 (U+674E) sorts before 王 (U+738B) by code point and by pinyin, but 阿 (U+963F)
        // is after both by code point while `a` comes first in pinyin.
        let mut names = ["王五", "李四", "阿强"];
        names.sort_by_key(|n| pinyin_keys(n).0);
        assert_eq!(names, ["阿强", "李四", "王五"]);
    }

    #[test]
    fn pinyin_queries() {
        assert!(is_pinyin_query("zs"));
        assert!(is_pinyin_query("ZhangS"));
        assert!(!is_pinyin_query("张s"));
        assert!(!is_pinyin_query("z1"));
        assert!(!is_pinyin_query(""));
    }

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #[test]
            fn pinyin_keys_never_panic_and_are_ascii(s in prop_oneof![
                any::<String>(),
                proptest::collection::vec(proptest::char::range('\u{4E00}', '\u{9FFF}'), 0..8)
                    .prop_map(|v| v.into_iter().collect::<String>()),
            ]) {
                let (full, initials) = pinyin_keys(&s);
                prop_assert!(full.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{}", full);
                prop_assert!(initials.len() <= full.len());
                let _ = is_pinyin_query(&s);
            }

            #[test]
            fn a_name_is_found_by_its_own_keys(s in proptest::collection::vec(proptest::char::range('\u{4E00}', '\u{9FFF}'), 1..5)
                .prop_map(|v| v.into_iter().collect::<String>())) {
                let (full, initials) = pinyin_keys(&s);
                // What the search does: a Latin query is a prefix of the stored keys.
                prop_assert!(initials.is_empty() || is_pinyin_query(&initials));
                prop_assert!(full.starts_with(initials.get(..1).unwrap_or("")));
            }
        }
    }
}
