//! The onboarding import: a county's member spreadsheet checked row by row against the same
//! rules as the API (one `build`), then written all at once or not at all. Members are matched
//! by ID-card number (blind index), so importing the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::columns::{COLUMNS, Col, Sheet, locate};
use super::mapping::Mapping;
use super::normalise::{self as norm, Fix, Fixes};
use super::orgs::Miss;
pub use super::orgs::Units;
use super::reader::{RowReader, fits};
use super::sheet::{Cell, Table};
use crate::db::{DbError, DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, Capped, FieldError};
use crate::members::api::{CreateMemberRequest, build, check_unit};
use crate::members::model::{
    BusinessStatus, Distribution, Gender, MembershipStatus, can_hold_membership,
};
use crate::members::repo::{MemberRow, MemberValues};
use crate::members::status::{Change, NewHistory, State, Step, check, insert_history};
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::IdCardNumber;

/// A rejected cell: where it is, which field, and why (zh-CN and English).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
    /// The column header, e.g. 身份证号.
    pub column: String,
    /// The API field the column fills.
    pub field: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

/// What an import would do, or did.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: usize,
    pub creates: Vec<MemberValues>,
    /// (member id, version read, new values)
    pub updates: Vec<(String, i64, MemberValues)>,
    pub unchanged: usize,
    /// The rejected cells: the first 500 listed, the rest counted.
    pub errors: Capped<RowError>,
    /// Status changes the updates make, kept as status history like `/status-changes`.
    pub status_changes: Vec<StatusChange>,
    /// How many values each column had rewritten, by kind of rewrite.
    pub fixes: BTreeMap<(Col, Fix), u32>,
    /// Organisation names of this county that match no unit, by column and name, with the
    /// rows that use them: reported once each, for the caller to map, not once per row.
    pub unknown_orgs: BTreeMap<(Col, String), Vec<u32>>,
    /// For the first [`UNKNOWN_LISTED`] unknown names: the closest units (id, 上级/名称).
    pub suggestions: BTreeMap<(Col, String), Vec<(String, String)>>,
}

/// The most distinct unknown organisation names a report lists.
pub const UNKNOWN_LISTED: usize = 500;

/// One status change an import makes to a matched member.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub member_id: String,
    pub change: Change,
    pub from: &'static str,
    pub to: &'static str,
    pub from_org: Option<String>,
    pub to_org: Option<String>,
    pub from_unit_id: Option<String>,
    pub to_unit_id: Option<String>,
}

/// The status steps from a member's stored values to a row's: each must be legal by the same
/// rule as `/status-changes` (a sheet cannot make a full member probationary again), or the row
/// is rejected on that column.
fn status_steps(
    r: &mut RowReader<'_>,
    old: &MemberRow,
    new: &MemberValues,
    out: &mut Vec<StatusChange>,
) {
    let state = State::of(old);
    let mut steps: Vec<(Col, Change, Step)> = Vec::new();
    if let Some(m) = MembershipStatus::parse(&new.membership_status)
        .filter(|m| m.as_str() != old.membership_status)
    {
        steps.push((
            Col::MembershipStatus,
            Change::MembershipStatus,
            Step::Membership(m),
        ));
    }
    if let Some(b) =
        BusinessStatus::parse(&new.business_status).filter(|b| b.as_str() != old.business_status)
    {
        steps.push((
            Col::BusinessStatus,
            Change::BusinessStatus,
            Step::Business(b),
        ));
    }
    match (old.away_since, new.away_since) {
        (None, Some(_)) => steps.push((Col::AwaySince, Change::Away, Step::Away)),
        (Some(_), None) => steps.push((Col::AwaySince, Change::Returned, Step::Returned)),
        _ => {}
    }
    match (
        old.membership_unit_id.is_some(),
        new.membership_unit_id.is_some(),
    ) {
        (false, true) => steps.push((Col::MembershipOrg, Change::TransferIn, Step::TransferIn)),
        (true, false) => steps.push((Col::MembershipOrg, Change::TransferOut, Step::TransferOut)),
        _ => {}
    }
    for (col, change, step) in steps {
        match check(&state, &step) {
            Ok((from, to)) => out.push(StatusChange {
                member_id: old.id.clone(),
                change,
                from,
                to,
                from_org: matches!(change, Change::TransferIn | Change::TransferOut)
                    .then(|| old.membership_org_name.clone()),
                to_org: matches!(change, Change::TransferIn | Change::TransferOut)
                    .then(|| new.membership_org_name.clone()),
                from_unit_id: old.membership_unit_id.clone(),
                to_unit_id: new.membership_unit_id.clone(),
            }),
            Err(refused) => r.error(
                col,
                refused.code,
                refused.zh.to_owned(),
                refused.en.to_owned(),
            ),
        }
    }
}

