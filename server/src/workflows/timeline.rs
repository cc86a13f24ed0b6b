//! A member's profile time line: what every workflow recorded about them, on one line in date
//! order. Each workflow contributes entries through a `timeline(tx, member_id)` function of its
//! own; this module only defines the entry.

use chrono::NaiveDate;
use poem_openapi::Object;

/// One dated event on a member's time line.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct TimelineEntry {
    /// The day it happened (or is recorded for).
    pub on: NaiveDate,
    /// Which workflow it comes from: `reporting`, `record`, `filing`, `feedback`, `floating`.
    pub source: String,
    /// A finer kind within the source (a record's catalogue item code, a reporting step …).
    pub kind: String,
    /// Short zh-CN title.
    pub title: String,
    /// Longer content, if any.
    pub detail: Option<String>,
    /// The unit that recorded it.
    pub org_unit_id: Option<String>,
    /// The id of the underlying record, for links.
    pub ref_id: String,
}
