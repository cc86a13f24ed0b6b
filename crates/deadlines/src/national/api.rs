//! `/api/v1/platform/calendar`: the platform operator lists the known years and loads a year's
//! national calendar (JSON or iCalendar, see [`super::file`]).
//!
//! `PUT /platform/calendar/{year}` replaces the whole year: the first load needs no `If-Match`;
//! reloading a loaded year needs the year's `ETag` in `If-Match` (428 without, 412 when another
//! operator loaded it meanwhile), so a correction is a deliberate replacement of what one has
//! seen. The load is written to every county's audit log (there is no platform-level log; the
//! counties' due dates are what it changes), and the year keeps who loaded it and when.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use poem::{Request, RequestBody};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi, Tags,
};

use super::file::{self, Span, SpanKind};
use crate::AppState;
use crate::audit::Actor;
use crate::auth::{Auth, Role};
use crate::calendar::{DayKind, SHIPPED_YEARS, shipped};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantId;
use shuanglian_http::api::body::Unread;
use shuanglian_http::api::{etag, if_match_opt};

#[derive(Tags)]
enum ApiTags {
    /// 平台运维：全国节假日安排（国务院办公厅通知）/ Platform: the national working-day calendar
    NationalCalendar,
}

pub struct NationalCalendarApi {
    pub state: AppState,
}

/// A known year: shipped with the code, or loaded by the platform operator.
#[derive(Debug, Clone, Object)]
pub struct NationalYearSummary {
    pub year: i32,
    /// `shipped`, `json` or `ical`.
    pub source: String,
    /// The operator's user id (loaded years only).
    #[oai(skip_serializing_if_is_none)]
    pub loaded_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub loaded_at: Option<DateTime<Utc>>,
    /// Bumped on every reload; the `ETag` of the year.
    #[oai(skip_serializing_if_is_none)]
    pub version: Option<i64>,
    pub holidays: i64,
    pub workdays: i64,
}

#[derive(Debug, Clone, Object)]
pub struct NationalDay {
    pub day: NaiveDate,
    pub kind: SpanKind,
    pub name: String,
}

#[derive(Debug, Clone, Object)]
pub struct NationalYearView {
    #[oai(flatten)]
    pub summary: NationalYearSummary,
    pub days: Vec<NationalDay>,
}

#[derive(ApiResponse)]
pub enum YearResponse {
    #[oai(status = 200)]
    Ok(
        Json<NationalYearView>,
        #[oai(header = "ETag")] Option<String>,
    ),
}

/// The file: `application/json` (a list of `{from, to, kind, name}`) or `text/calendar`; read
/// only after the caller is authorised, at most [`file::MAX_BYTES`].
pub struct CalendarBody {
    ical: bool,
    body: Result<Unread, AppError>,
}

impl<'a> ApiExtractor<'a> for CalendarBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Vec<SpanJson> as poem_openapi::types::Type>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        let text = <String as poem_openapi::types::Type>::schema_ref();
        let json: MetaSchemaRef = <Vec<SpanJson> as poem_openapi::types::Type>::schema_ref();
        Some(MetaRequest {
            description: Some(
                "A JSON list of {from, to, kind: holiday|workday, name}, or an iCalendar file \
                 (all-day VEVENTs; CATEGORIES:WORKDAY or a SUMMARY with 上班/补班 marks a worked \
                 weekend day)",
            ),
            content: vec![
                MetaMediaType {
                    content_type: "application/json",
                    schema: json,
                },
                MetaMediaType {
                    content_type: "text/calendar",
                    schema: text,
                },
            ],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let mime = request
            .content_type()
            .and_then(|ct| ct.parse::<mime::Mime>().ok());
        let ical = mime
            .as_ref()
            .is_some_and(|m| m.type_() == "text" && m.subtype() == "calendar");
        let json = mime
            .as_ref()
            .is_some_and(|m| m.type_() == "application" && m.subtype() == "json");
        // The media type is answered after authorisation, like the size.
        let body = if ical || json {
            Unread::take(request, body, file::MAX_BYTES)
        } else {
            Err(AppError::new(
                poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请以 application/json 或 text/calendar 上传",
                "Send application/json or text/calendar",
            ))
        };
        Ok(CalendarBody { ical, body })
    }
}

