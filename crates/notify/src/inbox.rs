//! /api/v1/me/inbox (a staff member's own notices), /api/v1/notifications/deliveries (delivery
//! status per message and the dead-letter list, with retry: county admin) and
//! /api/v1/notifications/qq-text (a day's notices as text for the QQ group's maintainer to
//! paste: QQ groups have no sending API we may use).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::AppState;
use crate::api_helpers::{PageLimit, PageRequest, parse_date, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::schema::{deliveries as d, members as m, org_units as ou, outbox as ob, users as u};
use crate::db::{Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::model::{Channel, DeliveryStatus};
use crate::notices::Topic;

use super::api::ApiTags;

pub struct InboxApi {
    pub state: AppState,
}

/// One notice in my inbox.
#[derive(Debug, Clone, Object)]
pub struct InboxItem {
    pub id: String,
    pub topic: Topic,
    pub subject: String,
    pub body: String,
    /// The obligation the notice is about.
    #[oai(skip_serializing_if_is_none)]
    pub obligation_id: Option<String>,
    /// The activity the notice is about.
    #[oai(skip_serializing_if_is_none)]
    pub activity_id: Option<String>,
    pub created_at: NaiveDateTime,
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Object)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub unread: i64,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// One delivery as the county admin sees it: no phone number, no message content beyond the
/// notice's subject.
#[derive(Debug, Clone, Object)]
pub struct DeliveryView {
    pub id: String,
    pub notice_id: String,
    pub channel: Channel,
    pub status: DeliveryStatus,
    /// The staff member or member (none for the webhook).
    #[oai(skip_serializing_if_is_none)]
    pub recipient_name: Option<String>,
    /// The member, for an activity's SMS to its audience.
    #[oai(skip_serializing_if_is_none)]
    pub member_id: Option<String>,
    pub subject: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    /// The gateway's or receiver's code for the last failure.
    #[oai(skip_serializing_if_is_none)]
    pub last_error: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Object)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct QqNoticeText {
    pub date: NaiveDate,
    pub notices: i64,
    /// Ready to paste into the QQ group.
    pub text: String,
}

type DeliveryRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i32,
    NaiveDateTime,
    Option<String>,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

/// The most recent id first: ids are UUIDv7, so the keyset is the id.
fn inbox_page(
    tx: &mut TenantTx<'_>,
    me: &str,
    unread_only: bool,
    page: &PageRequest,
) -> crate::db::DbResult<InboxPage> {
    let tid = tx.tid().to_owned();
    let mine = d::tenant_id
        .eq(tid.clone())
        .and(d::user_id.eq(me.to_owned()))
        .and(d::channel.eq(Channel::Inbox.as_str()));
    let mut q = d::table
        .inner_join(ob::table.on(ob::tenant_id.eq(d::tenant_id).and(ob::id.eq(d::notice_id))))
        .filter(mine.clone())
        .into_boxed();
    if unread_only {
        q = q.filter(d::read_at.is_null());
    }
    if let Some(a) = &page.after {
        q = q.filter(d::id.lt(a.clone()));
    }
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = q
        .order(d::id.desc())
        .limit(page.fetch())
        .select((
            d::id,
            ob::topic,
            ob::subject,
            ob::body,
            ob::obligation_id,
            ob::activity_id,
            ob::created_at,
            d::read_at,
        ))
        .load(tx.conn())?;
    let (rows, next_cursor) = page.finish(rows, |r| r.0.as_str());
    let unread: i64 = d::table
        .filter(mine.and(d::read_at.is_null()))
        .count()
        .get_result(tx.conn())?;
    Ok(InboxPage {
        items: rows
            .into_iter()
            .map(|r| InboxItem {
                id: r.0,
                topic: Topic::parse(&r.1).unwrap_or(Topic::Overdue),
                subject: r.2,
                body: r.3,
                obligation_id: r.4,
                activity_id: r.5,
                created_at: r.6,
                read_at: r.7,
            })
            .collect(),
        unread,
        next_cursor,
    })
}

#[OpenApi(tag = "ApiTags::Notifications")]
impl InboxApi {
    /// 我的消息（最新在前）/ My inbox, newest first
    #[oai(path = "/me/inbox", method = "get")]
    async fn inbox(
        &self,
        auth: Auth,
        unread: Query<Option<bool>>,
        limit: Query<Option<PageLimit>>,
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<InboxPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let me = auth.0.user_id.clone();
        let unread_only = unread.0.unwrap_or(false);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                inbox_page(tx, &me, unread_only, &page)
            })
            .await?;
        Ok(Json(out))
    }

    /// 标为已读 / Mark one of my notices read (another's is 404)
    #[oai(path = "/me/inbox/:id/read", method = "post")]
    async fn read(&self, auth: Auth, id: Path<String>) -> AppResult<()> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let me = auth.0.user_id.clone();
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                let mine = d::table
                    .filter(d::tenant_id.eq(&tid).and(d::id.eq(&id)))
                    .filter(
                        d::user_id
                            .eq(&me)
                            .and(d::channel.eq(Channel::Inbox.as_str())),
                    );
                let found: Option<Option<NaiveDateTime>> =
                    mine.select(d::read_at).first(tx.conn()).optional()?;
                match found {
                    None => Err(AppError::not_found().into()),
                    Some(Some(_)) => Ok(()),
                    Some(None) => {
                        diesel::update(mine)
                            .set(d::read_at.eq(Some(Utc::now().naive_utc())))
                            .execute(tx.conn())?;
                        Ok(())
                    }
                }
            })
            .await?;
        Ok(())
    }

    /// 送达情况与死信（县级管理员）/ Delivery status per message; `status=dead` is the dead-letter list
    #[oai(path = "/notifications/deliveries", method = "get")]
    async fn deliveries(
        &self,
        auth: Auth,
        status: Query<Option<DeliveryStatus>>,
        channel: Query<Option<Channel>>,
        limit: Query<Option<PageLimit>>,
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<DeliveryPage>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let (status, channel) = (status.0, channel.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let tid = tx.tid().to_owned();
                let mut q = d::table
                    .inner_join(
                        ob::table.on(ob::tenant_id.eq(d::tenant_id).and(ob::id.eq(d::notice_id))),
                    )
                    .filter(d::tenant_id.eq(tid.clone()))
                    .into_boxed();
                if let Some(s) = status {
                    q = q.filter(d::status.eq(s.as_str()));
                }
                if let Some(c) = channel {
                    q = q.filter(d::channel.eq(c.as_str()));
                }
                if let Some(a) = &page.after {
                    q = q.filter(d::id.lt(a.clone()));
                }
                let rows: Vec<DeliveryRow> = q
                    .order(d::id.desc())
                    .limit(page.fetch())
                    .select((
                        d::id,
                        d::notice_id,
                        d::channel,
                        d::status,
                        d::user_id,
                        d::member_id,
                        ob::subject,
                        d::attempts,
                        d::next_attempt_at,
                        d::last_error,
                        d::sent_at,
                        d::created_at,
                    ))
                    .load(tx.conn())?;
                let (rows, next_cursor) = page.finish(rows, |r| r.0.as_str());
                let ids: Vec<&String> = rows.iter().filter_map(|r| r.4.as_ref()).collect();
                let mut names: HashMap<String, String> = u::table
                    .filter(u::tenant_id.eq(&tid).and(u::id.eq_any(ids)))
                    .select((u::id, u::display_name))
                    .load::<(String, String)>(tx.conn())?
                    .into_iter()
                    .collect();
                let members: Vec<&String> = rows.iter().filter_map(|r| r.5.as_ref()).collect();
                names.extend(
                    m::table
                        .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(members)))
                        .select((m::id, m::name))
                        .load::<(String, String)>(tx.conn())?,
                );
                let items = rows
                    .into_iter()
                    .map(|r| DeliveryView {
                        recipient_name: r
                            .4
                            .as_ref()
                            .or(r.5.as_ref())
                            .and_then(|u| names.get(u).cloned()),
                        member_id: r.5,
                        id: r.0,
                        notice_id: r.1,
                        channel: Channel::parse(&r.2).unwrap_or(Channel::Inbox),
                        status: DeliveryStatus::parse(&r.3).unwrap_or(DeliveryStatus::Pending),
                        subject: r.6,
                        attempts: r.7,
                        next_attempt_at: r.8,
                        last_error: r.9,
                        sent_at: r.10,
                        created_at: r.11,
                    })
                    .collect();
                Ok(DeliveryPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// 重新发送死信（县级管理员）/ Send a dead delivery again (county admin; 409 unless dead)
    #[oai(path = "/notifications/deliveries/:id/retry", method = "post")]
    async fn retry(&self, auth: Auth, id: Path<String>) -> AppResult<()> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let tid = tx.tid().to_owned();
                let status: Option<String> = d::table
                    .filter(d::tenant_id.eq(&tid).and(d::id.eq(&id)))
                    .select(d::status)
                    .first(tx.conn())
                    .optional()?;
                match status.as_deref().and_then(DeliveryStatus::parse) {
                    None => return Err(AppError::not_found().into()),
                    Some(DeliveryStatus::Dead) => {}
                    Some(_) => {
                        return Err(AppError::conflict(
                            "delivery_not_dead",
                            "只有已放弃（死信）的消息可以重新发送",
                            "only a dead delivery can be sent again",
                        )
                        .into());
                    }
                }
                diesel::update(d::table.filter(d::tenant_id.eq(&tid).and(d::id.eq(&id))))
                    .set((
                        d::status.eq(DeliveryStatus::Pending.as_str()),
                        d::attempts.eq(0),
                        d::next_attempt_at.eq(Utc::now().naive_utc()),
                        d::claimed_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(tx.conn())?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "delivery.retry",
                    "delivery",
                    &id,
                    None,
                    serde_json::json!({}),
                )
            })
            .await?;
        Ok(())
    }

    /// QQ群通知文本（县级管理员）/ A day's notices as text for the QQ group maintainer to paste
    #[oai(path = "/notifications/qq-text", method = "get")]
    async fn qq_text(
        &self,
        auth: Auth,
        date: Query<Option<String>>,
    ) -> AppResult<Json<QqNoticeText>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let day = match date.0.as_deref() {
            Some(s) => parse_date("date", s).map_err(|e| AppError::validation(vec![e]))?,
            None => crate::clock::today(),
        };
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| qq_text(tx, day))
            .await?;
        Ok(Json(out))
    }
}