/// A spreadsheet row as a create request, with names resolved to unit ids. Unit-name errors
/// are reported here; everything else is `build`'s to judge.
fn request(r: &mut RowReader<'_>, units: &Units) -> Option<CreateMemberRequest> {
    let name = r.required(Col::Name);
    let id_number = match r.cell(Col::IdNumber) {
        Some(Cell::Number(_)) => {
            r.error(
                Col::IdNumber,
                "id_number_not_text",
                "身份证号被存成了数字，末尾几位已丢失；请把该列设为文本格式后重新填写".into(),
                "stored as a number, which loses the last digits; format the column as text".into(),
            );
            None
        }
        _ => {
            let v = r.normal(Col::IdNumber, norm::id_number);
            if v.is_none() {
                r.error(Col::IdNumber, "required", "必填".into(), "required".into());
            }
            v
        }
    };
    let gender = r.choice(Col::Gender, |s, fx| match norm::gender(s, fx)? {
        "男" => Some(Gender::Male),
        _ => Some(Gender::Female),
    });
    let is_owner = r
        .required(Col::IsOwner)
        .and_then(|_| r.choice(Col::IsOwner, norm::yes_no));
    let business_name = r.required(Col::BusinessName);
    let membership_status = r.required(Col::MembershipStatus).and_then(|_| {
        r.choice(
            Col::MembershipStatus,
            |s, fx| match norm::membership_status(s, fx)? {
                "正式" => Some(MembershipStatus::Full),
                _ => Some(MembershipStatus::Probationary),
            },
        )
    });
    let distribution = r.required(Col::Distribution).and_then(|_| {
        r.choice(Col::Distribution, |s, _| match s {
            "个体工商户" | "个体户" => Some(Distribution::IndividualBusiness),
            "市场内个体工商户" | "市场内个体户" | "市场内" => {
                Some(Distribution::MarketBusiness)
            }
            _ => None,
        })
    });
    let business_status = r.choice(Col::BusinessStatus, |s, _| status_word(s));
    let association_member = r.choice(Col::AssociationMember, norm::yes_no);
    let away_since = r.date(Col::AwaySince);
    let joined_party_on = r.date(Col::JoinedParty);
    let org_life_unit_id = r.unit(Col::OrgLifeUnit, units, can_hold_membership);
    let market_id = r.unit(Col::Market, units, crate::members::api::is_market);
    // The membership holder: a unit of the county when the name is one, else an organisation
    // outside the county named in text (a floating member).
    let membership = r.required(Col::MembershipOrg);
    let mapped = membership
        .as_deref()
        .and_then(|t| r.mapped_unit(t, units, can_hold_membership));
    let (membership_unit_id, membership_org_name) = match &membership {
        Some(_) if mapped.is_some() => (mapped, None),
        Some(t) => match units.resolve(t, can_hold_membership) {
            Ok((u, found)) => {
                r.found(Col::MembershipOrg, found);
                (Some(u.id.clone()), None)
            }
            // A name of this county that matches no unit must be mapped; any other is an
            // organisation elsewhere, kept as written (a floating member).
            Err(Miss::Unknown) if units.looks_local(t) => {
                r.wait_for(Col::MembershipOrg, t.clone());
                (None, None)
            }
            Err(Miss::Unknown) => (None, Some(t.clone())),
            Err(Miss::Ambiguous) => {
                r.ambiguous(Col::MembershipOrg);
                (None, None)
            }
        },
        None => (None, None),
    };
    // Every cell is read (and its rewrites counted) before a missing one ends the row.
    let phone = r.normal(Col::Phone, norm::phone);
    let home_address = r.text(Col::HomeAddress);
    let household_registration = r.place(Col::Household);
    let business_registration_no = r.text(Col::RegistrationNo);
    Some(CreateMemberRequest {
        name: name?,
        gender,
        id_number,
        phone,
        home_address,
        household_registration,
        is_owner: is_owner?,
        business_name: business_name?,
        business_registration_no,
        org_life_unit_id,
        membership_org_name,
        membership_unit_id,
        membership_status: membership_status?,
        distribution: distribution?,
        market_id,
        business_status,
        away_since,
        joined_party_on,
        association_member,
    })
}

