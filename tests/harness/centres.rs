//! The service-centre world the centre tests start from: an association committee with two
//! branches, each with a party branch and a regional service centre, a township with a village,
//! and the staff who act on them: a centre's staff member, its director (bound to the branch),
//! a committee member, the other centre's staff, and a village recorder.

use crate::{County, TestApp};

pub struct CentreWorld {
    pub c: County,
    pub branch: String,
    /// The centre's branch's party branch: where the region's members keep their org life.
    pub party_branch: String,
    pub centre: String,
    pub other_party_branch: String,
    pub other_centre: String,
    pub village: String,
    /// Tokens.
    pub staff: String,
    pub staff_id: String,
    pub director: String,
    pub committee: String,
    pub other_staff: String,
    pub village_recorder: String,
}

impl TestApp {
    /// A county `code` with two service centres and their staff.
    pub async fn centre_world(&self, code: &str, name: &str) -> CentreWorld {
        let c = self.county(code, name).await;
        let assoc = self
            .org_unit(&c, "association_committee", "县个私协会党委", None)
            .await;
        let branch = self.org_unit(&c, "branch", "递铺分会", Some(&assoc)).await;
        let party_branch = self
            .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
            .await;
        let centre = self
            .org_unit(
                &c,
                "service_centre",
                "递铺区域性党员服务中心",
                Some(&branch),
            )
            .await;
        let other_branch = self.org_unit(&c, "branch", "孝丰分会", Some(&assoc)).await;
        let other_party_branch = self
            .org_unit(&c, "party_branch", "孝丰分会支部", Some(&other_branch))
            .await;
        let other_centre = self
            .org_unit(
                &c,
                "service_centre",
                "孝丰区域性党员服务中心",
                Some(&other_branch),
            )
            .await;
        let town = self.org_unit(&c, "township", "递铺街道", None).await;
        let village = self.org_unit(&c, "village", "古城村", Some(&town)).await;
        let (staff_id, staff) = self
            .staff(&c, &format!("ctr{code}"), "branch_staff", Some(&centre))
            .await;
        let (_, director) = self
            .staff(&c, &format!("dir{code}"), "branch_staff", Some(&branch))
            .await;
        let (_, committee) = self
            .staff(
                &c,
                &format!("asc{code}"),
                "association_committee",
                Some(&assoc),
            )
            .await;
        let (_, other_staff) = self
            .staff(
                &c,
                &format!("oth{code}"),
                "branch_staff",
                Some(&other_centre),
            )
            .await;
        let (_, village_recorder) = self
            .staff(
                &c,
                &format!("vil{code}"),
                "village_recorder",
                Some(&village),
            )
            .await;
        CentreWorld {
            c,
            branch,
            party_branch,
            centre,
            other_party_branch,
            other_centre,
            village,
            staff,
            staff_id,
            director,
            committee,
            other_staff,
            village_recorder,
        }
    }
}