/// One entry of the JSON form (for the schema; the reader is [`file::parse_json`]).
#[derive(Debug, Clone, Object)]
pub struct SpanJson {
    /// YYYY-MM-DD
    pub from: NaiveDate,
    /// YYYY-MM-DD, inclusive
    pub to: NaiveDate,
    pub kind: SpanKind,
    /// e.g. 春节, 春节调休上班
    pub name: String,
}

fn operator(auth: &Auth) -> AppResult<()> {
    auth.0.require(&[Role::PlatformOperator])
}

fn year_param(y: i32) -> AppResult<i32> {
    if (2000..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(AppError::field(
            "year",
            "out_of_range",
            "year：应为 2000 到 2100",
            "year must be between 2000 and 2100",
        ))
    }
}

fn shipped_days(year: i32) -> Vec<NationalDay> {
    shipped()
        .into_iter()
        .filter(|(d, _)| chrono::Datelike::year(d) == year)
        .map(|(day, e)| NationalDay {
            day,
            kind: if e.kind == DayKind::Workday {
                SpanKind::Workday
            } else {
                SpanKind::Holiday
            },
            name: e.name,
        })
        .collect()
}

fn summary(year: i32, row: Option<&super::YearRow>, days: &[NationalDay]) -> NationalYearSummary {
    let count = |k| days.iter().filter(|d| d.kind == k).count() as i64;
    NationalYearSummary {
        year,
        source: row.map_or("shipped".to_owned(), |r| r.source.clone()),
        loaded_by: row.map(|r| r.loaded_by.clone()),
        loaded_at: row.map(|r| r.loaded_at.and_utc()),
        version: row.map(|r| r.version),
        holidays: count(SpanKind::Holiday),
        workdays: count(SpanKind::Workday),
    }
}

fn year_view(
    conn: &mut crate::db::AnyConnection,
    year: i32,
) -> crate::db::DbResult<Option<NationalYearView>> {
    use crate::db::schema::national_calendar_days as nd;
    let row = super::year(conn, year)?;
    let days = match &row {
        Some(_) => nd::table
            .filter(nd::year.eq(year))
            .select((nd::day, nd::kind, nd::name))
            .order(nd::day.asc())
            .load::<(NaiveDate, String, String)>(conn)?
            .into_iter()
            .map(|(day, kind, name)| NationalDay {
                day,
                kind: if kind == DayKind::Workday.as_str() {
                    SpanKind::Workday
                } else {
                    SpanKind::Holiday
                },
                name,
            })
            .collect(),
        None if SHIPPED_YEARS.contains(&year) => shipped_days(year),
        None => return Ok(None),
    };
    Ok(Some(NationalYearView {
        summary: summary(year, row.as_ref(), &days),
        days,
    }))
}

fn respond(v: NationalYearView) -> YearResponse {
    let tag = v.summary.version.map(etag);
    YearResponse::Ok(Json(v), tag)
}

