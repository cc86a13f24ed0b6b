//! Builds the whole application from a `Settings` value, so the binary and the black-box tests
//! start exactly the same server (tests on a random port with a fresh database).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Json;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, Server, get, handler};
use poem_openapi::OpenApiService;

pub use shuanglian_http::state::AppState;

use crate::audit::api::AuditApi;
use crate::business::api::BusinessApi;
use crate::business::market_api::MarketApi;
use crate::config::Settings;
use crate::db::Db;
use crate::deadlines::api::DeadlineApi;
use crate::deadlines::national::api::NationalCalendarApi;
use crate::deadlines::province::ProvinceDeadlineApi;
use crate::deadlines::settings::DeadlineSettingsApi;
use crate::evaluations::branches::api::BranchEvaluationsApi;
use crate::evaluations::coverage::api::CoverageApi;
use crate::evaluations::coverage::import_api::CoverageImportApi;
use crate::evaluations::coverage::orgs_api::CoverageOrgsApi;
use crate::evaluations::markets::api::MarketStandardsApi;
use crate::evaluations::rubrics::api::RubricsApi;
use crate::evaluations::training::api::TrainingApi;
use crate::evaluations::vanguard::api::VanguardApi;
use crate::evaluations::vanguard::entries::VanguardEntriesApi;
use crate::events::api::EventsApi;
use crate::grids::api::GridApi;
use crate::members::api::MemberApi;
use crate::members::consent::ConsentApi;
use crate::members::status::MemberStatusApi;
use crate::notify::api::{NotifySettingsApi, PreferencesApi};
use crate::notify::inbox::InboxApi;
use crate::onboarding::api::SpreadsheetApi;
use crate::onboarding::business_api::BusinessImportApi;
use crate::onboarding::mapping_api::ImportMappingsApi;
use crate::org::api::OrgApi;
use crate::privacy::api::PrivacyApi;
use crate::qq::api::QqApi;
use crate::security::MasterKey;
use crate::statistics::api::StatisticsApi;
use crate::statistics::province::ProvinceStatisticsApi;
use crate::telemetry::RequestTelemetry;
use crate::tenancy::api::PlatformApi;
use crate::users::api::CountyApi;
use crate::users::signin::AuthApi;
use crate::users::totp_api::TotpApi;
use crate::workflows::activities::api::ActivitiesApi;
use crate::workflows::activities::attendance::AttendanceApi;
use crate::workflows::activities::steps::ActivityStepsApi;
use crate::workflows::centres::api::ServiceRequestsApi;
use crate::workflows::centres::steps::ServiceRequestStepsApi;
use crate::workflows::feedback::api::FeedbackApi;
use crate::workflows::filing::api::FilingApi;
use crate::workflows::filing::review::FilingReviewApi;
use crate::workflows::floating::api::FloatingApi;
use crate::workflows::floating::steps::FloatingStepsApi;
use crate::workflows::letters::api::LettersApi;
use crate::workflows::records::api::RecordsApi;
use crate::workflows::records::catalogue::RecordCatalogueApi;
use crate::workflows::registrations::api::RegistrationsApi;
use crate::workflows::reporting::api::ReportingApi;
use crate::workflows::timeline::TimelineApi;

/// Every API of the service, one per domain area: the register's, then the workflows'
/// (poem-openapi implements `OpenApi` for tuples of up to 16, so the list is nested).
pub type Apis = (RegisterApis, WorkflowApis, EvaluationApis);

/// The evaluations (issue 16).
pub type EvaluationApis = (
    RubricsApi,
    BranchEvaluationsApi,
    VanguardApi,
    VanguardEntriesApi,
    TrainingApi,
    MarketStandardsApi,
    CoverageApi,
    CoverageOrgsApi,
    CoverageImportApi,
    StatisticsApi,
    ProvinceStatisticsApi,
);

pub type RegisterApis = (
    AuthApi,
    PlatformApi,
    CountyApi,
    OrgApi,
    GridApi,
    AuditApi,
    MemberApi,
    SpreadsheetApi,
    PrivacyApi,
    QqApi,
    TotpApi,
    ConsentApi,
    BusinessApi,
    MarketApi,
    MemberStatusApi,
    (EventsApi, ImportMappingsApi, BusinessImportApi),
);

/// The dual-linkage workflows, the deadline engine (issue 5) and the service centres (issue 15).
pub type WorkflowApis = (
    DeadlineApi,
    DeadlineSettingsApi,
    ProvinceDeadlineApi,
    TimelineApi,
    RecordsApi,
    RecordCatalogueApi,
    FilingApi,
    FilingReviewApi,
    ReportingApi,
    FeedbackApi,
    FloatingApi,
    FloatingStepsApi,
    (ServiceRequestsApi, ServiceRequestStepsApi),
    (
        ActivitiesApi,
        ActivityStepsApi,
        AttendanceApi,
        LettersApi,
        RegistrationsApi,
    ),
    (
        NotifySettingsApi,
        PreferencesApi,
        InboxApi,
        NationalCalendarApi,
    ),
);

