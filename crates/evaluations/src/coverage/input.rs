//! A survey row and a plan as typed or imported, checked field by field into what is stored:
//! plain functions, so the API and the spreadsheet import refuse the same things the same way.

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::model::{Body, Form, OrgSetup, OwnerIdentity, PlanStatus};
use crate::enums::StrEnum;
use crate::error::FieldError;

/// The largest count a survey column takes (people in one organisation).
pub const COUNT_MAX: i64 = 100_000;

/// 调查摸底表 (seed 004 attachment 1): one organisation's row.
#[derive(Debug, Clone, Object, Deserialize, Serialize, PartialEq)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
#[oai(rename = "CoverageSurveyRequest")]
pub struct SurveyRequest {
    /// 员工人数 (0–100000)
    pub employees: i64,
    /// 正式党员人数
    pub party_full: i64,
    /// 预备党员人数
    pub party_probationary: i64,
    /// 团员人数
    pub league_members: i64,
    /// 党组织设置
    pub party_org: OrgSetup,
    /// 团组织设置
    pub league_org: OrgSetup,
    /// 已选派党建指导员
    pub instructor: bool,
    /// 业主身份
    pub owner_identity: OwnerIdentity,
    /// 管理关系, e.g. 属地乡镇党委 (up to 100 characters).
    pub management: Option<String>,
    /// 党（团）组织开展活动
    pub activities: bool,
    /// 有活动场地
    pub venue: bool,
    /// Default today; from the campaign's start, not in the future.
    pub surveyed_on: Option<NaiveDate>,
}

/// A survey as checked: the stored values but the surveyor.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    pub employees: i32,
    pub party_full: i32,
    pub party_probationary: i32,
    pub league_members: i32,
    pub party_org: OrgSetup,
    pub league_org: OrgSetup,
    pub instructor: bool,
    pub owner_identity: OwnerIdentity,
    pub management: Option<String>,
    pub activities: bool,
    pub venue: bool,
    pub surveyed_on: NaiveDate,
}

fn count(field: &str, v: i64, errs: &mut Vec<FieldError>) -> i32 {
    if (0..=COUNT_MAX).contains(&v) {
        v as i32
    } else {
        errs.push(FieldError::new(
            field,
            "out_of_range",
            format!("{field}：人数应在0到{COUNT_MAX}之间"),
            format!("{field}: 0 to {COUNT_MAX}"),
        ));
        0
    }
}

/// A day between the campaign's start and today, else an error naming `field`.
pub fn day_in(
    field: &str,
    d: NaiveDate,
    starts_on: NaiveDate,
    today: NaiveDate,
    errs: &mut Vec<FieldError>,
) {
    if d > today {
        errs.push(FieldError::new(
            field,
            "date_in_future",
            format!("{field}：日期不能晚于今天"),
            format!("{field}: not in the future"),
        ));
    } else if d < starts_on {
        errs.push(FieldError::new(
            field,
            "before_campaign",
            format!("{field}：日期不能早于行动开始日期（{starts_on}）"),
            format!("{field}: not before the campaign's start ({starts_on})"),
        ));
    }
}

