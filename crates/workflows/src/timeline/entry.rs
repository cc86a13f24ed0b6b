//! The entry every workflow contributes to a member's time line: apart from the gathering API in
//! mod.rs, which imports the workflows, so that they need not import it back.

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
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// The unit that recorded it.
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    /// The id of the underlying record, for links.
    pub ref_id: String,
}
