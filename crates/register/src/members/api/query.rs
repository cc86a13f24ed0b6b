//! How members are found: a list's filters and order, turned into the repository's filter
//! within what the caller sees.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::MemberView;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::members::model::{BusinessStatus, Category, MembershipStatus};
use crate::members::names;
use crate::members::repo::{self, Filter};
use crate::org::scope::Visibility;

/// 排序 / List order
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum MemberSort {
    /// 按登记先后 / registration order
    Registered,
    /// 按姓名拼音 / by the pinyin of the name
    Name,
}

/// A member list's filters (everything but the exact personal-identifier searches), as taken
/// by the list and kept with an export request.
#[derive(Debug, Clone, Default, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    /// A name prefix, or in Latin letters a prefix of its pinyin initials or full pinyin.
    #[oai(validator(max_length = 50))]
    #[oai(skip_serializing_if_is_none)]
    pub name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<Category>,
    #[oai(skip_serializing_if_is_none)]
    pub membership_status: Option<MembershipStatus>,
    #[oai(skip_serializing_if_is_none)]
    pub business_status: Option<BusinessStatus>,
    /// An org unit: members whose org-life or membership unit lies in its subtree.
    #[oai(skip_serializing_if_is_none)]
    pub unit: Option<String>,
    /// A grid: members whose business place lies in it.
    #[oai(skip_serializing_if_is_none)]
    pub grid: Option<String>,
    /// A market (org unit).
    #[oai(skip_serializing_if_is_none)]
    pub market: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sort: Option<MemberSort>,
}

impl MemberQuery {
    /// Checks and normalises the ids (a malformed id is a 422 naming it).
    pub fn check(&mut self) -> AppResult<()> {
        for (f, v) in [
            ("unit", &mut self.unit),
            ("grid", &mut self.grid),
            ("market", &mut self.market),
        ] {
            if let Some(id) = v {
                let u = uuid::Uuid::try_parse(id).map_err(|_| {
                    AppError::field(
                        f,
                        "invalid_id",
                        format!("{f}：编号格式不正确"),
                        format!("{f}: not a valid id"),
                    )
                })?;
                *id = u.hyphenated().to_string();
            }
        }
        Ok(())
    }

    /// The repository filter this query means for a caller who sees `vis`; `None` when they
    /// see nothing. A unit or grid the caller cannot see is not found.
    pub fn filter(&self, tx: &mut TenantTx<'_>, vis: &Visibility) -> DbResult<Option<Filter>> {
        let within = match (&self.unit, vis) {
            (Some(u), _) => Some(
                crate::org::repo::get(tx, u)?
                    .filter(|r| vis.sees(r))
                    .ok_or_else(AppError::not_found)?
                    .path,
            ),
            (None, Visibility::Subtree(p)) => Some(p.clone()),
            (None, Visibility::Nothing) => return Ok(None),
            (None, Visibility::County) => None,
        };
        let business_place_in = match &self.grid {
            None => None,
            Some(g) => {
                // Markets sit under the grid's AIC office; other businesses are placed by
                // their org-life unit in the grid's current townships.
                let grid = crate::grids::repo::get(tx, g)?.ok_or_else(AppError::not_found)?;
                let mut paths = Vec::new();
                if let Some(office) = crate::org::repo::get(tx, &grid.aic_office_id)? {
                    paths.push(office.path);
                }
                for p in crate::grids::repo::periods(tx, g, false)? {
                    if let Some(t) = crate::org::repo::get(tx, &p.township_id)? {
                        paths.push(t.path);
                    }
                }
                Some(paths)
            }
        };
        let name = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let (name_prefix, pinyin_prefix) = match name {
            Some(n) if names::is_pinyin_query(n) => (None, Some(n.to_ascii_lowercase())),
            other => (other.map(str::to_owned), None),
        };
        Ok(Some(Filter {
            name_prefix,
            pinyin_prefix,
            business_place_in,
            market_id: self.market.clone(),
            order: match self.sort {
                Some(MemberSort::Name) => repo::Order::Pinyin,
                _ => repo::Order::Registered,
            },
            category: self.category.map(Category::as_str),
            membership_status: self.membership_status.map(MembershipStatus::as_str),
            business_status: self.business_status.map(BusinessStatus::as_str),
            within,
            ..Filter::default()
        }))
    }
}

#[derive(Debug, Clone, Object)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}
