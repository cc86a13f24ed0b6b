//! The one place tracing is set up: env-filtered logs (pretty, or JSON in production), OTLP/HTTP
//! export of traces and metrics when an endpoint is configured, and the per-request span.
//!
//! Spans and logs carry request id, tenant code, user id (an opaque UUID), route, status and
//! latency: never names, phone/ID/QQ numbers, bodies or query strings.

use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram};
use opentelemetry::trace::TracerProvider as _;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, TelemetrySettings};

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if any (for problem+json bodies).
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Puts the caller into the current request span once the token is resolved.
pub fn record_principal(tenant_code: Option<&str>, user_id: &str) {
    let span = tracing::Span::current();
    if let Some(t) = tenant_code {
        span.record("tenant", t);
    }
    span.record("user_id", user_id);
}

/// Flushes exporters on drop.
pub struct TelemetryGuard {
    tracer: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
    meter: Option<opentelemetry_sdk::metrics::SdkMeterProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(t) = self.tracer.take() {
            let _ = t.shutdown();
        }
        if let Some(m) = self.meter.take() {
            let _ = m.shutdown();
        }
    }
}

/// Replaces the default panic hook, which prints the panic message to stderr: a message such as
/// "byte index 17 is not a char boundary … of `330523…`" quotes the input, and inputs are
/// personal data. The hook logs where the panic happened, and the message only when it is a
/// string literal of our own code.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info.payload().downcast_ref::<&'static str>().copied();
        tracing::error!(panic.location = %at, panic.message = msg.unwrap_or("(not logged)"), "panic");
    }));
}

/// Installs the global subscriber. Call once, from the binary.
pub fn init(cfg: &TelemetrySettings) -> anyhow::Result<TelemetryGuard> {
    let filter =
        EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(&cfg.log_filter))?;
    let (json, pretty) = match cfg.log_format {
        LogFormat::Json => (
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            ),
            None,
        ),
        LogFormat::Pretty => (None, Some(tracing_subscriber::fmt::layer().compact())),
    };
    let mut guard = TelemetryGuard {
        tracer: None,
        meter: None,
    };
    let otel = match &cfg.otlp_endpoint {
        Some(endpoint) => {
            use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
            let base = endpoint.trim_end_matches('/');
            let resource = opentelemetry_sdk::Resource::builder()
                .with_service_name(cfg.service_name.clone())
                .build();
            let spans = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(format!("{base}/v1/traces"))
                .with_timeout(Duration::from_secs(5))
                .with_headers(Default::default())
                .build()?;
            let tp = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_batch_exporter(spans)
                .with_resource(resource.clone())
                .build();
            let metrics = opentelemetry_otlp::MetricExporter::builder()
                .with_http()
                .with_endpoint(format!("{base}/v1/metrics"))
                .with_timeout(Duration::from_secs(5))
                .build()?;
            let reader = opentelemetry_sdk::metrics::PeriodicReader::builder(metrics)
                .with_interval(Duration::from_secs(5))
                .build();
            let mp = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
                .with_reader(reader)
                .with_resource(resource)
                .build();
            opentelemetry::global::set_meter_provider(mp.clone());
            let tracer = tp.tracer("shuanglian");
            guard.tracer = Some(tp);
            guard.meter = Some(mp);
            Some(tracing_opentelemetry::layer().with_tracer(tracer))
        }
        None => None,
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(json)
        .with(pretty)
        .with(otel)
        .try_init()?;
    Ok(guard)
}

struct Metrics {
    requests: Counter<u64>,
    latency: Histogram<f64>,
}

fn metrics() -> &'static Metrics {
    static M: std::sync::OnceLock<Metrics> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let meter = opentelemetry::global::meter("shuanglian");
        Metrics {
            requests: meter
                .u64_counter("http.server.requests")
                .with_description("HTTP requests served")
                .build(),
            latency: meter
                .f64_histogram("http.server.request.duration")
                .with_unit("s")
                .with_description("HTTP request latency")
                .build(),
        }
    })
}