pub fn openapi(state: &AppState) -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            (
            AuthApi { state: state.clone() },
            PlatformApi { state: state.clone() },
            CountyApi { state: state.clone() },
            OrgApi { state: state.clone() },
            GridApi { state: state.clone() },
            AuditApi { state: state.clone() },
            MemberApi { state: state.clone() },
            SpreadsheetApi { state: state.clone() },
            PrivacyApi { state: state.clone() },
            QqApi { state: state.clone() },
            TotpApi { state: state.clone() },
            ConsentApi { state: state.clone() },
            BusinessApi { state: state.clone() },
            MarketApi { state: state.clone() },
            MemberStatusApi { state: state.clone() },
            (
                EventsApi { state: state.clone() },
                ImportMappingsApi { state: state.clone() },
                BusinessImportApi { state: state.clone() },
            ),
            ),
            (
                DeadlineApi { state: state.clone() },
                DeadlineSettingsApi { state: state.clone() },
                ProvinceDeadlineApi { state: state.clone() },
                TimelineApi { state: state.clone() },
                RecordsApi { state: state.clone() },
                RecordCatalogueApi { state: state.clone() },
                FilingApi { state: state.clone() },
                FilingReviewApi { state: state.clone() },
                ReportingApi { state: state.clone() },
                FeedbackApi { state: state.clone() },
                FloatingApi { state: state.clone() },
                FloatingStepsApi { state: state.clone() },
                (
                    ServiceRequestsApi { state: state.clone() },
                    ServiceRequestStepsApi { state: state.clone() },
                ),
                (
                    ActivitiesApi { state: state.clone() },
                    ActivityStepsApi { state: state.clone() },
                    AttendanceApi { state: state.clone() },
                    LettersApi { state: state.clone() },
                    RegistrationsApi { state: state.clone() },
                ),
                (
                    NotifySettingsApi { state: state.clone() },
                    PreferencesApi { state: state.clone() },
                    InboxApi { state: state.clone() },
                    NationalCalendarApi { state: state.clone() },
                ),
            ),
            (
                RubricsApi { state: state.clone() },
                BranchEvaluationsApi { state: state.clone() },
                VanguardApi { state: state.clone() },
                VanguardEntriesApi { state: state.clone() },
                TrainingApi { state: state.clone() },
                MarketStandardsApi { state: state.clone() },
                CoverageApi { state: state.clone() },
                CoverageOrgsApi { state: state.clone() },
                CoverageImportApi { state: state.clone() },
                StatisticsApi { state: state.clone() },
                ProvinceStatisticsApi { state: state.clone() },
            ),
        ),
        "Shuanglian 双联 API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "县级个体工商户党建“双联”工作平台。错误均为 RFC 9457 problem+json（稳定的 code，中英文说明，字段错误）。\n\
         Multi-tenant party-building service; errors are RFC 9457 problem+json with a stable code.",
    )
    .server("/api/v1")
}

/// The OpenAPI document as served. Request bodies are strict (unknown fields are rejected by
/// `JsonBody`), which poem-openapi's derive cannot state, so every `*Request` schema gets
/// `additionalProperties: false` here; a unit test keeps the convention honest.
pub fn spec_json<T: poem_openapi::OpenApi>(api: &OpenApiService<T, ()>) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&api.spec()).unwrap_or_default();
    if let Some(schemas) = v
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    {
        for (name, schema) in schemas.iter_mut() {
            if name.ends_with("Request") {
                schema["additionalProperties"] = serde_json::Value::Bool(false);
                mark_optional_nullable(schema);
            }
        }
    }
    v.to_string()
}

/// The OpenAPI document (pretty-printed), as `routes` serves it, for `shuanglian openapi`.
/// The APIs need a state to exist, so a throwaway SQLite database is built and removed again;
/// the configured database is never touched.
pub async fn openapi_document() -> anyhow::Result<String> {
    let dir = std::env::temp_dir().join(format!("shuanglian-openapi-{}", std::process::id()));
    let mut settings = Settings::default();
    settings.database.url = format!("sqlite://{}/spec.db", dir.display()).into();
    settings.redis.url = None;
    let state = AppState::build(settings, MasterKey::generate()).await;
    let doc = state.map(|s| spec_json(&openapi(&s)));
    let _ = std::fs::remove_dir_all(&dir);
    let v: serde_json::Value = serde_json::from_str(&doc?)?;
    Ok(serde_json::to_string_pretty(&v)?)
}

