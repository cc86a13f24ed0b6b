//! Service requests at the regional service centres (seed 002, issue 15): a phone request taken
//! on 12 February 2026 and escalated is due on 28 February (the Spring Festival and its 调休
//! Saturdays on the county's calendar), extended with a reason, handed over, answered (meeting
//! the deadline), followed up and archived, every step on the member's time line; every illegal
//! step with its code; only the owner (or, once escalated, the director) acts; other counties
//! and other centres see nothing and change nothing.

use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, fields, send, send_tagged, spawn_app};

struct World {
    c: County,
    centre: String,
    other_centre: String,
    /// A member whose organisational life is in the centre's branch.
    member: String,
    /// A member of the other branch.
    other_member: String,
    /// Centre staff: the first responder, and a colleague.
    staff: String,
    staff_id: String,
    colleague: String,
    colleague_id: String,
    /// Branch staff bound to the centre's branch: its director.
    director: String,
    /// Staff of the other centre.
    other_staff: String,
    village: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let c = app.county(code, name).await;
    let tok = c.admin_token.clone();
    let committee = app
        .org_unit(&c, "association_committee", "县个私协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let pb = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    let centre = app
        .org_unit(
            &c,
            "service_centre",
            "递铺区域性党员服务中心",
            Some(&branch),
        )
        .await;
    let other_branch = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let other_pb = app
        .org_unit(&c, "party_branch", "孝丰分会支部", Some(&other_branch))
        .await;
    let other_centre = app
        .org_unit(
            &c,
            "service_centre",
            "孝丰区域性党员服务中心",
            Some(&other_branch),
        )
        .await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village_unit = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let member = app
        .member(
            &tok,
            &json!({ "name": "王建国", "is_owner": true, "business_name": "建国五金店",
                "org_life_unit_id": pb, "membership_unit_id": village_unit,
                "membership_status": "full", "distribution": "individual_business" }),
        )
        .await;
    let other_member = app
        .member(
            &tok,
            &json!({ "name": "李秀英", "is_owner": true, "business_name": "秀英服装店",
                "org_life_unit_id": other_pb, "membership_org_name": "宿松县复兴镇党委", "membership_status": "full",
                "distribution": "individual_business" }),
        )
        .await;
    let (staff_id, staff) = app
        .staff(&c, "centre1", "branch_staff", Some(&centre))
        .await;
    let (colleague_id, colleague) = app
        .staff(&c, "centre2", "branch_staff", Some(&centre))
        .await;
    let (_, director) = app
        .staff(&c, "director", "branch_staff", Some(&branch))
        .await;
    let (_, other_staff) = app
        .staff(&c, "centre3", "branch_staff", Some(&other_centre))
        .await;
    let (_, village) = app
        .staff(&c, "village1", "village_recorder", Some(&village_unit))
        .await;
    World {
        c,
        centre,
        other_centre,
        member,
        other_member,
        staff,
        staff_id,
        colleague,
        colleague_id,
        director,
        other_staff,
        village,
    }
}

async fn take(app: &TestApp, tok: &str, body: Value) -> Value {
    let (s, v, tag) = send_tagged(app.post("/api/v1/service-requests", tok, &body)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(tag, "\"v1\"");
    v
}

async fn step(app: &TestApp, tok: &str, id: &str, step: &str, body: Value) -> (u16, Value) {
    send(app.post(&format!("/api/v1/service-requests/{id}/{step}"), tok, &body)).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_phone_request_of_12_february_runs_from_escalation_to_archive_on_the_working_day_clock() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let r = take(
        &app,
        &w.staff,
        json!({ "member_id": w.member, "channel": "phone", "category": "rights", "major": true,
                "content": "店铺租赁合同纠纷，请求协助维权", "received_on": "2026-02-12" }),
    )
    .await;
    let rid = id(&r);
    assert_eq!(r["state"], "taken");
    assert_eq!(r["first_responder_id"], w.staff_id);
    assert_eq!(r["owner_id"], w.staff_id);
    assert_eq!(r["centre_id"], w.centre);

    // Escalated: due on the seventh working day, Saturday 28 February (调休).
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "escalate",
        json!({ "escalated_on": "2026-02-12" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "escalated");
    assert_eq!(v["due_on"], "2026-02-28");
    // The deadline engine holds it, owned by the centre, due that day.
    let (s, d) = send(app.get(
        &format!(
            "/api/v1/deadlines?kind=service_request&org_unit_id={}&limit=10",
            w.centre
        ),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{d}");
    let items = d["items"].as_array().expect("items");
    let ob = items
        .iter()
        .find(|i| i["subject_id"] == rid)
        .unwrap_or_else(|| panic!("no obligation for the request: {d}"));
    assert_eq!(ob["due_on"], "2026-02-28");

    // An extension needs a reason and a later day.
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "extend",
        json!({ "reason": " ", "due_on": "2026-03-06" }),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["reason".to_owned()]), "{v}");
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "extend",
        json!({ "reason": "需协调市场监管部门", "due_on": "2026-02-27" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("validation_failed")),
        "{v}"
    );
    assert_eq!(fields(&v), vec!["due_on".to_owned()]);
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "extend",
        json!({ "reason": "需协调市场监管部门", "due_on": "2026-03-06" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["due_on"].as_str(), v["extensions"].as_i64()),
        (Some("2026-03-06"), Some(1))
    );
    let (_, d) = send(app.get(
        &format!(
            "/api/v1/deadlines?kind=service_request&org_unit_id={}&limit=10",
            w.centre
        ),
        &w.c.admin_token,
    ))
    .await;
    let ob = d["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["subject_id"] == rid)
        .cloned();
    assert_eq!(
        ob.expect("obligation")["due_on"],
        "2026-03-06",
        "the obligation moved with it"
    );

    // Who may own the centre's requests: its two staff and the director, flagged.
    let (s, staff) = send(app.get(
        &format!("/api/v1/service-centres/{}/staff", w.centre),
        &w.staff,
    ))
    .await;
    assert_eq!(s, 200, "{staff}");
    let mut names: Vec<(String, bool)> = staff["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["user_id"].as_str().unwrap_or_default().to_owned(),
                i["director"] == true,
            )
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{staff}");
    assert!(
        names.contains(&(w.staff_id.clone(), false))
            && names.contains(&(w.colleague_id.clone(), false))
    );
    assert_eq!(names.iter().filter(|(_, d)| *d).count(), 1, "{staff}");
    for tok in [&w.other_staff, &w.village] {
        let (s, _) =
            send(app.get(&format!("/api/v1/service-centres/{}/staff", w.centre), tok)).await;
        assert_eq!(s, 404);
    }

    // The colleague may not answer someone else's request; the owner hands it over.
    let answer = json!({ "answer": "经协调，房东同意按原价续租一年", "method": "phone", "answered_on": "2026-03-04" });
    let (s, v) = step(&app, &w.colleague, &rid, "answer", answer.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_request_owner")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "hand-over",
        json!({ "to_user_id": w.colleague_id, "reason": "本人外出学习" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["owner_id"], w.colleague_id);
    assert_eq!(
        v["first_responder_id"], w.staff_id,
        "the first responder stays on the record"
    );
    // Now the first responder is no longer the owner.
    let (s, v) = step(&app, &w.staff, &rid, "answer", answer.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_request_owner")),
        "{v}"
    );
    let (s, v) = step(&app, &w.colleague, &rid, "answer", answer).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["overdue"].as_bool()),
        (Some("answered"), Some(false))
    );
    let (_, d) = send(app.get(
        &format!(
            "/api/v1/deadlines?kind=service_request&state=done&org_unit_id={}&limit=10",
            w.centre
        ),
        &w.c.admin_token,
    ))
    .await;
    assert!(
        d["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["subject_id"] == rid),
        "the answer met the deadline: {d}"
    );

    // A major request: no archive before the follow-up.
    let (s, v) = step(&app, &w.colleague, &rid, "archive", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("follow_up_required")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.colleague,
        &rid,
        "follow-up",
        json!({ "method": "visit", "opinion": "满意，感谢服务中心",
        "satisfaction": "satisfied", "followed_up_on": "2026-03-10" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = step(
        &app,
        &w.colleague,
        &rid,
        "archive",
        json!({ "archive_reference": "诉求-2026-001" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "archived");
    let kinds: Vec<&str> = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "taken",
            "escalated",
            "extended",
            "handed_over",
            "answered",
            "followed_up",
            "archived"
        ]
    );
    // The 受(办)理表, as xlsx and for print: the request as recorded, no phone or ID number.
    let r = app
        .get(
            &format!("/api/v1/service-requests/{rid}/form.html"),
            &w.staff,
        )
        .send()
        .await
        .expect("html");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("text");
    for want in [
        "个体工商户（市场经营户）党员服务受（办）理表",
        "王建国",
        "店铺租赁合同纠纷",
        "经协调，房东同意按原价续租一年",
        "经延长1次，至2026年3月6日",
        "走访（2026年3月10日）；满意",
    ] {
        assert!(html.contains(want), "{want} missing from the form");
    }
    let r = app
        .get(
            &format!("/api/v1/service-requests/{rid}/form.xlsx"),
            &w.staff,
        )
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = calamine::Reader::sheet_names(&book)[0].clone();
    let cells: Vec<String> = calamine::Reader::worksheet_range(&mut book, &sheet)
        .expect("sheet")
        .rows()
        .flat_map(|row| row.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        cells
            .iter()
            .any(|c| c == "个体工商户（市场经营户）党员服务受（办）理表"),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "王建国"), "{cells:?}");

    // Archived is final.
    let (s, v) = step(
        &app,
        &w.colleague,
        &rid,
        "extend",
        json!({ "reason": "再延", "due_on": "2026-04-01" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("request_archived")),
        "{v}"
    );

    // The yearly report (情况通报制) counts it: escalated, extended, answered on time, followed
    // up, satisfied, archived.
    let (s, rep) =
        send(app.get("/api/v1/service-centres/report?year=2026", &w.c.admin_token)).await;
    assert_eq!(s, 200, "{rep}");
    let mine = rep["centres"]
        .as_array()
        .expect("centres")
        .iter()
        .find(|c| c["centre_id"] == w.centre)
        .cloned()
        .unwrap_or_else(|| panic!("{rep}"));
    for (k, want) in [
        ("received", 1),
        ("escalated", 1),
        ("answered_on_time", 1),
        ("answered_late", 0),
        ("open", 0),
        ("extensions", 1),
        ("followed_up", 1),
        ("satisfied", 1),
        ("archived", 1),
    ] {
        assert_eq!(mine[k].as_i64(), Some(want), "{k}: {mine}");
    }
    assert_eq!(mine["on_time_rate"].as_f64(), Some(100.0));
    // Another centre's staff see their own centre only; the print version names the county.
    let (_, rep) = send(app.get("/api/v1/service-centres/report?year=2026", &w.other_staff)).await;
    let ids: Vec<&str> = rep["centres"]
        .as_array()
        .expect("centres")
        .iter()
        .filter_map(|c| c["centre_id"].as_str())
        .collect();
    assert_eq!(ids, [w.other_centre.as_str()]);
    let html = app
        .get(
            "/api/v1/service-centres/report.html?year=2026",
            &w.c.admin_token,
        )
        .send()
        .await
        .expect("html")
        .text()
        .await
        .expect("text");
    assert!(
        html.contains("安吉县区域性党员服务中心2026年度党员诉求办理情况通报"),
        "{html}"
    );

    // The member's time line shows every step, without the request's content.
    let (s, tl) = send(app.get(
        &format!("/api/v1/members/{}/timeline", w.member),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{tl}");
    let entries: Vec<&Value> = tl
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["source"] == "service_request")
        .collect();
    assert_eq!(entries.len(), 7, "{tl}");
    assert!(
        entries
            .iter()
            .any(|e| e["title"] == "党员诉求受理（维权）" && e["on"] == "2026-02-12")
    );
    assert!(
        !tl.to_string().contains("租赁合同"),
        "the content stays on the request"
    );

    // The audit log has each step, without the content either.
    let (s, audit) = send(app.get(
        &format!("/api/v1/audit?entity_id={rid}&limit=50"),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{audit}");
    assert!(
        audit.to_string().contains("service_request.extended"),
        "{audit}"
    );
    assert!(!audit.to_string().contains("租赁合同"));
}

#[tokio::test]
async fn illegal_steps_answer_409_with_their_code_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let base = json!({ "member_id": w.member, "channel": "on_site", "category": "consultation",
                       "content": "咨询年报" });
    let r = take(&app, &w.staff, base.clone()).await;
    let rid = id(&r);
    for (s_name, body, code) in [
        (
            "extend",
            json!({ "reason": "延长", "due_on": "2030-01-01" }),
            "not_escalated",
        ),
        (
            "follow-up",
            json!({ "method": "phone", "opinion": "好", "satisfaction": "satisfied" }),
            "not_answered",
        ),
        ("archive", json!({}), "not_answered"),
    ] {
        let (s, v) = step(&app, &w.staff, &rid, s_name, body).await;
        assert_eq!((s, v["code"].as_str()), (409, Some(code)), "{s_name}: {v}");
    }
    // Answered at once: no clock, nothing to escalate any more.
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "answer",
        json!({ "answer": "已当场解答", "method": "in_person" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v.get("due_on").is_none(), "{v}");
    let (s, v) = step(&app, &w.staff, &rid, "escalate", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_escalated")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "answer",
        json!({ "answer": "再答", "method": "phone" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_answered")),
        "{v}"
    );
    // Not major: archived without a follow-up.
    let (s, v) = step(&app, &w.staff, &rid, "archive", json!({})).await;
    assert_eq!(s, 200, "{v}");

    // The director coordinates an escalated request, but cannot take over one not escalated.
    let r = take(&app, &w.staff, base.clone()).await;
    let rid = id(&r);
    let (s, v) = step(
        &app,
        &w.director,
        &rid,
        "answer",
        json!({ "answer": "答复", "method": "phone" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_request_owner")),
        "{v}"
    );
    let (s, _) = step(&app, &w.staff, &rid, "escalate", json!({})).await;
    assert_eq!(s, 200);
    let (s, v) = step(
        &app,
        &w.director,
        &rid,
        "extend",
        json!({ "reason": "主任协调，延长", "due_on": "2101-01-01" }),
    )
    .await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["due_on".to_owned()]),
        "beyond the register's years: {v}"
    );
    let (s, v) = step(
        &app,
        &w.director,
        &rid,
        "answer",
        json!({ "answer": "主任协调办结", "method": "letter" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // Bad input: every field named, nothing written.
    let (s, v) = send(app.post(
        "/api/v1/service-requests",
        &w.staff,
        &json!({ "member_id": "nope",
        "channel": "phone", "category": "rights", "content": "", "received_on": "2999-01-01" }),
    ))
    .await;
    assert_eq!(s, 422, "{v}");
    let mut f = fields(&v);
    f.sort();
    assert_eq!(f, ["content", "member_id", "received_on"]);
    let (s, v) = send(app.post(
        "/api/v1/service-requests",
        &w.staff,
        &json!({ "member_id": w.member,
        "channel": "fax", "category": "rights", "content": "x" }),
    ))
    .await;
    assert_eq!(s, 400, "{v}");
    // A member outside the centre's region.
    let mut other = base.clone();
    other["member_id"] = json!(w.other_member);
    let (s, v) = send(app.post("/api/v1/service-requests", &w.staff, &other)).await;
    assert_eq!((s, fields(&v)), (422, vec!["member_id".to_owned()]), "{v}");
    let (_, list) = send(app.get("/api/v1/service-requests", &w.c.admin_token)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");
    // Stale If-Match: 412.
    let r = take(&app, &w.staff, base).await;
    let (s, _) = send(
        app.post(
            &format!("/api/v1/service-requests/{}/escalate", id(&r)),
            &w.staff,
            &json!({}),
        )
        .header("If-Match", "\"v7\""),
    )
    .await;
    assert_eq!(s, 412);
}

#[tokio::test]
async fn other_counties_and_other_centres_see_nothing_and_change_nothing() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let r = take(
        &app,
        &w.staff,
        json!({ "member_id": w.member, "channel": "phone", "category": "hardship",
                "content": "经营困难，请求帮扶" }),
    )
    .await;
    let rid = id(&r);
    let before = send(app.get(&format!("/api/v1/service-requests/{rid}"), &w.staff))
        .await
        .1;
    let writes = [
        ("escalate", json!({})),
        (
            "extend",
            json!({ "reason": "越界", "due_on": "2030-01-01" }),
        ),
        (
            "hand-over",
            json!({ "to_user_id": w.colleague_id, "reason": "越界" }),
        ),
        ("answer", json!({ "answer": "越界", "method": "phone" })),
        (
            "follow-up",
            json!({ "method": "phone", "opinion": "越界", "satisfaction": "satisfied" }),
        ),
        ("archive", json!({})),
    ];
    // Another county's staff, and another centre's: 404 on every read and write.
    for (who, tok) in [
        ("other county", &b.staff),
        ("other centre", &w.other_staff),
        ("other county's director", &b.director),
    ] {
        for path in ["", "/form.html", "/form.xlsx"] {
            let s = app
                .get(&format!("/api/v1/service-requests/{rid}{path}"), tok)
                .send()
                .await
                .expect("get")
                .status();
            assert_eq!(s, 404, "{who} {path}");
        }
        for (st, body) in &writes {
            let (s, v) = step(&app, tok, &rid, st, body.clone()).await;
            assert_eq!(s, 404, "{who} {st}: {v}");
        }
        let (_, list) = send(app.get("/api/v1/service-requests", tok)).await;
        assert!(!list.to_string().contains(&rid), "{who}: {list}");
        let (_, list) = send(app.get(
            &format!("/api/v1/service-requests?centre_id={}", w.centre),
            tok,
        ))
        .await;
        assert_eq!(
            list["items"].as_array().map(Vec::len),
            Some(0),
            "{who}: {list}"
        );
    }
    // The other county's report does not count this county's request.
    let (_, rep) = send(app.get("/api/v1/service-centres/report", &b.c.admin_token)).await;
    assert!(!rep.to_string().contains(&w.centre), "{rep}");
    assert!(
        rep["centres"]
            .as_array()
            .expect("centres")
            .iter()
            .all(|c| c["received"] == 0),
        "{rep}"
    );
    // Roles that are not centre staff: 403 before anything is looked up.
    for tok in [&w.village, &w.c.admin_token] {
        let (s, v) = step(&app, tok, &rid, "escalate", json!({})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (403, Some("centre_staff_only")),
            "{v}"
        );
    }
    // A village recorder does not see the centre's requests.
    let (s, _) = send(app.get(&format!("/api/v1/service-requests/{rid}"), &w.village)).await;
    assert_eq!(s, 404);
    // Taking at another centre, or for another county's member: refused by field.
    let (s, v) = send(app.post(
        "/api/v1/service-requests",
        &w.staff,
        &json!({ "member_id": w.member,
        "centre_id": w.other_centre, "channel": "phone", "category": "rights", "content": "x" }),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("validation_failed")),
        "{v}"
    );
    assert_eq!(fields(&v), vec!["centre_id".to_owned()]);
    let (s, v) = send(app.post(
        "/api/v1/service-requests",
        &w.staff,
        &json!({ "member_id": b.member,
        "channel": "phone", "category": "rights", "content": "x" }),
    ))
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["member_id".to_owned()]), "{v}");
    // Handing over to another county's or another centre's staff: refused.
    let other_user = send(app.get("/api/v1/me", &w.other_staff)).await.1["user_id"].clone();
    let (s, v) = step(
        &app,
        &w.staff,
        &rid,
        "hand-over",
        json!({ "to_user_id": other_user, "reason": "移交" }),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["to_user_id".to_owned()]), "{v}");
    // The request is exactly as it was.
    let after = send(app.get(&format!("/api/v1/service-requests/{rid}"), &w.staff))
        .await
        .1;
    assert_eq!(before, after);
    // County-wide roles see it; the branch's director too.
    for tok in [&w.c.admin_token, &w.director] {
        let (s, v) = send(app.get(&format!("/api/v1/service-requests/{rid}"), tok)).await;
        assert_eq!(s, 200, "{v}");
    }
}

#[tokio::test]
async fn the_list_puts_the_most_overdue_first_and_pages_by_due_day() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let mut ids = Vec::new();
    // Received on these days and escalated: due 7 working days later.
    for day in ["2026-11-02", "2026-10-12", "2026-11-16", "2026-09-29"] {
        let r = take(
            &app,
            &w.staff,
            json!({ "member_id": w.member, "channel": "phone",
            "category": "consultation", "content": "咨询", "received_on": day }),
        )
        .await;
        let (s, v) = step(&app, &w.staff, &id(&r), "escalate", json!({})).await;
        assert_eq!(s, 200, "{v}");
        ids.push((v["due_on"].as_str().expect("due").to_owned(), id(&r)));
    }
    // One not escalated: last.
    let undated = id(&take(
        &app,
        &w.staff,
        json!({ "member_id": w.member, "channel": "on_site",
        "category": "other", "content": "其他" }),
    )
    .await);
    ids.sort();
    assert_eq!(
        ids[0].0, "2026-10-14",
        "29 Sep + 7 working days across National Day"
    );
    let mut want: Vec<String> = ids.into_iter().map(|(_, i)| i).collect();
    want.push(undated);
    let mut got = Vec::new();
    let mut cursor = String::new();
    loop {
        let (s, page) = send(app.get(
            &format!("/api/v1/service-requests?open=true&limit=2&cursor={cursor}"),
            &w.staff,
        ))
        .await;
        assert_eq!(s, 200, "{page}");
        for i in page["items"].as_array().expect("items") {
            got.push(i["id"].as_str().expect("id").to_owned());
            if i.get("due_on").is_some() {
                assert_eq!(i["overdue"], true, "every dated one is past due today: {i}");
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(got, want);
    // Without `open`, answered requests follow the open ones, whatever their dates.
    let done = id(&take(
        &app,
        &w.staff,
        json!({ "member_id": w.member, "channel": "phone",
        "category": "consultation", "content": "咨询", "received_on": "2026-01-05" }),
    )
    .await);
    let (s, v) = step(
        &app,
        &w.staff,
        &done,
        "answer",
        json!({ "answer": "已答复", "method": "phone" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, page) = send(app.get("/api/v1/service-requests?limit=100", &w.staff)).await;
    let all: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(all.last(), Some(&done.as_str()), "{page}");
    assert_eq!(all.len(), want.len() + 1);
    // Per owner: the colleague owns none.
    let (_, page) = send(app.get(
        &format!("/api/v1/service-requests?owner_id={}", w.colleague_id),
        &w.staff,
    ))
    .await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "{page}");
}
