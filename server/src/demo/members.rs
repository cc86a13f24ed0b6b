//! The demo register: party members of every category and status.

use super::Rng;
use super::org::Bindings;
use crate::db::DbResult;
use crate::enums::StrEnum;

const PHONE_PREFIXES: [&str; 12] = [
    "130", "133", "135", "137", "138", "139", "150", "152", "158", "177", "180", "189",
];
const SHOPS: [&str; 12] = [
    "五金店",
    "服装店",
    "小吃店",
    "超市",
    "茶叶店",
    "竹制品厂",
    "建材店",
    "理发店",
    "水果店",
    "农资店",
    "汽修店",
    "药店",
];
const OUTSIDE: [&str; 6] = [
    "江西省上饶市某村党支部",
    "安徽省宣城市某社区党委",
    "河南省信阳市某村党支部",
    "四川省南充市某村党支部",
    "湖南省邵阳市某村党支部",
    "贵州省遵义市某村党支部",
];

/// The first 17 characters of the i-th demo member's ID number, and the birth date in it.
/// Unique by construction: the 3-digit sequence is `i % 1000`, and members with the same
/// sequence (one per block of 1,000) are born on different days: the year, 1950–2004, is
/// `(23·block + 7·sequence) mod 55` (23 is prime to 55), and blocks 55–109 are born in the
/// second half of their year, the first 55 in the first. Every block spreads over all ages;
/// 110,000 members are distinct, more than twice the large preset.
fn id_body(county: &str, i: usize, rng: &mut Rng) -> (chrono::NaiveDate, String) {
    let block = i / 1000;
    let year = 1950 + ((block * 23 + (i % 1000) * 7) % 55) as i32;
    let base = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let day = if (block / 55).is_multiple_of(2) {
        rng.below(181)
    } else {
        181 + rng.below(184)
    };
    let birth = base + chrono::Duration::days(day as i64);
    (
        birth,
        format!("{county}{}{:03}", birth.format("%Y%m%d"), i % 1000),
    )
}

/// Members with realistic names, valid-format (GB 11643) ID numbers and mobile numbers, every
/// category and status; identifiers encrypted and indexed exactly as the API does.
pub(super) fn demo_members(
    tx: &mut crate::db::TenantTx<'_>,
    keys: &crate::privacy::crypto::CountyKeys,
    bind: &Bindings,
    county: &str,
    n: usize,
    seed: u64,
) -> DbResult<()> {
    use crate::members::model::{Category, category};
    use crate::members::repo::{MemberValues, insert};
    use crate::org::model::OrgKind;
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let name = rng.person_name();
        let (birth, body) = id_body(county, i, &mut rng);
        let Some(check) = crate::privacy::identity::id_check_char(&body) else {
            continue;
        };
        let id_number = format!("{body}{check}");
        let phone = format!(
            "{}{:08}",
            PHONE_PREFIXES[rng.below(PHONE_PREFIXES.len())],
            rng.next_u64() % 100_000_000
        );
        let roll = rng.below(100);
        let (holder, kind, holder_name): (Option<&str>, Option<OrgKind>, String) =
            if roll < 40 && !bind.villages.is_empty() {
                let v = &bind.villages[rng.below(bind.villages.len())];
                (Some(v), Some(OrgKind::Village), String::new())
            } else if roll < 75 && !bind.party_branches.is_empty() {
                let p = &bind.party_branches[rng.below(bind.party_branches.len())];
                (Some(p), Some(OrgKind::PartyBranch), String::new())
            } else {
                (None, None, OUTSIDE[rng.below(OUTSIDE.len())].to_owned())
            };
        let cat = category(kind);
        let life = holder
            .map(str::to_owned)
            .or_else(|| bind.party_branches.first().cloned());
        let market = (rng.below(100) < 30)
            .then(|| {
                bind.markets
                    .get(rng.below(bind.markets.len().max(1)))
                    .cloned()
            })
            .flatten();
        let status_roll = rng.below(100);
        let male = body.as_bytes()[16] % 2 == 1;
        let v = MemberValues {
            name: name.clone(),
            gender: Some(if male { "male" } else { "female" }.to_owned()),
            birth_date: Some(birth),
            id_number_enc: Some(keys.encrypt("id_number", &id_number)),
            id_number_bidx: Some(keys.blind_index("id_number", &id_number)),
            phone_enc: Some(keys.encrypt("phone", &phone)),
            phone_bidx: Some(keys.blind_index("phone", &phone)),
            home_address_enc: None,
            household_registration: Some(if cat == Category::Floating {
                "361123".to_owned()
            } else {
                county.to_owned()
            }),
            is_owner: rng.below(100) < 70,
            business_name: format!("{}{}", &name, SHOPS[rng.below(SHOPS.len())]),
            business_registration_no: None,
            org_life_unit_id: life,
            membership_org_name: match holder {
                Some(h) => crate::org::repo::get(tx, h)?
                    .map(|u| u.name)
                    .unwrap_or_default(),
                None => holder_name,
            },
            membership_unit_id: holder.map(str::to_owned),
            membership_status: if status_roll < 8 {
                "probationary"
            } else {
                "full"
            }
            .to_owned(),
            distribution: if market.is_some() {
                "market_business"
            } else {
                "individual_business"
            }
            .to_owned(),
            market_id: market,
            business_status: match status_roll {
                0..=84 => "operating",
                85..=94 => "suspended",
                _ => "closed",
            }
            .to_owned(),
            away_since: (rng.below(100) < 5)
                .then(|| chrono::NaiveDate::from_ymd_opt(2025, 1 + rng.below(12) as u32, 1))
                .flatten(),
            joined_party_on: chrono::NaiveDate::from_ymd_opt(
                (chrono::Datelike::year(&birth) + 20 + rng.below(15) as i32).min(2025),
                7,
                1,
            ),
            association_member: rng.below(100) < 80,
            category: cat.as_str().to_owned(),
        };
        insert(tx, &v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_id_numbers_are_distinct_up_to_the_large_preset() {
        let mut rng = Rng::new(1);
        let mut seen = std::collections::HashSet::new();
        for i in 0..110_000 {
            let (_, body) = id_body("330782", i, &mut rng);
            assert_eq!(body.len(), 17);
            assert!(seen.insert(body), "member {i} repeats an ID number");
        }
    }
}
