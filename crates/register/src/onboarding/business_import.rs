//! The business-register import (经营主体名录): a county's register of individual businesses,
//! small-micro enterprises and market stalls, read by the same layout detection, mapping,
//! normalisers and row reader as the member sheet, checked by the business rules
//! (GB 32100 credit code, a stall is in a market), then written all at once or not at all.
//!
//! A business is matched on its 统一社会信用代码 (a stall without one on its market and stall
//! number), so importing the same file again changes nothing and a changed row updates the
//! business at the version read. Markets and townships are found by name the way organisation
//! names are (`orgs`); names still unknown are gathered once each, with suggestions. The owner
//! (业主) is looked for in the member register: by ID-card number (blind index) when the row
//! has one, else by name and mobile number together; an owner found is linked to the business
//! as 业主, and one not found (most owners are not party members) leaves the business without a
//! link. Neither the ID number nor the phone of an owner is stored with the business.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::columns::{BUSINESS_COLUMNS, Col, Sheet};
use super::import::{RowError, header_problems, status_word, suggestions};
use super::mapping::Mapping;
use super::normalise::{self as norm, Fix};
use super::orgs::Units;
use super::reader::{RowReader, fits};
use super::sheet::{Cell, Table};
use crate::business::bulk;
use crate::business::model::{self, BusinessKind, CreditCode};
use crate::business::repo::{self, BusinessRow, BusinessValues};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{Capped, FieldError};
use crate::members::model::BusinessStatus;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::{IdCardNumber, MobileNumber};

/// What a business-register import would do, or did.
#[derive(Debug, Default)]
pub struct Plan {
    pub rows: usize,
    /// New businesses, with the ids they will have (owner links name them).
    pub creates: Vec<(String, BusinessValues)>,
    /// (business id, version read, new values)
    pub updates: Vec<(String, i64, BusinessValues)>,
    pub unchanged: usize,
    pub errors: Capped<RowError>,
    pub fixes: BTreeMap<(Col, Fix), u32>,
    /// Market and township names that match no unit, with the rows that use them.
    pub unknown_orgs: BTreeMap<(Col, String), Vec<u32>>,
    pub suggestions: BTreeMap<(Col, String), Vec<(String, String)>>,
    /// Owner links to add: (business id, member id).
    pub links: Vec<(String, String)>,
    /// Rows naming an owner who is not in the member register.
    pub owners_not_in_register: usize,
}

/// The members a row's owner may be: by ID-number blind index, and by phone blind index (with
/// their names).
struct Owners {
    by_id_number: HashMap<String, (String, String)>,
    by_phone: HashMap<String, Vec<(String, String)>>,
}

impl Owners {
    fn load(tx: &mut TenantTx<'_>) -> DbResult<Owners> {
        let mut o = Owners {
            by_id_number: HashMap::new(),
            by_phone: HashMap::new(),
        };
        for (id, name, id_bidx, phone_bidx) in crate::members::repo::owner_keys(tx)? {
            if let Some(b) = id_bidx {
                o.by_id_number.insert(b, (id.clone(), name.clone()));
            }
            if let Some(p) = phone_bidx {
                o.by_phone.entry(p).or_default().push((id, name));
            }
        }
        Ok(o)
    }
}

/// Who a row says owns the business.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// No owner given.
    None,
    /// A member of the register (their id).
    Member(String),
    /// Given, but not a member of the register.
    NotInRegister,
}

/// A field error of the business rules, recorded against the column its field comes from.
fn rule_error(r: &mut RowReader<'_>, e: &FieldError) {
    let col = BUSINESS_COLUMNS
        .iter()
        .find(|d| d.field == e.field)
        .map_or(Col::BizName, |d| d.col);
    // The rules name the API field; the message is rewritten for the sheet.
    let zh = e
        .message
        .split_once('：')
        .map_or(e.message.as_str(), |(_, m)| m);
    let en = e
        .message_en
        .split_once(": ")
        .or_else(|| e.message_en.split_once(' '))
        .map_or(e.message_en.as_str(), |(_, m)| m);
    r.error(col, &e.code, zh.to_owned(), en.to_owned());
}