#[OpenApi(prefix_path = "/platform", tag = "ApiTags::NationalCalendar")]
impl NationalCalendarApi {
    /// 全国节假日安排：已知年份 / The years the national calendar knows (shipped or loaded)
    #[oai(path = "/calendar", method = "get")]
    async fn years(&self, auth: Auth) -> AppResult<Json<Vec<NationalYearSummary>>> {
        operator(&auth)?;
        let out = self
            .state
            .db
            .platform(Mode::Read, |tx| {
                let rows = super::years(tx.conn())?;
                let mut years: Vec<i32> = SHIPPED_YEARS.to_vec();
                years.extend(rows.iter().map(|r| r.year));
                years.sort_unstable();
                years.dedup();
                let mut out = Vec::new();
                for y in years {
                    if let Some(v) = year_view(tx.conn(), y)? {
                        out.push(v.summary);
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// 全国节假日安排：某年各日 / A year's holidays and worked weekend days
    #[oai(path = "/calendar/:year", method = "get")]
    async fn year(&self, auth: Auth, year: Path<i32>) -> AppResult<YearResponse> {
        operator(&auth)?;
        let year = year_param(year.0)?;
        let v = self
            .state
            .db
            .platform(Mode::Read, move |tx| year_view(tx.conn(), year))
            .await?;
        v.map(respond).ok_or_else(AppError::not_found)
    }

    /// 导入全国节假日安排 / Load (or replace) a year's national calendar
    ///
    /// JSON (`application/json`: a list of `{from, to, kind: holiday|workday, name}`) or
    /// iCalendar (`text/calendar`). The first load of a year needs no `If-Match`; a reload
    /// replaces the year and needs the year's `ETag`. Supersedes the shipped entries of that
    /// year for every county; a county's own overrides still win.
    #[oai(path = "/calendar/:year", method = "put")]
    async fn load(
        &self,
        auth: Auth,
        year: Path<i32>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
        body: CalendarBody,
    ) -> AppResult<YearResponse> {
        operator(&auth)?;
        let year = year_param(year.0)?;
        let expected = if_match_opt(if_match_h.0.as_deref())?;
        let bytes = body.body?.read().await?;
        let ical = body.ical;
        let spans: Vec<Span> = if ical {
            file::parse_ical(&bytes).map_err(AppError::validation)?
        } else {
            file::parse_json(&bytes).map_err(|e| match e {
                Some(fields) => AppError::validation(fields),
                None => shuanglian_http::api::body::parse_json::<serde_json::Value>(&bytes)
                    .err()
                    .unwrap_or_else(|| {
                        AppError::field(
                            "",
                            "invalid_calendar",
                            "应为 {from, to, kind, name} 条目的列表",
                            "A list of {from, to, kind, name} entries is expected",
                        )
                    }),
            })?
        };
        let days = file::validate(year, &spans).map_err(AppError::validation)?;
        let actor = Actor::of(&auth.0);
        let source = if ical { "ical" } else { "json" };
        let (holidays, workdays) = (
            days.iter().filter(|d| d.1 == SpanKind::Holiday).count(),
            days.iter().filter(|d| d.1 == SpanKind::Workday).count(),
        );
        let view = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                let cur = super::year(tx.conn(), year)?;
                match (&cur, expected) {
                    (Some(_), None) => return Err(AppError::precondition_required().into()),
                    (Some(c), Some(v)) if c.version != v => {
                        return Err(AppError::precondition_failed().into());
                    }
                    (None, Some(_)) => return Err(AppError::precondition_failed().into()),
                    _ => {}
                }
                let row = super::replace(tx.conn(), year, source, &actor.id, &days)?;
                // Every county's due dates follow the calendar: each county's log says so.
                use crate::db::schema::tenants as t;
                let ids: Vec<String> = t::table.select(t::id).order(t::id.asc()).load(tx.conn())?;
                let details = serde_json::json!({
                    "year": year, "source": source, "version": row.version,
                    "holidays": holidays, "workdays": workdays,
                });
                for id in ids {
                    let Some(tid) = TenantId::parse(&id) else {
                        continue;
                    };
                    let mut ttx = tx.enter_tenant(tid)?;
                    crate::audit::record(
                        &mut ttx,
                        &actor,
                        "national_calendar.load",
                        "national_calendar",
                        &year.to_string(),
                        None,
                        details.clone(),
                    )?;
                }
                year_view(tx.conn(), year)?.ok_or_else(|| {
                    AppError::internal(std::io::Error::other("loaded year vanished")).into()
                })
            })
            .await?;
        tracing::info!(year, source, "national calendar loaded");
        Ok(respond(view))
    }
}
