//! /api/v1/qq-groups/{id}/snapshots: imports of the group's actual member list (pasted or an
//! uploaded file), their diff against the roster, and the stored imports.

use chrono::{DateTime, NaiveDate, Utc};
use poem::{Request, RequestBody};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi,
};
use serde::{Deserialize, Serialize};

use super::roster::{RosterEntryView, entry_view};
use super::{
    ApiTags, NICK, QQ, masked_qq, may_edit, not_future, qq_visible, require_active, visible_group,
};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Capped, FieldError, MAX_LISTED_ERRORS};
use crate::privacy::crypto::CountyKeys;
use crate::privacy::keys;
use crate::qq::model::{RosterRole, SnapshotSource};
use crate::qq::parse::{self, FileError, Parsed};
use crate::qq::repo::{self, EntryRow, SnapshotRow};
use crate::qq::rules::{self, Expected};

/// A person in the group's list who is not on the roster.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct UnknownPerson {
    /// Line (pasted text, CSV) or row (xlsx) of the import.
    pub line: i32,
    pub qq_masked: String,
    /// 群昵称
    #[oai(skip_serializing_if_is_none)]
    pub nickname: Option<String>,
}

/// The roster against the group's actual member list.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RosterDiff {
    /// People in the imported list.
    pub people: i32,
    /// Roster entries found in the group.
    pub matched: i32,
    /// Roster entries missing from the group, organisers first.
    pub missing: Vec<RosterEntryView>,
    /// How many of the missing are township or village organisers.
    pub missing_organisers: i32,
    /// People in the group who are not on the roster.
    pub unknown: Vec<UnknownPerson>,
    /// Roster entries not real-name verified.
    pub unverified: Vec<RosterEntryView>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct SnapshotView {
    pub id: String,
    pub group_id: String,
    /// The day the list was taken from QQ.
    pub taken_on: NaiveDate,
    pub source: SnapshotSource,
    /// Counts at import time.
    pub people: i32,
    pub matched: i32,
    pub missing: i32,
    pub unknown: i32,
    pub unverified: i32,
    pub imported_by: String,
    pub created_at: DateTime<Utc>,
}

