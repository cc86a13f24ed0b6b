//! A 30 December letter (函告, seed 002 附件3 三 4): what it states about a member's year,
//! generated from what is recorded, and the rules of a batch, as plain functions.

use chrono::{Datelike, NaiveDate};

use crate::centres::model::{Refused, str_enum};

str_enum! {
    /// Where a centre's batch of letters stands.
    pub enum LetterBatchState {
        /// 草稿: generated, can be generated again.
        Draft => "待寄发",
        /// 已寄发: the `participation_letters` deadline is met; receipts are tracked.
        Sent => "已寄发",
    }
}

/// A member's year as the letter states it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearFacts {
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    /// Roster lines of held activities left unrecorded.
    pub unrecorded: i64,
    pub trainings: i64,
    /// Themes of the activities attended, oldest first.
    pub attended: Vec<String>,
    /// 正常经营 / 停歇业 / 已注销
    pub business_status: &'static str,
    /// The year's records of lawful operation: day, catalogue item, content.
    pub operation: Vec<(NaiveDate, String, String)>,
    /// The year's credit records (信用评定 …): day, catalogue item, content.
    pub credit: Vec<(NaiveDate, String, String)>,
}

/// How many activities, records a statement names one by one; more are counted.
const LISTED: usize = 5;
/// A record's content as quoted, in characters.
const QUOTED: usize = 60;

fn quote(s: &str) -> String {
    let t: String = s.chars().take(QUOTED).collect();
    if s.chars().count() > QUOTED {
        format!("{t}…")
    } else {
        t
    }
}

fn records(list: &[(NaiveDate, String, String)]) -> String {
    let mut parts: Vec<String> = list
        .iter()
        .take(LISTED)
        .map(|(d, item, content)| {
            format!("{}月{}日{}：{}", d.month(), d.day(), item, quote(content))
        })
        .collect();
    if list.len() > LISTED {
        parts.push(format!("等{}条", list.len()));
    }
    parts.join("；")
}

/// 参加活动情况.
pub fn activities_text(f: &YearFacts) -> String {
    let total = f.present + f.absent + f.excused + f.unrecorded;
    if total == 0 {
        return "本年度未参加服务中心组织的活动。".to_owned();
    }
    let unrecorded = if f.unrecorded > 0 {
        format!("、未记录出勤{}次", f.unrecorded)
    } else {
        String::new()
    };
    let mut s = format!(
        "本年度服务中心通知其参加活动{total}次，出席{}次、请假{}次、缺席{}次{unrecorded}，其中参加培训{}次。",
        f.present, f.excused, f.absent, f.trainings
    );
    if !f.attended.is_empty() {
        let mut themes: Vec<String> = f
            .attended
            .iter()
            .take(LISTED)
            // A theme that quotes itself (“守诚信、亮身份”主题党日) is not quoted again.
            .map(|t| {
                if t.contains('“') {
                    quote(t)
                } else {
                    format!("“{}”", quote(t))
                }
            })
            .collect();
        if f.attended.len() > LISTED {
            themes.push(format!("等{}项", f.attended.len()));
        }
        s.push_str(&format!("参加的活动有：{}。", themes.join("、")));
    }
    s
}

/// 依法经营情况.
pub fn operation_text(f: &YearFacts) -> String {
    let mut s = format!("经营状态：{}。", f.business_status);
    if f.operation.is_empty() {
        s.push_str("本年度无生产经营方面的记实记录。");
    } else {
        s.push_str(&format!("本年度记实：{}。", records(&f.operation)));
    }
    s
}

/// 信用记录.
pub fn credit_text(f: &YearFacts) -> String {
    if f.credit.is_empty() {
        "本年度无信用评定记录。".to_owned()
    } else {
        format!("{}。", records(&f.credit))
    }
}

/// Whether a performance record's catalogue item is about credit (信用评定 and any item a
/// county names so); the other business items are about lawful operation.
pub fn is_credit_item(name: &str) -> bool {
    name.contains("信用")
}

const SENT: Refused = Refused {
    code: "batch_sent",
    zh: "该批函件已寄发，不能重新生成或再次寄发",
    en: "The batch has been sent; it cannot be generated or sent again",
};
const NOT_SENT: Refused = Refused {
    code: "batch_not_sent",
    zh: "函件寄发后才能登记回执或催收",
    en: "Receipts and reminders are recorded once the batch is sent",
};
const RECEIVED: Refused = Refused {
    code: "receipt_recorded",
    zh: "该函的回执已收回",
    en: "This letter's receipt is already recorded",
};
const EMPTY: Refused = Refused {
    code: "batch_empty",
    zh: "该批没有函件，无需寄发",
    en: "The batch holds no letter to send",
};

/// Regenerating and sending need a draft; sending needs a letter.
pub fn may_change(state: LetterBatchState) -> Result<(), Refused> {
    match state {
        LetterBatchState::Draft => Ok(()),
        LetterBatchState::Sent => Err(SENT),
    }
}

