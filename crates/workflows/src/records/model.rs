//! The catalogue of performance records (记实): 4 categories, each with its only permitted
//! recorder, the shipped default of 18 items, and the rules an entry keeps.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::FieldError;
use crate::org::model::OrgKind;

/// The four categories of seed 000 (“记录四类信息”).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case", rename = "RecordCategory")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Category {
    /// 经营表现: recorded by the AIC office (工商所/分局).
    Business,
    /// 参加协会党组织活动: recorded by the association branch's party branch.
    Association,
    /// 参加村（社区）党组织活动: recorded by the village.
    Village,
    /// 居住地表现: recorded by the village.
    Residence,
}

impl Category {
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Business => "经营表现",
            Category::Association => "参加协会党组织活动",
            Category::Village => "参加村（社区）党组织活动",
            Category::Residence => "居住地表现",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Category::Business => "Business performance",
            Category::Association => "Association party activities",
            Category::Village => "Village (community) party activities",
            Category::Residence => "Conduct at the place of residence",
        }
    }

    /// The one role that may write records of this category.
    pub fn recorder(self) -> Role {
        match self {
            Category::Business => Role::AicRecorder,
            Category::Association => Role::BranchStaff,
            Category::Village | Category::Residence => Role::VillageRecorder,
        }
    }

    /// The kind of unit that records (and files) this category.
    pub fn recording_kind(self) -> OrgKind {
        match self {
            Category::Business => OrgKind::AicOffice,
            Category::Association => OrgKind::PartyBranch,
            Category::Village | Category::Residence => OrgKind::Village,
        }
    }

    /// The letter item codes of this category start with.
    pub fn code_letter(self) -> char {
        match self {
            Category::Business => 'B',
            Category::Association => 'A',
            Category::Village => 'V',
            Category::Residence => 'R',
        }
    }
}

/// The kinds of unit that keep records and file them quarterly.
pub const RECORDING_KINDS: [OrgKind; 3] =
    [OrgKind::AicOffice, OrgKind::PartyBranch, OrgKind::Village];

/// The role that records for a unit of `kind`, if it is a recording unit.
pub fn recorder_of(kind: OrgKind) -> Option<Role> {
    match kind {
        OrgKind::AicOffice => Some(Role::AicRecorder),
        OrgKind::PartyBranch => Some(Role::BranchStaff),
        OrgKind::Village => Some(Role::VillageRecorder),
        _ => None,
    }
}

/// One item of the shipped default catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultItem {
    pub code: &'static str,
    pub category: Category,
    pub name: &'static str,
    pub description: &'static str,
}

/// Our default catalogue of 18 items. Seed 000 names seven of them (生产经营、奖惩、信用评定、
/// 教育培训、志愿服务、党员先锋指数、业余生活表现); its attachment 1 with the full list is not in
/// the seeds, so the rest is our reading of what each recorder sees. Counties edit their own.
pub const DEFAULT_CATALOGUE: [DefaultItem; 18] = [
    DefaultItem {
        code: "B01",
        category: Category::Business,
        name: "生产经营",
        description: "经营状况、规模变化、带动就业等",
    },
    DefaultItem {
        code: "B02",
        category: Category::Business,
        name: "守法诚信经营",
        description: "依法经营、亮照经营、年报公示等",
    },
    DefaultItem {
        code: "B03",
        category: Category::Business,
        name: "信用评定",
        description: "个体工商户信用等级评定结果",
    },
    DefaultItem {
        code: "B04",
        category: Category::Business,
        name: "奖惩",
        description: "工商部门给予的表彰或行政处罚",
    },
    DefaultItem {
        code: "B05",
        category: Category::Business,
        name: "消费维权",
        description: "消费投诉及处理、售后服务情况",
    },
    DefaultItem {
        code: "A01",
        category: Category::Association,
        name: "参加组织生活",
        description: "参加分会支部“三会一课”、主题党日等",
    },
    DefaultItem {
        code: "A02",
        category: Category::Association,
        name: "教育培训",
        description: "参加协会党组织组织的学习培训",
    },
    DefaultItem {
        code: "A03",
        category: Category::Association,
        name: "志愿服务",
        description: "参加协会组织的志愿服务、公益活动",
    },
    DefaultItem {
        code: "A04",
        category: Category::Association,
        name: "党员先锋指数",
        description: "党员先锋指数考评星级",
    },
    DefaultItem {
        code: "A05",
        category: Category::Association,
        name: "亮身份践承诺",
        description: "亮明党员身份、履行公开承诺情况",
    },
    DefaultItem {
        code: "V01",
        category: Category::Village,
        name: "参加组织生活",
        description: "参加村（社区）党组织“三会一课”、主题党日等",
    },
    DefaultItem {
        code: "V02",
        category: Category::Village,
        name: "教育培训",
        description: "参加村（社区）党组织组织的学习培训",
    },
    DefaultItem {
        code: "V03",
        category: Category::Village,
        name: "志愿服务",
        description: "参加村（社区）志愿服务、结对帮扶",
    },
    DefaultItem {
        code: "V04",
        category: Category::Village,
        name: "按时缴纳党费",
        description: "按时足额缴纳党费情况",
    },
    DefaultItem {
        code: "R01",
        category: Category::Residence,
        name: "业余生活表现",
        description: "业余时间的生活作风与社会交往",
    },
    DefaultItem {
        code: "R02",
        category: Category::Residence,
        name: "遵纪守法",
        description: "遵守法律法规、村规民约情况",
    },
    DefaultItem {
        code: "R03",
        category: Category::Residence,
        name: "家庭美德与邻里关系",
        description: "孝老爱亲、邻里和睦等",
    },
    DefaultItem {
        code: "R04",
        category: Category::Residence,
        name: "奖惩",
        description: "居住地获得的表彰或受到的处理",
    },
];

