//! The 调查摸底表 (seed 004 attachment 1) as a sheet: one row per non-public economic
//! organisation, read by the same layout detection, mapping, normalisers and row reader as the
//! other imports, and matched to a business of the register: by its 统一社会信用代码, else by
//! its exact name when one open business has it. This module reads the cells into values; the
//! campaign (evaluations) checks them by its own rules and writes them, and reports its errors
//! against the same columns ([`field_error`]).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::columns::{Col, SURVEY_COLUMNS, Sheet};
use super::import::{RowError, header_problems};
use super::mapping::Mapping;
use super::normalise::{self as norm, Fix, Fixes};
use super::orgs::Units;
use super::reader::RowReader;
use super::sheet::Table;
use crate::business::bulk;
use crate::business::model::CreditCode;
use crate::db::{DbResult, TenantTx};
use crate::error::{Capped, FieldError};

/// One row as read: the business it is about and its values, in the API's words.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyRow {
    pub row: u32,
    pub business_id: String,
    pub employees: i64,
    pub party_full: i64,
    pub party_probationary: i64,
    pub league_members: i64,
    /// `none`, `standalone`, `joint`, `affiliated`, `industry`.
    pub party_org: &'static str,
    pub league_org: &'static str,
    pub instructor: bool,
    /// `party_member`, `league_member`, `masses`.
    pub owner_identity: &'static str,
    pub management: Option<String>,
    pub activities: bool,
    pub venue: bool,
    pub surveyed_on: Option<NaiveDate>,
}

/// What a survey sheet says.
#[derive(Debug, Default)]
pub struct SurveySheet {
    pub rows: usize,
    pub read: Vec<SurveyRow>,
    pub errors: Capped<RowError>,
    pub fixes: std::collections::BTreeMap<(Col, Fix), u32>,
}

/// 党（团）组织设置 in the words sheets use.
pub fn org_setup(s: &str, _: &mut Fixes) -> Option<&'static str> {
    Some(match norm::compact(s).as_str() {
        "未建立" | "未建" | "无" | "没有" | "否" => "none",
        "单独组建" | "单独" | "单建" | "独立组建" => "standalone",
        "联合组建" | "联合" | "联建" => "joint",
        "挂靠组建" | "挂靠" => "affiliated",
        "行业组建" | "行业" => "industry",
        _ => return None,
    })
}

/// 业主身份.
pub fn owner_identity(s: &str, _: &mut Fixes) -> Option<&'static str> {
    Some(match norm::compact(s).as_str() {
        "党员" | "中共党员" | "共产党员" | "正式党员" | "预备党员" => {
            "party_member"
        }
        "团员" | "共青团员" | "青年团员" => "league_member",
        "群众" | "无党派" | "无党派人士" | "民主党派" => "masses",
        _ => return None,
    })
}

fn count(r: &mut RowReader<'_>, c: Col, required: bool) -> i64 {
    let Some(t) = (if required { r.required(c) } else { r.text(c) }) else {
        return 0;
    };
    let mut fx = Fixes::default();
    let n = norm::count(&t, &mut fx);
    r.count(c, fx);
    n.unwrap_or_else(|| {
        r.error(
            c,
            "out_of_range",
            "应为0或正整数（人数）".into(),
            "a whole number of people, 0 or more".into(),
        );
        0
    })
}

/// The error of a campaign rule on `field` (an API field of the survey), against its column.
pub fn field_error(row: u32, e: &FieldError) -> RowError {
    let d = SURVEY_COLUMNS
        .iter()
        .find(|d| d.field == e.field)
        .unwrap_or(&SURVEY_COLUMNS[1]);
    // The rule names the API field; the message is rewritten for the sheet.
    let zh = e
        .message
        .split_once('：')
        .map_or(e.message.as_str(), |(_, m)| m);
    let en = e
        .message_en
        .split_once(": ")
        .map_or(e.message_en.as_str(), |(_, m)| m);
    RowError {
        row,
        column: d.header.to_owned(),
        field: d.field.to_owned(),
        code: e.code.clone(),
        message: format!("第{row}行“{}”：{zh}", d.header),
        message_en: format!("row {row}, {}: {en}", d.field),
    }
}