pub fn may_send(state: LetterBatchState, letters: i32) -> Result<(), Refused> {
    may_change(state)?;
    if letters == 0 { Err(EMPTY) } else { Ok(()) }
}

/// A receipt or a reminder: the batch was sent and the receipt is not back yet.
pub fn may_follow_up(state: LetterBatchState, received: bool) -> Result<(), Refused> {
    match (state, received) {
        (LetterBatchState::Draft, _) => Err(NOT_SENT),
        (LetterBatchState::Sent, true) => Err(RECEIVED),
        (LetterBatchState::Sent, false) => Ok(()),
    }
}

/// A letter's number: the year and its place in the centre's batch.
pub fn letter_no(year: i32, seq: i32) -> String {
    format!("{year}-{seq:04}")
}

/// A batch states a year that has begun: this year's (as of the day it is generated, and it
/// can be generated again until sent) or a past one.
pub fn may_generate(year: i32, today: NaiveDate) -> bool {
    (2000..=today.year()).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<LetterBatchState>();
    }

    #[test]
    fn a_year_without_anything_says_so() {
        let f = YearFacts {
            business_status: "正常经营",
            ..YearFacts::default()
        };
        assert_eq!(activities_text(&f), "本年度未参加服务中心组织的活动。");
        assert_eq!(
            operation_text(&f),
            "经营状态：正常经营。本年度无生产经营方面的记实记录。"
        );
        assert_eq!(credit_text(&f), "本年度无信用评定记录。");
    }

    #[test]
    fn a_busy_year_is_counted_and_listed_up_to_five() {
        let f = YearFacts {
            present: 7,
            absent: 1,
            excused: 2,
            unrecorded: 0,
            trainings: 2,
            attended: (1..=7).map(|i| format!("活动{i}")).collect(),
            business_status: "停歇业",
            operation: vec![(d(3, 5), "守法诚信经营".into(), "x".repeat(70))],
            credit: vec![
                (d(6, 1), "信用评定".into(), "评为A级诚信经营户".into()),
                (d(9, 1), "信用评定".into(), "复评A级".into()),
            ],
        };
        assert_eq!(
            activities_text(&f),
            "本年度服务中心通知其参加活动10次，出席7次、请假2次、缺席1次，其中参加培训2次。\
             参加的活动有：“活动1”、“活动2”、“活动3”、“活动4”、“活动5”、等7项。"
        );
        let op = operation_text(&f);
        assert!(op.starts_with("经营状态：停歇业。本年度记实：3月5日守法诚信经营："));
        assert!(op.ends_with("…。"), "{op}");
        assert_eq!(
            credit_text(&f),
            "6月1日信用评定：评为A级诚信经营户；9月1日信用评定：复评A级。"
        );
        assert!(is_credit_item("信用评定"));
        assert!(!is_credit_item("守法诚信经营"));
    }

    #[test]
    fn unrecorded_lines_are_named_and_quoted_themes_not_quoted_again() {
        let f = YearFacts {
            present: 1,
            unrecorded: 2,
            attended: vec!["“守诚信、亮身份”主题党日".into()],
            ..YearFacts::default()
        };
        assert_eq!(
            activities_text(&f),
            "本年度服务中心通知其参加活动3次，出席1次、请假0次、缺席0次、未记录出勤2次，其中参加培训0次。\
             参加的活动有：“守诚信、亮身份”主题党日。"
        );
    }

    #[test]
    fn a_batch_is_sent_once_and_followed_up_after() {
        assert!(may_change(LetterBatchState::Draft).is_ok());
        assert_eq!(
            may_change(LetterBatchState::Sent).unwrap_err().code,
            "batch_sent"
        );
        assert_eq!(
            may_send(LetterBatchState::Draft, 0).unwrap_err().code,
            "batch_empty"
        );
        assert!(may_send(LetterBatchState::Draft, 3).is_ok());
        assert_eq!(
            may_send(LetterBatchState::Sent, 3).unwrap_err().code,
            "batch_sent"
        );
        assert_eq!(
            may_follow_up(LetterBatchState::Draft, false)
                .unwrap_err()
                .code,
            "batch_not_sent"
        );
        assert_eq!(
            may_follow_up(LetterBatchState::Sent, true)
                .unwrap_err()
                .code,
            "receipt_recorded"
        );
        assert!(may_follow_up(LetterBatchState::Sent, false).is_ok());
        assert_eq!(letter_no(2026, 7), "2026-0007");
    }

    #[test]
    fn letters_state_a_year_that_has_begun() {
        assert!(may_generate(2026, d(12, 1)));
        assert!(may_generate(2026, d(1, 1)));
        assert!(may_generate(2025, d(3, 1)));
        assert!(!may_generate(2027, d(12, 7)));
        assert!(!may_generate(1999, d(12, 7)));
    }
}
