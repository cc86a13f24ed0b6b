//! Made-up data for the rendering tests and the frame benchmark (no server needed).

use crate::api::types::*;
use crate::app::{Model, Stage, Tab};
use crate::i18n::Lang;
use crate::screens::{
    calendar, counties, deadlines, grids, import, notices, requests, rosters, users,
};

mod evaluations;
mod statistics;
pub use evaluations::*;
pub use statistics::*;

const SURNAMES: [&str; 8] = ["陈", "王", "李", "张", "刘", "杨", "沈", "谢"];
const GIVEN: [&str; 8] = ["丽", "伟", "建华", "芳", "勇", "春梅", "文斌", "红霞"];

fn me(role: &str) -> Me {
    let county = !matches!(role, "platform_operator" | "provincial_office");
    Me {
        user_id: "u1".into(),
        username: if role == "platform_operator" {
            "operator".into()
        } else {
            "admin".into()
        },
        display_name: "演示".into(),
        role: role.into(),
        role_label: String::new(),
        tenant_code: county.then(|| "330523".into()),
        tenant_name: county.then(|| "安吉县".into()),
        province_code: None,
        must_change_password: false,
    }
}

/// A signed-in model on `tab`.
pub fn model(lang: Lang, role: &str, tab: Tab) -> Model {
    let mut m = Model::new("http://127.0.0.1:8080", lang);
    m.stage = Stage::Main;
    m.me = Some(me(role));
    m.tabs = Tab::for_role(role);
    m.tab = m.tabs.iter().position(|t| *t == tab).unwrap_or(0);
    m
}

pub fn tenants(n: usize) -> Vec<Tenant> {
    (0..n)
        .map(|i| Tenant {
            id: format!("t{i:03}"),
            code: format!("3305{:02}", i + 1),
            name: format!(
                "{}县",
                ["安吉", "长兴", "德清", "义乌", "桐乡", "海宁"][i % 6]
            ),
            province_code: "330000".into(),
            status: if i % 7 == 3 {
                "suspended".into()
            } else {
                "active".into()
            },
            created_at: "2026-11-20T08:00:00Z".into(),
        })
        .collect()
}

pub fn units() -> Vec<OrgUnit> {
    let u = |id: &str, kind: &str, name: &str, parent: Option<&str>| OrgUnit {
        id: id.into(),
        kind: kind.into(),
        name: name.into(),
        parent_id: parent.map(str::to_owned),
        active: true,
    };
    vec![
        u("o1", "aic_office", "递铺工商所", None),
        u("o2", "aic_office", "昌硕工商所", None),
        u("b1", "party_branch", "昌硕分会第一支部", None),
        u("w1", "township", "递铺街道", None),
        u("w2", "township", "孝丰镇", None),
        u("v1", "village", "下源村", Some("w1")),
        u("v2", "village", "大坑村", Some("w1")),
        u("v3", "village", "桃田村", Some("w2")),
    ]
}

pub fn grids_list() -> Vec<Grid> {
    vec![
        Grid {
            id: "g1".into(),
            name: "递铺网格".into(),
            aic_office_id: "o1".into(),
            party_branch_id: Some("b1".into()),
            townships: vec![
                GridTownship {
                    township_id: "w1".into(),
                },
                GridTownship {
                    township_id: "w2".into(),
                },
            ],
        },
        Grid {
            id: "g2".into(),
            name: "Changshuo grid".into(),
            aic_office_id: "o2".into(),
            party_branch_id: None,
            townships: vec![],
        },
    ]
}

