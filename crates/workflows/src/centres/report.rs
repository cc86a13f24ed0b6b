//! The centre's yearly report on requests (情况通报制, seed 002 附件4 二: 定期汇总分析服务中心的
//! 工作情况 … 并及时向协会党委报告): per centre, requests received in the year by category, how
//! they were answered (at once, on time, late, still open), extensions and satisfaction at the
//! follow-up; and the activities held in the year, trainings among them, and attendance. The
//! figures are plain functions of the year's requests and activities, so tests reach them
//! without HTTP.

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::model::{self, RequestCategory, RequestState, Satisfaction};
use super::repo::RequestRow;
use crate::activities::model::Tally;
use crate::documents::{Block, Document};
use crate::enums::StrEnum;

#[derive(Debug, Clone, Default, PartialEq, Eq, Object, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category: String,
    pub label: String,
    pub count: i64,
}

/// One centre's year.
#[derive(Debug, Clone, Default, PartialEq, Object, Serialize, Deserialize)]
pub struct CentreFigures {
    pub centre_id: String,
    pub centre_name: String,
    /// Requests received in the year.
    pub received: i64,
    pub by_category: Vec<CategoryCount>,
    /// Answered at once, without escalation.
    pub answered_at_once: i64,
    /// Escalated to the director (on the 7-working-day clock).
    pub escalated: i64,
    /// Escalated and answered on or before the due day (extensions included).
    pub answered_on_time: i64,
    /// Escalated and answered after the due day.
    pub answered_late: i64,
    /// Not answered yet.
    pub open: i64,
    /// Not answered and past the due day on the report's day.
    pub open_overdue: i64,
    /// On-time share of the escalated requests answered, in per cent (one decimal); `None`
    /// when none was answered.
    #[oai(skip_serializing_if_is_none)]
    pub on_time_rate: Option<f64>,
    /// Requests extended at least once, and extensions granted in all.
    pub extended_requests: i64,
    pub extensions: i64,
    pub major: i64,
    pub followed_up: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub dissatisfied: i64,
    pub archived: i64,
    /// Activities held in the year (attendance recorded), trainings among them, and those
    /// called off.
    pub activities_held: i64,
    pub trainings_held: i64,
    pub activities_cancelled: i64,
    /// Attendance at the activities held: present, absent, excused.
    pub attended: i64,
    pub absent: i64,
    pub excused: i64,
    /// Present over those expected (the excused are not), in per cent (one decimal); `None`
    /// when no attendance was recorded.
    #[oai(skip_serializing_if_is_none)]
    pub attendance_rate: Option<f64>,
}

/// One of the year's activities, as the report counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityYear {
    pub held: bool,
    pub cancelled: bool,
    pub training: bool,
    pub tally: Tally,
}