fn snapshot_view(r: &SnapshotRow) -> SnapshotView {
    SnapshotView {
        id: r.id.clone(),
        group_id: r.group_id.clone(),
        taken_on: r.taken_on,
        source: SnapshotSource::parse(&r.source).unwrap_or(SnapshotSource::Paste),
        people: r.people,
        matched: r.matched,
        missing: r.missing,
        unknown: r.unknown,
        unverified: r.unverified,
        imported_by: r.imported_by.clone(),
        created_at: r.created_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct SnapshotPage {
    pub items: Vec<SnapshotView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A stored snapshot and its diff against the roster as it is now.
#[derive(Debug, Clone, Object)]
pub struct SnapshotDetail {
    pub snapshot: SnapshotView,
    pub diff: RosterDiff,
}

/// A line of an imported list that could not be read.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ImportLineError {
    pub line: i32,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ImportResult {
    /// Absent on a dry run: nothing was stored.
    #[oai(skip_serializing_if_is_none)]
    pub snapshot: Option<SnapshotView>,
    pub dry_run: bool,
    pub taken_on: NaiveDate,
    pub source: SnapshotSource,
    pub diff: RosterDiff,
    /// Lines that could not be read, at most 500 (dry runs only: they fail a real import).
    pub errors: Vec<ImportLineError>,
    /// How many bad lines were left out of `errors` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_errors: Option<u32>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PasteImportRequest {
    /// The member list as copied from QQ: one person per line, QQ number and group nickname
    /// separated by a tab, comma or spaces (or `昵称(QQ号)`). At most 150,000 characters (a
    /// group holds at most 3,000 people), so that even fully escaped JSON stays within the
    /// body limit and an over-long list is a 422 naming `text`, not a 413.
    #[oai(validator(max_length = 150000))]
    pub text: String,
    /// The day the list was taken (default today, Asia/Shanghai).
    pub taken_on: Option<NaiveDate>,
    /// Only show the diff and the bad lines; store nothing.
    pub dry_run: Option<bool>,
}

#[derive(ApiResponse)]
pub enum ImportResponse {
    /// Dry run: the diff, nothing stored.
    #[oai(status = 200)]
    Preview(Json<ImportResult>),
    /// Stored as a snapshot.
    #[oai(status = 201)]
    Created(
        Json<ImportResult>,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

// ------------------------------------------------------------ file upload --

/// Media types accepted for an uploaded member list; the content decides (xlsx is a zip).
const FILE_TYPES: [&str; 4] = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    "text/plain",
    "application/octet-stream",
];

/// A member-list file as the raw request body, at most [`parse::MAX_FILE_BYTES`], read once the
/// caller may change the group.
pub struct ListFile(pub crate::api::body::Unread);

impl<'a> ApiExtractor<'a> for ListFile {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some("xlsx, or CSV in UTF-8 / GB18030, with the columns QQ号 and 群昵称"),
            content: FILE_TYPES
                .iter()
                .map(|ct| MetaMediaType {
                    content_type: ct,
                    schema: poem_openapi::types::Binary::<Vec<u8>>::schema_ref(),
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
        let ok = request
            .content_type()
            .and_then(|ct| ct.parse::<mime::Mime>().ok())
            .is_some_and(|m| FILE_TYPES.contains(&m.essence_str()));
        if !ok {
            return Err(AppError::new(
                poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请上传 xlsx 或 CSV 文件（Content-Type 为 xlsx、text/csv 或 application/octet-stream）",
                "Upload an xlsx or CSV file (Content-Type xlsx, text/csv or application/octet-stream)",
            )
            .into());
        }
        Ok(ListFile(crate::api::body::Unread::take(
            request,
            body,
            parse::MAX_FILE_BYTES,
        )?))
    }
}

/// Builds the diff view from the roster and the people of a list (their blind indexes,
/// masked numbers and nicknames).
fn diff_view(
    keys: &CountyKeys,
    roster: &[EntryRow],
    people: &[(i32, String, String, Option<String>)],
    clear: bool,
) -> RosterDiff {
    let expected: Vec<Expected<'_>> = roster
        .iter()
        .map(|e| Expected {
            qq_bidx: &e.qq_bidx,
            role: RosterRole::parse(&e.role).unwrap_or(RosterRole::Member),
            verified: e.verified,
        })
        .collect();
    let present: Vec<&str> = people.iter().map(|p| p.1.as_str()).collect();
    let d = rules::diff(&expected, &present);
    RosterDiff {
        people: people.len() as i32,
        matched: d.matched.len() as i32,
        missing_organisers: d.missing_organisers(&expected) as i32,
        missing: d
            .missing
            .iter()
            .map(|i| entry_view(keys, &roster[*i], clear))
            .collect(),
        unknown: d
            .unknown
            .iter()
            .map(|i| UnknownPerson {
                line: people[*i].0,
                qq_masked: people[*i].2.clone(),
                nickname: people[*i].3.clone(),
            })
            .collect(),
        unverified: d
            .unverified
            .iter()
            .map(|i| entry_view(keys, &roster[*i], clear))
            .collect(),
    }
}

fn file_problem(field: &str, e: FileError) -> AppError {
    AppError::new(
        poem::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_member_list",
        format!("成员名单无法导入：{}", e.zh),
        format!("The member list cannot be imported: {}", e.en),
    )
    .with_field(FieldError::new(field, &e.code, e.zh, e.en))
}

/// Bad lines fail a real import: nothing is stored, every line is named (`lines[N]`).
fn lines_problem(p: &Parsed) -> AppError {
    let mut e = AppError::new(
        poem::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_member_list",
        format!(
            "成员名单有 {} 行无法识别，未导入任何内容，请修改后重试",
            p.errors.len()
        ),
        format!(
            "{} lines of the member list cannot be read; nothing was imported",
            p.errors.len()
        ),
    );
    e.more_fields =
        u32::try_from(p.errors.len().saturating_sub(MAX_LISTED_ERRORS)).unwrap_or(u32::MAX);
    e.fields = p
        .errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(|l| {
            FieldError::new(
                format!("lines[{}]", l.line),
                l.code,
                l.zh.clone(),
                l.en.clone(),
            )
        })
        .collect();
    e
}

struct ImportArgs {
    group_id: String,
    parsed: Parsed,
    source: SnapshotSource,
    taken_on: Option<NaiveDate>,
    dry_run: bool,
    key: Option<IdempotencyKey>,
    req_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct ListDigest<'a> {
    source: &'a str,
    taken_on: Option<NaiveDate>,
    dry_run: bool,
    sha: &'a str,
}

pub struct SnapshotsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl SnapshotsApi {
    /// 导入群成员（粘贴）/ Import the group's actual member list as pasted from QQ; returns the diff
    #[oai(path = "/qq-groups/:id/snapshots", method = "post")]
    async fn import_paste(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<PasteImportRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<ImportResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let dry_run = req.dry_run.unwrap_or(false);
        if let Some(d) = req.taken_on {
            not_future("taken_on", d).map_err(|e| AppError::validation(vec![e]))?;
        }
        let req_hash = idempotency::request_hash(&format!("POST /qq-groups/{id}/snapshots"), &req);
        self.may_import(tid.clone(), &auth.0, &id).await?;
        let parsed = parse::parse_paste(&req.text).map_err(|e| file_problem("text", e))?;
        self.import(
            tid,
            auth.0,
            ImportArgs {
                group_id: id,
                parsed,
                source: SnapshotSource::Paste,
                taken_on: req.taken_on,
                dry_run,
                key,
                req_hash,
            },
        )
        .await
    }

    /// 导入群成员（文件）/ Import the member list from an xlsx or CSV file (QQ号, 群昵称); returns the diff
    #[oai(path = "/qq-groups/:id/snapshots/file", method = "post")]
    async fn import_file(
        &self,
        auth: Auth,
        id: Path<String>,
        taken_on: Query<Option<NaiveDate>>,
        dry_run: Query<Option<bool>>,
        file: ListFile,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<ImportResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        if let Some(d) = taken_on.0 {
            not_future("taken_on", d).map_err(|e| AppError::validation(vec![e]))?;
        }
        let dry_run = dry_run.0.unwrap_or(false);
        self.may_import(tid.clone(), &auth.0, &id).await?;
        let bytes = file.0.read().await?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let req_hash = idempotency::request_hash(
            &format!("POST /qq-groups/{id}/snapshots/file"),
            &ListDigest {
                source: "file",
                taken_on: taken_on.0,
                dry_run,
                sha: &sha,
            },
        );
        let (source, parsed) = tokio::task::spawn_blocking(move || parse::parse_file(&bytes))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("parse task: {e}")))?
            .map_err(|e| file_problem("file", e))?;
        self.import(
            tid,
            auth.0,
            ImportArgs {
                group_id: id,
                parsed,
                source,
                taken_on: taken_on.0,
                dry_run,
                key,
                req_hash,
            },
        )
        .await
    }

    /// 导入记录 / The group's imported member lists, oldest first
    #[oai(path = "/qq-groups/:id/snapshots", method = "get")]
    async fn snapshots(
        &self,
        auth: Auth,
        id: Path<String>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<SnapshotPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let rows = repo::list_snapshots(tx, &id, &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(snapshot_view).collect(), next))
            })
            .await?;
        Ok(Json(SnapshotPage { items, next_cursor }))
    }

    /// 导入记录详情 / A stored member list and its diff against the roster as it is now
    #[oai(path = "/qq-groups/:id/snapshots/:snapshot_id", method = "get")]
    async fn snapshot(
        &self,
        auth: Auth,
        id: Path<String>,
        snapshot_id: Path<String>,
    ) -> AppResult<Json<SnapshotDetail>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let sid = path_id(&snapshot_id.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let detail = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let snap = repo::get_snapshot(tx, &id, &sid)?.ok_or_else(AppError::not_found)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let people: Vec<(i32, String, String, Option<String>)> =
                    repo::snapshot_people(tx, &sid)?
                        .into_iter()
                        .map(|p| {
                            let nick = p
                                .nickname_enc
                                .as_deref()
                                .and_then(|n| keys.decrypt(NICK, n).ok());
                            (p.line_no, p.qq_bidx, masked_qq(&keys, &p.qq_enc), nick)
                        })
                        .collect();
                let roster = repo::roster(tx, &id)?;
                Ok(SnapshotDetail {
                    snapshot: snapshot_view(&snap),
                    diff: diff_view(&keys, &roster, &people, clear),
                })
            })
            .await?;
        Ok(Json(detail))
    }
}

