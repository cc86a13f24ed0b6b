//! A county's demo org tree, its grids, and the units staff accounts are bound to.

use super::Rng;
use crate::auth::Role;
use crate::db::DbResult;

const ANJI_TOWNSHIPS: [&str; 15] = [
    "递铺街道",
    "昌硕街道",
    "灵峰街道",
    "孝源街道",
    "孝丰镇",
    "报福镇",
    "章村镇",
    "天荒坪镇",
    "杭垓镇",
    "梅溪镇",
    "天子湖镇",
    "鄣吴镇",
    "溪龙乡",
    "上墅乡",
    "山川乡",
];
const YIWU_TOWNSHIPS: [&str; 14] = [
    "稠城街道",
    "北苑街道",
    "稠江街道",
    "江东街道",
    "后宅街道",
    "城西街道",
    "廿三里街道",
    "福田街道",
    "佛堂镇",
    "赤岸镇",
    "义亭镇",
    "上溪镇",
    "大陈镇",
    "苏溪镇",
];
const PLACE_A: [&str; 24] = [
    "石", "竹", "杨", "梅", "枫", "松", "青", "白", "高", "下", "上", "东", "西", "南", "北", "大",
    "小", "新", "古", "龙", "凤", "金", "桃", "柳",
];
const PLACE_B: [&str; 20] = [
    "山", "溪", "塘", "桥", "岭", "坞", "湾", "岙", "家", "庄", "田", "里", "口", "头", "坑", "冈",
    "林", "源", "浦", "埠",
];
const MARKET_KINDS: [&str; 8] = [
    "小商品市场",
    "农贸市场",
    "竹木市场",
    "白茶市场",
    "建材市场",
    "服装市场",
    "副食品市场",
    "五金市场",
];

/// A county's org tree for the demo (SPEC §2): committee, branches with party branches and a
/// service centre each, townships with villages, AIC offices, markets (half with a party
/// organisation). Names are unique among siblings.
pub(super) struct OrgPlan {
    pub(super) branches: Vec<String>,
    pub(super) townships: Vec<(String, Vec<String>)>,
    pub(super) offices: Vec<String>,
    pub(super) markets: Vec<(String, bool)>,
}

fn place(rng: &mut Rng) -> String {
    format!(
        "{}{}",
        PLACE_A[rng.below(PLACE_A.len())],
        PLACE_B[rng.below(PLACE_B.len())]
    )
}

fn unique(name: String, used: &mut std::collections::HashSet<String>) -> String {
    let mut n = name.clone();
    let mut i = 2;
    while !used.insert(n.clone()) {
        n = format!("{name}{i}");
        i += 1;
    }
    n
}

