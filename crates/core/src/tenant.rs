//! The tenant (county) id: every tenant-scoped query, key and token is keyed by it, so it
//! lives in the ground layer.

use serde::{Deserialize, Serialize};

/// A tenant's internal id (UUIDv7, hyphenated).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TenantId(String);

impl TenantId {
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7().hyphenated().to_string())
    }

    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::try_parse(s)
            .ok()
            .map(|u| Self(u.hyphenated().to_string()))
    }

    /// From the 32-hex form used inside tokens.
    pub fn from_simple(s: &str) -> Option<Self> {
        if s.len() != 32 {
            return None;
        }
        Self::parse(s)
    }

    pub fn simple(&self) -> String {
        self.0.replace('-', "")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TenantId {
    fn default() -> Self {
        Self::new()
    }
}
