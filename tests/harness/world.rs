//! The county's world as tests build it: org units, grids, members, and the two-grid county
//! most workflow tests start from. Each step asserts that the server accepted it, so a test
//! that fails in its set-up says where.

use serde_json::{Value, json};

use crate::{County, TestApp};

impl TestApp {
    /// Creates an org unit as the county admin; returns its id.
    pub async fn org_unit(
        &self,
        c: &County,
        kind: &str,
        name: &str,
        parent: Option<&str>,
    ) -> String {
        let mut body = serde_json::json!({ "kind": kind, "name": name });
        if let Some(p) = parent {
            body["parent_id"] = serde_json::json!(p);
        }
        let v: Value = self
            .post("/api/v1/org-units", &c.admin_token, &body)
            .send()
            .await
            .expect("create unit")
            .json()
            .await
            .expect("json");
        v["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    }

    /// Creates a grid of an AIC office (with an association party branch when given) as the
    /// county admin, asserting 201, and assigns it each township, asserting 200; returns its id.
    pub async fn grid(
        &self,
        c: &County,
        name: &str,
        office: &str,
        party_branch: Option<&str>,
        townships: &[&str],
    ) -> String {
        let mut body = json!({ "name": name, "aic_office_id": office });
        if let Some(pb) = party_branch {
            body["party_branch_id"] = json!(pb);
        }
        let grid = crate::id(&self.created(&c.admin_token, "/api/v1/grids", &body).await);
        for town in townships {
            let (s, v) = crate::send(self.post(
                &format!("/api/v1/grids/{grid}/townships"),
                &c.admin_token,
                &json!({ "township_id": town }),
            ))
            .await;
            assert_eq!(s, 200, "assign township {town} to grid {name}: {v}");
        }
        grid
    }

    /// Registers a member, asserting 201; returns the member's id.
    pub async fn member(&self, token: &str, body: &Value) -> String {
        crate::id(&self.created(token, "/api/v1/members", body).await)
    }

    /// Registers a full member running an individual business, whose organisational life and
    /// membership are both in `unit`, asserting 201; returns the member's id.
    pub async fn member_in(&self, token: &str, name: &str, business: &str, unit: &str) -> String {
        let body = json!({ "name": name, "is_owner": true, "business_name": business,
                           "org_life_unit_id": unit, "membership_unit_id": unit,
                           "membership_status": "full", "distribution": "individual_business" });
        self.member(token, &body).await
    }

    /// The two-grid county of [`TwoGrids`], created as county `code`; the association
    /// committee is named `committee` (printed forms and reviews show it).
    pub async fn two_grids(&self, code: &str, name: &str, committee: &str) -> TwoGrids {
        let c = self.county(code, name).await;
        let committee = self
            .org_unit(&c, "association_committee", committee, None)
            .await;
        let branch_a = self
            .org_unit(&c, "branch", "递铺分会", Some(&committee))
            .await;
        let branch_b = self
            .org_unit(&c, "branch", "孝丰分会", Some(&committee))
            .await;
        let pb_a = self
            .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch_a))
            .await;
        let pb_b = self
            .org_unit(&c, "party_branch", "孝丰分会第一支部", Some(&branch_b))
            .await;
        let office_a = self.org_unit(&c, "aic_office", "递铺工商所", None).await;
        let office_b = self.org_unit(&c, "aic_office", "孝丰工商所", None).await;
        let town_a = self.org_unit(&c, "township", "递铺街道", None).await;
        let town_b = self.org_unit(&c, "township", "孝丰镇", None).await;
        let village_a = self.org_unit(&c, "village", "古城村", Some(&town_a)).await;
        let village_b = self.org_unit(&c, "village", "横柏村", Some(&town_b)).await;
        let grid_a = self
            .grid(&c, "递铺网格", &office_a, Some(&pb_a), &[&town_a])
            .await;
        let grid_b = self
            .grid(&c, "孝丰网格", &office_b, Some(&pb_b), &[&town_b])
            .await;
        TwoGrids {
            c,
            committee,
            branch_a,
            branch_b,
            pb_a,
            pb_b,
            office_a,
            office_b,
            town_a,
            town_b,
            village_a,
            village_b,
            grid_a,
            grid_b,
        }
    }

    /// The one-grid county of [`OneGrid`], created as 330523 安吉县.
    pub async fn one_grid(&self) -> OneGrid {
        let c = self.county("330523", "安吉县").await;
        let committee = self
            .org_unit(&c, "association_committee", "协会党委", None)
            .await;
        let branch = self
            .org_unit(&c, "branch", "递铺分会", Some(&committee))
            .await;
        let party_branch = self
            .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
            .await;
        let office = self.org_unit(&c, "aic_office", "递铺工商所", None).await;
        let town = self.org_unit(&c, "township", "递铺街道", None).await;
        let village = self.org_unit(&c, "village", "古城村", Some(&town)).await;
        let grid = self
            .grid(&c, "递铺网格", &office, Some(&party_branch), &[&town])
            .await;
        OneGrid {
            c,
            committee,
            branch,
            party_branch,
            office,
            town,
            village,
            grid,
        }
    }
}

/// A county with two grids, A (递铺) and B (孝丰): each has its AIC office, its association
/// branch's party branch and its township, and the township one village. Ids only; no staff.
pub struct TwoGrids {
    pub c: County,
    pub committee: String,
    pub branch_a: String,
    pub branch_b: String,
    pub pb_a: String,
    pub pb_b: String,
    pub office_a: String,
    pub office_b: String,
    pub town_a: String,
    pub town_b: String,
    pub village_a: String,
    pub village_b: String,
    pub grid_a: String,
    pub grid_b: String,
}

/// A county with one grid (递铺网格): its AIC office, the party branch of branch 递铺分会 and
/// township 递铺街道 with village 古城村. Ids only; no staff.
pub struct OneGrid {
    pub c: County,
    pub committee: String,
    pub branch: String,
    pub party_branch: String,
    pub office: String,
    pub town: String,
    pub village: String,
    pub grid: String,
}

/// A valid GB 11643 ID-card number built from parts (no real person's number in the tests).
pub fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{birth}{seq}");
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

/// A GB 32100 unified social credit code with a valid check character, from its first 17
/// characters (no real business's code in the tests).
pub fn credit_code(first17: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let sum: usize = first17
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = CHARS.iter().position(|&x| x == c).expect("charset");
            // Weights 3^i mod 31.
            let w = (0..i).fold(1usize, |w, _| w * 3 % 31);
            v * w
        })
        .sum();
    format!("{first17}{}", CHARS[(31 - sum % 31) % 31] as char)
}
