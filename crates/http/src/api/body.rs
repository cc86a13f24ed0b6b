//! `JsonBody<T>`: a JSON request payload parsed with serde (so errors name the exact field path),
//! bounded in size, documented in OpenAPI from `T`'s poem-openapi schema.

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::DeserializeOwned;

use shuanglian_core::error::{AppError, FieldError};

pub const DEFAULT_LIMIT: usize = 1024 * 1024;

/// `server.body_limit_bytes` of the app serving this request.
pub fn body_limit(req: &Request) -> usize {
    req.data::<crate::state::AppState>()
        .map_or(DEFAULT_LIMIT, |s| s.settings.server.body_limit_bytes)
}

pub struct JsonBody<T>(pub T);

/// A request body of at most `limit` bytes: 413 before reading when Content-Length says more,
/// and while reading when a chunked body grows past it. Every body extractor reads through here.
pub async fn read_limited(
    request: &Request,
    body: &mut RequestBody,
    limit: usize,
) -> Result<Vec<u8>, AppError> {
    Unread::take(request, body, limit)?.read().await
}

fn unreadable_body() -> AppError {
    AppError::bad_request(vec![FieldError::new(
        "",
        "unreadable_body",
        "无法读取请求体",
        "Could not read the body",
    )])
}

pub fn too_large(limit: usize) -> AppError {
    AppError::new(
        poem::http::StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("请求体超过 {limit} 字节上限"),
        format!("Request body exceeds the {limit}-byte limit"),
    )
}

fn unsupported_media_type() -> AppError {
    AppError::new(
        poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "请求体必须是 JSON（Content-Type: application/json）",
        "The body must be JSON (Content-Type: application/json)",
    )
}

/// Turns a serde error at a path into a field error with a zh-CN message naming the field.
fn field_error(path: &str, err: &serde_json::Error) -> FieldError {
    let msg = err.to_string();
    // serde reports a missing field at the parent path; name the field itself.
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return FieldError::new(
            &field,
            "required",
            format!("缺少必填字段 {field}"),
            format!("{field} is required"),
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        // serde_path_to_error already includes the unknown key in the path.
        let name = rest.split('`').next().unwrap_or("");
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            path.to_owned()
        };
        return FieldError::new(
            &field,
            "unknown_field",
            format!("不允许的字段 {field}"),
            format!("{field} is not a known field"),
        );
    }
    let field = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    // serde_json reports some wrong-type values (e.g. a number for an enum) as syntax errors;
    // with a field path they are that field's fault, without one the document is broken.
    if err.is_eof() || (err.is_syntax() && field.is_empty()) {
        return FieldError::new(
            "",
            "invalid_json",
            format!(
                "JSON 格式错误（第 {} 行第 {} 列）",
                err.line(),
                err.column()
            ),
            format!(
                "Invalid JSON at line {} column {}",
                err.line(),
                err.column()
            ),
        );
    }
    let detail = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    FieldError::new(
        &field,
        "invalid_type",
        format!("字段 {field} 的类型或取值不正确（{detail}）"),
        format!("{field} has the wrong type or value ({detail})"),
    )
}

/// Parses a JSON document into `T`, reporting the failing field path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(vec![FieldError::new(
            "",
            "empty_body",
            "请求体为空",
            "The body is empty",
        )]));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de)
        .map_err(|e| AppError::bad_request(vec![field_error(&e.path().to_string(), e.inner())]))?;
    Ok(value)
}

impl<'a, T> ApiExtractor<'a> for JsonBody<T>
where
    T: Type + DeserializeOwned + Send,
{
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let is_json = request
            .content_type()
            .and_then(|ct| ct.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(unsupported_media_type().into());
        }
        let bytes = read_limited(request, body, body_limit(request)).await?;
        Ok(JsonBody(parse_json::<T>(&bytes)?))
    }
}

/// A request body not read yet, so that a handler can check the caller's right to the target
/// before it spends anything on the body: authorise, then `read` (bounded), then parse.
pub struct Unread {
    body: poem::Body,
    declared: Option<usize>,
    limit: usize,
}

impl Unread {
    pub fn take(request: &Request, body: &mut RequestBody, limit: usize) -> Result<Self, AppError> {
        let declared = request
            .headers()
            .get(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = body.take().map_err(|_| unreadable_body())?;
        Ok(Self {
            body,
            declared,
            limit,
        })
    }

    /// The bytes: 413 before reading when Content-Length says more than the limit, and while
    /// reading when a chunked body grows past it.
    pub async fn read(self) -> Result<Vec<u8>, AppError> {
        let limit = self.limit;
        if self.declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        let bytes = self
            .body
            .into_bytes_limit(limit)
            .await
            .map_err(|e| match e {
                poem::error::ReadBodyError::PayloadTooLarge => too_large(limit),
                _ => unreadable_body(),
            })?;
        Ok(bytes.to_vec())
    }
}

/// A spreadsheet upload (xlsx or CSV), bounded by `server.upload_limit_bytes`, read once the
/// handler has authorised the caller. The format is told from the content, not the declared
/// type, since browsers and curl label CSV files in many ways.
pub struct UploadBody(pub Unread);

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl<'a> ApiExtractor<'a> for UploadBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        let schema = <poem_openapi::types::Binary<Vec<u8>> as Type>::schema_ref();
        Some(MetaRequest {
            description: Some("xlsx, or CSV in UTF-8 or GB18030"),
            content: [XLSX, "text/csv", "application/octet-stream"]
                .into_iter()
                .map(|ct| MetaMediaType {
                    content_type: ct,
                    schema: schema.clone(),
                })
                .collect(),
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let limit = request
            .data::<crate::state::AppState>()
            .map_or(DEFAULT_LIMIT, |s| s.settings.server.upload_limit_bytes);
        Ok(UploadBody(Unread::take(request, body, limit)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        code: String,
        admin: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        username: String,
    }

    fn field(body: &str) -> (String, String) {
        let e = parse_json::<T>(body.as_bytes()).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        (e.fields[0].field.clone(), e.fields[0].code.clone())
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            field(r#"{"admin":{"username":"a"}}"#),
            ("code".into(), "required".into())
        );
        assert_eq!(
            field(r#"{"code":1,"admin":{"username":"a"}}"#),
            ("code".into(), "invalid_type".into())
        );
        assert_eq!(
            field(r#"{"code":"1","admin":{"username":"a"},"x":1}"#),
            ("x".into(), "unknown_field".into())
        );
        assert_eq!(
            field(r#"{"code":"1","admin":{}}"#),
            ("admin.username".into(), "required".into())
        );
        assert_eq!(field(r#"{"code":"1","#).1, "invalid_json");
        assert_eq!(field("  ").1, "empty_body");
    }
}
#[cfg(test)]
mod enum_tests {
    #[test]
    fn wrong_enum_type_names_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            role: crate::auth::Role,
        }
        let e = super::parse_json::<R>(br#"{"role":1}"#).unwrap_err();
        assert_eq!(
            (e.fields[0].field.as_str(), e.fields[0].code.as_str()),
            ("role", "invalid_type"),
            "{:?}",
            e.fields
        );
        let e = super::parse_json::<R>(br#"{"role":"king"}"#).unwrap_err();
        assert_eq!(e.fields[0].field, "role", "{:?}", e.fields);
    }
}
