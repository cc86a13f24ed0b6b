//! POST /api/v1/businesses/import: a county's business register (经营主体名录) through the same
//! flow as the member sheet: upload, the detected layout, mapping, distinct unknown market and
//! township names and the rewrites counted, a dry run listing every bad row, then a commit of
//! all rows or none.

use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};

use super::api::import_sheet;
use super::business_import;
use super::columns::Sheet;
use super::report::{ImportReport, Outcome};
use crate::AppState;
use crate::api::body::UploadBody;
use crate::auth::Auth;
use crate::error::AppResult;

#[derive(Tags)]
enum ApiTags {
    /// 表格导入与导出 / Spreadsheet import and export
    Spreadsheets,
}

pub struct BusinessImportApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Spreadsheets")]
impl BusinessImportApi {
    /// 导入经营主体名录 / Import a business register from xlsx or CSV (county admin)
    ///
    /// Columns: 统一社会信用代码, 名称 (or 个体工商户名称, 字号 …), 类型 (个体工商户 / 小微企业 /
    /// 市场摊位; read from the credit code when absent), 所属市场, 摊位号, 所在乡镇, 经营场所,
    /// 行业, 从业人数, 经营状态, and the owner: 业主姓名, 业主身份证号, 业主联系电话. Markets and
    /// townships are found by name; unknown names are listed once each with suggestions and
    /// can be mapped in a saved mapping (`/import-mappings`). An owner who is a member of the
    /// register (found by ID-card number, else by name and mobile number) is linked to the
    /// business as 业主. `dry_run=true` (the default) checks every row and writes nothing;
    /// `dry_run=false` writes all rows or, if any row is rejected, none (422
    /// `import_rejected` listing them). Businesses are matched by credit code (a stall without
    /// one by market and stall number), so importing the same file again changes nothing.
    #[oai(path = "/businesses/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        dry_run: Query<Option<bool>>,
        /// A saved mapping of this county's headers and market or township names
        /// (`/import-mappings`).
        mapping: Query<Option<String>>,
        /// With `dry_run=false`: write the valid rows and list the rejected ones, instead of
        /// refusing the whole file. Names still to be mapped refuse it either way.
        skip_invalid: Query<Option<bool>>,
        file: UploadBody,
    ) -> AppResult<Json<ImportReport>> {
        let query = (dry_run.0, mapping.0, skip_invalid.0);
        import_sheet(
            &self.state,
            auth,
            Sheet::Businesses,
            query,
            file,
            |tx, keys, up| {
                let plan = business_import::plan(tx, keys, &up.table, &up.mapping)?;
                let outcome = Outcome {
                    rows: plan.rows,
                    created: plan.creates.len(),
                    updated: plan.updates.len(),
                    unchanged: plan.unchanged,
                    errors: &plan.errors,
                    fixes: &plan.fixes,
                    unknown: &plan.unknown_orgs,
                    suggestions: &plan.suggestions,
                };
                let mut report = outcome.report(up.dry_run, &up.layout, &up.table);
                report.owners_linked = Some(plan.links.len() as u32);
                report.owners_not_in_register = Some(plan.owners_not_in_register as u32);
                outcome.settle(report, up.dry_run, up.skip_invalid, || {
                    business_import::apply(tx, &up.actor, &plan, &up.sha)
                })
            },
        )
        .await
    }
}
