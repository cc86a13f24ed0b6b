//! Demo and benchmark data: deterministic for a seed (`shuanglian demo-data`), and the small
//! demo world `serve --demo` seeds on an empty database.
//!
//! The register issue adds org units, members and businesses to these presets; today they
//! create counties and their user accounts.

use std::fmt::Write as _;

use clap::ValueEnum;

use crate::auth::{Role, password};
use crate::db::{DbResult, Mode};
use crate::error::AppError;
use crate::startup::AppState;
use crate::tenancy::{DivisionCode, repo};
use crate::users::model::Username;
use crate::users::repo::{NewUser, insert, platform_insert};

/// Every demo account's password. Demo data only: never use on a real deployment.
pub const DEMO_PASSWORD: &str = "Shuanglian-demo-2026";
/// The second-factor secret (base32) of the demo accounts that must have one (county admins,
/// platform operator, provincial office): published like the password, so anyone trying the
/// demo can compute codes (`shuanglian totp-code --secret …`). Demo data only.
pub const DEMO_TOTP_SECRET: &str = "SHUANGLIANDEMOSECRETSHUANGLIAN22";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// An Anji-like county (330523) and its neighbour.
    Small,
    /// A Yiwu-sized county (330782) and its neighbour.
    Large,
    /// All 90 county-level divisions of Zhejiang, of mixed sizes.
    Province,
}

/// Zhejiang's 90 county-level divisions (GB/T 2260).
pub const ZHEJIANG: [(&str, &str); 90] = [
    ("330102", "上城区"),
    ("330105", "拱墅区"),
    ("330106", "西湖区"),
    ("330108", "滨江区"),
    ("330109", "萧山区"),
    ("330110", "余杭区"),
    ("330111", "富阳区"),
    ("330112", "临安区"),
    ("330113", "临平区"),
    ("330114", "钱塘区"),
    ("330122", "桐庐县"),
    ("330127", "淳安县"),
    ("330182", "建德市"),
    ("330203", "海曙区"),
    ("330205", "江北区"),
    ("330206", "北仑区"),
    ("330211", "镇海区"),
    ("330212", "鄞州区"),
    ("330213", "奉化区"),
    ("330225", "象山县"),
    ("330226", "宁海县"),
    ("330281", "余姚市"),
    ("330282", "慈溪市"),
    ("330302", "鹿城区"),
    ("330303", "龙湾区"),
    ("330304", "瓯海区"),
    ("330305", "洞头区"),
    ("330324", "永嘉县"),
    ("330326", "平阳县"),
    ("330327", "苍南县"),
    ("330328", "文成县"),
    ("330329", "泰顺县"),
    ("330381", "瑞安市"),
    ("330382", "乐清市"),
    ("330383", "龙港市"),
    ("330402", "南湖区"),
    ("330411", "秀洲区"),
    ("330421", "嘉善县"),
    ("330424", "海盐县"),
    ("330481", "海宁市"),
    ("330482", "平湖市"),
    ("330483", "桐乡市"),
    ("330502", "吴兴区"),
    ("330503", "南浔区"),
    ("330521", "德清县"),
    ("330522", "长兴县"),
    ("330523", "安吉县"),
    ("330602", "越城区"),
    ("330603", "柯桥区"),
    ("330604", "上虞区"),
    ("330624", "新昌县"),
    ("330681", "诸暨市"),
    ("330683", "嵊州市"),
    ("330702", "婺城区"),
    ("330703", "金东区"),
    ("330723", "武义县"),
    ("330726", "浦江县"),
    ("330727", "磐安县"),
    ("330781", "兰溪市"),
    ("330782", "义乌市"),
    ("330783", "东阳市"),
    ("330784", "永康市"),
    ("330802", "柯城区"),
    ("330803", "衢江区"),
    ("330822", "常山县"),
    ("330824", "开化县"),
    ("330825", "龙游县"),
    ("330881", "江山市"),
    ("330902", "定海区"),
    ("330903", "普陀区"),
    ("330921", "岱山县"),
    ("330922", "嵊泗县"),
    ("331002", "椒江区"),
    ("331003", "黄岩区"),
    ("331004", "路桥区"),
    ("331022", "三门县"),
    ("331023", "天台县"),
    ("331024", "仙居县"),
    ("331081", "温岭市"),
    ("331082", "临海市"),
    ("331083", "玉环市"),
    ("331102", "莲都区"),
    ("331121", "青田县"),
    ("331122", "缙云县"),
    ("331123", "遂昌县"),
    ("331124", "松阳县"),
    ("331125", "云和县"),
    ("331126", "庆元县"),
    ("331127", "景宁畲族自治县"),
    ("331181", "龙泉市"),
];