pub fn roster(n: usize) -> Vec<RosterEntry> {
    (0..n)
        .map(|i| RosterEntry {
            id: format!("e{i}"),
            real_name: format!("{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]),
            role: [
                "member",
                "village_organiser",
                "township_organiser",
                "branch_staff",
            ][i % 4]
                .into(),
            org_unit_id: None,
            qq_masked: format!("{}*****{:02}", 10 + i % 89, i % 100),
            joined_on: (i % 3 != 0).then(|| "2026-04-28".into()),
            verified: i % 5 != 0,
        })
        .collect()
}

pub fn diff() -> SnapshotDetail {
    let r = roster(6);
    SnapshotDetail {
        snapshot: Snapshot {
            id: "s1".into(),
            taken_on: "2026-05-15".into(),
            source: "paste".into(),
            people: 57,
            matched: 53,
            missing: 2,
            unknown: 1,
            unverified: 1,
        },
        diff: RosterDiff {
            people: 57,
            matched: 53,
            missing: vec![r[1].clone(), r[2].clone()],
            missing_organisers: 2,
            unknown: vec![UnknownPerson {
                line: 12,
                qq_masked: "88*****21".into(),
                nickname: Some("老李".into()),
            }],
            unverified: vec![r[5].clone()],
        },
    }
}

pub fn exports() -> Vec<Export> {
    vec![
        Export {
            id: "x1".into(),
            requested_by: "u2".into(),
            requested_at: "2026-11-25T09:30:00Z".into(),
            reason: "季度报表核对".into(),
            personal: true,
            status: "pending".into(),
            row_count: None,
        },
        Export {
            id: "x2".into(),
            requested_by: "u3".into(),
            requested_at: "2026-11-20T14:00:00Z".into(),
            reason: "Annual statistics".into(),
            personal: false,
            status: "approved".into(),
            row_count: Some(120),
        },
    ]
}

pub fn users_list() -> Vec<User> {
    vec![
        User {
            id: "u1".into(),
            username: "admin".into(),
            display_name: "县管理员".into(),
            role: "county_admin".into(),
            org_unit_id: None,
            status: "active".into(),
        },
        User {
            id: "u2".into(),
            username: "village.0001".into(),
            display_name: "下源村记录员".into(),
            role: "village_recorder".into(),
            org_unit_id: Some("v1".into()),
            status: "disabled".into(),
        },
    ]
}

pub fn deadlines_list() -> DeadlineList {
    let d =
        |id: &str, owner: &str, title: &str, due: &str, state: &str, over: Option<i64>| Deadline {
            id: id.into(),
            kind: "quarterly_filing".into(),
            kind_label: "季度备案".into(),
            title: title.into(),
            due_on: due.into(),
            state: state.into(),
            owner_org_unit_id: "o".into(),
            owner_name: owner.into(),
            subject_type: None,
            subject_id: None,
            done_at: None,
            days_overdue: over,
            due_beyond_calendar: due > "2026-12-31",
        };
    DeadlineList {
        items: vec![
            d(
                "d1",
                "下源村",
                "第三季度记实备案",
                "2026-10-10",
                "overdue",
                Some(47),
            ),
            d(
                "d2",
                "递铺工商所",
                "第三季度记实备案",
                "2026-10-10",
                "overdue",
                Some(47),
            ),
            d(
                "d3",
                "下源村",
                "第四季度记实备案",
                "2027-01-10",
                "due",
                None,
            ),
        ],
        summary: DeadlineSummary {
            due: 3,
            overdue: 2,
            done: 40,
        },
    }
}

/// Open service requests as the server sends them on 2026-11-26: by due day, the most overdue
/// first, the undated (not escalated) last.
pub fn service_requests() -> ServiceRequestList {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, &str, &str, &str, &str, Option<&str>, bool, i64); 5] = [
        (
            "r1",
            "沈建华",
            "rights",
            "维权",
            "递铺区域性党员服务中心",
            "escalated",
            Some("2026-11-18"),
            true,
            0,
        ),
        (
            "r2",
            "王春梅",
            "legal_aid",
            "法律援助",
            "昌硕区域性党员服务中心",
            "escalated",
            Some("2026-11-23"),
            true,
            1,
        ),
        (
            "r3",
            "李勇",
            "hardship",
            "困难帮扶",
            "递铺区域性党员服务中心",
            "escalated",
            Some("2026-11-26"),
            false,
            0,
        ),
        (
            "r4",
            "陈丽",
            "consultation",
            "咨询",
            "孝丰区域性党员服务中心",
            "escalated",
            Some("2026-12-02"),
            false,
            0,
        ),
        (
            "r5",
            "张文斌",
            "other",
            "其他",
            "递铺区域性党员服务中心",
            "taken",
            None,
            false,
            0,
        ),
    ];
    let items = rows
        .into_iter()
        .map(
            |(id, member, cat, cat_zh, centre, state, due, overdue, ext)| ServiceRequest {
                id: id.into(),
                centre_id: format!("c-{centre}"),
                centre_name: centre.into(),
                member_name: member.into(),
                channel: "on_site".into(),
                category: cat.into(),
                category_label: cat_zh.into(),
                major: false,
                content: "店铺租赁合同到期，房东要求大幅提高租金并限期搬离，请求协助维权".into(),
                received_on: "2026-11-06".into(),
                first_responder_name: "周敏".into(),
                owner_name: "周敏".into(),
                state: state.into(),
                escalated_on: due.map(|_| "2026-11-09".into()),
                due_on: due.map(str::to_owned),
                overdue,
                extensions: ext,
                answered_on: None,
                steps: Vec::new(),
            },
        )
        .collect();
    ServiceRequestList {
        items,
        today: Some("2026-11-26".into()),
    }
}

