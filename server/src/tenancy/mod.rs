//! Tenancy: provinces and county tenants, onboarding (a county plus its first admin), rename,
//! suspend and reactivate. Platform-only; tenant data itself lives in the other domain folders.

pub mod api;
pub mod model;
pub mod repo;
pub mod service;

pub use model::{DivisionCode, TenantId, TenantStatus};

use crate::error::AppError;

/// The error every request of a suspended county's user gets.
pub fn suspended_error() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "tenant_suspended",
        "本县账户已被平台停用，请联系平台运维",
        "This county has been suspended by the platform; contact the platform operators",
    )
}
