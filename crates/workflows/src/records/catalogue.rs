//! /api/v1/record-catalogue: the county's catalogue of performance-record items, in four
//! categories; the county admin edits it, and a renamed item keeps its earlier versions for the
//! records written against them.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::model::{self, Category};
use super::repo::{self, Item};
use super::tags::ApiTags;
use crate::AppState;
use crate::api::{JsonBody, etag, if_match};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::handler::Call;
use crate::users::signin::NoContent;

pub struct RecordCatalogueApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct CatalogueItemView {
    /// Stable code, e.g. `B01`.
    pub code: String,
    pub category: Category,
    /// The current name.
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// The catalogue version new records are written against.
    pub version: i32,
    /// Retired items take no new records; old records keep them.
    pub retired: bool,
    pub position: i32,
}

impl From<&Item> for CatalogueItemView {
    fn from(i: &Item) -> Self {
        Self {
            code: i.code.clone(),
            category: i.category,
            name: i.name.clone(),
            description: i.description.clone(),
            version: i.current_version,
            retired: i.retired,
            position: i.position,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct CatalogueCategory {
    pub category: Category,
    /// 类别名称
    pub label: String,
    pub label_en: String,
    /// The only role that records this category.
    pub recorder_role: Role,
    pub items: Vec<CatalogueItemView>,
}

#[derive(Debug, Clone, Object)]
pub struct Catalogue {
    pub categories: Vec<CatalogueCategory>,
}

#[derive(Debug, Clone, Object)]
pub struct CatalogueVersion {
    pub version: i32,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AddItemRequest {
    pub category: Category,
    #[oai(validator(max_length = 30))]
    pub name: String,
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReviseItemRequest {
    /// A new name makes a new catalogue version; records keep the version they were written
    /// against.
    #[oai(validator(max_length = 30))]
    pub name: Option<String>,
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
}

#[derive(ApiResponse)]
pub enum ItemResponse {
    #[oai(status = 200)]
    Ok(Json<CatalogueItemView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<CatalogueItemView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

pub(super) fn item_code(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = (2..=4).contains(&s.len())
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.as_bytes()[1..].iter().all(u8::is_ascii_digit);
    ok.then(|| s.to_owned())
}

fn may_edit_catalogue(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin])
}

fn catalogue_code(code: &str) -> AppResult<String> {
    item_code(code).ok_or_else(AppError::not_found)
}

fn catalogue(items: &[Item], include_retired: bool) -> Catalogue {
    Catalogue {
        categories: Category::ALL
            .iter()
            .map(|c| CatalogueCategory {
                category: *c,
                label: c.label_zh().to_owned(),
                label_en: c.label_en().to_owned(),
                recorder_role: c.recorder(),
                items: items
                    .iter()
                    .filter(|i| i.category == *c && (include_retired || !i.retired))
                    .map(CatalogueItemView::from)
                    .collect(),
            })
            .collect(),
    }
}

#[OpenApi(tag = "ApiTags::Records")]
impl RecordCatalogueApi {
    /// 记实内容目录 / The county's catalogue of record items (4 categories)
    #[oai(path = "/record-catalogue", method = "get")]
    async fn catalogue(
        &self,
        auth: Auth,
        /// Include retired items (default false).
        include_retired: Query<Option<bool>>,
    ) -> AppResult<Json<Catalogue>> {
        let call = Call::new(&self.state, auth)?;
        let all = include_retired.0.unwrap_or(false);
        let items = call.read(|tx, _: &Principal| repo::items(tx)).await?;
        Ok(Json(catalogue(&items, all)))
    }

    /// 新增记实项目 / Add a catalogue item (county admin)
    #[oai(path = "/record-catalogue/items", method = "post")]
    async fn add_item(
        &self,
        auth: Auth,
        body: JsonBody<AddItemRequest>,
    ) -> AppResult<ItemResponse> {
        let call = Call::new(&self.state, auth)?;
        may_edit_catalogue(call.who())?;
        let b = body.0;
        let mut errs = vec![];
        let name = model::check_text("name", &b.name, model::NAME_MAX, false).gather(&mut errs);
        let description = b
            .description
            .as_deref()
            .map(|d| model::check_text("description", d, model::DESCRIPTION_MAX, false))
            .gather(&mut errs);
        let Some(name) = name.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let item = call
            .write(move |tx, who: &Principal| {
                let item = repo::add(tx, b.category, &name, description.as_deref(), &who.user_id)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "record_catalogue.add",
                    "record_catalogue_item",
                    &item.code,
                    None,
                    serde_json::json!({ "category": item.category.as_str(), "name": item.name }),
                )?;
                Ok(item)
            })
            .await?;
        let location = format!("/api/v1/record-catalogue/items/{}", item.code);
        Ok(ItemResponse::Created(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
            location,
        ))
    }

    /// 查看记实项目 / Get a catalogue item
    #[oai(path = "/record-catalogue/items/:code", method = "get")]
    async fn get_item(&self, auth: Auth, code: Path<String>) -> AppResult<ItemResponse> {
        let call = Call::new(&self.state, auth)?;
        let code = catalogue_code(&code.0)?;
        let item = call
            .read(move |tx, _: &Principal| {
                repo::item(tx, &code)?.ok_or_else(|| AppError::not_found().into())
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }

    /// 修改记实项目名称或说明（新版本）/ Rename or re-describe an item: a new version (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code", method = "patch")]
    async fn revise_item(
        &self,
        auth: Auth,
        code: Path<String>,
        body: JsonBody<ReviseItemRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        let call = Call::new(&self.state, auth)?;
        may_edit_catalogue(call.who())?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = vec![];
        let name = b
            .name
            .as_deref()
            .map(|n| model::check_text("name", n, model::NAME_MAX, false))
            .gather(&mut errs);
        let description = b
            .description
            .as_deref()
            .map(|d| model::check_text("description", d, model::DESCRIPTION_MAX, false))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let item = call
            .write(move |tx, who: &Principal| {
                let before = repo::item(tx, &code)?;
                let item = repo::revise(
                    tx,
                    &code,
                    expected,
                    name.as_deref(),
                    description.as_deref(),
                    &who.user_id,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "record_catalogue.revise",
                    "record_catalogue_item",
                    &code,
                    None,
                    serde_json::json!({
                        "from_name": before.map(|b| b.name), "to_name": item.name,
                        "version": item.current_version,
                    }),
                )?;
                Ok(item)
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }

    /// 停用记实项目 / Retire an item: no new records, old ones keep it (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code/retire", method = "post")]
    async fn retire_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        self.set_retired(auth, code, if_match_h, true).await
    }

    /// 恢复记实项目 / Restore a retired item (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code/restore", method = "post")]
    async fn restore_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        self.set_retired(auth, code, if_match_h, false).await
    }

    /// 删除未使用的记实项目 / Delete an item no record uses (county admin, If-Match; 409 `item_in_use` otherwise)
    #[oai(path = "/record-catalogue/items/:code", method = "delete")]
    async fn delete_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<NoContent> {
        let call = Call::new(&self.state, auth)?;
        may_edit_catalogue(call.who())?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        call.write(move |tx, who: &Principal| {
            repo::delete_item(tx, &code, expected)?;
            audit::record(
                tx,
                &Actor::of(who),
                "record_catalogue.delete",
                "record_catalogue_item",
                &code,
                None,
                serde_json::json!({}),
            )
        })
        .await?;
        Ok(NoContent::Done)
    }

    /// 记实项目的历史版本 / Every version of an item
    #[oai(path = "/record-catalogue/items/:code/versions", method = "get")]
    async fn item_versions(
        &self,
        auth: Auth,
        code: Path<String>,
    ) -> AppResult<Json<Vec<CatalogueVersion>>> {
        let call = Call::new(&self.state, auth)?;
        let code = catalogue_code(&code.0)?;
        let out = call
            .read(move |tx, _: &Principal| {
                let item = repo::item(tx, &code)?.ok_or_else(AppError::not_found)?;
                let rows = repo::versions(tx, &code)?;
                if rows.is_empty() {
                    // The shipped default, not yet copied into the county's rows.
                    return Ok(vec![CatalogueVersion {
                        version: 1,
                        name: item.name,
                        description: item.description,
                        created_by: "default".to_owned(),
                        created_at: DateTime::<Utc>::UNIX_EPOCH,
                    }]);
                }
                Ok(rows
                    .into_iter()
                    .map(|v| CatalogueVersion {
                        version: v.version,
                        name: v.name,
                        description: v.description,
                        created_by: v.created_by,
                        created_at: v.created_at.and_utc(),
                    })
                    .collect())
            })
            .await?;
        Ok(Json(out))
    }
}

impl RecordCatalogueApi {
    async fn set_retired(
        &self,
        auth: Auth,
        code: Path<String>,
        if_match_h: Header<String>,
        retired: bool,
    ) -> AppResult<ItemResponse> {
        let call = Call::new(&self.state, auth)?;
        may_edit_catalogue(call.who())?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let item = call
            .write(move |tx, who: &Principal| {
                let item = repo::set_retired(tx, &code, expected, retired)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    if retired {
                        "record_catalogue.retire"
                    } else {
                        "record_catalogue.restore"
                    },
                    "record_catalogue_item",
                    &code,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(item)
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }
}