pub(super) fn org_plan(
    code: &str,
    villages_per_township: usize,
    markets: usize,
    rng: &mut Rng,
) -> OrgPlan {
    let mut used = std::collections::HashSet::new();
    let townships: Vec<String> = match code {
        "330523" => ANJI_TOWNSHIPS.iter().map(|s| (*s).to_owned()).collect(),
        "330782" => YIWU_TOWNSHIPS.iter().map(|s| (*s).to_owned()).collect(),
        _ => (0..8)
            .map(|i| {
                unique(
                    format!("{}{}", place(rng), if i < 3 { "街道" } else { "镇" }),
                    &mut used,
                )
            })
            .collect(),
    };
    let branches: Vec<String> = if code == "330523" {
        // The four branches named in seed 002.
        ["昌硕分会", "递铺分会", "孝丰分会", "梅溪分会"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        let mut seen = std::collections::HashSet::new();
        townships
            .iter()
            .take(4)
            .map(|t| {
                unique(
                    format!("{}分会", t.trim_end_matches("街道").trim_end_matches('镇')),
                    &mut seen,
                )
            })
            .collect()
    };
    let townships = townships
        .into_iter()
        .map(|t| {
            let mut seen = std::collections::HashSet::new();
            let villages = (0..villages_per_township)
                .map(|i| {
                    unique(
                        format!("{}{}", place(rng), if i % 5 == 4 { "社区" } else { "村" }),
                        &mut seen,
                    )
                })
                .collect();
            (t, villages)
        })
        .collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    let offices = townships
        .iter()
        .take(4)
        .map(|(t, _)| {
            unique(
                format!(
                    "{}工商所",
                    t.trim_end_matches("街道").trim_end_matches('镇')
                ),
                &mut seen,
            )
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let markets = (0..markets)
        .map(|i| {
            (
                unique(
                    format!(
                        "{}{}",
                        place(rng),
                        MARKET_KINDS[rng.below(MARKET_KINDS.len())]
                    ),
                    &mut seen,
                ),
                i % 2 == 0,
            )
        })
        .collect();
    OrgPlan {
        branches,
        townships,
        offices,
        markets,
    }
}

impl OrgPlan {
    /// Creates the tree; returns how many units, and the ids staff accounts are bound to.
    pub(super) fn create(
        &self,
        tx: &mut crate::db::TenantTx<'_>,
        county: &str,
    ) -> DbResult<(usize, Bindings)> {
        use crate::org::model::OrgKind as K;
        use crate::org::repo::create;
        let mut n = 0;
        let mut bind = Bindings::default();
        let committee = create(
            tx,
            K::AssociationCommittee,
            &format!("{county}个体民营企业协会党委"),
            None,
        )?;
        for b in &self.branches {
            let branch = create(tx, K::Branch, b, Some(&committee.id))?;
            bind.branches.push(branch.id.clone());
            for i in ["第一支部", "第二支部", "第三支部"] {
                let pb = create(tx, K::PartyBranch, &format!("{b}{i}"), Some(&branch.id))?;
                bind.party_branches.push(pb.id);
            }
            let centre = create(
                tx,
                K::ServiceCentre,
                &format!("{}区域性党员服务中心", b.trim_end_matches("分会")),
                Some(&branch.id),
            )?;
            bind.centres.push(centre.id);
            n += 5;
        }
        for (t, villages) in &self.townships {
            let town = create(tx, K::Township, t, None)?;
            bind.townships.push(town.id.clone());
            for v in villages {
                bind.villages
                    .push(create(tx, K::Village, v, Some(&town.id))?.id);
            }
            n += 1 + villages.len();
        }
        let mut offices = Vec::new();
        for o in &self.offices {
            offices.push(create(tx, K::AicOffice, o, None)?.id);
        }
        for (i, (m, has_party_org)) in self.markets.iter().enumerate() {
            let office = offices.get(i % offices.len().max(1)).map(String::as_str);
            let market = create(tx, K::Market, m, office)?;
            bind.markets.push(market.id.clone());
            if *has_party_org {
                create(
                    tx,
                    K::MarketPartyOrg,
                    &format!("{m}党支部"),
                    Some(&market.id),
                )?;
                n += 1;
            }
            n += 1;
        }
        let count = n + 1 + offices.len();
        bind.offices = offices;
        Ok((count, bind))
    }
}

/// Unit ids by the kind each scoped role is bound to.
#[derive(Default)]
pub(super) struct Bindings {
    pub(super) markets: Vec<String>,
    pub(super) branches: Vec<String>,
    pub(super) party_branches: Vec<String>,
    /// The service centres, one per branch: each gets a staff account of its own.
    pub(super) centres: Vec<String>,
    pub(super) townships: Vec<String>,
    pub(super) villages: Vec<String>,
    pub(super) offices: Vec<String>,
}

impl Bindings {
    /// One grid per AIC office, the townships shared out among them, each linked with a
    /// branch's first party branch.
    pub(super) fn create_grids(
        &self,
        tx: &mut crate::db::TenantTx<'_>,
        office_names: &[String],
    ) -> DbResult<()> {
        let mut grids = Vec::new();
        for (i, (office, name)) in self.offices.iter().zip(office_names).enumerate() {
            let pb = self
                .party_branches
                .get((i * 3) % self.party_branches.len().max(1))
                .map(String::as_str);
            let grid = crate::grids::repo::create(
                tx,
                &format!("{}网格", name.trim_end_matches("工商所")),
                office,
                pb,
            )?;
            grids.push(grid.id);
        }
        for (i, town) in self.townships.iter().enumerate() {
            if let Some(g) = grids.get(i % grids.len().max(1)) {
                crate::grids::repo::assign(tx, g, town, "demo-data")?;
            }
        }
        Ok(())
    }

    /// The unit the i-th account of a role is bound to (county-wide roles: none).
    pub(super) fn for_role(&self, role: Role, i: usize) -> Option<&str> {
        let pool = match role {
            Role::BranchStaff => &self.branches,
            Role::TownshipCommittee => &self.townships,
            Role::VillageRecorder => &self.villages,
            Role::AicRecorder => &self.offices,
            _ => return None,
        };
        pool.get(i % pool.len().max(1)).map(String::as_str)
    }
}
