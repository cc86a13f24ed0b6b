//! The one application error type, mapped once to RFC 9457 problem+json at the HTTP edge.
//!
//! Every error carries a stable machine `code`, a zh-CN and an English message, and, for
//! validation failures, the fields at fault. Internal causes are logged by request id and never
//! shown to the client.

use std::borrow::Cow;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde::Serialize;

pub type Msg = Cow<'static, str>;

/// One field at fault in a request.
#[derive(Debug, Clone, Serialize, Object, PartialEq)]
pub struct FieldError {
    /// JSON path or parameter name, e.g. `code` or `admin.username`.
    pub field: String,
    /// Stable machine code, e.g. `required`, `invalid_division_code`.
    pub code: String,
    /// zh-CN message naming the field.
    pub message: String,
    /// English message.
    pub message_en: String,
}

/// Validation reports every bad field at once: a parsed field either yields its value or files
/// its error in `errs` and yields `None`, and the handler fails after all fields are read.
pub trait Gather<T> {
    fn gather(self, errs: &mut Vec<FieldError>) -> Option<T>;
}

impl<T> Gather<T> for Result<T, FieldError> {
    fn gather(self, errs: &mut Vec<FieldError>) -> Option<T> {
        self.map_err(|e| errs.push(e)).ok()
    }
}

/// An optional field: absent is `None` without an error.
impl<T> Gather<T> for Option<Result<T, FieldError>> {
    fn gather(self, errs: &mut Vec<FieldError>) -> Option<T> {
        self.transpose().gather(errs).flatten()
    }
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: zh.into(),
            message_en: en.into(),
        }
    }
}

/// Lists of errors in a response stop at this many; `more_errors` counts those left out, so a
/// file with a million bad cells answers a page the client can show, not a million entries.
pub const MAX_LISTED_ERRORS: usize = 500;

/// A list of errors that keeps the first [`MAX_LISTED_ERRORS`] and counts the rest.
#[derive(Debug, Clone)]
pub struct Capped<T> {
    items: Vec<T>,
    more: usize,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            more: 0,
        }
    }
}

impl<T> Capped<T> {
    pub fn push(&mut self, item: T) {
        if self.items.len() < MAX_LISTED_ERRORS {
            self.items.push(item);
        } else {
            self.more += 1;
        }
    }

    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for i in items {
            self.push(i);
        }
    }

    /// Every error, listed or not.
    pub fn total(&self) -> usize {
        self.items.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The listed errors.
    pub fn listed(&self) -> &[T] {
        &self.items
    }

    /// The count of errors not listed, as the wire's `more_errors` (absent when none).
    pub fn more(&self) -> Option<u32> {
        (self.more > 0).then(|| u32::try_from(self.more).unwrap_or(u32::MAX))
    }
}

impl<T> FromIterator<T> for Capped<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut c = Self::default();
        c.extend(iter);
        c
    }
}

