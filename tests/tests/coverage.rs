//! 百日攻坚 (seed 004; issue 16 item 6): a campaign of 100 days reported every 15 (a deadline
//! per cycle); the survey of each organisation of the businesses register; the suggested form
//! with its reason (3 full members stand alone; 2 full and 1 probationary do not); plans with
//! an owner and a status; each cycle's report per township and branch, ranked, with the
//! laggards, issued frozen and printable. Other counties and scopes see and change nothing.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, TwoGrids, credit_code, fields, id, send, send_tagged, spawn_app};

fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &Value,
    tag: Option<&str>,
) -> reqwest::RequestBuilder {
    let r = app.client.put(app.url(path)).bearer_auth(token).json(body);
    match tag {
        Some(t) => r.header("If-Match", t),
        None => r,
    }
}

fn survey(full: i64, probationary: i64, league: i64) -> Value {
    json!({ "employees": 10, "party_full": full, "party_probationary": probationary,
            "league_members": league, "party_org": "none", "league_org": "none",
            "instructor": false, "owner_identity": "masses", "management": "属地乡镇党委",
            "activities": false, "venue": true })
}

async fn business(
    app: &TestApp,
    tok: &str,
    name: &str,
    code: &str,
    town: &str,
    industry: &str,
) -> String {
    id(&app
        .created(
            tok,
            "/api/v1/businesses",
            &json!({ "kind": "individual_business", "name": name, "credit_code": credit_code(code),
                     "township_id": town, "industry": industry }),
        )
        .await)
}

fn today() -> NaiveDate {
    shuanglian::clock::today()
}

/// A county of two grids with five businesses: in 递铺 (A) three, in 孝丰 (B) two of one
/// industry; staff of the committee and of both AIC offices.
struct World {
    w: TwoGrids,
    committee: String,
    aic_a: String,
    aic_b: String,
    a1: String,
    a2: String,
    a3: String,
    b1: String,
    b2: String,
}

async fn world(app: &TestApp, code: &str) -> World {
    let w = app.two_grids(code, "攻坚县", "县个私协会党委").await;
    let tok = w.c.admin_token.clone();
    let (_, committee) = app
        .staff(
            &w.c,
            &format!("asc{code}"),
            "association_committee",
            Some(&w.committee),
        )
        .await;
    let (_, aic_a) = app
        .staff(
            &w.c,
            &format!("aica{code}"),
            "aic_recorder",
            Some(&w.office_a),
        )
        .await;
    let (_, aic_b) = app
        .staff(
            &w.c,
            &format!("aicb{code}"),
            "aic_recorder",
            Some(&w.office_b),
        )
        .await;
    let p = &code[..6];
    let a1 = business(
        app,
        &tok,
        "递铺甲五金店",
        &format!("92{p}MA0000001"),
        &w.town_a,
        "批发和零售业",
    )
    .await;
    let a2 = business(
        app,
        &tok,
        "递铺乙小吃店",
        &format!("92{p}MA0000002"),
        &w.town_a,
        "住宿和餐饮业",
    )
    .await;
    let a3 = business(
        app,
        &tok,
        "递铺丙理发店",
        &format!("92{p}MA0000003"),
        &w.town_a,
        "居民服务业",
    )
    .await;
    let b1 = business(
        app,
        &tok,
        "孝丰丁竹木店",
        &format!("92{p}MA0000004"),
        &w.town_b,
        "制造业",
    )
    .await;
    let b2 = business(
        app,
        &tok,
        "孝丰戊竹艺坊",
        &format!("92{p}MA0000005"),
        &w.town_b,
        "制造业",
    )
    .await;
    World {
        w,
        committee,
        aic_a,
        aic_b,
        a1,
        a2,
        a3,
        b1,
        b2,
    }
}

/// Day 45 of a campaign: started 44 days ago.
async fn start(app: &TestApp, tok: &str) -> Value {
    let starts = today() - Days::new(44);
    let (s, v) = send(app.post(
        "/api/v1/evaluations/coverage",
        tok,
        &json!({ "title": "党团组织覆盖“百日攻坚”行动", "starts_on": starts }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    v
}

fn line<'a>(report: &'a Value, level: &str, name: &str) -> &'a Value {
    report[level]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["name"] == name))
        .unwrap_or_else(|| panic!("no {name} in {report}"))
}