/// Reads every row under the county's `mapping` of headers; header problems fail the file.
pub fn read(tx: &mut TenantTx<'_>, table: &Table, mapping: &Mapping) -> DbResult<SurveySheet> {
    let at = header_problems(Sheet::CoverageSurvey, table, mapping)?;
    let mut units = Units::load(tx)?;
    let mapped = mapping.apply(tx, &mut units, false)?;
    let open: Vec<_> = bulk::all(tx)?
        .into_iter()
        .filter(|b| b.status != "closed")
        .collect();
    let by_code: HashMap<&str, &str> = open
        .iter()
        .filter_map(|b| Some((b.credit_code.as_deref()?, b.id.as_str())))
        .collect();
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for b in &open {
        by_name
            .entry(b.name.as_str())
            .or_default()
            .push(b.id.as_str());
    }
    let mut out = SurveySheet {
        rows: table.rows.len(),
        ..SurveySheet::default()
    };
    let mut unknown = std::collections::BTreeMap::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (row, cells) in &table.rows {
        let mut r = RowReader::new(*row, cells, &at, &mut out.fixes, &mut unknown, &mapped);
        let code = r
            .normal(Col::SvCreditCode, norm::credit_code)
            .and_then(|t| match CreditCode::parse("credit_code", &t) {
                Ok(c) => Some(c.as_str().to_owned()),
                Err(e) => {
                    r.error(
                        Col::SvCreditCode,
                        &e.code,
                        "统一社会信用代码不正确".into(),
                        "not a valid credit code".into(),
                    );
                    None
                }
            });
        let name = r.required(Col::SvName);
        let business = match (&code, &name) {
            (Some(c), _) => by_code
                .get(c.as_str())
                .map(|id| (*id).to_owned())
                .or_else(|| {
                    r.error(
                        Col::SvCreditCode,
                        "business_not_found",
                        "经营主体名录中没有该统一社会信用代码（或已注销）".into(),
                        "no open business of the register has this credit code".into(),
                    );
                    None
                }),
            (None, Some(n)) if r.cell(Col::SvCreditCode).is_none_or(|c| c.text().is_none()) => {
                match by_name.get(n.as_str()).map(Vec::as_slice) {
                    Some([one]) => Some((*one).to_owned()),
                    Some([_, _, ..]) => {
                        r.error(
                            Col::SvName,
                            "ambiguous_business",
                            "名录中有多个同名经营主体，请填写统一社会信用代码".into(),
                            "several businesses have this name; give the credit code".into(),
                        );
                        None
                    }
                    _ => {
                        r.error(
                            Col::SvName,
                            "business_not_found",
                            "经营主体名录中没有该名称（或已注销）".into(),
                            "no open business of the register has this name".into(),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(b) = &business {
            if let Some(first) = seen.get(b) {
                r.error(
                    Col::SvName,
                    "duplicate_in_file",
                    format!("与第{first}行是同一经营主体"),
                    format!("the same business as row {first}"),
                );
            } else {
                seen.insert(b.clone(), *row);
            }
        }
        let employees = count(&mut r, Col::SvEmployees, true);
        let party_full = count(&mut r, Col::SvPartyFull, false);
        let party_probationary = count(&mut r, Col::SvPartyProbationary, false);
        let league_members = count(&mut r, Col::SvLeague, false);
        let party_org = r.choice(Col::SvPartyOrg, org_setup).unwrap_or("none");
        let league_org = r.choice(Col::SvLeagueOrg, org_setup).unwrap_or("none");
        let instructor = r.choice(Col::SvInstructor, norm::yes_no).unwrap_or(false);
        let owner = r
            .choice(Col::SvOwnerIdentity, owner_identity)
            .unwrap_or("masses");
        let management = r.text(Col::SvManagement);
        let activities = r.choice(Col::SvActivities, norm::yes_no).unwrap_or(false);
        let venue = r.choice(Col::SvVenue, norm::yes_no).unwrap_or(false);
        let surveyed_on = r.date(Col::SvSurveyedOn);
        if !r.errors.is_empty() {
            out.errors.extend(r.errors.drain(..));
            continue;
        }
        let Some(business_id) = business else {
            continue;
        };
        out.read.push(SurveyRow {
            row: *row,
            business_id,
            employees,
            party_full,
            party_probationary,
            league_members,
            party_org,
            league_org,
            instructor,
            owner_identity: owner,
            management,
            activities,
            venue,
            surveyed_on,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_sheets_words_for_set_ups_and_owners() {
        let mut fx = Fixes::default();
        assert_eq!(org_setup(" 单独组建 ", &mut fx), Some("standalone"));
        assert_eq!(org_setup("挂靠", &mut fx), Some("affiliated"));
        assert_eq!(org_setup("未建", &mut fx), Some("none"));
        assert_eq!(org_setup("已建", &mut fx), None);
        assert_eq!(owner_identity("中共党员", &mut fx), Some("party_member"));
        assert_eq!(owner_identity("共青团员", &mut fx), Some("league_member"));
        assert_eq!(owner_identity("群众", &mut fx), Some("masses"));
    }

    #[test]
    fn a_rule_error_lands_on_its_column() {
        let e = FieldError::new(
            "party_org",
            "organisation_without_members",
            "party_org：没有党员",
            "party_org: none",
        );
        let r = field_error(7, &e);
        assert_eq!(
            (r.row, r.column.as_str(), r.field.as_str()),
            (7, "党组织设置", "party_org")
        );
        assert_eq!(r.message, "第7行“党组织设置”：没有党员");
    }

    proptest! {
        #[test]
        fn the_word_readers_never_panic(s in "\\PC{0,40}") {
            let mut fx = Fixes::default();
            let _ = org_setup(&s, &mut fx);
            let _ = owner_identity(&s, &mut fx);
            let e = FieldError::new(s.clone(), &s, s.clone(), s.clone());
            let _ = field_error(1, &e);
        }
    }
}