/// A text cell of at most `max` characters.
fn text(r: &mut RowReader<'_>, c: Col, max: usize) -> Option<String> {
    let t = r.text(c)?;
    if t.chars().count() > max || t.chars().any(char::is_control) {
        r.error(
            c,
            "invalid_text",
            format!("最多{max}个字，且不能含控制字符"),
            format!("at most {max} characters, no control characters"),
        );
        return None;
    }
    Some(t)
}

/// What a row says about a business, before it is matched.
struct Read {
    kind: Option<BusinessKind>,
    /// The kind was not written but read from the code or the stall.
    kind_inferred: bool,
    name: Option<String>,
    credit_code: Option<String>,
    market_id: Option<String>,
    stall_no: Option<String>,
    township_id: Option<String>,
    address: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    status: Option<BusinessStatus>,
    owner: Owner,
}

fn kind_of(word: &str) -> BusinessKind {
    match word {
        "小微企业" => BusinessKind::SmallMicroEnterprise,
        "市场摊位" => BusinessKind::MarketStall,
        _ => BusinessKind::IndividualBusiness,
    }
}

/// The kind a row leaves out, read from what it does say: a credit code of an individual
/// business (92…) or of an enterprise (91…), or a stall in a market.
fn inferred_kind(code: Option<&str>, market_and_stall: bool) -> Option<BusinessKind> {
    match code.map(|c| &c[..2.min(c.len())]) {
        Some("92") => Some(BusinessKind::IndividualBusiness),
        _ if market_and_stall => Some(BusinessKind::MarketStall),
        Some("91") => Some(BusinessKind::SmallMicroEnterprise),
        _ => None,
    }
}

fn owner(r: &mut RowReader<'_>, keys: &CountyKeys, owners: &Owners) -> Owner {
    let name = r.text(Col::BizOwnerName);
    if let Some(Cell::Number(_)) = r.cell(Col::BizOwnerIdNumber) {
        r.error(
            Col::BizOwnerIdNumber,
            "id_number_not_text",
            "身份证号被存成了数字，末尾几位已丢失；请把该列设为文本格式后重新填写".into(),
            "stored as a number, which loses the last digits; format the column as text".into(),
        );
        return Owner::None;
    }
    let id_number = r.normal(Col::BizOwnerIdNumber, norm::id_number);
    let phone = r.normal(Col::BizOwnerPhone, norm::phone);
    if let Some(t) = id_number {
        let id = match IdCardNumber::parse("owner_id_number", &t) {
            Ok(id) => id,
            Err(e) => {
                rule_error(r, &e);
                return Owner::None;
            }
        };
        let bidx = keys.blind_index("id_number", id.as_str());
        return match owners.by_id_number.get(&bidx) {
            Some((_, n)) if name.as_ref().is_some_and(|given| given != n) => {
                r.error(
                    Col::BizOwnerName,
                    "owner_name_mismatch",
                    "与该身份证号登记的党员姓名不一致".into(),
                    "differs from the name of the member with this ID-card number".into(),
                );
                Owner::None
            }
            Some((m, _)) => Owner::Member(m.clone()),
            None => Owner::NotInRegister,
        };
    }
    // Without an ID number, a name and a mobile number together identify a member. A phone that
    // is no mobile number (a landline) finds no one, and is no error: it is not stored.
    let found = match (
        &name,
        phone.and_then(|p| MobileNumber::parse("owner_phone", &p).ok()),
    ) {
        (Some(n), Some(p)) => owners
            .by_phone
            .get(&keys.blind_index("phone", p.as_str()))
            .into_iter()
            .flatten()
            .filter(|(_, mn)| mn == n)
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>(),
        (None, None) => return Owner::None,
        _ => Vec::new(),
    };
    match found.as_slice() {
        [one] => Owner::Member(one.clone()),
        [] => Owner::NotInRegister,
        _ => {
            r.error(
                Col::BizOwnerName,
                "ambiguous_owner",
                "有多名同名且手机号相同的党员，请填写业主身份证号".into(),
                "several members share this name and phone; give the owner's ID-card number".into(),
            );
            Owner::None
        }
    }
}