/// Path templates (under /api/v1) and their methods, from the OpenAPI document: a 405 names
/// the allowed methods in `Allow`, as RFC 9110 requires.
fn allow_table(spec: &str) -> Vec<(Vec<String>, String)> {
    let v: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
    let Some(paths) = v.get("paths").and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    paths
        .iter()
        .map(|(path, ops)| {
            let segs = format!("/api/v1{path}")
                .split('/')
                .map(str::to_owned)
                .collect();
            let methods: Vec<String> = ops
                .as_object()
                .map(|o| o.keys().map(|m| m.to_uppercase()).collect())
                .unwrap_or_default();
            (segs, methods.join(", "))
        })
        .collect()
}

fn allowed_methods(table: &[(Vec<String>, String)], path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    table
        .iter()
        .find(|(t, _)| {
            t.len() == segs.len()
                && t.iter()
                    .zip(&segs)
                    .all(|(a, b)| a.starts_with('{') || a == b)
        })
        .map(|(_, m)| m.clone())
}

/// Optional request fields accept an explicit `null` (serde reads it as absent); OpenAPI 3.0
/// says so with `nullable`, wrapping `$ref`s in `allOf` since siblings of `$ref` are ignored.
fn mark_optional_nullable(schema: &mut serde_json::Value) {
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for (field, prop) in props.iter_mut() {
        if required.contains(field) {
            continue;
        }
        if let Some(r) = prop.get("$ref").cloned() {
            *prop = serde_json::json!({ "allOf": [{ "$ref": r }], "nullable": true });
        } else {
            prop["nullable"] = serde_json::Value::Bool(true);
        }
    }
}

/// A panic in a handler answers a 500 problem+json instead of dropping the connection; database
/// work has its own guard (`Db::blocking` rolls back and discards the connection).
fn catch_panic() -> poem::middleware::CatchPanic<PanicProblem> {
    poem::middleware::CatchPanic::new().with_handler(PanicProblem)
}

#[derive(Clone)]
struct PanicProblem;

impl poem::middleware::PanicHandler for PanicProblem {
    type Response = poem::Response;

    fn get_response(&self, _payload: Box<dyn std::any::Any + Send + 'static>) -> poem::Response {
        poem::error::ResponseError::as_response(&crate::error::AppError::internal(anyhow::anyhow!(
            "a request handler panicked"
        )))
    }
}

/// The route table.
pub fn routes(state: AppState) -> impl poem::Endpoint<Output = poem::Response> {
    let api = openapi(&state);
    let spec = spec_json(&api);
    let allow = Arc::new(allow_table(&spec));
    let ui = api.swagger_ui();
    Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at(
            "/api/v1/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            })),
        )
        .nest("/api/docs", ui)
        .nest("/api/v1", api)
        .at("/", crate::web::endpoint())
        .at("/*path", crate::web::endpoint())
        .data(state)
        .with(catch_panic())
        .with(RequestTelemetry {
            problem: crate::api::problem_response,
        })
        .around(move |ep, req| {
            let allow = allow.clone();
            async move {
                let path = req.uri().path().to_owned();
                let mut resp = ep.call(req).await?;
                if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
                    && let Some(v) = allowed_methods(&allow, &path).and_then(|m| m.parse().ok())
                {
                    resp.headers_mut().insert(poem::http::header::ALLOW, v);
                }
                Ok(resp)
            }
        })
}

#[cfg(test)]
mod tests {
    use poem::{EndpointExt, Route, get, handler};

    #[handler]
    fn boom() -> &'static str {
        panic!("handler bug")
    }

    #[tokio::test]
    async fn a_handler_panic_is_a_problem_and_the_next_request_is_served() {
        let app = Route::new()
            .at("/boom", get(boom))
            .at("/ok", get(super::healthz))
            .with(super::catch_panic());
        let cli = poem::test::TestClient::new(app);
        let r = cli.get("/boom").send().await;
        r.assert_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR);
        r.assert_content_type("application/problem+json; charset=utf-8");
        let v: serde_json::Value =
            serde_json::from_str(&r.0.into_body().into_string().await.unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(v["code"], "internal_error");
        cli.get("/ok").send().await.assert_status_is_ok();
    }

    #[test]
    fn allow_table_matches_templates() {
        let spec =
            r#"{"paths":{"/users":{"get":{},"post":{}},"/users/{id}":{"get":{},"patch":{}}}}"#;
        let t = super::allow_table(spec);
        assert_eq!(
            super::allowed_methods(&t, "/api/v1/users").as_deref(),
            Some("GET, POST")
        );
        assert_eq!(
            super::allowed_methods(&t, "/api/v1/users/abc").as_deref(),
            Some("GET, PATCH")
        );
        assert_eq!(super::allowed_methods(&t, "/api/v1/nope"), None);
    }
}