/// 经营 / 停歇业 / 注销 and the words registers use for them.
pub(super) fn status_word(s: &str) -> Option<BusinessStatus> {
    match norm::business_status(s)? {
        "经营" => Some(BusinessStatus::Operating),
        "停歇业" => Some(BusinessStatus::Suspended),
        _ => Some(BusinessStatus::Closed),
    }
}

/// A header row that cannot be read as a sheet of this kind, or a mapping that sends a column
/// to a field this kind of sheet does not have: the whole file is refused at once.
pub(super) fn header_problems(
    sheet: Sheet,
    table: &Table,
    mapping: &Mapping,
) -> Result<HashMap<Col, usize>, AppError> {
    let wrong = mapping.check_for(sheet);
    if !wrong.is_empty() {
        return Err(AppError::validation(wrong));
    }
    match locate(sheet, &table.headers, &mapping.columns(sheet)) {
        Ok(found) => Ok(found.into_iter().collect()),
        Err((missing, duplicated)) => {
            let mut errs = Vec::new();
            if !missing.is_empty() {
                let m = missing.join("、");
                errs.push(FieldError::new(
                    "file",
                    "missing_columns",
                    format!("file：缺少必需的列：{m}（请使用导入模板的表头）"),
                    format!("file: required columns missing: {m}"),
                ));
            }
            if !duplicated.is_empty() {
                let d = duplicated.join("、");
                errs.push(FieldError::new(
                    "file",
                    "duplicate_columns",
                    format!("file：列重复：{d}"),
                    format!("file: columns appear twice: {d}"),
                ));
            }
            Err(AppError::validation(errs))
        }
    }
}

/// The closest units to each unknown name (the first [`UNKNOWN_LISTED`]), of kinds that fit
/// its column.
pub(super) fn suggestions(
    units: &Units,
    unknown: &BTreeMap<(Col, String), Vec<u32>>,
) -> BTreeMap<(Col, String), Vec<(String, String)>> {
    unknown
        .keys()
        .take(UNKNOWN_LISTED)
        .map(|(c, name)| {
            let near = units
                .suggest(name, fits(*c), 3)
                .into_iter()
                .map(|u| (u.id.clone(), units.path_name(u)))
                .collect();
            ((*c, name.clone()), near)
        })
        .collect()
}

/// The column a field error from `build` belongs to.
fn column_of(field: &str) -> Col {
    COLUMNS
        .iter()
        .find(|d| d.field == field)
        .map_or(Col::Name, |d| d.col)
}

/// Whether stored values already say what the new ones say. Ciphertexts differ on every
/// encryption, so personal fields compare by blind index or in clear.
fn same(keys: &CountyKeys, old: &MemberRow, new: &mut MemberValues) -> bool {
    let cur = MemberValues::from_row(old);
    if new.phone_bidx == cur.phone_bidx {
        new.phone_enc.clone_from(&cur.phone_enc);
    }
    if new.id_number_bidx == cur.id_number_bidx {
        new.id_number_enc.clone_from(&cur.id_number_enc);
    }
    let open = |v: &Option<String>| {
        v.as_ref()
            .and_then(|c| keys.decrypt("home_address", c).ok())
    };
    if open(&new.home_address_enc) == open(&cur.home_address_enc) {
        new.home_address_enc.clone_from(&cur.home_address_enc);
    }
    *new == cur
}