/// RFC 9457 problem details, as sent on the wire (`application/problem+json`).
#[derive(Debug, Clone, Serialize, Object)]
pub struct Problem {
    /// `urn:shuanglian:problem:<code>`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// zh-CN title.
    pub title: String,
    pub status: u16,
    /// Stable machine code; clients switch on this, never on text.
    pub code: String,
    /// zh-CN explanation.
    pub detail: String,
    /// English explanation.
    pub detail_en: String,
    /// At most 500 entries; `more_errors` counts the rest.
    #[oai(skip_serializing_if_is_empty, default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many errors were left out of `errors` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_errors: Option<u32>,
    /// The request id, to quote to an operator.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: Msg,
    pub en: Msg,
    pub fields: Vec<FieldError>,
    /// Errors known but not in `fields` (a caller that kept only the first ones); the wire
    /// shows them as `more_errors` with those beyond [`MAX_LISTED_ERRORS`].
    pub more_fields: u32,
    pub retry_after: Option<u64>,
    /// Internal cause: logged, never sent.
    pub source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        zh: impl Into<Msg>,
        en: impl Into<Msg>,
    ) -> Self {
        Self {
            status,
            code,
            zh: zh.into(),
            en: en.into(),
            fields: Vec::new(),
            more_fields: 0,
            retry_after: None,
            source: None,
        }
    }

    /// 422 with the fields at fault.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "请求内容有误，请检查标出的字段",
            "The request has invalid fields",
        );
        e.fields = fields;
        e
    }

    /// 422 for a single field.
    pub fn field(field: &str, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, zh, en)])
    }

    /// 400: the body is not well-formed (bad JSON, wrong type, unknown field).
    pub fn bad_request(fields: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "请求格式错误",
            "Malformed request",
        );
        e.fields = fields;
        e
    }

    /// The error every request of a suspended county's user gets.
    pub fn tenant_suspended() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "tenant_suspended",
            "本县账户已被平台停用，请联系平台运维",
            "This county has been suspended by the platform; contact the platform operators",
        )
    }

    /// 404. Also the answer for another tenant's ids: existence is never disclosed.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "资源不存在",
            "Resource not found",
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "未登录或登录已失效",
            "Not signed in or the session has ended",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权执行此操作",
            "You are not allowed to do this",
        )
    }

    /// A 403 that says why: a stable code of its own (`committee_only`, …) and its messages.
    pub fn forbidden_as(code: &'static str, zh: impl Into<Msg>, en: impl Into<Msg>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, zh, en)
    }

    pub fn conflict(code: &'static str, zh: impl Into<Msg>, en: impl Into<Msg>) -> Self {
        Self::new(StatusCode::CONFLICT, code, zh, en)
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "stale_version",
            "数据已被他人修改，请刷新后重试",
            "The resource was changed by someone else; reload and retry",
        )
    }

    pub fn precondition_required() -> Self {
        let mut e = Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "修改需要携带 If-Match 请求头（取自上次读取的 ETag）",
            "Updates need an If-Match header carrying the ETag last read",
        );
        e.fields = vec![FieldError::new(
            "If-Match",
            "required",
            "缺少 If-Match 请求头",
            "If-Match header is missing",
        )];
        e
    }

    pub fn too_many_requests(code: &'static str, retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            code,
            format!("请求过于频繁，请 {retry_after} 秒后再试"),
            format!("Too many requests; retry in {retry_after} s"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn unavailable(code: &'static str, zh: impl Into<Msg>, en: impl Into<Msg>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, zh, en)
    }

    /// 500: the cause is logged, the client sees a generic message. An outage of the database
    /// or the session store is a 503 instead (see [`AppError::outage`]), whichever call site
    /// the failure surfaced at.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let err = err.into();
        if let Some(e) = Self::outage(&err) {
            return e.with_source(err);
        }
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，请稍后重试或联系运维（附请求编号）",
            "Internal server error; retry later or contact an operator with the request id",
        );
        e.source = Some(err);
        e
    }

    /// 503 with Retry-After when a failure means the database or the session store cannot be
    /// reached (down, restarting, connection dropped): the request did nothing and may be
    /// retried. Sessions fail closed: without the store no token is accepted (a fallback to
    /// per-process sessions would let a revoked token live on in another replica).
    fn outage(err: &anyhow::Error) -> Option<AppError> {
        let db_down = match err.downcast_ref::<DbError>() {
            Some(DbError::Connection(_) | DbError::Pool(_)) => true,
            Some(DbError::Query(q)) => is_connection_loss(q),
            _ => err
                .downcast_ref::<diesel::result::Error>()
                .is_some_and(is_connection_loss),
        };
        if db_down {
            return Some(Self::database_unavailable());
        }
        if err.downcast_ref::<crate::kv::KvError>().is_some() {
            let mut e = Self::unavailable(
                "session_store_unavailable",
                "会话存储暂时不可用，请稍后重试",
                "The session store is unavailable; retry shortly",
            );
            e.retry_after = Some(OUTAGE_RETRY_AFTER_SECS);
            return Some(e);
        }
        None
    }

    /// 503 `database_unavailable`: the database cannot be reached.
    pub fn database_unavailable() -> Self {
        let mut e = Self::unavailable(
            "database_unavailable",
            "数据库暂时无法连接，请稍后重试",
            "The database cannot be reached; retry shortly",
        );
        e.retry_after = Some(OUTAGE_RETRY_AFTER_SECS);
        e
    }

    fn with_source(mut self, err: anyhow::Error) -> Self {
        self.source = Some(err);
        self
    }

    pub fn with_field(mut self, field: FieldError) -> Self {
        self.fields.push(field);
        self
    }

    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        Problem {
            kind: format!("urn:shuanglian:problem:{}", self.code),
            title: self.zh.to_string(),
            status: self.status.as_u16(),
            code: self.code.to_owned(),
            detail: self.zh.to_string(),
            detail_en: self.en.to_string(),
            errors: self
                .fields
                .iter()
                .take(MAX_LISTED_ERRORS)
                .cloned()
                .collect(),
            more_errors: Some(
                u32::try_from(self.fields.len().saturating_sub(MAX_LISTED_ERRORS))
                    .unwrap_or(u32::MAX)
                    .saturating_add(self.more_fields),
            )
            .filter(|n| *n > 0),
            request_id,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.en)
    }
}

