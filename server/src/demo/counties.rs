//! The counties of each preset, with how much of everything each gets.

use super::{Preset, Rng};
use crate::auth::Role;

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

pub(super) struct CountyPlan {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) staff: usize,
    /// Villages/communities per township, and markets in the county.
    pub(super) villages_per_township: usize,
    pub(super) markets: usize,
    /// Party members in the register.
    pub(super) members: usize,
}

/// The staff roles spread over a county's accounts, in proportion to how many of each a county has.
pub(super) const STAFF_ROLES: [Role; 10] = [
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

pub(super) fn plan(preset: Preset, rng: &mut Rng) -> Vec<CountyPlan> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenancy::DivisionCode;

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
