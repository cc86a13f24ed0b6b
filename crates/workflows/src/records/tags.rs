//! The OpenAPI tag the records API and the catalogue API share.

use poem_openapi::Tags;

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 日常表现记实 / Performance records
    Records,
}