/// The second open request with its steps, as `GET /service-requests/{id}` sends it.
pub fn request_with_steps() -> ServiceRequest {
    let mut r = service_requests().items.remove(1);
    let step = |kind: &str, on: &str, by: &str, detail: Option<&str>| ServiceRequestStep {
        kind: kind.into(),
        on: on.into(),
        by_name: by.into(),
        detail: detail.map(str::to_owned),
    };
    r.major = true;
    r.steps = vec![
        step("taken", "2026-11-06", "周敏", Some("现场")),
        step("escalated", "2026-11-09", "周敏", None),
        step(
            "extended",
            "2026-11-16",
            "沈春梅",
            Some("需等待法律援助中心出具意见（至 2026-11-23）"),
        ),
    ];
    r
}

/// The county's dead-letter list as the server sends it (newest first): the webhook refused,
/// an SMS given up after its eight tries, an inbox notice whose recipient left.
pub fn deliveries() -> Vec<Delivery> {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, Option<&str>, &str, i64, &str, &str); 3] = [
        (
            "d3",
            "webhook",
            None,
            "【逾期】2026年第四季度党费收缴",
            1,
            "http_400",
            "2026-12-07T02:00:00",
        ),
        (
            "d2",
            "sms",
            Some("沈春梅"),
            "【即将到期】递铺分会组织生活会",
            8,
            "isv.BUSINESS_LIMIT_CONTROL",
            "2026-12-05T23:30:00",
        ),
        (
            "d1",
            "inbox",
            Some("李建华"),
            "【逾期】古城村党员信息更新",
            0,
            "recipient_unavailable",
            "2026-12-04T01:00:00",
        ),
    ];
    rows.into_iter()
        .map(
            |(id, channel, who, subject, attempts, error, at)| Delivery {
                id: id.into(),
                notice_id: format!("n-{id}"),
                channel: channel.into(),
                status: "dead".into(),
                recipient_name: who.map(str::to_owned),
                subject: subject.into(),
                attempts,
                next_attempt_at: at.into(),
                last_error: Some(error.into()),
                sent_at: None,
                created_at: at.into(),
            },
        )
        .collect()
}