/// One row read into a business's values, names resolved. Every cell is read (and its
/// rewrites counted) whatever else is wrong with the row.
fn read(r: &mut RowReader<'_>, units: &Units, keys: &CountyKeys, owners: &Owners) -> Read {
    let name = if r.cell(Col::BizName).and_then(Cell::text).is_none() {
        r.required(Col::BizName)
    } else {
        text(r, Col::BizName, 100)
    };
    let credit_code = r
        .normal(Col::BizCreditCode, norm::credit_code)
        .and_then(|t| match CreditCode::parse("credit_code", &t) {
            Ok(c) => Some(c.as_str().to_owned()),
            Err(e) => {
                rule_error(r, &e);
                None
            }
        });
    let kind_given = r.cell(Col::BizKind).and_then(Cell::text).is_some();
    let kind = r.choice(Col::BizKind, norm::business_kind).map(kind_of);
    let market_id = r.unit(Col::BizMarket, units, fits(Col::BizMarket));
    let stall_no = text(r, Col::BizStallNo, 20);
    let township_id = r.unit(Col::BizTownship, units, fits(Col::BizTownship));
    let address = text(r, Col::BizAddress, 200);
    let industry = text(r, Col::BizIndustry, 40);
    let employee_count = r.text(Col::BizEmployees).and_then(|t| {
        let mut fx = norm::Fixes::default();
        let n = norm::count(&t, &mut fx)
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| (0..=1_000_000).contains(n));
        if n.is_none() {
            r.error(
                Col::BizEmployees,
                "out_of_range",
                "应为0到1000000之间的整数".into(),
                "a whole number from 0 to 1000000".into(),
            );
        }
        n
    });
    let status = r.choice(Col::BizStatus, |s, _| status_word(s));
    let kind_inferred = kind.is_none() && !kind_given;
    let kind = match kind {
        Some(k) => Some(k),
        None if kind_given => None,
        None => {
            let k = inferred_kind(
                credit_code.as_deref(),
                market_id.is_some() && stall_no.is_some(),
            );
            // Not when the row already fails on its code, or waits for its market's name to
            // be mapped (the stall it is may then say the kind).
            if k.is_none()
                && !r.waits
                && (r.cell(Col::BizCreditCode).and_then(Cell::text).is_none()
                    || credit_code.is_some())
            {
                r.error(
                    Col::BizKind,
                    "required",
                    "必填（无法按信用代码或摊位推断）".into(),
                    "required (cannot be read from the credit code or a stall)".into(),
                );
            }
            k
        }
    };
    let owner = owner(r, keys, owners);
    Read {
        kind,
        kind_inferred,
        name,
        credit_code,
        market_id,
        stall_no,
        township_id,
        address,
        industry,
        employee_count,
        status,
        owner,
    }
}