/// The day's notices (Beijing day), grouped by topic, each line the unit and the notice.
fn qq_text(tx: &mut TenantTx<'_>, day: NaiveDate) -> crate::db::DbResult<QqNoticeText> {
    let tid = tx.tid().to_owned();
    let from = day
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .checked_sub_signed(chrono::Duration::hours(8))
        .unwrap_or_default();
    let to = from + chrono::Duration::days(1);
    let rows: Vec<(String, String, String)> = ob::table
        .inner_join(
            ou::table.on(ou::tenant_id
                .eq(ob::tenant_id)
                .and(ou::id.eq(ob::recipient_org_unit_id))),
        )
        .filter(ob::tenant_id.eq(&tid))
        .filter(ob::created_at.ge(from).and(ob::created_at.lt(to)))
        .order((ob::topic.asc(), ou::name.asc(), ob::id.asc()))
        .limit(2000)
        .select((ob::topic, ou::name, ob::body))
        .load(tx.conn())?;
    let mut by_topic: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (topic, unit, body) in &rows {
        by_topic.entry(topic).or_default().push((unit, body));
    }
    let heading = |t: &str| match Topic::parse(t) {
        Some(Topic::Overdue) => "逾期事项",
        Some(Topic::DueSoon) => "即将到期",
        Some(Topic::Escalated) => "党员诉求转办",
        Some(Topic::Activity) => "活动通知",
        Some(Topic::ActivityCancelled) => "活动取消",
        None => "其他",
    };
    let mut text = format!("【双联提醒】{day}\n");
    if rows.is_empty() {
        text.push_str("今日无新的提醒。\n");
    }
    for (i, (topic, lines)) in by_topic.iter().enumerate() {
        let n = ["一", "二", "三", "四", "五", "六"]
            .get(i)
            .copied()
            .unwrap_or("·");
        text.push_str(&format!("{n}、{}（{}项）\n", heading(topic), lines.len()));
        for (j, (unit, body)) in lines.iter().enumerate() {
            text.push_str(&format!("{}. {unit}：{body}\n", j + 1));
        }
    }
    text.push_str("请各单位登录双联平台查看并及时办理。");
    Ok(QqNoticeText {
        date: day,
        notices: rows.len() as i64,
        text,
    })
}
