//! Statistics (issue 17): a county's half-year snapshot is computed from history as it stood
//! on the cut-off (so computing it again after later changes gives the same figures), reviewed
//! and frozen by the county admin (meeting `statistics_cutoff`), corrected only by a new
//! revision with a reason, and diffed with another period. The provincial office reads its own
//! province's frozen figures only, with small cells suppressed. Other counties and roles see
//! and change nothing.

use serde_json::{Value, json};
use shuanglian_tests::{TestApp, id_number, problem, send, send_tagged, spawn_app};

fn cells(v: &Value, table: &str) -> Vec<Vec<i64>> {
    let t = v["figures"]["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["key"] == table)
        .unwrap_or_else(|| panic!("table {table} in {v}"));
    t["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_i64().expect("n"))
                .collect()
        })
        .collect()
}

/// A member with a birth date and a joining date, held by `unit`.
async fn member(
    app: &TestApp,
    tok: &str,
    name: &str,
    unit: &str,
    status: &str,
    joined: &str,
    seq: &str,
) -> String {
    shuanglian_tests::id(
        &app.created(
            tok,
            "/api/v1/members",
            &json!({ "name": name, "is_owner": true, "business_name": format!("{name}商店"),
                     "org_life_unit_id": unit, "membership_unit_id": unit,
                     "membership_status": status, "distribution": "individual_business",
                     "gender": "female", "joined_party_on": joined,
                     "id_number": id_number("330523", "19900301", seq) }),
        )
        .await,
    )
}

async fn change(app: &TestApp, tok: &str, member: &str, body: Value) {
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{member}/status-changes"),
        tok,
        &body,
    ))
    .await;
    assert!(s == 200 || s == 201, "{s} {v}");
}

async fn compute(app: &TestApp, tok: &str, period: &str, body: Value) -> (u16, Value, String) {
    send_tagged(app.post(
        &format!("/api/v1/statistics/periods/{period}/compute"),
        tok,
        &body,
    ))
    .await
}

fn step(app: &TestApp, tok: &str, period: &str, what: &str, tag: &str) -> reqwest::RequestBuilder {
    app.post(
        &format!("/api/v1/statistics/periods/{period}/{what}"),
        tok,
        &json!({}),
    )
    .header("If-Match", tag)
}