pub fn survey(
    r: &SurveyRequest,
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Result<Survey, Vec<FieldError>> {
    let mut errs = Vec::new();
    let employees = count("employees", r.employees, &mut errs);
    let party_full = count("party_full", r.party_full, &mut errs);
    let party_probationary = count("party_probationary", r.party_probationary, &mut errs);
    let league_members = count("league_members", r.league_members, &mut errs);
    let management = crate::optional_text("management", r.management.as_deref(), 100, &mut errs);
    let on = r.surveyed_on.unwrap_or(today);
    day_in("surveyed_on", on, starts_on, today, &mut errs);
    // The owner is counted among the organisation's members of the body they belong to.
    let owner_short = match r.owner_identity {
        OwnerIdentity::PartyMember => (party_full + party_probationary == 0).then_some((
            "业主为党员时，党员人数至少为1",
            "a party member owner is a party member",
        )),
        OwnerIdentity::LeagueMember => (league_members == 0).then_some((
            "业主为团员时，团员人数至少为1",
            "a League member owner is a League member",
        )),
        OwnerIdentity::Masses => None,
    };
    if let Some((zh, en)) = owner_short {
        errs.push(FieldError::new(
            "owner_identity",
            "owner_not_counted",
            format!("owner_identity：{zh}"),
            format!("owner_identity: {en}"),
        ));
    }
    if r.party_org != OrgSetup::None && party_full + party_probationary == 0 {
        errs.push(FieldError::new(
            "party_org",
            "organisation_without_members",
            "party_org：没有党员的经营主体不能填写已建党组织",
            "party_org: an organisation without party members has no party organisation",
        ));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Survey {
        employees,
        party_full,
        party_probationary,
        league_members,
        party_org: r.party_org,
        league_org: r.league_org,
        instructor: r.instructor,
        owner_identity: r.owner_identity,
        management,
        activities: r.activities,
        venue: r.venue,
        surveyed_on: on,
    })
}

/// 组建计划.
#[derive(Debug, Clone, Object, Deserialize, Serialize, PartialEq)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
#[oai(rename = "CoveragePlanRequest")]
pub struct PlanRequest {
    pub form: Form,
    /// The unit responsible (a township, a branch, an AIC office, …).
    pub owner_unit_id: String,
    /// 责任人 (1–50 characters).
    pub owner_name: String,
    pub status: PlanStatus,
    /// 计划完成日期; from the campaign's start.
    pub target_on: Option<NaiveDate>,
    /// 组建日期: required when established, and only then; not in the future.
    pub done_on: Option<NaiveDate>,
    /// Up to 500 characters.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub form: Form,
    pub owner_name: String,
    pub status: PlanStatus,
    pub target_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Checks a plan against the campaign and, for a standalone organisation, the survey's full
/// members of the body (seed 004: 3 full members or more form their own).
pub fn plan(
    r: &PlanRequest,
    body: Body,
    full: u32,
    starts_on: NaiveDate,
    today: NaiveDate,
) -> Result<Plan, Vec<FieldError>> {
    let mut errs = Vec::new();
    let owner_name = r.owner_name.trim().to_owned();
    if owner_name.is_empty() || owner_name.chars().count() > 50 {
        errs.push(FieldError::new(
            "owner_name",
            "invalid_length",
            "owner_name：责任人为1到50个字",
            "owner_name: 1 to 50 characters",
        ));
    }
    if r.form == Form::Standalone && full < 3 {
        let member = match body {
            Body::Party => "党员",
            Body::League => "团员",
        };
        errs.push(FieldError::new(
            "form",
            "standalone_needs_three_full",
            format!("form：单独组建须有3名以上正式{member}（调查摸底表：正式{member}{full}名）"),
            format!("form: a standalone organisation needs 3 full members (the survey has {full})"),
        ));
    }
    if let Some(t) = r.target_on
        && t < starts_on
    {
        errs.push(FieldError::new(
            "target_on",
            "before_campaign",
            format!("target_on：日期不能早于行动开始日期（{starts_on}）"),
            format!("target_on: not before the campaign's start ({starts_on})"),
        ));
    }
    match (r.status, r.done_on) {
        (PlanStatus::Established, None) => errs.push(FieldError::new(
            "done_on",
            "required",
            "done_on：已组建的须填写组建日期",
            "done_on: required once established",
        )),
        (PlanStatus::Established, Some(d)) => day_in("done_on", d, starts_on, today, &mut errs),
        (s, Some(_)) => errs.push(FieldError::new(
            "done_on",
            "not_established",
            format!("done_on：状态为“{}”时不填写组建日期", s.label_zh()),
            format!("done_on: only when established (status is {})", s.as_str()),
        )),
        (_, None) => {}
    }
    let note = crate::optional_text("note", r.note.as_deref(), 500, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Plan {
        form: r.form,
        owner_name,
        status: r.status,
        target_on: r.target_on,
        done_on: r.done_on,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn row() -> SurveyRequest {
        SurveyRequest {
            employees: 12,
            party_full: 2,
            party_probationary: 1,
            league_members: 0,
            party_org: OrgSetup::None,
            league_org: OrgSetup::None,
            instructor: false,
            owner_identity: OwnerIdentity::PartyMember,
            management: Some(" 属地乡镇党委 ".to_owned()),
            activities: false,
            venue: true,
            surveyed_on: None,
        }
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_survey_row_is_checked_field_by_field() {
        let s = survey(&row(), d(1), d(20)).unwrap();
        assert_eq!(s.surveyed_on, d(20));
        assert_eq!(s.management.as_deref(), Some("属地乡镇党委"));
        let bad = SurveyRequest {
            employees: -1,
            league_members: COUNT_MAX + 1,
            owner_identity: OwnerIdentity::LeagueMember,
            surveyed_on: Some(d(21)),
            ..row()
        };
        let e = codes(survey(&bad, d(1), d(20)).unwrap_err());
        assert!(
            e.contains(&("employees".into(), "out_of_range".into())),
            "{e:?}"
        );
        assert!(e.contains(&("league_members".into(), "out_of_range".into())));
        assert!(e.contains(&("surveyed_on".into(), "date_in_future".into())));
        let early = SurveyRequest {
            surveyed_on: Some(d(1).pred_opt().unwrap()),
            party_full: 0,
            party_probationary: 0,
            party_org: OrgSetup::Joint,
            ..row()
        };
        let e = codes(survey(&early, d(1), d(20)).unwrap_err());
        assert_eq!(
            e,
            vec![
                ("surveyed_on".into(), "before_campaign".into()),
                ("owner_identity".into(), "owner_not_counted".into()),
                ("party_org".into(), "organisation_without_members".into()),
            ]
        );
    }

    fn plan_req(form: Form, status: PlanStatus, done_on: Option<NaiveDate>) -> PlanRequest {
        PlanRequest {
            form,
            owner_unit_id: "u".into(),
            owner_name: "王主任".into(),
            status,
            target_on: None,
            done_on,
            note: None,
        }
    }

    #[test]
    fn standalone_needs_three_full_members_and_established_needs_its_date() {
        let p = plan_req(Form::Standalone, PlanStatus::Planned, None);
        assert!(plan(&p, Body::Party, 3, d(1), d(20)).is_ok());
        let e = codes(plan(&p, Body::Party, 2, d(1), d(20)).unwrap_err());
        assert_eq!(
            e,
            vec![("form".into(), "standalone_needs_three_full".into())]
        );
        let e = plan(&p, Body::League, 1, d(1), d(20)).unwrap_err();
        assert!(e[0].message.contains("正式团员1名"), "{:?}", e[0]);
        let done = plan_req(Form::Joint, PlanStatus::Established, None);
        assert_eq!(
            codes(plan(&done, Body::Party, 1, d(1), d(20)).unwrap_err()),
            vec![("done_on".into(), "required".into())]
        );
        let early = plan_req(Form::Joint, PlanStatus::InProgress, Some(d(5)));
        assert_eq!(
            codes(plan(&early, Body::Party, 1, d(1), d(20)).unwrap_err()),
            vec![("done_on".into(), "not_established".into())]
        );
        let ok = plan_req(Form::Joint, PlanStatus::Established, Some(d(20)));
        assert_eq!(
            plan(&ok, Body::Party, 1, d(1), d(20)).unwrap().done_on,
            Some(d(20))
        );
    }
}
