//! A member's profile time line: what every workflow recorded about them, on one line in date
//! order. Each workflow contributes entries through a `timeline(tx, member_id)` function of its
//! own; this module gathers them and serves `GET /members/:id/timeline`.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};

use crate::AppState;
use crate::api::{PageRequest, path_id};
use crate::auth::{Auth, Principal};
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, AppResult};
use crate::handler::Call;
use crate::members::{repo as members, status};
use crate::org::scope;

pub mod entry;
pub use entry::TimelineEntry;

#[derive(Tags)]
enum ApiTags {
    /// 党员档案时间线 / A member's profile time line
    Timeline,
}

pub struct TimelineApi {
    pub state: AppState,
}

/// The member's status changes (转正, 停歇业, 外出经营, 组织关系转接) as time-line entries.
fn status_entries(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let page = PageRequest {
        limit: 10_000,
        after: None,
    };
    let rows = status::history(tx, member_id, &page)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let title = match r.change.as_str() {
                "membership_status" => "党员身份变更（转正）",
                "business_status" => "经营状态变更",
                "away" => "外出经营",
                "returned" => "外出经营返回",
                "transfer_in" => "组织关系转入",
                "transfer_out" => "组织关系转出",
                _ => "状态变更",
            };
            TimelineEntry {
                on: r.effective_on,
                source: "status".to_owned(),
                kind: r.change.clone(),
                title: title.to_owned(),
                detail: Some(match &r.reason {
                    Some(reason) => format!("{} → {}（{reason}）", r.from_value, r.to_value),
                    None => format!("{} → {}", r.from_value, r.to_value),
                }),
                org_unit_id: None,
                ref_id: r.id,
            }
        })
        .collect())
}

/// Everything on a member's time line, newest first.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let mut all = status_entries(tx, member_id)?;
    // Each workflow adds its entries here.
    all.extend(super::records::timeline(tx, member_id)?);
    all.extend(super::reporting::timeline(tx, member_id)?);
    all.extend(super::feedback::timeline(tx, member_id)?);
    all.extend(super::floating::timeline(tx, member_id)?);
    all.extend(super::centres::timeline(tx, member_id)?);
    all.extend(super::activities::timeline(tx, member_id)?);
    all.extend(super::letters::timeline(tx, member_id)?);
    all.extend(super::registrations::timeline(tx, member_id)?);
    all.sort_by(|a, b| b.on.cmp(&a.on).then_with(|| b.ref_id.cmp(&a.ref_id)));
    Ok(all)
}

#[OpenApi(tag = "ApiTags::Timeline")]
impl TimelineApi {
    /// 党员档案时间线：报到、记实、反馈、流动党员管理与状态变更 / A member's time line
    ///
    /// One line, newest first, of what every workflow recorded about the member: two-way
    /// reporting, performance records, feedback received, floating-member management, requests
    /// at a service centre, status changes. Scoped like the member (404 outside the caller's scope or county).
    #[oai(path = "/members/:id/timeline", method = "get")]
    async fn timeline(&self, auth: Auth, id: Path<String>) -> AppResult<Json<Vec<TimelineEntry>>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let out = call
            .read(move |tx, who: &Principal| {
                let row = members::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                if !members::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                timeline(tx, &id)
            })
            .await?;
        Ok(Json(out))
    }
}