/// The business's values after the row: every column the sheet has sets its field (an empty
/// cell clears an optional one), a column it lacks keeps what the register holds. A status
/// change follows the register's rule (a closed business stays closed).
fn values(
    r: &mut RowReader<'_>,
    row: Read,
    old: Option<&BusinessRow>,
    grids: &bulk::DefaultGrids,
) -> Option<BusinessValues> {
    let at = r.at;
    let has = |c: Col| at.contains_key(&c);
    let kind = row.kind?.as_str().to_owned();
    let name = row.name?;
    let mut v = match old {
        Some(o) => BusinessValues::from_row(o),
        None => BusinessValues {
            kind: kind.clone(),
            name: name.clone(),
            credit_code: None,
            market_id: None,
            stall_no: None,
            address: None,
            township_id: None,
            grid_id: None,
            industry: None,
            employee_count: None,
            status: BusinessStatus::Operating.as_str().to_owned(),
            status_since: None,
        },
    };
    // A kind read from the code says what a new business is; a registered one keeps its own.
    match old {
        Some(o) if row.kind_inferred => v.kind.clone_from(&o.kind),
        _ => v.kind = kind,
    }
    if row.kind_inferred && old.is_none() {
        r.note(Col::BizKind, Fix::KindFromCode);
    }
    v.name = name;
    if row.credit_code.is_some() {
        v.credit_code = row.credit_code;
    }
    let placed = (v.market_id.clone(), v.township_id.clone());
    if has(Col::BizMarket) {
        v.market_id = row.market_id;
    }
    if has(Col::BizStallNo) {
        v.stall_no = row.stall_no;
    }
    if has(Col::BizTownship) {
        v.township_id = row.township_id;
    }
    if has(Col::BizAddress) {
        v.address = row.address;
    }
    if has(Col::BizIndustry) {
        v.industry = row.industry;
    }
    if has(Col::BizEmployees) {
        v.employee_count = row.employee_count;
    }
    match (row.status, old) {
        (Some(s), Some(o)) if s.as_str() != o.status => {
            let from = BusinessStatus::parse(&o.status).unwrap_or(BusinessStatus::Operating);
            if let Err(refused) = model::business_status_change(from, s) {
                r.error(
                    Col::BizStatus,
                    refused.code,
                    refused.zh.to_owned(),
                    refused.en.to_owned(),
                );
                return None;
            }
            v.status = s.as_str().to_owned();
            v.status_since = Some(crate::clock::today());
        }
        (Some(s), None) => v.status = s.as_str().to_owned(),
        _ => {}
    }
    // A business placed anew (new, or moved to another market or township), or without a grid,
    // goes to its market's grid, else its township's, as one registered by hand does.
    let moved = placed != (v.market_id.clone(), v.township_id.clone());
    if old.is_none() || moved || v.grid_id.is_none() {
        let default = v
            .market_id
            .as_ref()
            .and_then(|m| grids.0.get(m))
            .or_else(|| v.township_id.as_ref().and_then(|t| grids.1.get(t)));
        if let Some(g) = default {
            v.grid_id = Some(g.clone());
        }
    }
    let kind = BusinessKind::parse(&v.kind).unwrap_or(BusinessKind::IndividualBusiness);
    let errs = model::check_shape(
        kind,
        v.market_id.is_some(),
        v.stall_no.is_some(),
        v.credit_code.is_some(),
    );
    for e in &errs {
        rule_error(r, e);
    }
    errs.is_empty().then_some(v)
}