/// Adds the year's activities to a centre's figures.
pub fn add_activities(f: &mut CentreFigures, activities: &[ActivityYear]) {
    let mut all = Tally::default();
    for a in activities {
        f.activities_cancelled += i64::from(a.cancelled);
        if !a.held {
            continue;
        }
        f.activities_held += 1;
        f.trainings_held += i64::from(a.training);
        all.present += a.tally.present;
        all.absent += a.tally.absent;
        all.excused += a.tally.excused;
        all.invited += a.tally.invited;
    }
    f.attended = all.present;
    f.absent = all.absent;
    f.excused = all.excused;
    // A roster line of a held activity left unrecorded was expected and is not present.
    let expected = all.present + all.absent + all.invited;
    f.attendance_rate =
        (expected > 0).then(|| (all.present as f64 * 1000.0 / expected as f64).round() / 10.0);
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RequestReport {
    pub year: i32,
    /// The day open requests were judged on (today, or 31 December for a past year).
    pub as_of: NaiveDate,
    pub centres: Vec<CentreFigures>,
}

/// The figures of one centre's requests received in the year, judged on `as_of`.
pub fn summarise(
    centre_id: &str,
    centre_name: &str,
    rows: &[RequestRow],
    as_of: NaiveDate,
) -> CentreFigures {
    let mut f = CentreFigures {
        centre_id: centre_id.to_owned(),
        centre_name: centre_name.to_owned(),
        ..CentreFigures::default()
    };
    f.by_category = RequestCategory::ALL
        .iter()
        .map(|c| CategoryCount {
            category: c.as_str().to_owned(),
            label: c.label_zh().to_owned(),
            count: rows.iter().filter(|r| r.category == c.as_str()).count() as i64,
        })
        .collect();
    for r in rows {
        f.received += 1;
        let escalated = r.escalated_on.is_some();
        match (escalated, r.answered_on) {
            (false, Some(_)) => f.answered_at_once += 1,
            (true, Some(a)) if model::overdue(r.due_on, Some(a), a) => f.answered_late += 1,
            (true, Some(_)) => f.answered_on_time += 1,
            (_, None) => {
                f.open += 1;
                if model::overdue(r.due_on, None, as_of) {
                    f.open_overdue += 1;
                }
            }
        }
        f.escalated += i64::from(escalated);
        f.extended_requests += i64::from(r.extensions > 0);
        f.extensions += i64::from(r.extensions);
        f.major += i64::from(r.major);
        if r.followed_up_on.is_some() {
            f.followed_up += 1;
        }
        match r.satisfaction.as_deref().and_then(Satisfaction::parse) {
            Some(Satisfaction::Satisfied) => f.satisfied += 1,
            Some(Satisfaction::BasicallySatisfied) => f.basically_satisfied += 1,
            Some(Satisfaction::Dissatisfied) => f.dissatisfied += 1,
            None => {}
        }
        f.archived += i64::from(r.state == RequestState::Archived.as_str());
    }
    let answered = f.answered_on_time + f.answered_late;
    f.on_time_rate = (answered > 0)
        .then(|| (f.answered_on_time as f64 * 1000.0 / answered as f64).round() / 10.0);
    f
}

/// The printable report: one row per centre.
pub fn document(r: &RequestReport, county: &str, printed_by: &str, today: NaiveDate) -> Document {
    let rate = |v: Option<f64>| {
        v.map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "—".to_owned())
    };
    let mut headers = vec!["服务中心".to_owned(), "受理".to_owned()];
    headers.extend(RequestCategory::ALL.iter().map(|c| c.label_zh().to_owned()));
    headers.extend(
        [
            "即时答复",
            "转办",
            "按期办结",
            "超期办结",
            "未办结",
            "其中超期",
            "按期率",
            "延期",
            "回访",
            "满意",
            "基本满意",
            "不满意",
        ]
        .map(str::to_owned),
    );
    let rows = r
        .centres
        .iter()
        .map(|c| {
            let mut row = vec![c.centre_name.clone(), c.received.to_string()];
            row.extend(c.by_category.iter().map(|k| k.count.to_string()));
            row.extend([
                c.answered_at_once.to_string(),
                c.escalated.to_string(),
                c.answered_on_time.to_string(),
                c.answered_late.to_string(),
                c.open.to_string(),
                c.open_overdue.to_string(),
                rate(c.on_time_rate),
                c.extensions.to_string(),
                c.followed_up.to_string(),
                c.satisfied.to_string(),
                c.basically_satisfied.to_string(),
                c.dissatisfied.to_string(),
            ]);
            row
        })
        .collect();
    let activity_rows = r
        .centres
        .iter()
        .map(|c| {
            vec![
                c.centre_name.clone(),
                c.activities_held.to_string(),
                c.trainings_held.to_string(),
                c.activities_cancelled.to_string(),
                c.attended.to_string(),
                c.absent.to_string(),
                c.excused.to_string(),
                rate(c.attendance_rate),
            ]
        })
        .collect();
    Document {
        title: format!(
            "{county}区域性党员服务中心{}年度党员诉求办理情况通报",
            r.year
        ),
        subtitle: Some("（含党员活动开展情况，报协会党委）".to_owned()),
        meta: vec![("统计截至".to_owned(), r.as_of.to_string())],
        blocks: vec![
            Block::Table {
                caption: Some("党员诉求受理、办理及回访情况".to_owned()),
                headers,
                rows,
            },
            Block::Table {
                caption: Some("党员活动开展及出勤情况".to_owned()),
                headers: [
                    "服务中心",
                    "举办活动",
                    "其中培训",
                    "取消",
                    "出席人次",
                    "缺席人次",
                    "请假人次",
                    "出勤率",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: activity_rows,
            },
        ],
        signatures: vec!["填报人：".to_owned(), "审核人：".to_owned()],
        stamp: format!("双联平台根据受理记录生成 · {printed_by} · {today}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(
        category: &str,
        escalated: Option<NaiveDate>,
        due: Option<NaiveDate>,
        answered: Option<NaiveDate>,
    ) -> RequestRow {
        RequestRow {
            tenant_id: "t".into(),
            id: format!("{category}{due:?}{answered:?}"),
            centre_id: "c".into(),
            member_id: "m".into(),
            channel: "phone".into(),
            category: category.into(),
            major: false,
            content: "x".into(),
            received_on: d(2026, 2, 12),
            first_responder_id: "u".into(),
            owner_id: "u".into(),
            state: if answered.is_some() {
                "answered"
            } else {
                "escalated"
            }
            .into(),
            escalated_on: escalated,
            due_on: due,
            extensions: 0,
            answer: None,
            answer_method: None,
            answered_on: answered,
            follow_up_method: None,
            followed_up_on: None,
            follow_up_opinion: None,
            satisfaction: None,
            archived_on: None,
            archive_reference: None,
            version: 1,
            created_at: NaiveDateTime::default(),
            updated_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn on_time_late_open_and_at_once_are_counted_apart() {
        let e = Some(d(2026, 2, 12));
        let due = Some(d(2026, 2, 28));
        let mut extended = row("rights", e, Some(d(2026, 3, 6)), Some(d(2026, 3, 4)));
        extended.extensions = 2;
        extended.major = true;
        extended.followed_up_on = Some(d(2026, 3, 10));
        extended.satisfaction = Some("satisfied".into());
        extended.state = "archived".into();
        let rows = vec![
            // On the due day itself is on time; the day after is late.
            row("rights", e, due, Some(d(2026, 2, 28))),
            row("legal_aid", e, due, Some(d(2026, 3, 1))),
            extended,
            row("consultation", None, None, Some(d(2026, 2, 12))),
            row("hardship", e, due, None),
            row("other", e, Some(d(2026, 12, 31)), None),
        ];
        let f = summarise("c", "递铺", &rows, d(2026, 12, 7));
        assert_eq!(f.received, 6);
        assert_eq!((f.answered_at_once, f.escalated), (1, 5));
        assert_eq!((f.answered_on_time, f.answered_late), (2, 1));
        assert_eq!((f.open, f.open_overdue), (2, 1));
        assert_eq!(f.on_time_rate, Some(66.7));
        assert_eq!((f.extended_requests, f.extensions), (1, 2));
        assert_eq!(
            (f.major, f.followed_up, f.satisfied, f.archived),
            (1, 1, 1, 1)
        );
        let rights = f
            .by_category
            .iter()
            .find(|c| c.category == "rights")
            .unwrap();
        assert_eq!(rights.count, 2);
        assert_eq!(f.by_category.iter().map(|c| c.count).sum::<i64>(), 6);
        // Nothing answered after escalation: no rate rather than 0 % or 100 %.
        let f = summarise("c", "递铺", &rows[3..], d(2026, 12, 7));
        assert_eq!(f.on_time_rate, None);
        let doc = document(
            &RequestReport {
                year: 2026,
                as_of: d(2026, 12, 7),
                centres: vec![summarise("c", "递铺", &rows, d(2026, 12, 7))],
            },
            "安吉县",
            "测试",
            d(2026, 12, 7),
        );
        assert!(doc.title.contains("2026年度党员诉求办理情况通报"));
    }

    #[test]
    fn activities_held_count_attendance_and_trainings() {
        let t = |present, absent, excused, invited| Tally {
            invited,
            present,
            absent,
            excused,
        };
        let mut f = CentreFigures::default();
        add_activities(
            &mut f,
            &[
                ActivityYear {
                    held: true,
                    cancelled: false,
                    training: true,
                    tally: t(8, 1, 1, 0),
                },
                // A line never recorded counts as expected and not present.
                ActivityYear {
                    held: true,
                    cancelled: false,
                    training: false,
                    tally: t(4, 1, 0, 1),
                },
                // Notified, not held yet: not counted; a cancelled one is counted apart.
                ActivityYear {
                    held: false,
                    cancelled: false,
                    training: true,
                    tally: t(0, 0, 0, 30),
                },
                ActivityYear {
                    held: false,
                    cancelled: true,
                    training: false,
                    tally: t(0, 0, 0, 5),
                },
            ],
        );
        assert_eq!(
            (f.activities_held, f.trainings_held, f.activities_cancelled),
            (2, 1, 1)
        );
        assert_eq!((f.attended, f.absent, f.excused), (12, 2, 1));
        // 12 present of 12 + 2 absent + 1 never recorded.
        assert_eq!(f.attendance_rate, Some(80.0));
        let mut none = CentreFigures::default();
        add_activities(&mut none, &[]);
        assert_eq!((none.activities_held, none.attendance_rate), (0, None));
    }
}