/// ID numbers looked up in the register per query when matching rows (well under both backends'
/// bind-parameter limits).
const MATCH_CHUNK: usize = 1000;

/// Checks every row and decides what to write, under the county's `mapping` of headers and
/// organisation names. Villages the mapping creates are created when `commit`. Header problems
/// fail the whole file at once.
pub fn plan(
    tx: &mut TenantTx<'_>,
    keys: &CountyKeys,
    table: &Table,
    mapping: &Mapping,
    commit: bool,
) -> DbResult<Plan> {
    let at = header_problems(Sheet::Members, table, mapping)?;
    let mut units = Units::load(tx)?;
    let mapped = mapping.apply(tx, &mut units, commit)?;
    let mut plan = Plan {
        rows: table.rows.len(),
        ..Plan::default()
    };
    let mut seen: HashMap<String, u32> = HashMap::new();
    // Valid rows wait here (sheet row, index in the table, values) to be matched with the
    // register a chunk at a time below.
    let mut valid: Vec<(u32, usize, MemberValues)> = Vec::new();
    for (i, (row, cells)) in table.rows.iter().enumerate() {
        let mut r = RowReader::new(
            *row,
            cells,
            &at,
            &mut plan.fixes,
            &mut plan.unknown_orgs,
            &mapped,
        );
        // Duplicates within the file are found whatever else is wrong with either row.
        let bidx = r
            .cell(Col::IdNumber)
            .and_then(Cell::text)
            .map(|t| norm::id_number(&t, &mut Fixes::default()))
            .and_then(|t| IdCardNumber::parse("id_number", &t).ok())
            .map(|i| keys.blind_index("id_number", i.as_str()));
        if let Some(b) = &bidx {
            if let Some(first) = seen.get(b) {
                r.error(
                    Col::IdNumber,
                    "duplicate_in_file",
                    format!("与第{first}行的身份证号重复"),
                    format!("same ID-card number as row {first}"),
                );
            } else {
                seen.insert(b.clone(), *row);
            }
        }
        let req = request(&mut r, &units);
        let Some(req) = req.filter(|_| r.errors.is_empty() && !r.waits) else {
            plan.errors.extend(r.errors.drain(..));
            continue;
        };
        let built = build(keys, &req, &mut |field, id, ok| {
            check_unit(field, units.by_id.get(id).cloned(), ok)
        });
        let values = match built {
            Ok(v) => v,
            Err(DbError::App(e)) => {
                for f in &e.fields {
                    let c = column_of(&f.field);
                    // `build` names the API field; the message is rewritten for the sheet.
                    let zh = f
                        .message
                        .split_once('：')
                        .map_or(f.message.as_str(), |(_, m)| m)
                        .to_owned();
                    let en = f
                        .message_en
                        .split_once(": ")
                        .map_or(f.message_en.as_str(), |(_, m)| m)
                        .to_owned();
                    r.error(c, &f.code, zh, en);
                }
                plan.errors.extend(r.errors.drain(..));
                continue;
            }
            Err(e) => return Err(e),
        };
        valid.push((*row, i, values));
    }
    // The register is read a chunk of ID numbers at a time, not whole: a re-import of a large
    // county then holds one chunk of its members in memory, not all of them.
    let mut valid = valid.into_iter().peekable();
    while valid.peek().is_some() {
        let chunk: Vec<_> = valid.by_ref().take(MATCH_CHUNK).collect();
        let bidxs: Vec<String> = chunk
            .iter()
            .filter_map(|(_, _, v)| v.id_number_bidx.clone())
            .collect();
        let existing: HashMap<String, MemberRow> =
            crate::members::repo::by_id_number_bidx(tx, &bidxs)?
                .into_iter()
                .filter_map(|m| m.id_number_bidx.clone().map(|b| (b, m)))
                .collect();
        for (row, i, mut values) in chunk {
            let bidx = values.id_number_bidx.clone().unwrap_or_default();
            match existing.get(&bidx) {
                Some(old) if same(keys, old, &mut values) => plan.unchanged += 1,
                Some(old) => {
                    let mut r = RowReader::new(
                        row,
                        &table.rows[i].1,
                        &at,
                        &mut plan.fixes,
                        &mut plan.unknown_orgs,
                        &mapped,
                    );
                    let mut changes = Vec::new();
                    status_steps(&mut r, old, &values, &mut changes);
                    if r.errors.is_empty() {
                        plan.status_changes.append(&mut changes);
                        plan.updates.push((old.id.clone(), old.version, values));
                    } else {
                        plan.errors.extend(r.errors.drain(..));
                    }
                }
                None => plan.creates.push(values),
            }
        }
    }
    plan.suggestions = suggestions(&units, &plan.unknown_orgs);
    Ok(plan)
}

