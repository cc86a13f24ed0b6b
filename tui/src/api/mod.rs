//! The API client: one async method per call, each returning the decoded body or an
//! [`ApiError`]. The console runs these off the drawing loop (see `runtime`), so the screen
//! never waits on the network.

pub mod contract;
pub mod sse;
pub mod types;

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use types::*;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The API answered with problem+json (or an unexpected status).
    Problem(Problem),
    /// No answer: refused, reset, timed out. The console shows "connection lost" and retries.
    Network(String),
    /// An answer the console could not read.
    Decode(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            _ => None,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ApiError::Problem(p) => &p.code,
            ApiError::Network(_) => "network",
            ApiError::Decode(_) => "decode",
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A client bound to a server and, once signed in, a bearer token. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

/// RFC 3986's unreserved characters stay as they are; every other byte becomes `%XX`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query value (ids and codes are ASCII, but a typed
/// filter may not be).
fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

impl Client {
    pub fn new(server: &str) -> Client {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("shuanglian-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Client {
            base: server.trim_end_matches('/').to_owned(),
            http,
            token: None,
        }
    }

    pub fn with_token(&self, token: Option<String>) -> Client {
        Client {
            token,
            ..self.clone()
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header("accept", "application/json, application/problem+json");
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn send(r: RequestBuilder) -> ApiResult<reqwest::Response> {
        let resp = r
            .send()
            .await
            .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
        Err(ApiError::Problem(
            serde_json::from_slice::<Problem>(&body).unwrap_or_else(|_| unexpected(status)),
        ))
    }

    async fn json<T: DeserializeOwned>(r: RequestBuilder) -> ApiResult<T> {
        let resp = Self::send(r).await?;
        let body = resp
            .bytes()
            .await
            .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
        serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        Self::json(self.req(Method::GET, path)).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> ApiResult<T> {
        Self::json(self.req(Method::POST, path).json(body)).await
    }

    /// Reads a resource's ETag, for the If-Match of an update.
    async fn etag(&self, path: &str) -> ApiResult<String> {
        let resp = Self::send(self.req(Method::GET, path)).await?;
        Ok(resp
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned())
    }

    /// Every page of a list (the console filters and scrolls locally).
    async fn all<T: DeserializeOwned>(&self, path: &str, max: usize) -> ApiResult<Vec<T>> {
        Ok(self.all_dated(path, max).await?.0)
    }

    /// Every page of a list, and the server's today in China when it answered the first page
    /// (from its `Date` header; see [`crate::days`]).
    async fn all_dated<T: DeserializeOwned>(
        &self,
        path: &str,
        max: usize,
    ) -> ApiResult<(Vec<T>, Option<String>)> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        let mut today = None;
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=200&cursor={}", enc(c)),
                None => format!("{path}{sep}limit=200"),
            };
            let resp = Self::send(self.req(Method::GET, &url)).await?;
            if cursor.is_none() {
                today = resp
                    .headers()
                    .get("date")
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::days::china_day_of_http_date);
            }
            let body = resp
                .bytes()
                .await
                .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
            let page: Page<T> =
                serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) if out.len() < max => cursor = Some(c),
                _ => return Ok((out, today)),
            }
        }
    }

    // --- auth -------------------------------------------------------------------------------

    pub async fn sign_in(&self, req: &SignInRequest) -> ApiResult<SignInResponse> {
        self.post("/auth/sign-in", req).await
    }

    pub async fn sign_out(&self) -> ApiResult<()> {
        Self::send(self.req(Method::POST, "/auth/sign-out")).await?;
        Ok(())
    }

    pub async fn change_password(&self, req: &ChangePasswordRequest) -> ApiResult<()> {
        Self::send(self.req(Method::POST, "/auth/password").json(req)).await?;
        Ok(())
    }

    pub async fn me(&self) -> ApiResult<Me> {
        self.get("/me").await
    }

    // --- platform ---------------------------------------------------------------------------

    pub async fn provinces(&self) -> ApiResult<Vec<Province>> {
        self.get("/platform/provinces").await
    }

    pub async fn tenants(&self) -> ApiResult<Vec<Tenant>> {
        self.all("/platform/tenants", 10_000).await
    }

    pub async fn create_tenant(&self, req: &CreateTenantRequest) -> ApiResult<TenantCreated> {
        self.post("/platform/tenants", req).await
    }

    pub async fn set_tenant_active(&self, id: &str, active: bool) -> ApiResult<Tenant> {
        let verb = if active { "reactivate" } else { "suspend" };
        Self::json(self.req(
            Method::POST,
            &format!("/platform/tenants/{}/{verb}", enc(id)),
        ))
        .await
    }

    pub async fn national_years(&self) -> ApiResult<Vec<NationalYear>> {
        self.get("/platform/calendar").await
    }

    /// Loads (or, with the year's version, replaces) a year's national calendar.
    pub async fn load_calendar(
        &self,
        year: i32,
        content_type: &str,
        bytes: Vec<u8>,
        version: Option<i64>,
    ) -> ApiResult<NationalYear> {
        let mut r = self
            .req(Method::PUT, &format!("/platform/calendar/{year}"))
            .header("content-type", content_type)
            .body(bytes);
        if let Some(v) = version {
            r = r.header("if-match", format!("\"v{v}\""));
        }
        Self::json(r).await
    }

    // --- county -----------------------------------------------------------------------------

    pub async fn org_units(&self) -> ApiResult<Vec<OrgUnit>> {
        self.all("/org-units?active=true", 20_000).await
    }

    pub async fn grids(&self) -> ApiResult<Vec<Grid>> {
        self.all("/grids", 10_000).await
    }

    pub async fn create_grid(&self, req: &CreateGridRequest) -> ApiResult<Grid> {
        self.post("/grids", req).await
    }

    pub async fn update_grid(&self, id: &str, req: &UpdateGridRequest) -> ApiResult<Grid> {
        let path = format!("/grids/{}", enc(id));
        let etag = self.etag(&path).await?;
        Self::json(
            self.req(Method::PATCH, &path)
                .header("if-match", etag)
                .json(req),
        )
        .await
    }

    pub async fn assign_township(&self, grid: &str, township: &str) -> ApiResult<Grid> {
        let req = AssignTownshipRequest {
            township_id: township.to_owned(),
        };
        self.post(&format!("/grids/{}/townships", enc(grid)), &req)
            .await
    }

    pub async fn unassign_township(&self, grid: &str, township: &str) -> ApiResult<Grid> {
        let path = format!("/grids/{}/townships/{}", enc(grid), enc(township));
        Self::json(self.req(Method::DELETE, &path)).await
    }

    pub async fn qq_groups(&self) -> ApiResult<Vec<QqGroup>> {
        self.all("/qq-groups", 10_000).await
    }

    pub async fn roster(&self, group: &str) -> ApiResult<Vec<RosterEntry>> {
        self.all(&format!("/qq-groups/{}/roster", enc(group)), 50_000)
            .await
    }

    pub async fn import_paste(&self, group: &str, text: &str) -> ApiResult<ImportResult> {
        let req = PasteImportRequest {
            text: text.to_owned(),
        };
        self.post(&format!("/qq-groups/{}/snapshots", enc(group)), &req)
            .await
    }

    /// Uploads a member-list file (xlsx or CSV) as the QQ client exports it.
    pub async fn import_file(
        &self,
        group: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> ApiResult<ImportResult> {
        let path = format!("/qq-groups/{}/snapshots/file", enc(group));
        Self::json(
            self.req(Method::POST, &path)
                .header("content-type", content_type)
                .body(bytes),
        )
        .await
    }

    /// Imports a member sheet or a business register: a dry run, or the commit with the
    /// rejected rows left out.
    pub async fn import_sheet(
        &self,
        sheet: SheetKind,
        content_type: &str,
        bytes: Vec<u8>,
        mapping: Option<&str>,
        commit: bool,
    ) -> ApiResult<MemberImport> {
        let mut path = format!("{}?dry_run={}", sheet.path(), !commit);
        if commit {
            path.push_str("&skip_invalid=true");
        }
        if let Some(m) = mapping {
            path.push_str(&format!("&mapping={}", enc(m)));
        }
        Self::json(
            self.req(Method::POST, &path)
                .header("content-type", content_type)
                .body(bytes),
        )
        .await
    }

    pub async fn mappings(&self) -> ApiResult<Vec<ImportMapping>> {
        let l: MappingList = self.get("/import-mappings").await?;
        Ok(l.items)
    }

    /// Maps an organisation name to a unit in a saved mapping (its other entries sent back as
    /// they are), or in a new one when the county has none chosen.
    pub async fn map_org_name(
        &self,
        mapping: Option<&str>,
        name: &str,
        unit_id: &str,
    ) -> ApiResult<ImportMapping> {
        let target = serde_json::json!({ "unit_id": unit_id });
        let Some(id) = mapping else {
            let mut m = ImportMapping {
                name: "控制台导入对应".into(),
                ..ImportMapping::default()
            };
            m.org_names.insert(name.to_owned(), target);
            return self.post("/import-mappings", &m).await;
        };
        let path = format!("/import-mappings/{}", enc(id));
        let etag = self.etag(&path).await?;
        let mut m: ImportMapping = self.get(&path).await?;
        m.org_names.insert(name.to_owned(), target);
        Self::json(
            self.req(Method::PUT, &path)
                .header("if-match", etag)
                .json(&m),
        )
        .await
    }

    pub async fn snapshots(&self, group: &str) -> ApiResult<Vec<Snapshot>> {
        self.all(&format!("/qq-groups/{}/snapshots", enc(group)), 1_000)
            .await
    }

    pub async fn snapshot(&self, group: &str, snapshot: &str) -> ApiResult<SnapshotDetail> {
        self.get(&format!(
            "/qq-groups/{}/snapshots/{}",
            enc(group),
            enc(snapshot)
        ))
        .await
    }

    pub async fn late(&self, group: &str) -> ApiResult<LateReport> {
        self.get(&format!("/qq-groups/{}/late", enc(group))).await
    }

    pub async fn history(&self, group: &str) -> ApiResult<Vec<HistoryEntry>> {
        self.all(&format!("/qq-groups/{}/history", enc(group)), 1_000)
            .await
    }

    pub async fn policy(&self) -> ApiResult<Vec<PolicyEntry>> {
        let m: PolicyMatrix = self.get("/privacy/masking-policy").await?;
        Ok(m.entries)
    }

    pub async fn set_policy(&self, entries: Vec<PolicyEntry>) -> ApiResult<Vec<PolicyEntry>> {
        let m: PolicyMatrix = Self::json(
            self.req(Method::PUT, "/privacy/masking-policy")
                .json(&SetPolicyRequest { entries }),
        )
        .await?;
        Ok(m.entries)
    }

    pub async fn exports(&self) -> ApiResult<Vec<Export>> {
        self.all("/member-exports", 2_000).await
    }

    pub async fn decide_export(&self, id: &str, approve: bool) -> ApiResult<Export> {
        let verb = if approve { "approve" } else { "deny" };
        self.post(
            &format!("/member-exports/{}/{verb}", enc(id)),
            &DecisionRequest { note: None },
        )
        .await
    }

    pub async fn audit(&self) -> ApiResult<Vec<AuditEntry>> {
        self.all("/audit", 5_000).await
    }

    pub async fn verify_audit(&self) -> ApiResult<ChainCheck> {
        self.get("/audit/verify").await
    }

    pub async fn users(&self) -> ApiResult<Vec<User>> {
        self.all("/users", 10_000).await
    }

    pub async fn create_user(&self, req: &CreateUserRequest) -> ApiResult<UserCreated> {
        self.post("/users", req).await
    }

    pub async fn set_user_active(&self, id: &str, active: bool) -> ApiResult<User> {
        let path = format!("/users/{}", enc(id));
        let etag = self.etag(&path).await?;
        let status = if active { "active" } else { "disabled" };
        Self::json(
            self.req(Method::PATCH, &path)
                .header("if-match", etag)
                .json(&UserStatusRequest {
                    status: status.to_owned(),
                }),
        )
        .await
    }

    pub async fn reset_password(&self, id: &str) -> ApiResult<OneTimeCredential> {
        Self::json(self.req(Method::POST, &format!("/users/{}/password-reset", enc(id)))).await
    }

    pub async fn revoke_sessions(&self, id: &str) -> ApiResult<()> {
        Self::send(self.req(Method::POST, &format!("/users/{}/sessions/revoke", enc(id)))).await?;
        Ok(())
    }

    pub async fn deadlines(&self, state: &str) -> ApiResult<DeadlineList> {
        self.get(&format!("/deadlines?state={}", enc(state))).await
    }

    /// Service requests (党员诉求): the open ones (`open`: taken or escalated, not answered
    /// yet), or those in one state (`taken`, `escalated`, `answered`, `archived`).
    pub async fn service_requests(&self, filter: &str) -> ApiResult<ServiceRequestList> {
        let q = match filter {
            "open" => "open=true".to_owned(),
            state => format!("state={}", enc(state)),
        };
        let (items, today) = self
            .all_dated(&format!("/service-requests?{q}"), 5_000)
            .await?;
        Ok(ServiceRequestList { items, today })
    }

    /// One service request with its steps.
    pub async fn service_request(&self, id: &str) -> ApiResult<ServiceRequest> {
        self.get(&format!("/service-requests/{}", enc(id))).await
    }

    /// Notice deliveries in one status (`dead` is the dead-letter list), on one channel or all
    /// (county admin only), newest first, every page.
    pub async fn deliveries(
        &self,
        status: &str,
        channel: Option<&str>,
    ) -> ApiResult<Vec<Delivery>> {
        let mut path = format!("/notifications/deliveries?status={}", enc(status));
        if let Some(c) = channel {
            path.push_str(&format!("&channel={}", enc(c)));
        }
        self.all(&path, 5_000).await
    }

    /// Sends a dead delivery again (409 `delivery_not_dead` unless it is dead).
    pub async fn retry_delivery(&self, id: &str) -> ApiResult<()> {
        let path = format!("/notifications/deliveries/{}/retry", enc(id));
        Self::send(self.req(Method::POST, &path)).await?;
        Ok(())
    }

    /// The county's vanguard campaigns (党员先锋指数), the latest year first, with the server's
    /// today in China (from the answer's `Date` header).
    pub async fn campaigns(&self) -> ApiResult<CampaignList> {
        let resp = Self::send(self.req(Method::GET, "/evaluations/vanguard")).await?;
        let today = resp
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(crate::days::china_day_of_http_date);
        let body = resp
            .bytes()
            .await
            .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
        let l: CampaignItems =
            serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(CampaignList {
            items: l.items,
            today,
        })
    }

    /// A year's members on a campaign's list, one `show=` filter (`needs_help`, …), every page.
    pub async fn vanguard_entries(&self, year: i32, show: &str) -> ApiResult<Vec<VanguardEntry>> {
        self.all(
            &format!("/evaluations/vanguard/{year}/entries?show={}", enc(show)),
            5_000,
        )
        .await
    }

    /// A year's branch grading (考评定级) and ranking; the server's default year (this year)
    /// without one.
    pub async fn branch_evaluations(&self, year: Option<i32>) -> ApiResult<BranchEvaluationList> {
        match year {
            Some(y) => self.get(&format!("/evaluations/branches?year={y}")).await,
            None => self.get("/evaluations/branches").await,
        }
    }

    /// The county's coverage campaigns (百日攻坚), the newest first, each with its cycles and
    /// the county's figures today.
    pub async fn coverage_campaigns(&self) -> ApiResult<Vec<CoverageCampaign>> {
        let l: CoverageCampaignList = self.get("/evaluations/coverage").await?;
        Ok(l.items)
    }

    /// A coverage campaign's report of one cycle: the townships and branches ranked, with
    /// those listed for a talk.
    pub async fn coverage_report(&self, id: &str, cycle: u32) -> ApiResult<CoverageReport> {
        self.get(&format!("/evaluations/coverage/{}/cycles/{cycle}", enc(id)))
            .await
    }

    /// The county's half-years (统计): the current one and six before, each with its
    /// revisions, newest first.
    pub async fn stat_periods(&self) -> ApiResult<Vec<StatPeriod>> {
        self.get("/statistics/periods").await
    }

    /// A period's current snapshot with its figures.
    pub async fn stat_snapshot(&self, period: &str) -> ApiResult<StatSnapshot> {
        self.get(&format!("/statistics/periods/{}", enc(period)))
            .await
    }

    /// Computes a period from history as it stood on its cut-off (a frozen one: a new
    /// revision, with a reason).
    pub async fn stat_compute(
        &self,
        period: &str,
        reason: Option<&str>,
    ) -> ApiResult<StatSnapshot> {
        let req = StatComputeRequest {
            reason: reason.map(str::to_owned),
        };
        self.post(
            &format!("/statistics/periods/{}/compute", enc(period)),
            &req,
        )
        .await
    }

    /// Reviews (`review`) or freezes (`freeze`) a period's current revision, at the version
    /// the console showed.
    pub async fn stat_advance(
        &self,
        period: &str,
        verb: &str,
        version: i64,
    ) -> ApiResult<StatSnapshot> {
        let path = format!("/statistics/periods/{}/{verb}", enc(period));
        Self::json(
            self.req(Method::POST, &path)
                .header("if-match", format!("\"v{version}\"")),
        )
        .await
    }

    /// The changes between two periods' current revisions.
    pub async fn stat_diff(&self, from: &str, to: &str) -> ApiResult<StatDiff> {
        self.get(&format!(
            "/statistics/diff?from={}&to={}",
            enc(from),
            enc(to)
        ))
        .await
    }

    /// A province's half-year across its counties (the server's latest period without one);
    /// the platform operator names the province.
    pub async fn province_statistics(
        &self,
        province: Option<&str>,
        period: Option<&str>,
    ) -> ApiResult<ProvinceStatistics> {
        let mut q = Vec::new();
        if let Some(p) = province {
            q.push(format!("province={}", enc(p)));
        }
        if let Some(p) = period {
            q.push(format!("period={}", enc(p)));
        }
        let path = if q.is_empty() {
            "/province/statistics".to_owned()
        } else {
            format!("/province/statistics?{}", q.join("&"))
        };
        self.get(&path).await
    }

    /// The province's rankings over the periods, oldest first.
    pub async fn province_trends(&self, province: Option<&str>) -> ApiResult<ProvinceTrends> {
        match province {
            Some(p) => {
                self.get(&format!("/province/statistics/trends?province={}", enc(p)))
                    .await
            }
            None => self.get("/province/statistics/trends").await,
        }
    }

    /// Opens the live-update stream (see [`sse`]).
    pub async fn events(&self) -> ApiResult<reqwest::Response> {
        let r = self
            .http
            .get(format!("{}/api/v1/events", self.base))
            .header("accept", "text/event-stream")
            .timeout(Duration::from_secs(24 * 3600));
        let r = match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        };
        Self::send(r).await
    }
}

/// A non-problem error answer (a proxy's HTML page, say), still shown in both languages.
fn unexpected(status: StatusCode) -> Problem {
    Problem {
        status: status.as_u16(),
        code: format!("http_{}", status.as_u16()),
        detail: format!("服务器返回了意外的状态 {status}"),
        detail_en: format!("The server answered with an unexpected status {status}"),
        ..Problem::default()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_path_segments() {
        assert_eq!(super::enc("a b/c"), "a%20b%2Fc");
        assert_eq!(super::enc("01JABC-_x"), "01JABC-_x");
        assert_eq!(super::enc("张~"), "%E5%BC%A0~");
    }
}