pub use crate::rng::Rng;

struct CountyPlan {
    code: &'static str,
    name: &'static str,
    staff: usize,
    /// Villages/communities per township, and markets in the county.
    villages_per_township: usize,
    markets: usize,
    /// Party members in the register.
    members: usize,
}

/// The staff roles spread over a county's accounts, in proportion to how many of each a county has.
const STAFF_ROLES: [Role; 10] = [
    Role::VillageRecorder,
    Role::VillageRecorder,
    Role::VillageRecorder,
    Role::VillageRecorder,
    Role::BranchStaff,
    Role::BranchStaff,
    Role::TownshipCommittee,
    Role::AicRecorder,
    Role::AssociationCommittee,
    Role::CountyAdmin,
];

fn plan(preset: Preset, rng: &mut Rng) -> Vec<CountyPlan> {
    let find = |code: &str| {
        ZHEJIANG
            .iter()
            .find(|(c, _)| *c == code)
            .copied()
            .unwrap_or(("330523", "安吉县"))
    };
    match preset {
        Preset::Small => {
            let (a, an) = find("330523");
            let (b, bn) = find("330522");
            vec![
                CountyPlan {
                    code: a,
                    name: an,
                    staff: 40,
                    villages_per_township: 14,
                    markets: 20,
                    members: 5_000,
                },
                CountyPlan {
                    code: b,
                    name: bn,
                    staff: 20,
                    villages_per_township: 12,
                    markets: 10,
                    members: 1_500,
                },
            ]
        }
        Preset::Large => {
            let (a, an) = find("330782");
            let (b, bn) = find("330783");
            vec![
                CountyPlan {
                    code: a,
                    name: an,
                    staff: 400,
                    villages_per_township: 50,
                    markets: 60,
                    members: 50_000,
                },
                CountyPlan {
                    code: b,
                    name: bn,
                    staff: 60,
                    villages_per_township: 20,
                    markets: 15,
                    members: 5_000,
                },
            ]
        }
        Preset::Province => ZHEJIANG
            .iter()
            .map(|(c, n)| CountyPlan {
                code: c,
                name: n,
                staff: 10 + rng.below(60),
                villages_per_township: 3 + rng.below(6),
                markets: 2 + rng.below(5),
                members: 50 + rng.below(100),
            })
            .collect(),
    }
}

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
struct OrgPlan {
    branches: Vec<String>,
    townships: Vec<(String, Vec<String>)>,
    offices: Vec<String>,
    markets: Vec<(String, bool)>,
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

fn org_plan(code: &str, villages_per_township: usize, markets: usize, rng: &mut Rng) -> OrgPlan {
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
    fn create(
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
            &format!("{county}个体私营企业协会党委"),
            None,
        )?;
        for b in &self.branches {
            let branch = create(tx, K::Branch, b, Some(&committee.id))?;
            bind.branches.push(branch.id.clone());
            for i in ["第一支部", "第二支部", "第三支部"] {
                let pb = create(tx, K::PartyBranch, &format!("{b}{i}"), Some(&branch.id))?;
                bind.party_branches.push(pb.id);
            }
            create(
                tx,
                K::ServiceCentre,
                &format!("{}区域性党员服务中心", b.trim_end_matches("分会")),
                Some(&branch.id),
            )?;
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
/// Unique by construction: each block of 1,000 members gets its own year of birth dates (from
/// 1950), and the 3-digit sequence tells the members of a block apart.
fn id_body(county: &str, i: usize, rng: &mut Rng) -> (chrono::NaiveDate, String) {
    let base = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    let birth = base + chrono::Duration::days((i / 1000) as i64 * 365 + rng.below(365) as i64);
    (
        birth,
        format!("{county}{}{:03}", birth.format("%Y%m%d"), i % 1000),
    )
}

/// Members with realistic names, valid-format (GB 11643) ID numbers and mobile numbers, every
/// category and status; identifiers encrypted and indexed exactly as the API does.
fn demo_members(
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

/// Unit ids by the kind each scoped role is bound to.
#[derive(Default)]
struct Bindings {
    markets: Vec<String>,
    branches: Vec<String>,
    party_branches: Vec<String>,
    townships: Vec<String>,
    villages: Vec<String>,
    offices: Vec<String>,
}

impl Bindings {
    /// One grid per AIC office, the townships shared out among them, each linked with a
    /// branch's first party branch.
    fn create_grids(
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
    fn for_role(&self, role: Role, i: usize) -> Option<&str> {
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

fn app(e: AppError) -> anyhow::Error {
    // A shell command shows the cause (the demo holds no personal data worth hiding).
    match &e.source {
        Some(cause) => anyhow::anyhow!("{} [{}]: {cause:#}", e.zh, e.code),
        None => anyhow::anyhow!("{} [{}]", e.zh, e.code),
    }
}

/// Creates the preset's counties (skipping those that exist) and their accounts.
pub async fn generate(state: &AppState, preset: Preset, seed: u64) -> anyhow::Result<String> {
    let mut rng = Rng::new(seed);
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await?
        .map_err(app)?;
    let mut out = String::new();
    let (mut counties, mut accounts, mut units, mut members, mut skipped) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for c in plan(preset, &mut rng) {
        let code = DivisionCode::parse("code", c.code).map_err(|e| anyhow::anyhow!(e.message))?;
        let names: Vec<(String, Role)> = (0..c.staff)
            .map(|i| (rng.person_name(), STAFF_ROLES[i % STAFF_ROLES.len()]))
            .collect();
        let h = hash.clone();
        let name = c.name.to_owned();
        let org = org_plan(c.code, c.villages_per_township, c.markets, &mut rng);
        let member_seed = rng.next_u64();
        let member_count = c.members;
        let master = *state.master_key.bytes();
        let county_code = c.code.to_owned();
        let created = state
            .db
            .platform(Mode::Write, move |tx| -> DbResult<Option<(usize, usize)>> {
                if repo::by_code(tx, code.as_str())?.is_some() {
                    return Ok(None);
                }
                let t = repo::insert(tx, &code, &name)?;
                let mut ttx = tx.enter_tenant(t.tenant_id())?;
                let admin = insert(
                    &mut ttx,
                    &NewUser {
                        username: "admin",
                        display_name: &format!("{name}管理员"),
                        role: Role::CountyAdmin,
                        org_unit_id: None,
                        password_hash: &h,
                        must_change_password: false,
                    },
                )?;
                let (units, bind) = org.create(&mut ttx, &name)?;
                bind.create_grids(&mut ttx, &org.offices)?;
                let keys = crate::privacy::keys::load(&mut ttx, &master)?;
                let secret = secrecy::SecretString::from(DEMO_TOTP_SECRET);
                let sealed = crate::auth::totp::repo::seal_tenant(&keys, &admin.id, &secret);
                crate::auth::totp::repo::put(&mut ttx, &admin.id, &sealed, true)?;
                demo_members(
                    &mut ttx,
                    &keys,
                    &bind,
                    &county_code,
                    member_count,
                    member_seed,
                )?;
                crate::business::demo::generate(&mut ttx, &county_code, member_seed ^ 0xB12)?;
                crate::members::status::demo(&mut ttx, member_seed ^ 0x57A7)?;
                crate::workflows::reporting::demo::linkage(&mut ttx, member_seed ^ 0x2E90)?;
                for (i, (person, role)) in names.iter().enumerate() {
                    let uname = format!("{}.{:04}", role_prefix(*role), i + 1);
                    insert(
                        &mut ttx,
                        &NewUser {
                            username: &uname,
                            display_name: person,
                            role: *role,
                            org_unit_id: bind.for_role(*role, i),
                            password_hash: &h,
                            must_change_password: false,
                        },
                    )?;
                }
                crate::qq::demo::fill(&mut ttx, &keys, member_seed ^ 0x5151)?;
                crate::workflows::records::demo::generate(&mut ttx, member_seed ^ 0x4EC0)?;
                crate::workflows::floating::demo::fill(&mut ttx, member_seed ^ 0xF10A)?;
                // Last: the daily deadline job over everything generated above.
                crate::deadlines::demo::finish(&mut ttx, crate::clock::today())?;
                Ok(Some((names.len() + 1, units)))
            })
            .await
            .map_err(|e| app(e.into()))?;
        match created {
            Some((n, u)) => {
                counties += 1;
                accounts += n;
                units += u;
                members += c.members;
            }
            None => skipped += 1,
        }
    }
    let _ = write!(
        out,
        "demo-data {preset:?} seed {seed}: {counties} counties, {accounts} accounts, {units} org units and {members} members created; {skipped} existing counties skipped. \
         Every account's password: {DEMO_PASSWORD}"
    );
    Ok(out)
}

fn role_prefix(r: Role) -> &'static str {
    match r {
        Role::CountyAdmin => "admin",
        Role::AssociationCommittee => "assoc",
        Role::BranchStaff => "branch",
        Role::AicRecorder => "aic",
        Role::TownshipCommittee => "township",
        Role::VillageRecorder => "village",
        Role::PlatformOperator => "operator",
        Role::ProvincialOffice => "province",
    }
}

/// `serve --demo`: on an empty database, the platform and provincial accounts plus the small
/// preset. Does nothing when counties exist already.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let empty = state
        .db
        .platform(Mode::Read, |tx| {
            let page = crate::api::PageRequest {
                limit: 1,
                after: None,
            };
            repo::list(tx, &page, None, None)
        })
        .await
        .map_err(|e| app(e.into()))?
        .is_empty();
    if !empty {
        tracing::info!("database has counties already: demo seeding skipped");
        return Ok(());
    }
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD))
        .await?
        .map_err(app)?;
    let master = *state.master_key.bytes();
    state
        .db
        .platform(Mode::Write, move |tx| {
            let op = Username::parse("u", "operator").map_err(|e| AppError::validation(vec![e]))?;
            let op = platform_insert(
                tx,
                op.as_str(),
                "平台运维演示账户",
                Role::PlatformOperator,
                None,
                &hash,
                false,
            )?;
            let zj = platform_insert(
                tx,
                "zhejiang",
                "浙江省局演示账户",
                Role::ProvincialOffice,
                Some("330000"),
                &hash,
                false,
            )?;
            let secret = secrecy::SecretString::from(DEMO_TOTP_SECRET);
            for id in [op.id, zj.id] {
                let sealed = crate::auth::totp::repo::seal_platform(&master, &id, &secret);
                crate::auth::totp::repo::platform_put(tx, &id, &sealed, true)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| app(e.into()))?;
    generate(state, Preset::Small, 1).await?;
    tracing::info!("demo data seeded: platform, province and two counties");
    Ok(())
}

pub fn print_demo_signins(base: &str) {
    println!();
    println!("演示账户 / demo sign-ins (password for all: {DEMO_PASSWORD})");
    println!("  平台运维 platform operator : username operator            (no tenant_code)");
    println!("  浙江省局 provincial office : username zhejiang            (no tenant_code)");
    println!("  安吉县 330523 county admin : tenant_code 330523, username admin");
    println!(
        "  安吉县 330523 village staff: tenant_code 330523, username village.0001 (sees only their village)"
    );
    println!("  长兴县 330522 county admin : tenant_code 330522, username admin");
    println!();
    println!(
        "二次验证 / second factor (operator, zhejiang, county admins): TOTP secret {DEMO_TOTP_SECRET}"
    );
    println!(
        "  add it to an authenticator app, or print the current code with `shuanglian totp-code --secret {DEMO_TOTP_SECRET}`"
    );
    println!("  (or `oathtool --totp -b {DEMO_TOTP_SECRET}`); each code works once.");
    println!();
    println!("  curl -s {base}/api/v1/auth/sign-in -H 'content-type: application/json' \\");
    println!(
        "       -d '{{\"tenant_code\":\"330523\",\"username\":\"admin\",\"password\":\"{DEMO_PASSWORD}\",\"totp_code\":\"'$(shuanglian totp-code --secret {DEMO_TOTP_SECRET})'\"}}'"
    );
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic_per_seed() {
        let a: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(7);
                move |_| r.person_name()
            })
            .collect();
        let b: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(7);
                move |_| r.person_name()
            })
            .collect();
        let c: Vec<String> = (0..20)
            .map({
                let mut r = Rng::new(8);
                move |_| r.person_name()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn demo_id_numbers_are_distinct_up_to_the_large_preset() {
        let mut rng = Rng::new(1);
        let mut seen = std::collections::HashSet::new();
        for i in 0..60_000 {
            let (_, body) = id_body("330782", i, &mut rng);
            assert_eq!(body.len(), 17);
            assert!(seen.insert(body), "member {i} repeats an ID number");
        }
    }

    #[test]
    fn province_preset_is_all_of_zhejiang_with_valid_codes() {
        let p = plan(Preset::Province, &mut Rng::new(1));
        assert_eq!(p.len(), 90);
        let mut codes: Vec<&str> = p.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 90);
        for c in codes {
            assert_eq!(
                DivisionCode::parse("code", c).expect(c).province_code(),
                "330000"
            );
        }
    }
}