/// What a committed import did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub import_id: String,
    pub created: usize,
    pub updated: usize,
}

/// Writes a plan's valid rows inside the caller's transaction: all of them or none. The caller
/// decides whether rejected rows refuse the whole file (the default) or are left out
/// (`skip_invalid`); either way no rejected row is written. Each created and updated member
/// gets its own audit entry (so "who changed this member" stays one query), and the import one
/// more with its counts, the rows it left out, and the file's SHA-256.
pub fn apply(
    tx: &mut TenantTx<'_>,
    actor: &crate::audit::Actor,
    plan: &Plan,
    file_sha256: &str,
) -> DbResult<Applied> {
    let import_id = uuid::Uuid::now_v7().to_string();
    let created = crate::members::repo::insert_many(tx, &plan.creates)?;
    for (id, version, v) in &plan.updates {
        crate::members::repo::update(tx, id, *version, v)?;
    }
    let now = chrono::Utc::now();
    // The date in China the import happened: the changes take effect as of the sheet.
    let today = crate::clock::today();
    let history: Vec<NewHistory> = plan
        .status_changes
        .iter()
        .map(|c| NewHistory {
            tenant_id: tx.tid().to_owned(),
            id: uuid::Uuid::now_v7().to_string(),
            member_id: c.member_id.clone(),
            change: c.change.as_str().to_owned(),
            from_value: c.from.to_owned(),
            to_value: c.to.to_owned(),
            effective_on: today,
            from_org: c.from_org.clone(),
            to_org: c.to_org.clone(),
            reason: Some(format!("表格导入 {import_id}")),
            recorded_by: actor.id.clone(),
            recorded_at: now.naive_utc(),
            from_unit_id: c.from_unit_id.clone(),
            to_unit_id: c.to_unit_id.clone(),
        })
        .collect();
    insert_history(tx, &history)?;
    let details = serde_json::json!({ "import_id": import_id });
    let mut entries: Vec<crate::audit::Entry<'_>> = created
        .iter()
        .map(|id| crate::audit::Entry {
            action: "member.create",
            entity: "member",
            entity_id: id,
            reason: None,
            details: details.clone(),
        })
        .chain(plan.updates.iter().map(|(id, _, _)| crate::audit::Entry {
            action: "member.update",
            entity: "member",
            entity_id: id,
            reason: None,
            details: details.clone(),
        }))
        .collect();
    entries.push(crate::audit::Entry {
        action: "member.import",
        entity: "member_import",
        entity_id: &import_id,
        reason: None,
        details: serde_json::json!({
            "rows": plan.rows,
            "created": created.len(),
            "updated": plan.updates.len(),
            "unchanged": plan.unchanged,
            "rejected_cells": plan.errors.total(),
            "file_sha256": file_sha256,
        }),
    });
    crate::audit::record_many(tx, actor, &entries)?;
    Ok(Applied {
        import_id: import_id.clone(),
        created: created.len(),
        updated: plan.updates.len(),
    })
}