/// Checks every row and decides what to write, under the county's `mapping` of headers and of
/// market and township names. Header problems fail the whole file at once.
pub fn plan(
    tx: &mut TenantTx<'_>,
    keys: &CountyKeys,
    table: &Table,
    mapping: &Mapping,
) -> DbResult<Plan> {
    let at = header_problems(Sheet::Businesses, table, mapping)?;
    let mut units = Units::load(tx)?;
    // Names map to existing markets and townships; a mapping's villages to create mean nothing
    // here and are not created.
    let mapped = mapping.apply(tx, &mut units, false)?;
    let existing = bulk::all(tx)?;
    let by_code: HashMap<&str, &BusinessRow> = existing
        .iter()
        .filter_map(|b| b.credit_code.as_deref().map(|c| (c, b)))
        .collect();
    let by_stall: HashMap<(&str, &str), &BusinessRow> = existing
        .iter()
        .filter_map(|b| Some(((b.market_id.as_deref()?, b.stall_no.as_deref()?), b)))
        .collect();
    let open_owners = bulk::open_owners(tx)?;
    let owners = Owners::load(tx)?;
    let grids = bulk::default_grids(tx)?;
    let mut plan = Plan {
        rows: table.rows.len(),
        ..Plan::default()
    };
    let mut seen_codes: HashMap<String, u32> = HashMap::new();
    let mut seen_stalls: HashMap<(String, String), u32> = HashMap::new();
    let mut linked: HashSet<(String, String)> = HashSet::new();
    for (row, cells) in &table.rows {
        let mut r = RowReader::new(
            *row,
            cells,
            &at,
            &mut plan.fixes,
            &mut plan.unknown_orgs,
            &mapped,
        );
        let got = read(&mut r, &units, keys, &owners);
        // Duplicates within the file are found whatever else is wrong with either row.
        if let Some(c) = &got.credit_code {
            if let Some(first) = seen_codes.get(c) {
                r.error(
                    Col::BizCreditCode,
                    "duplicate_in_file",
                    format!("与第{first}行的统一社会信用代码重复"),
                    format!("same credit code as row {first}"),
                );
            } else {
                seen_codes.insert(c.clone(), *row);
            }
        }
        let stall = got.market_id.clone().zip(got.stall_no.clone());
        if let Some(s) = &stall {
            if let Some(first) = seen_stalls.get(s) {
                r.error(
                    Col::BizStallNo,
                    "duplicate_in_file",
                    format!("与第{first}行是同一市场的同一摊位"),
                    format!("same market and stall as row {first}"),
                );
            } else {
                seen_stalls.insert(s.clone(), *row);
            }
        }
        if !r.errors.is_empty() || r.waits {
            plan.errors.extend(r.errors.drain(..));
            continue;
        }
        // By credit code; else by market and stall, when the row or the stall's business has
        // no code (a stall registered without one gains it here).
        let old = got
            .credit_code
            .as_deref()
            .and_then(|c| by_code.get(c).copied())
            .or_else(|| {
                let (m, s) = stall.as_ref()?;
                by_stall
                    .get(&(m.as_str(), s.as_str()))
                    .copied()
                    .filter(|b| got.credit_code.is_none() || b.credit_code.is_none())
            });
        let owner = got.owner.clone();
        let Some(v) = values(&mut r, got, old, &grids) else {
            plan.errors.extend(r.errors.drain(..));
            continue;
        };
        if let (Some(m), Some(s)) = (&v.market_id, &v.stall_no)
            && let Some(holder) = by_stall.get(&(m.as_str(), s.as_str()))
            && old.is_none_or(|o| o.id != holder.id)
        {
            r.error(
                Col::BizStallNo,
                "stall_taken",
                "该市场的这个摊位号已登记给其他经营主体".into(),
                "this stall of the market is registered to another business".into(),
            );
            plan.errors.extend(r.errors.drain(..));
            continue;
        }
        let id = match old {
            Some(o) if BusinessValues::from_row(o) == v => {
                plan.unchanged += 1;
                o.id.clone()
            }
            Some(o) => {
                plan.updates.push((o.id.clone(), o.version, v));
                o.id.clone()
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                plan.creates.push((id.clone(), v));
                id
            }
        };
        match owner {
            Owner::Member(m) => {
                let link = (id, m);
                if !open_owners.contains(&link) && linked.insert(link.clone()) {
                    plan.links.push(link);
                }
            }
            Owner::NotInRegister => plan.owners_not_in_register += 1,
            Owner::None => {}
        }
    }
    plan.suggestions = suggestions(&units, &plan.unknown_orgs);
    Ok(plan)
}