fn reasons(l: &Value) -> Vec<String> {
    l["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| x["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_campaign_surveys_suggests_plans_and_reports_every_fifteen_days() {
    let app = spawn_app().await;
    let x = world(&app, "331501").await;
    let base = "/api/v1/evaluations/coverage";

    // Only the committee and the county admin start one; bad fields are named.
    let (s, e) = send(app.post(
        base,
        &x.aic_a,
        &json!({ "title": "x", "starts_on": today() }),
    ))
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("campaign_organisers_only")),
        "{e}"
    );
    let (s, e) = send(app.post(
        base,
        &x.committee,
        &json!({ "title": " ", "starts_on": "2001-01-01", "days": 5 }),
    ))
    .await;
    assert_eq!(
        (s, fields(&e)),
        (
            422,
            vec![
                "title".to_owned(),
                "starts_on".to_owned(),
                "days".to_owned()
            ]
        ),
        "{e}"
    );
    let c = start(&app, &x.committee).await;
    let cid = c["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (c["day"].as_i64(), c["current_cycle"].as_u64()),
        (Some(45), Some(3)),
        "{c}"
    );
    let states: Vec<&str> = c["cycles"]
        .as_array()
        .expect("cycles")
        .iter()
        .map(|y| y["state"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        states,
        [
            "overdue", "overdue", "current", "upcoming", "upcoming", "upcoming", "upcoming"
        ]
    );
    assert_eq!(c["cycles"][6]["day"], 100, "the last report on day 100");
    assert_eq!(c["county"]["businesses"], 5);
    // Overlapping campaigns are refused.
    let (s, e) = send(app.post(
        base,
        &x.committee,
        &json!({ "title": "第二次", "starts_on": today() }),
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("campaign_overlaps")));

    // Seven report deadlines, owed by the committee; day 15 and 30 already overdue.
    let (_, d) = send(app.get(
        "/api/v1/deadlines?kind=coverage_report&limit=50",
        &x.w.c.admin_token,
    ))
    .await;
    let items = d["items"].as_array().unwrap_or_else(|| panic!("{d}"));
    assert_eq!(items.len(), 7, "{d}");
    assert!(
        items
            .iter()
            .all(|o| o["owner_org_unit_id"] == x.w.committee.as_str())
    );
    assert_eq!(
        items.iter().filter(|o| o["state"] == "overdue").count(),
        2,
        "{d}"
    );

    // Cycle 2 issued late, as things stood on day 30: nothing surveyed yet.
    let (s, r2) = send(app.post(
        &format!("{base}/{cid}/cycles/2/issue"),
        &x.committee,
        &json!({}),
    ))
    .await;
    assert_eq!((s, r2["issued"].as_bool()), (200, Some(true)), "{r2}");
    assert_eq!(
        (r2["county"]["surveyed"].as_u64(), r2["day"].as_u64()),
        (Some(0), Some(30))
    );

    // The AIC office of 递铺 surveys its three; bad fields are named, nothing is written.
    let sv = |b: &str| format!("{base}/{cid}/surveys/{b}");
    let mut bad = survey(-1, 0, 0);
    bad["owner_identity"] = json!("party_member");
    bad["surveyed_on"] = json!(today() + Days::new(1));
    let (s, e) = send(put(&app, &sv(&x.a1), &x.aic_a, &bad, None)).await;
    assert_eq!(
        (s, fields(&e)),
        (
            422,
            vec![
                "party_full".to_owned(),
                "surveyed_on".to_owned(),
                "owner_identity".to_owned()
            ]
        ),
        "{e}"
    );
    let (s, v, tag_a1) = send_tagged(put(&app, &sv(&x.a1), &x.aic_a, &survey(3, 0, 1), None)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["party"]["suggestion"]["form"], "standalone",
        "exactly 3 full: {v}"
    );
    assert!(
        v["party"]["suggestion"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("3名正式党员"),
        "{v}"
    );
    assert_eq!(v["league"]["suggestion"]["form"], "affiliated", "{v}");
    let (_, v) = send(put(&app, &sv(&x.a2), &x.aic_a, &survey(2, 1, 0), None)).await;
    assert_ne!(
        v["party"]["suggestion"]["form"], "standalone",
        "2 full + 1 probationary: {v}"
    );
    assert!(
        v["party"]["suggestion"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("预备党员1名"),
        "{v}"
    );
    // Another office's recorder neither reads nor writes it: 404, and the row is unchanged.
    let (s, _) = send(put(
        &app,
        &sv(&x.a1),
        &x.aic_b,
        &survey(0, 0, 0),
        Some(&tag_a1),
    ))
    .await;
    assert_eq!(s, 404);
    let one = |b: &str| format!("{base}/{cid}/organisations/{b}");
    let (s, _) = send(app.get(&one(&x.a1), &x.aic_b)).await;
    assert_eq!(s, 404);
    let (_, v) = send(app.get(&one(&x.a1), &x.committee)).await;
    assert_eq!(
        (
            v["survey"]["party_full"].as_i64(),
            v["survey"]["version"].as_i64()
        ),
        (Some(3), Some(1)),
        "{v}"
    );
    // A second write needs the version.
    let (s, _) = send(put(&app, &sv(&x.a1), &x.aic_a, &survey(3, 0, 1), None)).await;
    assert_eq!(s, 428);
    let (s, _) = send(put(
        &app,
        &sv(&x.a1),
        &x.aic_a,
        &survey(3, 0, 1),
        Some("\"v9\""),
    ))
    .await;
    assert_eq!(s, 412);
    // A village recorder surveys nothing.
    let (_, village) = app
        .staff(
            &x.w.c,
            "vil331501",
            "village_recorder",
            Some(&x.w.village_a),
        )
        .await;
    let (s, e) = send(put(&app, &sv(&x.a3), &village, &survey(0, 0, 0), None)).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("surveyors_only")));
    // 孝丰's two of one industry: alone, 1 full member is affiliated; with the 2 next door, they
    // join.
    let (_, v) = send(put(&app, &sv(&x.b1), &x.aic_b, &survey(1, 0, 0), None)).await;
    assert_eq!(v["party"]["suggestion"]["form"], "affiliated", "{v}");
    send(put(&app, &sv(&x.b2), &x.aic_b, &survey(2, 0, 0), None)).await;
    let (_, v) = send(app.get(&one(&x.b1), &x.aic_b)).await;
    assert_eq!(v["party"]["suggestion"]["form"], "joint", "{v}");
    assert!(
        v["party"]["suggestion"]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("合计3名"),
        "{v}"
    );

    // Plans: the committee's; standalone needs 3 full members; an unsurveyed one has none.
    let pl = |b: &str, body: &str| format!("{base}/{cid}/plans/{b}/{body}");
    let plan = |form: &str, status: &str, done: Option<NaiveDate>| {
        json!({ "form": form, "owner_unit_id": x.w.town_a, "owner_name": "王主任", "status": status,
                "target_on": today() + Days::new(30), "done_on": done })
    };
    let (s, e) = send(put(
        &app,
        &pl(&x.a1, "party"),
        &x.aic_a,
        &plan("standalone", "planned", None),
        None,
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("planners_only")));
    let (s, e) = send(put(
        &app,
        &pl(&x.a2, "party"),
        &x.committee,
        &plan("standalone", "planned", None),
        None,
    ))
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("standalone_needs_three_full")),
        "{e}"
    );
    let (s, e) = send(put(
        &app,
        &pl(&x.a3, "party"),
        &x.committee,
        &plan("affiliated", "planned", None),
        None,
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("not_surveyed")));
    let (s, e) = send(put(
        &app,
        &pl(&x.a1, "party"),
        &x.committee,
        &plan("standalone", "established", None),
        None,
    ))
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["done_on".to_owned()]), "{e}");
    let (s, v) = send(put(
        &app,
        &pl(&x.a1, "party"),
        &x.committee,
        &plan("standalone", "established", Some(today())),
        None,
    ))
    .await;
    assert_eq!(
        (s, v["party"]["organised"].as_bool()),
        (200, Some(true)),
        "{v}"
    );
    assert_eq!(v["party"]["plan"]["owner_unit_name"], "递铺街道");
    assert!(
        v["party"]["suggestion"].is_null(),
        "organised: nothing to suggest"
    );
    let (s, _) = send(put(
        &app,
        &pl(&x.a1, "party"),
        &x.committee,
        &plan("standalone", "established", Some(today())),
        None,
    ))
    .await;
    assert_eq!(s, 428);

    // Cycle 3 (day 45, today): 递铺 ahead, 孝丰 last and without progress since cycle 2.
    let (s, r3) = send(app.get(&format!("{base}/{cid}/cycles/3"), &x.aic_b)).await;
    assert_eq!(
        (
            s,
            r3["issued"].as_bool(),
            r3["compared_with_cycle"].as_u64()
        ),
        (200, Some(false), Some(2)),
        "{r3}"
    );
    let a = line(&r3, "townships", "递铺街道");
    let b = line(&r3, "townships", "孝丰镇");
    assert_eq!(
        (
            a["place"].as_u64(),
            a["tally"]["party_org"].as_u64(),
            a["tally"]["party_org_rate"].as_f64()
        ),
        (Some(1), Some(1), Some(33.3)),
        "{a}"
    );
    assert_eq!(
        (b["place"].as_u64(), b["tally"]["surveyed"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(reasons(b), ["last_place", "no_progress"], "{b}");
    assert!(reasons(a).is_empty(), "{a}");
    assert_eq!(line(&r3, "branches", "孝丰分会")["place"], 2);
    assert_eq!(
        r3["laggards"].as_array().map(Vec::len),
        Some(2),
        "township and branch: {r3}"
    );
    let suggested: Vec<(&str, u64)> = r3["suggested"]
        .as_array()
        .expect("suggested")
        .iter()
        .map(|f| {
            (
                f["form"].as_str().unwrap_or(""),
                f["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(suggested, [("joint", 2), ("affiliated", 1)], "{r3}");

    // Issued: frozen, once, from its last day; its deadline met.
    let issue = |n: u32| format!("{base}/{cid}/cycles/{n}/issue");
    let (s, e) = send(app.post(&issue(4), &x.committee, &json!({}))).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("cycle_not_over")));
    let (s, _) = send(app.post(&issue(3), &x.w.c.admin_token, &json!({}))).await;
    assert_eq!(s, 200);
    let (s, e) = send(app.post(&issue(3), &x.committee, &json!({}))).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("cycle_already_issued")));
    let (_, d) = send(app.get(
        "/api/v1/deadlines?kind=coverage_report&state=done&limit=50",
        &x.w.c.admin_token,
    ))
    .await;
    assert_eq!(
        d["items"].as_array().map(Vec::len),
        Some(2),
        "cycles 2 and 3 met: {d}"
    );
    // Later work changes the live cycle, not the issued one.
    let (_, v) = send(app.get(&one(&x.b1), &x.committee)).await;
    assert_eq!(v["party"]["suggestion"]["form"], "joint");
    let mut joint = plan("joint", "established", Some(today()));
    joint["owner_unit_id"] = json!(x.w.town_b);
    let (s, _) = send(put(&app, &pl(&x.b1, "party"), &x.committee, &joint, None)).await;
    assert_eq!(s, 200);
    let (_, r3b) = send(app.get(&format!("{base}/{cid}/cycles/3"), &x.committee)).await;
    assert_eq!(
        line(&r3b, "townships", "孝丰镇")["tally"]["party_org"],
        0,
        "frozen"
    );
    let (_, r4) = send(app.get(&format!("{base}/{cid}/cycles/4"), &x.committee)).await;
    assert_eq!(
        line(&r4, "townships", "孝丰镇")["tally"]["party_org"],
        1,
        "live: {r4}"
    );

    // Printable: HTML with the ranking and laggards, and xlsx.
    let r = app
        .get(&format!("{base}/{cid}/cycles/3/report.html"), &x.aic_a)
        .send()
        .await
        .expect("html");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("text");
    for want in [
        "“百日攻坚”行动报表",
        "各乡镇（街道）组建进度排名",
        "约谈名单",
        "孝丰镇",
        "排在末位",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    let r = app
        .get(&format!("{base}/{cid}/cycles/3/report.xlsx"), &x.committee)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));

    // The organisations list: filtered, paged, scoped.
    let list = |q: &str| format!("{base}/{cid}/organisations?{q}");
    let (_, p) = send(app.get(&list("state=unsurveyed"), &x.committee)).await;
    assert_eq!(
        (p["total"].as_u64(), p["items"][0]["name"].as_str()),
        (Some(1), Some("递铺丙理发店")),
        "{p}"
    );
    let (_, p1) = send(app.get(&list("limit=2"), &x.committee)).await;
    assert_eq!(p1["total"], 5);
    let cursor = p1["next_cursor"].as_str().expect("more").to_owned();
    let (_, p2) = send(app.get(&list(&format!("limit=2&cursor={cursor}")), &x.committee)).await;
    assert_ne!(p1["items"][0]["business_id"], p2["items"][0]["business_id"]);
    let (_, mine) = send(app.get(&list(""), &x.aic_b)).await;
    let mut names: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["name"].as_str().unwrap_or(""))
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["孝丰丁竹木店", "孝丰戊竹艺坊"], "{mine}");
}

