//! One way to name an enum as a string (issue 12). An enum stored in rows and sent as JSON
//! derives its names from strum, with the same snake_case rule serde and poem-openapi apply:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use shuanglian_core::enums::StrEnum;
//!
//! #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
//! #[serde(rename_all = "snake_case")]
//! #[oai(rename_all = "snake_case")]
//! #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
//! #[strum(serialize_all = "snake_case")]
//! pub enum Kind {
//!     TransferIn,
//!     Away,
//! }
//!
//! assert_eq!(Kind::TransferIn.as_str(), "transfer_in");
//! assert_eq!(Kind::parse("away"), Some(Kind::Away));
//! assert_eq!(Kind::ALL, &[Kind::TransferIn, Kind::Away]);
//! ```
//!
//! and [`StrEnum`] (implemented for every such enum) gives the spellings the code calls:
//! `kind.as_str()` for the column, `Kind::parse(s)` for a stored or typed value, `Kind::ALL`.
//! The database strings are these names, so renaming a variant is a migration.

use std::str::FromStr;

use strum::VariantArray;

/// An enum named by snake_case strings (see the module doc for the derives).
pub trait StrEnum: Copy + Into<&'static str> + FromStr + VariantArray {
    /// Every variant, in declaration order.
    const ALL: &'static [Self] = Self::VARIANTS;

    /// The name stored in the database and sent in JSON.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant with exactly this name (case-sensitive), if any.
    fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl<T: Copy + Into<&'static str> + FromStr + VariantArray> StrEnum for T {}
