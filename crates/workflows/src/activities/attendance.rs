//! An activity's roster and attendance, and a member's yearly participation record (the
//! December letters state it; the evaluations count its trainings).

use std::collections::HashSet;

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::api::{ActivityResponse, ApiTags, visible_activity};
use super::model::{self, Action, AttendanceStatus, CentreActivityKind, Tally};
use super::repo;
use super::steps::{ActivityStepsApi, Done};
use super::view::ActivityRosterCounts;
use crate::AppState;
use crate::api::{JsonBody, PageLimit, PageRequest, path_id};
use crate::auth::{Auth, Principal};
use crate::centres::api::region;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError};
use crate::floating::api::opt_text;
use crate::handler::Call;
use crate::org::scope;

/// The most lines one attendance request records.
pub const ENTRIES_MAX: usize = 500;

pub struct AttendanceApi {
    pub state: AppState,
}

/// One member on the roster.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ActivityRosterEntry {
    pub member_id: String,
    pub name: String,
    pub business_name: String,
    pub status: AttendanceStatus,
    pub status_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    /// The activity notice's SMS to this member: `pending`, `sent` or `dead`; none when no SMS
    /// was made (no consent to SMS notices, no mobile number, or SMS not set up).
    #[oai(skip_serializing_if_is_none)]
    pub sms: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ActivityRosterPage {
    pub items: Vec<ActivityRosterEntry>,
    pub counts: ActivityRosterCounts,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AttendanceLine {
    pub member_id: String,
    /// `present`, `absent` or `excused`.
    pub status: AttendanceStatus,
    /// E.g. why excused (up to 200 characters).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RecordAttendanceRequest {
    /// 1–500 lines; a member of the centre's region who is not on the roster (came without
    /// notice) is added to it.
    pub entries: Vec<AttendanceLine>,
}

/// One activity in a member's participation record.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ParticipationLine {
    pub activity_id: String,
    pub theme: String,
    pub kind: CentreActivityKind,
    pub kind_label: String,
    pub training: bool,
    pub held_on: NaiveDate,
    pub centre_id: String,
    pub status: AttendanceStatus,
    pub status_label: String,
}

/// 党员年度参加活动情况 / A member's activities in a year.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct Participation {
    pub member_id: String,
    pub year: i32,
    pub invited: i64,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    /// Trainings attended (present): the evaluations' training rates count these.
    pub trainings_attended: i64,
    pub activities: Vec<ParticipationLine>,
}

/// A member's participation in `year`, from the rosters of activities held in it (cancelled
/// activities do not count).
pub fn participation(
    tx: &mut crate::db::TenantTx<'_>,
    member_id: &str,
    year: i32,
) -> crate::db::DbResult<Participation> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let mut tally = Tally::default();
    let mut trainings = 0;
    let mut activities = Vec::new();
    for (a, status, _) in repo::of_member(tx, member_id, from, to)? {
        if a.state == "cancelled" {
            continue;
        }
        let status = AttendanceStatus::parse(&status).unwrap_or(AttendanceStatus::Invited);
        let kind = CentreActivityKind::parse(&a.kind).unwrap_or(CentreActivityKind::Other);
        tally.add(status, 1);
        if kind == CentreActivityKind::Training && status == AttendanceStatus::Present {
            trainings += 1;
        }
        activities.push(ParticipationLine {
            activity_id: a.id,
            theme: a.theme,
            kind,
            kind_label: kind.label_zh().to_owned(),
            training: kind == CentreActivityKind::Training,
            held_on: a.held_on,
            centre_id: a.centre_id,
            status,
            status_label: status.label_zh().to_owned(),
        });
    }
    Ok(Participation {
        member_id: member_id.to_owned(),
        year,
        invited: tally.invited,
        present: tally.present,
        absent: tally.absent,
        excused: tally.excused,
        trainings_attended: trainings,
        activities,
    })
}

fn line_error(i: usize, field: &str, code: &str, zh: &str, en: &str) -> FieldError {
    let f = format!("entries[{i}].{field}");
    FieldError::new(&f, code, format!("{f}：{zh}"), format!("{f}: {en}"))
}

