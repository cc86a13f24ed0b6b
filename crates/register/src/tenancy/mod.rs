//! Tenancy: provinces and county tenants, onboarding (a county plus its first admin), rename,
//! suspend and reactivate. Platform-only; tenant data itself lives in the other domain folders.

pub mod api;
pub mod model;
pub mod repo;
pub mod service;

pub use model::{DivisionCode, TenantId, TenantStatus};
