//! Notices: about an obligation, to the unit that owns it, or about a centre's activity, to the
//! centre and the activity's audience. Written to the outbox in the transaction that decides
//! them, and delivered by the notification worker (`shuanglian-notify`) over each recipient's
//! channels. A notice's text names obligations, activities and units, never a member.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox as ob;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;

/// Why a notice goes out.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Topic {
    /// An obligation passed its due date (the daily job).
    Overdue,
    /// Three days before a due date (the daily job).
    DueSoon,
    /// A service request was escalated to the centre's director (7 working days).
    Escalated,
    /// A centre's activity, to its audience (SMS to the members who agreed to it).
    Activity,
    /// A notified activity was called off, to the same audience.
    ActivityCancelled,
}

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    Obligation(String),
    Activity(String),
}

/// One notice: at most one per topic and obligation or activity (the outbox's unique keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: Topic,
    pub about: About,
    pub recipient_org_unit_id: String,
    pub subject: String,
    pub body: String,
}

/// Writes notices to the outbox; the worker hands them to their channels.
pub fn enqueue(tx: &mut TenantTx<'_>, notices: &[Notice], now: NaiveDateTime) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let rows: Vec<_> = notices
        .iter()
        .map(|n| {
            let (obligation, activity) = match &n.about {
                About::Obligation(id) => (Some(id.clone()), None),
                About::Activity(id) => (None, Some(id.clone())),
            };
            (
                ob::tenant_id.eq(tid.clone()),
                ob::id.eq(uuid::Uuid::now_v7().to_string()),
                ob::topic.eq(n.topic.as_str()),
                ob::obligation_id.eq(obligation),
                ob::activity_id.eq(activity),
                ob::recipient_org_unit_id.eq(n.recipient_org_unit_id.clone()),
                ob::subject.eq(n.subject.clone()),
                ob::body.eq(n.body.clone()),
                ob::created_at.eq(now),
            )
        })
        .collect();
    let mut written = 0;
    for chunk in rows.chunks(500) {
        written += crate::insert_rows!(tx.conn(), ob::table, chunk)?;
    }
    Ok(written)
}

/// Removes the notices of obligations that went away, with their deliveries.
pub(crate) fn remove_for(tx: &mut TenantTx<'_>, obligation_ids: &[String]) -> DbResult<()> {
    use crate::db::schema::deliveries as d;
    let tid = tx.tid().to_owned();
    let notices: Vec<String> = ob::table
        .filter(ob::tenant_id.eq(&tid))
        .filter(ob::obligation_id.eq_any(obligation_ids))
        .select(ob::id)
        .load(tx.conn())?;
    diesel::delete(
        d::table
            .filter(d::tenant_id.eq(&tid))
            .filter(d::notice_id.eq_any(&notices)),
    )
    .execute(tx.conn())?;
    diesel::delete(
        ob::table
            .filter(ob::tenant_id.eq(&tid))
            .filter(ob::id.eq_any(&notices)),
    )
    .execute(tx.conn())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::enums::StrEnum;

    #[test]
    fn topics_are_named_as_stored() {
        shuanglian_testkit::assert_str_enum::<super::Topic>();
        assert_eq!(super::Topic::DueSoon.as_str(), "due_soon");
    }
}