/// Every screen with data, for the rendering tests: (name, model).
pub fn screens(lang: Lang) -> Vec<(&'static str, Model)> {
    let mut out = Vec::new();
    out.push(("signin", Model::new("http://127.0.0.1:8080", lang)));

    let mut m = model(lang, "platform_operator", Tab::Counties);
    counties::loaded(&mut m.counties, tenants(8));
    out.push(("counties", m));

    let mut m = model(lang, "platform_operator", Tab::Overview);
    m.overview.provinces = vec![Province {
        code: "330000".into(),
        name: "浙江省".into(),
    }];
    m.overview.set_tenants(&tenants(90));
    m.overview.push_event(LiveEvent {
        kind: "tenant_changed".into(),
        entity_id: "t001".into(),
        tenant_code: Some("330523".into()),
        at: "2026-11-26T08:00:01Z".into(),
    });
    out.push(("overview", m));

    let mut m = model(lang, "platform_operator", Tab::Calendar);
    let year = |year: i32, source: &str, holidays: i64, workdays: i64| NationalYear {
        year,
        source: source.into(),
        loaded_by: (source != "shipped").then(|| "op".into()),
        loaded_at: (source != "shipped").then(|| "2026-12-07T09:30:00Z".into()),
        version: (source != "shipped").then_some(1),
        holidays,
        workdays,
    };
    calendar::loaded(
        &mut m.calendar,
        vec![
            year(2025, "shipped", 28, 5),
            year(2026, "shipped", 33, 6),
            year(2027, "ical", 32, 6),
        ],
    );
    out.push(("calendar", m));

    let mut m = model(lang, "county_admin", Tab::Grids);
    m.grids.set_units(units());
    grids::loaded(&mut m.grids, grids_list());
    out.push(("grids", m));

    let mut m = model(lang, "county_admin", Tab::Rosters);
    m.rosters.set_groups(vec![QqGroup {
        id: "q1".into(),
        name: "递铺网格实名制党建QQ群".into(),
        grid_id: None,
        active: true,
    }]);
    m.rosters.open = Some(rosters::Group {
        id: "q1".into(),
        name: "递铺网格实名制党建QQ群".into(),
        ..Default::default()
    });
    m.rosters.set_roster("q1", roster(30));
    out.push(("roster", m));

    let mut m = model(lang, "county_admin", Tab::Rosters);
    m.rosters.open = Some(rosters::Group {
        id: "q1".into(),
        name: "递铺网格实名制党建QQ群".into(),
        ..Default::default()
    });
    let d = diff();
    m.rosters
        .set_snapshots("q1", vec![d.snapshot.clone()], Some(d));
    if let Some(g) = &mut m.rosters.open {
        g.sub = rosters::Sub::Diff;
    }
    out.push(("roster-diff", m));

    let mut m = model(lang, "county_admin", Tab::Privacy);
    m.privacy.set_policy(vec![PolicyEntry {
        role: "county_admin".into(),
        field: "phone".into(),
        visibility: "on_request".into(),
    }]);
    out.push(("privacy-policy", m));

    let mut m = model(lang, "county_admin", Tab::Privacy);
    m.privacy.set_exports(exports());
    m.privacy.sub = crate::screens::privacy::Sub::Exports;
    out.push(("privacy-exports", m));

    let mut m = model(lang, "county_admin", Tab::Privacy);
    m.privacy.set_audit(vec![AuditEntry {
        seq: 7,
        at: "2026-11-25T10:00:00Z".into(),
        actor_id: "u1".into(),
        actor_role: "county_admin".into(),
        action: "member.unmask".into(),
        entity: "member".into(),
        entity_id: "m1".into(),
        reason: Some("核对".into()),
    }]);
    m.privacy.chain = Some(ChainCheck {
        intact: true,
        entries: 7,
        first_broken_seq: None,
    });
    m.privacy.sub = crate::screens::privacy::Sub::Audit;
    out.push(("privacy-audit", m));

    let mut m = model(lang, "county_admin", Tab::Users);
    m.users.units = units();
    users::loaded(&mut m.users, users_list());
    out.push(("users", m));

    let mut m = model(lang, "county_admin", Tab::Deadlines);
    deadlines::loaded(&mut m.deadlines, deadlines_list());
    out.push(("deadlines", m));

    let mut m = model(lang, "branch_staff", Tab::Requests);
    requests::loaded(&mut m.requests, service_requests());
    out.push(("requests", m));

    let mut m = model(lang, "county_admin", Tab::Requests);
    requests::loaded(&mut m.requests, service_requests());
    m.requests.open = Some(request_with_steps());
    out.push(("request", m));

    let mut m = model(lang, "county_admin", Tab::Notices);
    notices::loaded(&mut m.notices, deliveries());
    out.push(("notices", m));

    let mut m = model(lang, "county_admin", Tab::Notices);
    notices::loaded(&mut m.notices, deliveries());
    m.notices.confirm = m.notices.list.items.first().cloned();
    out.push(("notices-retry", m));

    let mut m = model(lang, "county_admin", Tab::Import);
    import::mappings_loaded(&mut m.import, vec![mapping()]);
    m.import.path = Some("/tmp/roster.csv".into());
    import::reported(&mut m.import, member_import());
    out.push(("import", m));

    out.extend(evaluation_screens(lang));
    out.extend(statistics_screens(lang));

    let mut m = model(lang, "county_admin", Tab::Grids);
    m.help = true;
    out.push(("help", m));
    out
}

pub fn mapping() -> ImportMapping {
    ImportMapping {
        id: "m1".into(),
        name: "县个民协会党员名册".into(),
        ..ImportMapping::default()
    }
}

/// A dry run of a county's own sheet: one name to map, two bad rows.
pub fn member_import() -> MemberImport {
    let fix = |n: u32, zh: &str, en: &str| Normalisation {
        count: n,
        message: zh.into(),
        message_en: en.into(),
    };
    MemberImport {
        dry_run: true,
        rows: 6,
        created: 3,
        layout: ImportLayout {
            sheet: None,
            header_row: 4,
            unmapped_columns: vec!["序号".into()],
            skipped: vec![
                SkippedRow {
                    row: 1,
                    reason: "title".into(),
                },
                SkippedRow {
                    row: 12,
                    reason: "footer".into(),
                },
            ],
        },
        normalised: vec![
            fix(
                6,
                "“户籍所在地”列：户籍地名称转为行政区划代码 6 处",
                "household_registration: place name read as its division code (6)",
            ),
            fix(
                1,
                "“入党时间”列：Excel 日期序号转为日期 1 处",
                "joined_party_on: Excel date serial read as a date (1)",
            ),
        ],
        unknown_org_names: vec![UnknownOrgName {
            name: "递铺街道红庙村党支部".into(),
            column: "组织关系所在地党组织".into(),
            row_count: 1,
            suggestions: vec![
                UnitSuggestion {
                    id: "v1".into(),
                    name: "递铺街道/红庙村".into(),
                },
                UnitSuggestion {
                    id: "v2".into(),
                    name: "递铺街道/古城村".into(),
                },
            ],
        }],
        errors: vec![ImportRowError {
            row: 9,
            column: "身份证号".into(),
            message: "第9行“身份证号”：身份证号校验位不正确".into(),
            message_en: "row 9, id_number: the check digit is wrong".into(),
        }],
        ..MemberImport::default()
    }
}
