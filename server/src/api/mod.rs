//! HTTP conventions shared by every endpoint: JSON bodies, pagination, ETags, idempotency keys,
//! client addresses, and the mapping of every framework error to problem+json.

pub mod body;
pub mod idempotency;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use poem::{Request, Response};

use crate::error::{AppError, FieldError};

pub use body::JsonBody;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// A validated page request: at most `limit` rows with ids after `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
}

impl PageRequest {
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(AppError::field(
                "limit",
                "out_of_range",
                format!("limit：每页条数应在 1 到 {MAX_PAGE} 之间"),
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                AppError::field(
                    "cursor",
                    "invalid_cursor",
                    "cursor：翻页游标无效",
                    "cursor is not valid",
                )
            })?),
        };
        Ok(Self { limit, after })
    }

    /// Rows fetched are `limit + 1`; the extra one tells whether a next page exists.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Trims the extra row and returns the cursor of the next page.
    pub fn finish<T>(&self, mut rows: Vec<T>, id: impl Fn(&T) -> &str) -> (Vec<T>, Option<String>) {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|r| encode_cursor(id(r)))
        } else {
            None
        };
        (rows, next)
    }
}

pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{id}"))
}

fn decode_cursor(c: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(c).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let id = s.strip_prefix("after:")?;
    uuid::Uuid::try_parse(id).ok().map(|_| id.to_owned())
}

/// A `YYYY-MM-DD` date from a request; the error names `field`.
pub fn parse_date(field: &str, s: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            "invalid_date",
            format!("{field}：日期格式应为 YYYY-MM-DD"),
            format!("{field}: a date as YYYY-MM-DD"),
        )
    })
}

/// The ETag of a row at a version.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version an `If-Match` header asks for: required on updates (428 without it).
pub fn if_match(header: Option<&str>) -> Result<i64, AppError> {
    let h = header.ok_or_else(AppError::precondition_required)?.trim();
    let h = h.strip_prefix("W/").unwrap_or(h);
    h.trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(invalid_if_match)
}

fn invalid_if_match() -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_if_match",
        "If-Match 请求头格式不正确，应原样使用 ETag",
        "If-Match must carry an ETag exactly as returned",
    )
    .with_field(FieldError::new(
        "If-Match",
        "invalid",
        "If-Match 无效",
        "If-Match is invalid",
    ))
}

/// A path id: anything that is not a UUID cannot exist, so it is 404, like another tenant's id.
pub fn path_id(s: &str) -> Result<String, AppError> {
    uuid::Uuid::try_parse(s)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::not_found())
}

/// The client address used for rate limits: the socket peer, or, when configured to sit behind
/// one trusted proxy (an ingress), the last `X-Forwarded-For` address: the one that proxy
/// appended. Earlier entries come from the client and are never trusted.
pub fn client_addr(req: &Request, trust_forwarded_for: bool) -> String {
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| trust_forwarded_for && !v.is_empty());
    if let Some(last) = forwarded {
        return last.to_owned();
    }
    match req.remote_addr().as_socket_addr() {
        Some(a) => a.ip().to_string(),
        None => "unknown".to_owned(),
    }
}

/// Maps any error that reaches the edge to problem+json. Errors we raised keep their code;
/// framework errors (no route, wrong method, bad parameter, …) get a stable one here.
pub fn problem_response(err: poem::Error) -> Response {
    if let Some(app) = err.downcast_ref::<AppError>() {
        return poem::error::ResponseError::as_response(app);
    }
    let status = err.status();
    let app = if let Some(p) = err.downcast_ref::<poem_openapi::error::ParseParamError>()
        && p.name == "If-Match"
    {
        // Missing: the update needs a precondition (428); not one of our ETags: 400.
        if p.reason.contains("expects an input value") {
            AppError::precondition_required()
        } else {
            invalid_if_match()
        }
    } else if let Some(p) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("参数 {} 无效", p.name),
            format!("Parameter {} is invalid", p.name),
        )
        .with_field(FieldError::new(
            p.name,
            "invalid",
            format!("参数 {} 无效：{}", p.name, p.reason),
            format!("{}: {}", p.name, p.reason),
        ))
    } else if err.is::<poem_openapi::error::ContentTypeError>() {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体必须是 JSON（Content-Type: application/json）",
            "The body must be JSON (Content-Type: application/json)",
        )
    } else if err.is::<poem_openapi::error::AuthorizationError>() {
        AppError::unauthenticated()
    } else {
        match status {
            StatusCode::NOT_FOUND => {
                AppError::new(status, "route_not_found", "接口不存在", "No such endpoint")
            }
            StatusCode::METHOD_NOT_ALLOWED => AppError::new(
                status,
                "method_not_allowed",
                "该接口不支持此请求方法",
                "Method not allowed on this endpoint",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => body::too_large(body::DEFAULT_LIMIT),
            StatusCode::UNAUTHORIZED => AppError::unauthenticated(),
            s if s.is_client_error() => AppError::new(s, "bad_request", "请求无效", "Bad request"),
            _ => AppError::internal(anyhow::anyhow!("{err}")),
        }
    };
    poem::error::ResponseError::as_response(&app)
}

#[cfg(test)]
mod tests {
    #[test]
    fn forwarded_addresses_count_only_when_trusted_and_only_the_proxys_own() {
        let req = |xff: &[&str]| {
            let mut b = poem::Request::builder();
            for v in xff {
                b = b.header("x-forwarded-for", *v);
            }
            b.finish()
        };
        // Not trusted (the default): a client's header changes nothing.
        let spoof = req(&["1.2.3.4"]);
        assert_ne!(super::client_addr(&spoof, false), "1.2.3.4");
        // Trusted: the address the proxy appended, not what the client put first.
        let r = req(&["6.6.6.6, 10.0.0.7"]);
        assert_eq!(super::client_addr(&r, true), "10.0.0.7");
        let r = req(&["6.6.6.6", "10.0.0.8"]);
        assert_eq!(super::client_addr(&r, true), "10.0.0.8");
        assert_eq!(super::client_addr(&req(&["10.0.0.9"]), true), "10.0.0.9");
    }

    use super::*;

    #[test]
    fn pages_and_cursors() {
        let id = uuid::Uuid::now_v7().to_string();
        let p = PageRequest::parse(Some(2), Some(&encode_cursor(&id))).expect("page");
        assert_eq!(p.after.as_deref(), Some(id.as_str()));
        assert_eq!(p.fetch(), 3);
        let (rows, next) = p.finish(vec!["a", "b", "c"], |s| s);
        assert_eq!(rows, vec!["a", "b"]);
        assert!(next.is_some());
        let (rows, next) = p.finish(vec!["a"], |s| s);
        assert_eq!((rows.len(), next), (1, None));
        assert_eq!(
            PageRequest::parse(Some(0), None).unwrap_err().fields[0].field,
            "limit"
        );
        assert_eq!(
            PageRequest::parse(Some(201), None).unwrap_err().fields[0].field,
            "limit"
        );
        assert_eq!(
            PageRequest::parse(None, Some("garbage"))
                .unwrap_err()
                .fields[0]
                .field,
            "cursor"
        );
    }

    #[test]
    fn if_match_parsing() {
        assert_eq!(if_match(Some("\"v3\"")).expect("ok"), 3);
        assert_eq!(if_match(Some("W/\"v3\"")).expect("ok"), 3);
        assert_eq!(
            if_match(None).unwrap_err().status,
            StatusCode::PRECONDITION_REQUIRED
        );
        assert_eq!(if_match(Some("*")).unwrap_err().code, "invalid_if_match");
    }
}