impl std::error::Error for AppError {}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::App(app) => *app,
            DbError::Busy => {
                let mut e = AppError::unavailable(
                    "database_busy",
                    "数据库繁忙，请稍后重试",
                    "The database is busy; retry shortly",
                );
                e.retry_after = Some(OUTAGE_RETRY_AFTER_SECS);
                e
            }
            // Connection-level failures become 503 `database_unavailable` there.
            other => AppError::internal(other),
        }
    }
}

/// Seconds a client should wait before retrying after a 503 for an outage.
const OUTAGE_RETRY_AFTER_SECS: u64 = 2;

/// A query that failed because the connection to PostgreSQL was lost (server restarting,
/// administrator shutdown, network), not because of the query.
fn is_connection_loss(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error as E};
    match e {
        E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _)
        | E::BrokenTransactionManager => true,
        E::RollbackErrorOnCommit { commit_error, .. } => is_connection_loss(commit_error),
        _ => false,
    }
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        if self.status.is_server_error() {
            if let Some(src) = &self.source {
                tracing::error!(error.code = self.code, error.cause = %src, "request failed");
            } else {
                tracing::error!(error.code = self.code, "request failed");
            }
        }
        let request_id = crate::telemetry::current_request_id();
        let body = serde_json::to_vec(&self.to_problem(request_id)).unwrap_or_default();
        let mut resp = Response::builder()
            .status(self.status)
            .content_type("application/problem+json; charset=utf-8")
            .body(body);
        if let Some(secs) = self.retry_after
            && let Ok(v) = secs.to_string().parse()
        {
            resp.headers_mut()
                .insert(poem::http::header::RETRY_AFTER, v);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                poem::http::header::WWW_AUTHENTICATE,
                poem::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        poem::error::ResponseError::as_response(&self)
    }
}

/// Documents the problem responses every endpoint may give.
impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        let problem = |status: u16, description: &'static str| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: "application/problem+json",
                schema: Problem::schema_ref(),
            }],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                problem(
                    400,
                    "Malformed request (bad JSON, wrong type, unknown field)",
                ),
                problem(401, "Not signed in, or the token is expired or revoked"),
                problem(
                    403,
                    "Not allowed (role, suspended county, password change required)",
                ),
                problem(404, "Not found, including another county's ids"),
                problem(409, "Conflict with the current state"),
                problem(
                    410,
                    "Gone: a one-time resource already used (an export downloaded)",
                ),
                problem(412, "If-Match does not match the current ETag"),
                problem(413, "Body larger than the limit"),
                problem(415, "The body is not JSON"),
                problem(422, "Invalid field values; `errors` names each field"),
                problem(428, "If-Match header required"),
                problem(429, "Rate limited or account locked; see Retry-After"),
                problem(
                    503,
                    "Database busy or unreachable, or session store unavailable; retry after Retry-After",
                ),
            ],
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

/// What a database call can fail with. Kept here, beside [`AppError`], because each wraps the
/// other: a rule refused inside a transaction is a `DbError::App`, and a `DbError` reaching a
/// handler becomes an `AppError`.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database connection failed: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database is busy")]
    Busy,
    #[error("background task failed: {0}")]
    Join(String),
    /// Code panicked while it held a connection. Its transaction was rolled back and the
    /// connection discarded; the payload is not kept (it may quote personal data).
    #[error("a database task panicked")]
    Panicked,
    #[error(transparent)]
    App(Box<AppError>),
}

impl From<AppError> for DbError {
    fn from(e: AppError) -> Self {
        DbError::App(Box::new(e))
    }
}

impl DbError {
    /// A unique violation as the given answer (a concurrent insert of the same key), any other
    /// error as it is.
    pub fn unique_as(self, answer: impl FnOnce() -> AppError) -> DbError {
        if self.is_unique_violation() {
            answer().into()
        } else {
            self
        }
    }

    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

pub type DbResult<T> = Result<T, DbError>;