impl SnapshotsApi {
    /// The caller may import into the group (404 unseen, 403 not theirs to change): checked
    /// before the list is read or parsed, and again in the import's own transaction.
    async fn may_import(
        &self,
        tid: crate::tenancy::TenantId,
        who: &Principal,
        id: &str,
    ) -> AppResult<()> {
        let who = who.clone();
        let id = id.to_owned();
        self.state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)
            })
            .await?;
        Ok(())
    }

    /// The import itself: the diff against the roster, and unless a dry run, the snapshot with
    /// every QQ number encrypted (compared only through the blind index).
    async fn import(
        &self,
        tid: crate::tenancy::TenantId,
        who: Principal,
        a: ImportArgs,
    ) -> AppResult<ImportResponse> {
        let ev = crate::events::Emitter::of(&who);
        if !a.dry_run && !a.parsed.errors.is_empty() {
            return Err(lines_problem(&a.parsed));
        }
        if a.parsed.people.is_empty() && a.parsed.errors.is_empty() {
            return Err(file_problem(
                if a.source == SnapshotSource::Paste {
                    "text"
                } else {
                    "file"
                },
                FileError {
                    code: "empty_list".to_owned(),
                    zh: "名单中没有任何QQ号".to_owned(),
                    en: "The list holds no QQ numbers".to_owned(),
                },
            ));
        }
        let master = *self.state.master_key.bytes();
        let taken_on = a.taken_on.unwrap_or_else(crate::clock::today);
        let mode = if a.dry_run { Mode::Read } else { Mode::Write };
        let (result, replayed) = self
            .state
            .db
            .tenant(tid, mode, move |tx| {
                let grp = visible_group(tx, &who, &a.group_id)?;
                may_edit(&who, &grp)?;
                if !a.dry_run
                    && let Some(k) = &a.key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &a.req_hash)?
                {
                    return Ok((stored.into_body::<ImportResult>()?, true));
                }
                require_active(&grp)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let people: Vec<(i32, String, String, Option<String>)> = a
                    .parsed
                    .people
                    .iter()
                    .map(|p| {
                        (
                            p.line as i32,
                            keys.blind_index(QQ, p.qq.as_str()),
                            p.qq.masked(),
                            p.nickname.clone(),
                        )
                    })
                    .collect();
                let roster = repo::roster(tx, &a.group_id)?;
                let diff = diff_view(&keys, &roster, &people, clear);
                let errors: Capped<ImportLineError> = a
                    .parsed
                    .errors
                    .iter()
                    .map(|e| ImportLineError {
                        line: e.line as i32,
                        code: e.code.to_owned(),
                        message: e.zh.clone(),
                        message_en: e.en.clone(),
                    })
                    .collect();
                let mut result = ImportResult {
                    snapshot: None,
                    dry_run: a.dry_run,
                    taken_on,
                    source: a.source,
                    diff,
                    errors: errors.listed().to_vec(),
                    more_errors: errors.more(),
                };
                if a.dry_run {
                    return Ok((result, false));
                }
                let stored: Vec<repo::NewPerson> = a
                    .parsed
                    .people
                    .iter()
                    .zip(&people)
                    .map(|(p, (line, bidx, _, _))| repo::NewPerson {
                        line_no: *line,
                        qq_enc: keys.encrypt(QQ, p.qq.as_str()),
                        qq_bidx: bidx.clone(),
                        nickname_enc: p.nickname.as_deref().map(|n| keys.encrypt(NICK, n)),
                    })
                    .collect();
                let d = &result.diff;
                let counts = [
                    d.people,
                    d.matched,
                    d.missing.len() as i32,
                    d.unknown.len() as i32,
                    d.unverified.len() as i32,
                ];
                let snap = repo::insert_snapshot(
                    tx,
                    &repo::NewSnapshot {
                        group_id: &a.group_id,
                        taken_on,
                        source: a.source.as_str(),
                        counts,
                        imported_by: &who.user_id,
                    },
                    &stored,
                )?;
                let summary = serde_json::json!({
                    "snapshot_id": snap.id,
                    "source": snap.source,
                    "taken_on": snap.taken_on,
                    "people": snap.people,
                    "matched": snap.matched,
                    "missing": snap.missing,
                    "unknown": snap.unknown,
                });
                repo::record_history(
                    tx,
                    &a.group_id,
                    None,
                    &who.user_id,
                    "snapshot.import",
                    &summary,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_snapshot.import",
                    "qq_group",
                    &a.group_id,
                    None,
                    summary,
                )?;
                result.snapshot = Some(snapshot_view(&snap));
                if let Some(k) = &a.key {
                    // Nicknames are kept encrypted only: a replay shows the diff without them.
                    let mut replay = result.clone();
                    for u in &mut replay.diff.unknown {
                        u.nickname = None;
                    }
                    idempotency::tenant_store(tx, &who.user_id, k, &a.req_hash, 201, &replay)?;
                }
                Ok((result, false))
            })
            .await?;
        if let (Some(s), false) = (&result.snapshot, replayed) {
            ev.roster(&self.state, &s.group_id).await
        }
        match &result.snapshot {
            Some(s) => {
                let location = format!("/api/v1/qq-groups/{}/snapshots/{}", s.group_id, s.id);
                Ok(ImportResponse::Created(
                    Json(result),
                    location,
                    replayed.then(|| "true".to_owned()),
                ))
            }
            None => Ok(ImportResponse::Preview(Json(result))),
        }
    }
}