/// Writes a plan inside the caller's transaction: all of it or nothing. Each created and
/// updated business and each owner link gets its own audit entry, and the import one more with
/// its counts and the file's SHA-256.
pub fn apply(
    tx: &mut TenantTx<'_>,
    actor: &crate::audit::Actor,
    plan: &Plan,
    file_sha256: &str,
) -> DbResult<String> {
    let import_id = uuid::Uuid::now_v7().to_string();
    bulk::insert_many(tx, &plan.creates)?;
    for (id, version, v) in &plan.updates {
        repo::update(tx, id, *version, v)?;
    }
    bulk::link_owners(tx, &plan.links, crate::clock::today(), &actor.id)?;
    let details = serde_json::json!({ "import_id": import_id });
    let mut entries: Vec<crate::audit::Entry<'_>> = plan
        .creates
        .iter()
        .map(|(id, _)| crate::audit::Entry {
            action: "business.create",
            entity: "business",
            entity_id: id,
            reason: None,
            details: details.clone(),
        })
        .chain(plan.updates.iter().map(|(id, _, _)| crate::audit::Entry {
            action: "business.update",
            entity: "business",
            entity_id: id,
            reason: None,
            details: details.clone(),
        }))
        .chain(
            plan.links
                .iter()
                .map(|(business, member)| crate::audit::Entry {
                    action: "business.link_person",
                    entity: "business",
                    entity_id: business,
                    reason: None,
                    details: serde_json::json!({
                        "member_id": member, "role": "owner", "import_id": import_id,
                    }),
                }),
        )
        .collect();
    entries.push(crate::audit::Entry {
        action: "business.import",
        entity: "business_import",
        entity_id: &import_id,
        reason: None,
        details: serde_json::json!({
            "rows": plan.rows,
            "created": plan.creates.len(),
            "updated": plan.updates.len(),
            "unchanged": plan.unchanged,
            "owners_linked": plan.links.len(),
            "rejected_cells": plan.errors.total(),
            "file_sha256": file_sha256,
        }),
    });
    crate::audit::record_many(tx, actor, &entries)?;
    Ok(import_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::orgs::tests::unit;

    fn anji() -> Units {
        Units::new(
            vec!["安吉县".into(), "安吉".into()],
            vec![
                unit("o", "aic_office", "递铺市场监管所", None),
                unit("m", "market", "递铺农贸市场", Some("o")),
                unit("m2", "market", "孝丰农贸市场", Some("o")),
                unit("mp", "market_party_org", "递铺农贸市场党支部", Some("m")),
                unit("t", "township", "递铺街道", None),
                unit("t2", "township", "孝丰镇", None),
                unit("v", "village", "古城村", Some("t")),
            ],
        )
    }

    fn found(u: &Units, col: Col, s: &str) -> Option<String> {
        u.resolve(s, fits(col)).ok().map(|(r, _)| r.id.clone())
    }

    #[test]
    fn markets_and_townships_by_the_names_registers_give_them() {
        let u = anji();
        let m = Col::BizMarket;
        assert_eq!(found(&u, m, "递铺农贸市场").as_deref(), Some("m"));
        assert_eq!(found(&u, m, "安吉县递铺农贸市场").as_deref(), Some("m"));
        assert_eq!(found(&u, m, "安吉 孝丰农贸市场").as_deref(), Some("m2"));
        // A market column finds markets only: not the market's party branch, not a township.
        assert_eq!(found(&u, m, "递铺街道"), None);
        assert_eq!(found(&u, m, "递铺农贸市场党支部").as_deref(), Some("m"));
        assert_eq!(found(&u, m, "递铺菜市场"), None);
        let near: Vec<&str> = u
            .suggest("递铺菜市场", fits(m), 3)
            .into_iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(near.first(), Some(&"m"), "{near:?}");
        let t = Col::BizTownship;
        assert_eq!(found(&u, t, "递铺街道").as_deref(), Some("t"));
        assert_eq!(found(&u, t, "安吉县孝丰镇").as_deref(), Some("t2"));
        // A township column finds townships only.
        assert_eq!(found(&u, t, "古城村"), None);
        assert_eq!(found(&u, t, "递铺农贸市场"), None);
        assert!(u.suggest("递铺镇", fits(t), 3).iter().any(|r| r.id == "t"));
    }

    #[test]
    fn kinds_read_from_what_the_row_says() {
        use BusinessKind::*;
        assert_eq!(
            inferred_kind(Some("92330523MA2B3C4D5X"), false),
            Some(IndividualBusiness)
        );
        assert_eq!(
            inferred_kind(Some("92330523MA2B3C4D5X"), true),
            Some(IndividualBusiness)
        );
        assert_eq!(
            inferred_kind(Some("91330523MA2B3C4D5X"), false),
            Some(SmallMicroEnterprise)
        );
        assert_eq!(inferred_kind(None, true), Some(MarketStall));
        assert_eq!(
            inferred_kind(Some("91330523MA2B3C4D5X"), true),
            Some(MarketStall)
        );
        assert_eq!(inferred_kind(Some("93330523MA2B3C4D5X"), false), None);
        assert_eq!(inferred_kind(None, false), None);
        assert_eq!(inferred_kind(Some(""), false), None);
        assert_eq!(kind_of("市场摊位"), MarketStall);
        assert_eq!(kind_of("小微企业"), SmallMicroEnterprise);
        assert_eq!(kind_of("个体工商户"), IndividualBusiness);
    }
}