/// Exports the database pool's size and idle connections as gauges (`db.pool.connections`,
/// `db.pool.idle`). The gauges live as long as the process.
pub fn register_pool_gauges(state: impl Fn() -> (u32, u32) + Send + Sync + 'static) {
    let meter = opentelemetry::global::meter("shuanglian");
    let state = std::sync::Arc::new(state);
    let s1 = state.clone();
    let total = meter
        .u64_observable_gauge("db.pool.connections")
        .with_description("Open database connections in the pool")
        .with_callback(move |o| o.observe(u64::from(s1().0), &[]))
        .build();
    let idle = meter
        .u64_observable_gauge("db.pool.idle")
        .with_description("Idle database connections in the pool")
        .with_callback(move |o| o.observe(u64::from(state().1), &[]))
        .build();
    // Keep the instruments (and so their callbacks) for the life of the process.
    static GAUGES: std::sync::Mutex<Vec<opentelemetry::metrics::ObservableGauge<u64>>> =
        std::sync::Mutex::new(Vec::new());
    GAUGES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend([total, idle]);
}

/// Counts requests that found the database pool exhausted (answered 503 `database_busy`).
pub fn db_task_panicked() {
    static C: std::sync::OnceLock<Counter<u64>> = std::sync::OnceLock::new();
    tracing::error!(
        "a database task panicked; its transaction was rolled back and the connection discarded"
    );
    C.get_or_init(|| {
        opentelemetry::global::meter("shuanglian")
            .u64_counter("db.task.panics")
            .with_description("Database tasks that panicked (rolled back, connection discarded)")
            .build()
    })
    .add(1, &[]);
}

pub fn pool_timeout() {
    static C: std::sync::OnceLock<Counter<u64>> = std::sync::OnceLock::new();
    C.get_or_init(|| {
        opentelemetry::global::meter("shuanglian")
            .u64_counter("db.pool.timeouts")
            .with_description("Requests that waited too long for a database connection")
            .build()
    })
    .add(1, &[]);
}

/// Per-request span, request id header, latency metrics, and the problem+json mapping of any
/// error that escaped the handlers. The mapping is the API conventions' (`api::problem_response`),
/// passed in by the server, so this layer needs nothing above it.
pub struct RequestTelemetry {
    pub problem: fn(poem::Error) -> Response,
}

impl<E: Endpoint> Middleware<E> for RequestTelemetry {
    type Output = RequestTelemetryEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RequestTelemetryEndpoint {
            inner: ep,
            problem: self.problem,
        }
    }
}

pub struct RequestTelemetryEndpoint<E> {
    inner: E,
    problem: fn(poem::Error) -> Response,
}

/// The route label: the path with ids replaced, so metrics stay low-cardinality.
fn route_label(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if uuid::Uuid::try_parse(seg).is_ok() {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl<E: Endpoint> Endpoint for RequestTelemetryEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let route = route_label(req.uri().path());
        let method = req.method().to_string();
        let span = tracing::info_span!(
            "http.request",
            request_id = %request_id,
            http.method = %method,
            http.route = %route,
            tenant = tracing::field::Empty,
            user_id = tracing::field::Empty,
            http.status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let start = Instant::now();
        let rid = request_id.clone();
        let fut = async {
            let mut resp = match self.inner.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => (self.problem)(e),
            };
            let status = resp.status().as_u16();
            let elapsed = start.elapsed();
            let span = tracing::Span::current();
            span.record("http.status", status);
            span.record("latency_ms", elapsed.as_secs_f64() * 1000.0);
            if status >= 500 {
                tracing::error!("request completed");
            } else {
                tracing::info!("request completed");
            }
            let attrs = [
                KeyValue::new("http.route", route.clone()),
                KeyValue::new("http.method", method.clone()),
                KeyValue::new("http.status", i64::from(status)),
            ];
            metrics().requests.add(1, &attrs);
            metrics().latency.record(elapsed.as_secs_f64(), &attrs);
            if let Ok(v) = rid.parse() {
                resp.headers_mut().insert("x-request-id", v);
            }
            resp
        };
        Ok(REQUEST_ID.scope(request_id, fut.instrument(span)).await)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_labels_hide_ids() {
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(
            super::route_label(&format!("/api/v1/users/{id}")),
            "/api/v1/users/{id}"
        );
    }
}
