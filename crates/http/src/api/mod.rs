//! HTTP conventions shared by every endpoint: JSON bodies, pagination, ETags, idempotency keys,
//! client addresses, and the mapping of every framework error to problem+json.

pub mod body;
pub mod idempotency;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::StatusCode;
use poem::{Request, Response};

use shuanglian_core::error::{AppError, FieldError};

pub use body::JsonBody;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// The `limit` query parameter of every list endpoint: 1 to `MAX` ([`MAX_PAGE`] for the paged
/// lists; a one-page report may state its own). Declared once here so the bound is enforced,
/// and documented in OpenAPI, the same way everywhere; a value out of range is a 400
/// `invalid_parameter` naming `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit<const MAX: u32 = MAX_PAGE>(pub u32);

impl<const MAX: u32> poem_openapi::types::Type for PageLimit<MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        format!("PageLimit{MAX}").into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        let mut s = poem_openapi::registry::MetaSchema::new_with_format("integer", "uint32");
        s.minimum = Some(1.0);
        s.maximum = Some(f64::from(MAX));
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(s))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl<const MAX: u32> poem_openapi::types::ParseFromParameter for PageLimit<MAX> {
    fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
        match value.trim().parse::<u32>() {
            Ok(n) if (1..=MAX).contains(&n) => Ok(Self(n)),
            _ => Err(poem_openapi::types::ParseError::custom(format!(
                "limit is a whole number from 1 to {MAX}"
            ))),
        }
    }
}

/// A validated page request: at most `limit` rows with ids after `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
}

impl PageRequest {
    pub fn parse(limit: Option<PageLimit>, cursor: Option<&str>) -> Result<Self, AppError> {
        let limit = limit.map_or(DEFAULT_PAGE, |l| l.0);
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

/// A `YYYY-MM-DD` date from a request; the error names `field`. Four-digit years only: chrono
/// also reads `+262143-12-31`, on which the date rules' arithmetic would overflow.
pub fn parse_date(field: &str, s: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1000..=9999).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
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

/// The version an optional `If-Match` asks for: none on a create (the row does not exist yet),
/// else as [`if_match`].
pub fn if_match_opt(header: Option<&str>) -> Result<Option<i64>, AppError> {
    header.map(|h| if_match(Some(h))).transpose()
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
        let p = PageRequest::parse(Some(PageLimit(2)), Some(&encode_cursor(&id))).expect("page");
        assert_eq!(p.after.as_deref(), Some(id.as_str()));
        assert_eq!(p.fetch(), 3);
        let (rows, next) = p.finish(vec!["a", "b", "c"], |s| s);
        assert_eq!(rows, vec!["a", "b"]);
        assert!(next.is_some());
        let (rows, next) = p.finish(vec!["a"], |s| s);
        assert_eq!((rows.len(), next), (1, None));
        use poem_openapi::types::ParseFromParameter;
        for bad in ["0", "201", "-1", "abc", "4294967296", ""] {
            assert!(<PageLimit>::parse_from_parameter(bad).is_err(), "{bad}");
        }
        assert_eq!(
            <PageLimit>::parse_from_parameter("200").ok(),
            Some(PageLimit(200))
        );
        assert_eq!(
            PageRequest::parse(None, None).expect("page").limit,
            DEFAULT_PAGE
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

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #[test]
            fn dates_never_panic(s in prop_oneof![
                any::<String>(),
                "[+-]?[0-9]{1,7}-[0-9]{1,3}-[0-9]{1,3}",
            ]) {
                if let Ok(d) = parse_date("as_of", &s) {
                    // Accepted dates leave room for the date rules' arithmetic.
                    prop_assert!(d.checked_add_days(chrono::Days::new(3660)).is_some());
                }
            }

            #[test]
            fn dates_round_trip(days in 0i64..2_900_000) {
                let d = chrono::NaiveDate::from_ymd_opt(1000, 1, 1).expect("date")
                    + chrono::Days::new(days as u64);
                let shown = d.format("%Y-%m-%d").to_string();
                prop_assert_eq!(parse_date("on", &shown).expect("valid"), d);
            }

            #[test]
            fn page_limits_and_cursors_never_panic(s in any::<String>()) {
                use poem_openapi::types::ParseFromParameter;
                if let Ok(l) = <PageLimit>::parse_from_parameter(&s) {
                    prop_assert!((1..=MAX_PAGE).contains(&l.0));
                }
                let _ = PageRequest::parse(None, Some(&s));
            }
        }
    }
}
