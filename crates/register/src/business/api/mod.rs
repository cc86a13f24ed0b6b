//! /api/v1/businesses: individual businesses, small-micro enterprises and market stalls, and
//! the members linked to them as owners or employees. Scoped like members: a user reaches the
//! businesses of their subtree and of the grids linked to it (see `scope`).
//!
//! One module per resource, each with its own `#[OpenApi]` impl; [`BusinessApi`] registers
//! them as one API, in the order the document has always listed them.

mod businesses;
mod people;

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, Registry};
use poem_openapi::{OpenApi, Tags};

use super::repo::{self, BusinessRow};
use super::scope::Reach;
use crate::AppState;
use crate::auth::{Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, AppResult};

#[derive(Tags)]
enum ApiTags {
    /// 经营主体 / Businesses
    Businesses,
}

/// Every business endpoint, registered where the route table lists the APIs.
pub struct BusinessApi {
    pub state: AppState,
}

/// The resources in document order: a path lives in exactly one of them, so the document's
/// paths come out as they did from a single impl.
type Resources = (businesses::BusinessesApi, people::PeopleApi);

impl OpenApi for BusinessApi {
    fn meta() -> Vec<MetaApi> {
        Resources::meta()
    }

    fn register(registry: &mut Registry) {
        Resources::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        let state = self.state;
        (
            businesses::BusinessesApi {
                state: state.clone(),
            },
            people::PeopleApi { state },
        )
            .add_routes(route_table);
    }
}

/// Roles that register and change businesses: the county admin, branch / service-centre staff
/// and AIC recorders (the first source of registrations and changes, SPEC §1).
fn may_write(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin, Role::BranchStaff, Role::AicRecorder])
}

/// A member named in a body: one of this county's that the caller sees (422 otherwise; a
/// member out of reach is as unknown as another county's).
fn member_of(
    tx: &mut TenantTx<'_>,
    reach: &Reach,
    field: &str,
    id: &str,
) -> DbResult<crate::members::repo::MemberRow> {
    let found = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::members::repo::get(tx, id))
        .transpose()?
        .flatten();
    if let Some(m) = found
        && crate::members::repo::visible(tx, &reach.visibility(), &m)?
    {
        return Ok(m);
    }
    Err(AppError::field(
        field,
        "member_not_found",
        format!("{field}：党员不存在"),
        format!("{field}: no such member"),
    )
    .into())
}

/// The business at `id` if the caller reaches it; 404 otherwise (like another county's).
fn reachable(tx: &mut TenantTx<'_>, reach: &Reach, id: &str) -> DbResult<BusinessRow> {
    let row = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    if !repo::visible(tx, reach, &row)? {
        return Err(AppError::not_found().into());
    }
    Ok(row)
}