#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

#[handler]
async fn readyz(state: poem::web::Data<&AppState>) -> poem::Response {
    let s = state.0;
    let db = tokio::time::timeout(Duration::from_secs(2), s.db.ping()).await;
    let kv = tokio::time::timeout(Duration::from_secs(2), s.sessions.kv().ping()).await;
    let db_ok = matches!(db, Ok(Ok(())));
    let kv_ok = matches!(kv, Ok(Ok(())));
    let draining = s.draining.load(Ordering::SeqCst);
    let body = serde_json::json!({
        "status": if db_ok && kv_ok && !draining { "ready" } else { "not_ready" },
        "database": { "backend": s.db.backend().name(), "ok": db_ok },
        "store": { "kind": s.sessions.kv().kind(), "ok": kv_ok },
        "draining": draining,
    });
    let status = if db_ok && kv_ok && !draining {
        poem::http::StatusCode::OK
    } else {
        poem::http::StatusCode::SERVICE_UNAVAILABLE
    };
    Json(body).with_status(status).into_response()
}

/// One hourly round: the daily deadline job at the first round of each China day (and at
/// start; it is idempotent, so several replicas running it cost time, not correctness), and the
/// purges of expired idempotency keys and of deleted counties' audit entries past retention.
async fn housekeeping_round(db: &Db, deadlines_ran: &mut Option<chrono::NaiveDate>) {
    let today = crate::clock::today();
    if *deadlines_ran != Some(today) {
        match crate::deadlines::job::run_all(db, today).await {
            Ok((counties, r)) => {
                *deadlines_ran = Some(today);
                tracing::info!(
                    counties,
                    opened = r.opened,
                    closed = r.closed,
                    newly_overdue = r.newly_overdue,
                    reminders = r.reminders,
                    "daily deadline job done"
                );
            }
            Err(e) => tracing::warn!(error = %e, "daily deadline job failed"),
        }
    }
    // A deleted county's audit entries, once kept their six months (PIPL / 网络安全法).
    match shuanglian_lifecycle::purge_expired_audit(db, today).await {
        Ok(n) if n > 0 => tracing::info!(
            deleted = n,
            "expired audit entries of deleted counties purged"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "audit retention purge failed"),
    }
    match crate::api::idempotency::purge_expired(db).await {
        Ok(n) if n > 0 => {
            tracing::info!(deleted = n, "expired idempotency keys purged")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
    }
}

/// A bound, not yet running server.
pub struct Application {
    state: AppState,
    acceptor: poem::listener::TcpAcceptor,
    port: u16,
}

impl Application {
    pub async fn build(settings: Settings, master_key: MasterKey) -> anyhow::Result<Application> {
        let listen = settings.server.listen.clone();
        let state = AppState::build(settings, master_key).await?;
        let acceptor = TcpListener::bind(listen.clone())
            .into_acceptor()
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .unwrap_or_default();
        Ok(Application {
            state,
            acceptor,
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// (up to `server.shutdown_grace_secs`), and returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = Duration::from_secs(self.state.settings.server.shutdown_grace_secs);
        let draining = self.state.draining.clone();
        let db = self.state.db.clone();
        crate::telemetry::register_pool_gauges(move || db.pool_state());
        // Hourly housekeeping; stops with the process.
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            let mut deadlines_ran: Option<chrono::NaiveDate> = None;
            loop {
                tick.tick().await;
                // A panic in one round is logged by the hook and the next round runs.
                let round =
                    std::panic::AssertUnwindSafe(housekeeping_round(&db, &mut deadlines_ran));
                if futures_util::FutureExt::catch_unwind(round).await.is_err() {
                    tracing::error!("housekeeping round panicked; the next one runs as planned");
                }
            }
        });
        // Notification delivery, in every replica (claims keep them from sending twice).
        let interval = self.state.settings.notify.interval_secs;
        let notifier = (interval > 0).then(|| {
            let channels = crate::notify::worker::Channels::from_settings(
                &self.state.settings.notify,
                *self.state.master_key.bytes(),
            );
            tokio::spawn(crate::notify::worker::run_forever(
                self.state.db.clone(),
                channels,
                Duration::from_secs(interval),
            ))
        });
        let app = routes(self.state);
        let signal = async move {
            shutdown.await;
            draining.store(true, Ordering::SeqCst);
            tracing::info!("shutdown requested: draining in-flight requests");
        };
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, signal, Some(grace))
            .await;
        housekeeping.abort();
        if let Some(n) = notifier {
            n.abort();
        }
        result
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