#[OpenApi(tag = "ApiTags::Activities")]
impl AttendanceApi {
    /// 参加人员名单 / The roster with attendance and each member's SMS notice status
    #[oai(path = "/activities/:id/attendance", method = "get")]
    async fn roster(
        &self,
        auth: Auth,
        id: Path<String>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<ActivityRosterPage>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let out = call
            .read(move |tx, who: &Principal| {
                let (r, _) = visible_activity(tx, who, &id)?;
                let rows = repo::roster(tx, &r.id, &page)?;
                let (rows, next_cursor) = page.finish(rows, |l| &l.member_id);
                let ids: Vec<String> = rows.iter().map(|l| l.member_id.clone()).collect();
                let sms = repo::sms_status(tx, &r.id, &ids)?;
                let counts = repo::tallies(tx, std::slice::from_ref(&r.id))?
                    .remove(&r.id)
                    .unwrap_or_default();
                let items = rows
                    .into_iter()
                    .map(|l| {
                        let status =
                            AttendanceStatus::parse(&l.status).unwrap_or(AttendanceStatus::Invited);
                        ActivityRosterEntry {
                            sms: sms.get(&l.member_id).cloned(),
                            member_id: l.member_id,
                            name: l.name,
                            business_name: l.business_name,
                            status,
                            status_label: status.label_zh().to_owned(),
                            note: l.note,
                        }
                    })
                    .collect();
                Ok(ActivityRosterPage {
                    items,
                    counts: counts.into(),
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 记录出勤 / Record attendance: present, absent or excused (the centre's staff)
    ///
    /// From the activity's day on (409 `activity_not_yet_held` before it); the activity is then
    /// held. Lines may be corrected later the same way (audited).
    #[oai(path = "/activities/:id/attendance", method = "put")]
    async fn record(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RecordAttendanceRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        super::api::role_may(&auth.0, Action::RecordAttendance)?;
        let entries = body.0.entries;
        if entries.is_empty() || entries.len() > ENTRIES_MAX {
            return Err(AppError::field(
                "entries",
                "invalid_length",
                format!("entries：应为1到{ENTRIES_MAX}行"),
                format!("entries: 1 to {ENTRIES_MAX} lines"),
            ));
        }
        let mut errs = Vec::new();
        let mut seen = HashSet::new();
        let mut lines = Vec::with_capacity(entries.len());
        for (i, e) in entries.into_iter().enumerate() {
            let member = path_id(&e.member_id).ok();
            match &member {
                None => errs.push(line_error(
                    i,
                    "member_id",
                    "member_not_found",
                    "服务中心所在区域没有该党员",
                    "no such member in the centre's region",
                )),
                Some(m) if !seen.insert(m.clone()) => errs.push(line_error(
                    i,
                    "member_id",
                    "duplicate_member",
                    "同一党员重复出现",
                    "the member appears twice",
                )),
                Some(_) => {}
            }
            if e.status == AttendanceStatus::Invited {
                errs.push(line_error(
                    i,
                    "status",
                    "invalid_status",
                    "出勤应为出席、缺席或请假",
                    "attendance is present, absent or excused",
                ));
            }
            let note = match opt_text("note", e.note.as_deref(), 200).transpose() {
                Ok(n) => n,
                Err(_) => {
                    errs.push(line_error(
                        i,
                        "note",
                        "invalid_text",
                        "应为1到200个字符",
                        "1 to 200 characters",
                    ));
                    None
                }
            };
            lines.push((member.unwrap_or_default(), e.status, note));
        }
        if !errs.is_empty() {
            errs.truncate(50);
            return Err(AppError::validation(errs));
        }
        let steps = ActivityStepsApi {
            state: self.state.clone(),
        };
        steps
            .step(
                auth,
                id.0,
                if_match_h.0,
                Action::RecordAttendance,
                Box::new(move |tx, who, r, centre, _| {
                    model::may_record(r.held_on, crate::clock::today()).map_err(AppError::from)?;
                    let region = region(tx, centre)?;
                    let mut bad = Vec::new();
                    for (i, (member, _, _)) in lines.iter().enumerate() {
                        if repo::on_roster(tx, &r.id, member)? {
                            continue;
                        }
                        let in_region = match crate::members::repo::get(tx, member)? {
                            Some(m) => crate::members::repo::visible(tx, &region, &m)?,
                            None => false,
                        };
                        if !in_region {
                            bad.push(line_error(
                                i,
                                "member_id",
                                "member_not_found",
                                "服务中心所在区域没有该党员",
                                "no such member in the centre's region",
                            ));
                        }
                    }
                    if !bad.is_empty() {
                        bad.truncate(50);
                        return Err(AppError::validation(bad).into());
                    }
                    let mut t = Tally::default();
                    for (member, status, note) in &lines {
                        repo::set_attendance(
                            tx,
                            &r.id,
                            member,
                            *status,
                            note.as_deref(),
                            &who.user_id,
                        )?;
                        t.add(*status, 1);
                    }
                    Ok(Done {
                        kind: "attendance",
                        detail: Some(format!(
                            "出席{}人，缺席{}人，请假{}人",
                            t.present, t.absent, t.excused
                        )),
                        audit: serde_json::json!({ "present": t.present, "absent": t.absent,
                            "excused": t.excused }),
                    })
                }),
            )
            .await
    }

    /// 党员年度参加活动情况 / A member's activities and attendance in a year
    #[oai(path = "/members/:id/participation", method = "get")]
    async fn participation(
        &self,
        auth: Auth,
        id: Path<String>,
        /// Default: this year.
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
    ) -> AppResult<Json<Participation>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let year = year
            .0
            .unwrap_or_else(|| chrono::Datelike::year(&crate::clock::today()));
        let out = call
            .read(move |tx, who: &Principal| {
                let m = crate::members::repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                if !crate::members::repo::visible(tx, &vis, &m)? {
                    return Err(AppError::not_found().into());
                }
                participation(tx, &id, year)
            })
            .await?;
        Ok(Json(out))
    }
}