#[tokio::test]
async fn a_snapshot_is_reproducible_frozen_once_revised_with_a_reason_and_diffed() {
    let app = spawn_app().await;
    let g = app.one_grid().await;
    let tok = g.c.admin_token.clone();
    // The 2026H1 cut-off deadline, owed by the committee (the daily job opens it for counties
    // that kept their records here by then; this one is new).
    let tid = shuanglian::tenant::TenantId::parse(&g.c.id).expect("tid");
    let committee = g.committee.clone();
    app.state
        .db
        .tenant(tid.clone(), shuanglian::db::Mode::Write, move |tx| {
            use shuanglian::deadlines::{NewObligation, ObligationKind, Period};
            shuanglian::deadlines::repo::open(
                tx,
                NewObligation {
                    kind: ObligationKind::StatisticsCutoff,
                    period: Period::Half(2026, 1),
                    subject_type: "org_unit",
                    subject_id: &committee,
                    owner_org_unit_id: &committee,
                    member_id: None,
                    title: "2026年上半年统计".into(),
                    due_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("d"),
                },
            )?;
            Ok(())
        })
        .await
        .expect("open");
    // On 30 June 2026: 甲 is a local member of 古城村 (she transfers out in October), 乙 a
    // probationary member of the party branch (made full in September); 丙 joined in August.
    let a = member(&app, &tok, "甲", &g.village, "full", "2010-07-01", "002").await;
    let b = member(
        &app,
        &tok,
        "乙",
        &g.party_branch,
        "probationary",
        "2026-01-10",
        "004",
    )
    .await;
    member(&app, &tok, "丙", &g.village, "full", "2026-08-01", "006").await;
    change(
        &app,
        &tok,
        &b,
        json!({ "change": "membership_status", "membership_status": "full", "on": "2026-09-01" }),
    )
    .await;
    change(
        &app,
        &tok,
        &a,
        json!({ "change": "transfer_out", "to_org": "江苏省昆山市某村党支部", "on": "2026-10-01" }),
    )
    .await;

    let (s, first, tag) = compute(&app, &tok, "2026H1", json!({})).await;
    assert_eq!(s, 201, "{first}");
    assert_eq!(tag, "\"v1\"");
    assert_eq!(first["current"]["state"], "computed");
    // Rows 隶属 / 属地 / 流动, columns 正式 / 预备: as they stood on the cut-off.
    assert_eq!(
        cells(&first, "members_category_status"),
        vec![vec![0, 1], vec![1, 0], vec![0, 0]]
    );
    assert_eq!(cells(&first, "members_age")[0].iter().sum::<i64>(), 2);
    // The same two people by training (none held this year: neither has met the requirement),
    // and no service request received in the half-year.
    assert_eq!(
        cells(&first, "members_training"),
        vec![vec![0, 1], vec![0, 1], vec![0, 0]]
    );
    assert_eq!(cells(&first, "service_requests"), vec![vec![0, 0]; 5]);
    // Today's row would say otherwise: 甲 is floating now, 乙 full.
    let (_, now) = send(app.get(&format!("/api/v1/members/{a}"), &tok)).await;
    assert_eq!(now["category"], "floating", "{now}");

    // Changes after the cut-off: computing again gives the same figures.
    change(
        &app,
        &tok,
        &b,
        json!({ "change": "away", "on": "2026-11-02" }),
    )
    .await;
    member(&app, &tok, "丁", &g.village, "full", "2026-11-01", "008").await;
    let (s, again, tag) = compute(&app, &tok, "2026H1", json!({})).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(tag, "\"v2\"");
    assert_eq!(again["figures"], first["figures"]);

    // Review, then freeze; each with If-Match; freezing meets the statistics_cutoff deadline.
    problem(
        step(&app, &tok, "2026H1", "freeze", "\"v2\"")
            .send()
            .await
            .expect("s"),
        409,
        "snapshot_not_reviewed",
    )
    .await;
    problem(
        step(&app, &tok, "2026H1", "review", "\"v1\"")
            .send()
            .await
            .expect("s"),
        412,
        "stale_version",
    )
    .await;
    let (s, v) = send(step(&app, &tok, "2026H1", "review", "\"v2\"")).await;
    assert_eq!(
        (s, v["current"]["state"].as_str()),
        (200, Some("reviewed")),
        "{v}"
    );
    let (s, v) = send(step(&app, &tok, "2026H1", "freeze", "\"v3\"")).await;
    assert_eq!(
        (s, v["current"]["state"].as_str()),
        (200, Some("frozen")),
        "{v}"
    );
    let done: Vec<Option<chrono::NaiveDateTime>> = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, |tx| {
            use diesel::prelude::*;
            use shuanglian::db::schema::obligations as o;
            Ok(o::table
                .filter(o::kind.eq("statistics_cutoff").and(o::period.eq("2026H1")))
                .select(o::done_at)
                .load(tx.conn())?)
        })
        .await
        .expect("read");
    assert!(
        !done.is_empty() && done.iter().all(Option::is_some),
        "{done:?}"
    );
    problem(
        step(&app, &tok, "2026H1", "freeze", "\"v4\"")
            .send()
            .await
            .expect("s"),
        409,
        "snapshot_frozen",
    )
    .await;

    // A frozen period is corrected by a new revision, with its reason; revision 1 stays.
    problem(
        app.post(
            "/api/v1/statistics/periods/2026H1/compute",
            &tok,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        409,
        "revision_needs_reason",
    )
    .await;
    let (s, v, _) = compute(
        &app,
        &tok,
        "2026H1",
        json!({ "reason": "补录漏登的转正记录" }),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["current"]["revision"], 2);
    assert_eq!(v["current"]["reason"], "补录漏登的转正记录");
    assert_eq!(v["revisions"].as_array().expect("r").len(), 2);
    let (_, r1) = send(app.get("/api/v1/statistics/periods/2026H1?revision=1", &tok)).await;
    assert_eq!(r1["current"]["state"], "frozen");
    assert_eq!(r1["figures"], first["figures"]);

    // The diff with the half before: 2025H2 had 甲 only.
    let (s, _, _) = compute(&app, &tok, "2025H2", json!({})).await;
    assert_eq!(s, 201);
    let (s, d) = send(app.get("/api/v1/statistics/diff?from=2025H2&to=2026H1", &tok)).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["from_revision"], 1);
    assert_eq!(
        d["to_revision"], 1,
        "the frozen revision, not the open correction"
    );
    let t = d["tables"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["key"] == "members_category_status")
        .expect("t")
        .clone();
    assert_eq!(
        (t["from_total"].as_i64(), t["to_total"].as_i64()),
        (Some(1), Some(2)),
        "{t}"
    );
    let changed = t["changed"].as_array().expect("c");
    assert_eq!(changed.len(), 1, "{t}");
    assert_eq!(
        (
            changed[0]["row"]["key"].as_str(),
            changed[0]["col"]["key"].as_str(),
            changed[0]["change"].as_i64()
        ),
        (Some("affiliated"), Some("probationary"), Some(1))
    );

    // Printable: the 统计表 as HTML and xlsx, counts only.
    let r = app
        .get(
            "/api/v1/statistics/periods/2026H1/report.html?revision=1",
            &tok,
        )
        .send()
        .await
        .expect("html");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("text");
    assert!(
        html.contains("统计表") && html.contains("党员数（按类别、正式/预备）"),
        "{html}"
    );
    for name in ["甲", "乙", "丙"] {
        assert!(!html.contains(&format!(">{name}<")), "no member is named");
    }
    let r = app
        .get("/api/v1/statistics/periods/2026H1/report.xlsx", &tok)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("b").starts_with(b"PK"));

    // Bad input: a period not over, a period that is no half-year.
    problem(
        app.post(
            "/api/v1/statistics/periods/2026H2/compute",
            &tok,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        409,
        "period_not_over",
    )
    .await;
    let v = problem(
        app.post(
            "/api/v1/statistics/periods/2026Q1/compute",
            &tok,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "period", "{v}");
    let v = problem(
        app.post(
            "/api/v1/statistics/periods/2026H1/compute",
            &tok,
            &json!({ "reason": "长".repeat(501) }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "reason", "{v}");
}

#[tokio::test]
async fn only_the_county_admin_writes_the_committee_reads_and_other_counties_see_nothing() {
    let app = spawn_app().await;
    let g = app.one_grid().await;
    let tok = g.c.admin_token.clone();
    let (_, committee) = app
        .staff(
            &g.c,
            "stat.assoc",
            "association_committee",
            Some(&g.committee),
        )
        .await;
    let (_, aic) = app
        .staff(&g.c, "stat.aic", "aic_recorder", Some(&g.office))
        .await;
    member(&app, &tok, "甲", &g.village, "full", "2010-07-01", "002").await;
    let (s, _, _) = compute(&app, &tok, "2026H1", json!({})).await;
    assert_eq!(s, 201);
    let before = send(app.get("/api/v1/statistics/periods/2026H1", &tok))
        .await
        .1;

    // The committee reads, and may not compute, review or freeze.
    let (s, v) = send(app.get("/api/v1/statistics/periods", &committee)).await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = send(app.get("/api/v1/statistics/periods/2026H1", &committee)).await;
    assert_eq!(s, 200);
    problem(
        app.post(
            "/api/v1/statistics/periods/2026H1/compute",
            &committee,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        403,
        "statistics_admins_only",
    )
    .await;
    problem(
        step(&app, &committee, "2026H1", "review", "\"v1\"")
            .send()
            .await
            .expect("s"),
        403,
        "statistics_admins_only",
    )
    .await;
    // Other staff read nothing.
    for path in [
        "/api/v1/statistics/periods",
        "/api/v1/statistics/periods/2026H1",
        "/api/v1/statistics/diff?from=2025H2&to=2026H1",
        "/api/v1/statistics/periods/2026H1/report.html",
    ] {
        problem(
            app.get(path, &aic).send().await.expect("s"),
            403,
            "statistics_readers_only",
        )
        .await;
    }
    // Another county: its own periods only; Anji's snapshot is not there; its writes touch its
    // own rows.
    let k = app.county("320583", "昆山市").await;
    let (s, v) = send(app.get("/api/v1/statistics/periods", &k.admin_token)).await;
    assert_eq!(s, 200);
    assert!(
        v.as_array()
            .expect("p")
            .iter()
            .all(|p| p["revisions"].as_array().expect("r").is_empty()),
        "{v}"
    );
    problem(
        app.get("/api/v1/statistics/periods/2026H1", &k.admin_token)
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
    problem(
        step(&app, &k.admin_token, "2026H1", "review", "\"v1\"")
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
    let (s, _, _) = compute(&app, &k.admin_token, "2026H1", json!({})).await;
    assert_eq!(s, 201);
    let (s, _) = send(step(&app, &k.admin_token, "2026H1", "review", "\"v1\"")).await;
    assert_eq!(s, 200);
    // A platform user has no county here.
    let op = app.operator_token().await;
    problem(
        app.get("/api/v1/statistics/periods", &op)
            .send()
            .await
            .expect("s"),
        403,
        "tenant_required",
    )
    .await;
    // Anji's snapshot is unchanged by all of it.
    let after = send(app.get("/api/v1/statistics/periods/2026H1", &tok))
        .await
        .1;
    assert_eq!(after, before);
}

/// A county with `n` full members of its village and `p` probationary ones, 2026H1 frozen.
async fn frozen_county(
    app: &TestApp,
    code: &str,
    name: &str,
    n: usize,
    p: usize,
) -> (String, Vec<String>) {
    let c = app.county(code, name).await;
    let town = app.org_unit(&c, "township", "某镇", None).await;
    let village = app.org_unit(&c, "village", "某村", Some(&town)).await;
    let mut names = Vec::new();
    for i in 0..n + p {
        let nm = format!(
            "{}{}",
            &name[..3],
            [
                "赵", "钱", "孙", "李", "周", "吴", "郑", "王", "冯", "陈", "褚", "卫"
            ][i % 12]
        );
        let status = if i < n { "full" } else { "probationary" };
        let seq = format!("{:03}", if i % 2 == 0 { 2 * i + 1 } else { 2 * i + 2 });
        let id_no = id_number(code, "19800101", &seq);
        let phone = format!("139{}{:04}", &code[2..], i);
        let body = json!({ "name": nm, "is_owner": true, "business_name": "店", "org_life_unit_id": village,
                           "membership_unit_id": village, "membership_status": status,
                           "distribution": "individual_business", "joined_party_on": "2015-07-01",
                           "gender": if i % 2 == 0 { "male" } else { "female" },
                           "id_number": id_no, "phone": phone });
        let id = shuanglian_tests::id(&app.created(&c.admin_token, "/api/v1/members", &body).await);
        names.extend([id, nm, id_no, phone]);
    }
    let (s, _, _) = compute(app, &c.admin_token, "2026H1", json!({})).await;
    assert_eq!(s, 201);
    let (s, _) = send(step(app, &c.admin_token, "2026H1", "review", "\"v1\"")).await;
    assert_eq!(s, 200);
    let (s, _) = send(step(app, &c.admin_token, "2026H1", "freeze", "\"v2\"")).await;
    assert_eq!(s, 200);
    (c.admin_token, names)
}

#[tokio::test]
async fn the_provincial_office_reads_its_own_provinces_frozen_figures_with_small_cells_suppressed()
{
    let app = spawn_app().await;
    let (anji, anji_ids) = frozen_county(&app, "330523", "安吉县", 12, 2).await;
    let (_, cx_ids) = frozen_county(&app, "330522", "长兴县", 9, 6).await;
    let (_, ks_ids) = frozen_county(&app, "320583", "昆山市", 7, 7).await;
    // A county that has not frozen is listed, without figures.
    let dq = app.county("330521", "德清县").await;
    let (s, _, _) = compute(&app, &dq.admin_token, "2026H1", json!({})).await;
    assert_eq!(s, 201);
    let zj = app.provincial_office().await;

    // Its own province whatever it asks for; Jiangsu's 昆山市 is not there.
    let (s, v) = send(app.get(
        "/api/v1/province/statistics?period=2026H1&province=320000",
        &zj,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["province_code"], "330000");
    assert_eq!(v["min_cell"], 5);
    assert_eq!(v["frozen"], 2);
    let missing: Vec<(&str, &str)> = v["counties"]
        .as_array()
        .expect("c")
        .iter()
        .filter_map(|c| Some((c["code"].as_str()?, c["missing"].as_str()?)))
        .collect();
    assert_eq!(missing, vec![("330521", "not_frozen")]);
    let text = v.to_string();
    assert!(
        !text.contains("320583") && !text.contains("昆山"),
        "no Jiangsu county"
    );
    for id in anji_ids.iter().chain(&cx_ids).chain(&ks_ids) {
        assert!(!text.contains(id.as_str()), "no member id");
    }
    assert!(
        !text.contains("某村") && !text.contains("某镇"),
        "no county unit"
    );
    // 安吉 12 full + 2 probationary, 长兴 9 + 6 (local members): the 2 is suppressed, and so
    // enough others that it cannot be derived from the totals; every shown count is 0 or ≥ 5.
    let t = v["tables"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["key"] == "members_category_status")
        .expect("t");
    let cols: Vec<&str> = t["cols"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["key"].as_str().expect("k"))
        .collect();
    let lp = cols
        .iter()
        .position(|c| *c == "local.probationary")
        .expect("col");
    let rows = t["rows"].as_array().expect("r");
    let anji_row = rows.iter().find(|r| r["code"] == "330523").expect("anji");
    assert_eq!(anji_row["cells"][lp], Value::Null, "{t}");
    let hidden_in_row = anji_row["cells"]
        .as_array()
        .expect("c")
        .iter()
        .filter(|c| c.is_null())
        .count();
    assert!(hidden_in_row >= 2 || anji_row["total"].is_null(), "{t}");
    for tab in v["tables"].as_array().expect("t") {
        for r in tab["rows"].as_array().expect("r") {
            for c in r["cells"]
                .as_array()
                .expect("c")
                .iter()
                .chain([&r["total"]])
            {
                if let Some(n) = c.as_i64() {
                    assert!(n == 0 || n >= 5, "{} shows {n}", tab["key"]);
                }
            }
        }
    }
    let ranks = v["rankings"].as_array().expect("r");
    assert!(ranks.iter().any(|r| r["key"] == "deadlines_on_time"));
    assert!(ranks.iter().any(|r| r["key"] == "training"));

    // A correction frozen in 安吉 shows at once (the cached tables are keyed by publication).
    let (s, _, _) = compute(&app, &anji, "2026H1", json!({ "reason": "更正" })).await;
    assert_eq!(s, 201);
    let (s, _) = send(step(&app, &anji, "2026H1", "review", "\"v1\"")).await;
    assert_eq!(s, 200);
    let (s, _) = send(step(&app, &anji, "2026H1", "freeze", "\"v2\"")).await;
    assert_eq!(s, 200);
    let (_, v) = send(app.get("/api/v1/province/statistics?period=2026H1", &zj)).await;
    let rev = v["counties"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["code"] == "330523")
        .expect("anji")["revision"]
        .clone();
    assert_eq!(rev, 2, "{v}");
    let (s, tr) = send(app.get("/api/v1/province/statistics/trends", &zj)).await;
    assert_eq!(s, 200, "{tr}");
    let periods = tr["periods"].as_array().expect("p");
    assert_eq!(periods.len(), 6);
    assert_eq!(periods.last().expect("last")["period"], "2026H1");
    assert_eq!(periods.last().expect("last")["frozen"], 2);

    // The platform operator names a province; county users are refused.
    let op = app.operator_token().await;
    problem(
        app.get("/api/v1/province/statistics", &op)
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    let (s, v) = send(app.get(
        "/api/v1/province/statistics?province=320000&period=2026H1",
        &op,
    ))
    .await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = v["counties"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["code"].as_str().expect("c"))
        .collect();
    assert_eq!(codes, vec!["320583"]);
    problem(
        app.get("/api/v1/province/statistics", &anji)
            .send()
            .await
            .expect("s"),
        403,
        "forbidden",
    )
    .await;
    let v = problem(
        app.get("/api/v1/province/statistics?period=2026", &zj)
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "period");
}

/// Every GET route a provincial or platform user can call (from the served OpenAPI document,
/// without path parameters; the live event stream aside) answers without a member's name, id,
/// ID-card number or phone number, or anything shaped like an ID-card or mobile number.
#[tokio::test]
async fn no_route_open_to_the_province_or_the_platform_names_a_member() {
    let app = spawn_app().await;
    let (_, mut secrets) = frozen_county(&app, "330523", "安吉县", 12, 2).await;
    secrets.extend(frozen_county(&app, "330522", "长兴县", 6, 1).await.1);
    secrets.extend(frozen_county(&app, "320583", "昆山市", 7, 7).await.1);
    let zj = app.provincial_office().await;
    let op = app.operator_token().await;
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let paths = shuanglian_testkit::sweep_routes(&spec);
    assert!(
        paths.iter().any(|p| p.contains("province/statistics")),
        "{paths:?}"
    );
    let mut read = 0;
    for p in &paths {
        for tok in [&zj, &op] {
            for q in ["", "?province=330000&period=2026H1"] {
                let r = app
                    .client
                    .get(app.url(&format!("/api/v1{p}{q}")))
                    .bearer_auth(tok)
                    .send()
                    .await
                    .expect("send");
                if !r.status().is_success() {
                    continue;
                }
                read += 1;
                let body = r.text().await.expect("text");
                for s in &secrets {
                    assert!(!body.contains(s.as_str()), "{p}{q} shows {s}");
                }
                // Ids are UUIDs, counts are short; long digit runs would be identifiers.
                let shaped = shuanglian_testkit::identifier_shaped(&body);
                assert!(shaped.is_none(), "{p}{q} shows {shaped:?}: {body}");
            }
        }
    }
    assert!(read >= 8, "{read} answers read");
}