/// Scores are optional points, negative for deductions (e.g. a penalty under 奖惩).
pub const SCORE_MIN: i32 = -100;
pub const SCORE_MAX: i32 = 100;
pub const CONTENT_MAX: usize = 1000;
pub const NAME_MAX: usize = 30;
pub const DESCRIPTION_MAX: usize = 200;

/// The earliest date a record may carry (the register holds nothing older).
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

/// A record's date: not in the future, not before 2000.
pub fn check_recorded_on(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if d > today {
        return Err(FieldError::new(
            "recorded_on",
            "date_in_future",
            "recorded_on：记实日期不能晚于今天",
            "recorded_on cannot be in the future",
        ));
    }
    if d < earliest() {
        return Err(FieldError::new(
            "recorded_on",
            "out_of_range",
            "recorded_on：记实日期不能早于2000年",
            "recorded_on cannot be before 2000",
        ));
    }
    Ok(d)
}

pub fn check_score(s: i32) -> Result<i32, FieldError> {
    if (SCORE_MIN..=SCORE_MAX).contains(&s) {
        Ok(s)
    } else {
        Err(FieldError::new(
            "score",
            "out_of_range",
            format!("score：分值应在 {SCORE_MIN} 到 {SCORE_MAX} 之间"),
            format!("score must be between {SCORE_MIN} and {SCORE_MAX}"),
        ))
    }
}

/// Trimmed text of 1 to `max` characters; line breaks allowed when `multiline`.
pub fn check_text(field: &str, v: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let t = v.trim();
    let bad_char = t
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if t.is_empty() || t.chars().count() > max || bad_char {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符，且不含控制字符"),
            format!("{field}: 1 to {max} characters without control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// The code of the next item added to a category: its letter and the next free number.
pub fn next_code(category: Category, taken: &[String]) -> String {
    let letter = category.code_letter();
    let max = taken
        .iter()
        .filter_map(|c| c.strip_prefix(letter)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{letter}{:02}", max + 1)
}

/// Whether a role may write records of a category: only its recorder.
pub fn may_record(role: Role, category: Category) -> bool {
    category.recorder() == role
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<Category>();
    }

    #[test]
    fn the_default_catalogue_has_18_items_in_4_categories_with_the_seed_names() {
        assert_eq!(DEFAULT_CATALOGUE.len(), 18);
        for &c in Category::ALL {
            assert!(DEFAULT_CATALOGUE.iter().any(|i| i.category == c), "{c:?}");
        }
        let names: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|i| i.name).collect();
        for seed in [
            "生产经营",
            "奖惩",
            "信用评定",
            "教育培训",
            "志愿服务",
            "党员先锋指数",
            "业余生活表现",
        ] {
            assert!(names.contains(&seed), "{seed}");
        }
        let mut codes: Vec<&str> = DEFAULT_CATALOGUE.iter().map(|i| i.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 18, "codes are unique");
        for i in DEFAULT_CATALOGUE {
            assert!(i.code.starts_with(i.category.code_letter()), "{}", i.code);
            assert!(check_text("name", i.name, NAME_MAX, false).is_ok());
        }
    }

    #[test]
    fn each_category_has_exactly_one_recorder() {
        assert!(may_record(Role::AicRecorder, Category::Business));
        assert!(!may_record(Role::VillageRecorder, Category::Business));
        assert!(!may_record(Role::BranchStaff, Category::Business));
        assert!(may_record(Role::BranchStaff, Category::Association));
        assert!(may_record(Role::VillageRecorder, Category::Village));
        assert!(may_record(Role::VillageRecorder, Category::Residence));
        assert!(!may_record(Role::CountyAdmin, Category::Residence));
        for &c in Category::ALL {
            assert_eq!(recorder_of(c.recording_kind()), Some(c.recorder()));
        }
        assert_eq!(recorder_of(OrgKind::Township), None);
    }

    #[test]
    fn dates_scores_and_codes() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert!(check_recorded_on(today, today).is_ok());
        assert_eq!(
            check_recorded_on(today.succ_opt().unwrap(), today)
                .unwrap_err()
                .code,
            "date_in_future"
        );
        assert!(check_recorded_on(NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(), today).is_err());
        assert!(check_score(-100).is_ok() && check_score(100).is_ok());
        assert!(check_score(101).is_err() && check_score(-101).is_err());
        assert_eq!(
            next_code(
                Category::Business,
                &["B01".into(), "B05".into(), "A07".into()]
            ),
            "B06"
        );
        assert_eq!(next_code(Category::Residence, &[]), "R01");
        assert!(check_text("content", " 两行\n内容 ", 10, true).is_ok());
        assert!(check_text("name", "两行\n内容", 10, false).is_err());
        assert!(check_text("name", "   ", 10, false).is_err());
    }
}