#[tokio::test]
async fn another_county_reads_and_changes_nothing_of_a_campaign() {
    let app = spawn_app().await;
    let x = world(&app, "331502").await;
    let other = app.county("331503", "邻县").await;
    let c = start(&app, &x.committee).await;
    let cid = c["id"].as_str().expect("id").to_owned();
    let base = format!("/api/v1/evaluations/coverage/{cid}");
    let (s, v, tag) = send_tagged(put(
        &app,
        &format!("{base}/surveys/{}", x.a1),
        &x.committee,
        &survey(3, 0, 0),
        None,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let t = &other.admin_token;
    for path in [
        base.clone(),
        format!("{base}/cycles/3"),
        format!("{base}/cycles/3/report.html"),
        format!("{base}/organisations"),
        format!("{base}/organisations/{}", x.a1),
    ] {
        let (s, _) = send(app.get(&path, t)).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = send(put(
        &app,
        &format!("{base}/surveys/{}", x.a1),
        t,
        &survey(0, 0, 0),
        Some(&tag),
    ))
    .await;
    assert_eq!(s, 404);
    let plan = json!({ "form": "standalone", "owner_unit_id": x.w.town_a, "owner_name": "外县", "status": "planned" });
    let (s, _) = send(put(
        &app,
        &format!("{base}/plans/{}/party", x.a1),
        t,
        &plan,
        None,
    ))
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(app.post(&format!("{base}/cycles/3/issue"), t, &json!({}))).await;
    assert_eq!(s, 404);
    let (_, list) = send(app.get("/api/v1/evaluations/coverage", t)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    // Unchanged: the survey, no plan, no report.
    let (_, v) = send(app.get(&format!("{base}/organisations/{}", x.a1), &x.committee)).await;
    assert_eq!(
        (
            v["survey"]["party_full"].as_i64(),
            v["survey"]["version"].as_i64()
        ),
        (Some(3), Some(1)),
        "{v}"
    );
    assert!(v["party"]["plan"].is_null());
    let (_, r) = send(app.get(&format!("{base}/cycles/3"), &x.committee)).await;
    assert_eq!(r["issued"], false);
    // Its own county's owner unit cannot be named from another county either.
    let mut foreign = plan.clone();
    foreign["owner_unit_id"] = json!(app.org_unit(&other, "township", "邻镇", None).await);
    let (s, e) = send(put(
        &app,
        &format!("{base}/plans/{}/party", x.a1),
        &x.committee,
        &foreign,
        None,
    ))
    .await;
    assert_eq!(
        (s, fields(&e)),
        (422, vec!["owner_unit_id".to_owned()]),
        "{e}"
    );
}

async fn import(app: &TestApp, token: &str, cid: &str, query: &str, csv: &str) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/evaluations/coverage/{cid}/surveys/import?{query}"
        )))
        .bearer_auth(token)
        .body(csv.as_bytes().to_vec())
        .send()
        .await
        .expect("upload");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn survey_rows_are_imported_through_the_spreadsheet_flow() {
    let app = spawn_app().await;
    let x = world(&app, "331504").await;
    let c = start(&app, &x.committee).await;
    let cid = c["id"].as_str().expect("id").to_owned();
    let admin = x.w.c.admin_token.clone();
    let a1_code = credit_code("92331504MA0000001");
    let csv = format!(
        "统一社会信用代码,单位名称,员工人数,正式党员人数,预备党员人数,团员人数,党组织设置,业主身份,活动场地\n\
         {a1_code},递铺甲五金店,12,3,0,1,单独组建,中共党员,有\n\
         ,递铺乙小吃店,５人,2,1,,,群众,无\n\
         ,没有这家店,3,0,0,0,,群众,无\n\
         ,递铺丙理发店,2,0,0,0,未建立,党员,无\n\
         ,孝丰丁竹木店,2,1,0,0,已建,群众,无\n"
    );
    // The county admin's: the committee may not import; another county finds no campaign.
    let (s, _) = import(&app, &x.committee, &cid, "", &csv).await;
    assert_eq!(s, 403);
    let other = app.county("331505", "邻县二").await;
    let (s, _) = import(&app, &other.admin_token, &cid, "", &csv).await;
    assert_eq!(s, 404);

    // The dry run names every bad cell by row and column, and writes nothing.
    let (s, r) = import(&app, &admin, &cid, "", &csv).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (
            r["dry_run"].as_bool(),
            r["rows"].as_u64(),
            r["created"].as_u64()
        ),
        (Some(true), Some(5), Some(2)),
        "{r}"
    );
    let bad: Vec<(u64, &str, &str)> = r["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        bad,
        [
            (4, "单位名称", "business_not_found"),
            (6, "党组织设置", "invalid_choice"),
            (5, "业主身份", "owner_not_counted"),
        ],
        "{r}"
    );
    let (_, v) = send(app.get(
        &format!("/api/v1/evaluations/coverage/{cid}/organisations/{}", x.a1),
        &admin,
    ))
    .await;
    assert!(v["survey"].is_null(), "a dry run writes nothing");

    // A commit with bad rows is refused whole; skipping them writes the good ones.
    let (s, e) = import(&app, &admin, &cid, "dry_run=false", &csv).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("import_rejected")),
        "{e}"
    );
    let (s, r) = import(&app, &admin, &cid, "dry_run=false&skip_invalid=true", &csv).await;
    assert_eq!((s, r["created"].as_u64()), (200, Some(2)), "{r}");
    assert!(r["import_id"].is_string());
    let (_, v) = send(app.get(
        &format!("/api/v1/evaluations/coverage/{cid}/organisations/{}", x.a1),
        &admin,
    ))
    .await;
    assert_eq!(
        (
            v["survey"]["party_org"].as_str(),
            v["survey"]["owner_identity"].as_str(),
            v["party"]["organised"].as_bool()
        ),
        (Some("standalone"), Some("party_member"), Some(true)),
        "{v}"
    );
    let (_, v) = send(app.get(
        &format!("/api/v1/evaluations/coverage/{cid}/organisations/{}", x.a2),
        &admin,
    ))
    .await;
    assert_eq!(
        (
            v["survey"]["employees"].as_i64(),
            v["survey"]["party_probationary"].as_i64()
        ),
        (Some(5), Some(1)),
        "{v}"
    );
    assert_ne!(v["party"]["suggestion"]["form"], "standalone");
    // The same file again changes nothing.
    let (_, r) = import(&app, &admin, &cid, "dry_run=false&skip_invalid=true", &csv).await;
    assert_eq!(
        (
            r["created"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(2)),
        "{r}"
    );
}
