//! /api/v1/privacy/masking-policy: the county admin's role × field matrix.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use serde::Deserialize;

use super::policy::{self, Exposure, Field};
use crate::AppState;
use crate::api::JsonBody;
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};

#[derive(Tags)]
enum ApiTags {
    /// 个人信息保护 / Personal data protection
    Privacy,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    pub role: Role,
    pub field: Field,
    pub visibility: Exposure,
}

#[derive(Debug, Clone, Object)]
pub struct PolicyMatrix {
    /// Every county role × personal field, with the effective setting.
    pub entries: Vec<PolicyEntry>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SetPolicyRequest {
    #[oai(validator(min_items = 1, max_items = 64))]
    pub entries: Vec<PolicyEntry>,
}

pub struct PrivacyApi {
    pub state: AppState,
}

fn tenant_roles() -> impl Iterator<Item = Role> {
    Role::ALL.iter().copied().filter(|r| r.is_tenant_role())
}

#[OpenApi(tag = "ApiTags::Privacy")]
impl PrivacyApi {
    /// 脱敏策略 / The masking policy (county admin)
    #[oai(path = "/privacy/masking-policy", method = "get")]
    async fn get_policy(&self, auth: Auth) -> AppResult<Json<PolicyMatrix>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        self.matrix(tid).await
    }

    /// 设置脱敏策略 / Set entries of the masking policy (county admin; audited)
    ///
    /// `visible` shows the field in clear in every member view of that role; `on_request`
    /// masks it but allows unmasking with a reason (audited); `masked` allows neither.
    #[oai(path = "/privacy/masking-policy", method = "put")]
    async fn set_policy(
        &self,
        auth: Auth,
        body: JsonBody<SetPolicyRequest>,
    ) -> AppResult<Json<PolicyMatrix>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        if body.0.entries.is_empty() || body.0.entries.len() > 64 {
            return Err(AppError::field(
                "entries",
                "invalid_length",
                "entries：应有1到64项",
                "entries: 1 to 64 items",
            ));
        }
        let mut errs = Vec::new();
        for e in &body.0.entries {
            if let Err(fe) = policy::check_entry(e.role, e.field, e.visibility) {
                errs.push(fe);
            }
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let entries: Vec<(Role, Field, Exposure)> = body
            .0
            .entries
            .iter()
            .map(|e| (e.role, e.field, e.visibility))
            .collect();
        let who = auth.0;
        self.state
            .db
            .tenant(tid.clone(), Mode::Write, move |tx| {
                let before = policy::set(tx, &who.user_id, &entries)?;
                let changes: Vec<serde_json::Value> = entries
                    .iter()
                    .zip(before)
                    .map(|((r, f, e), b)| {
                        serde_json::json!({
                            "role": r.as_str(), "field": f.as_str(),
                            "from": b.as_str(), "to": e.as_str()
                        })
                    })
                    .collect();
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "privacy.masking_policy",
                    "masking_policy",
                    "county",
                    None,
                    serde_json::json!({ "changes": changes }),
                )?;
                Ok(())
            })
            .await?;
        self.matrix(tid).await
    }
}

impl PrivacyApi {
    async fn matrix(&self, tid: crate::tenancy::TenantId) -> AppResult<Json<PolicyMatrix>> {
        let entries = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let mut out = Vec::new();
                for role in tenant_roles() {
                    let p = policy::for_role(tx, role)?;
                    for field in Field::ALL {
                        out.push(PolicyEntry {
                            role,
                            field: *field,
                            visibility: p[field],
                        });
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(PolicyMatrix { entries }))
    }
}
