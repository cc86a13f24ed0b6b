//! Performance records (记实): the default catalogue and its versioned edits, who may record
//! which category for which members, edits only by the recording unit while the quarter is
//! open, the member's list and time line, and isolation between counties and between scopes.

use crate::records_world::{World, record, world};
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, fields, id, problem, send_tagged, spawn_app};

fn item<'a>(cat: &'a Value, code: &str) -> &'a Value {
    cat["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|c| c["items"].as_array().expect("items").iter())
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {cat}"))
}

async fn catalogue(app: &TestApp, tok: &str) -> Value {
    let (s, v, _) =
        send_tagged(app.get("/api/v1/record-catalogue?include_retired=true", tok)).await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn item_etag(app: &TestApp, tok: &str, code: &str) -> String {
    let (s, v, tag) =
        send_tagged(app.get(&format!("/api/v1/record-catalogue/items/{code}"), tok)).await;
    assert_eq!(s, 200, "{v}");
    tag
}

#[tokio::test]
async fn the_default_catalogue_has_four_categories_and_eighteen_items_each_with_one_recorder() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let cat = catalogue(&app, &w.village_rec_a).await;
    let cats = cat["categories"].as_array().expect("categories");
    let got: Vec<(&str, &str, &str)> = cats
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap(),
                c["label"].as_str().unwrap(),
                c["recorder_role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("business", "经营表现", "aic_recorder"),
            ("association", "参加协会党组织活动", "branch_staff"),
            ("village", "参加村（社区）党组织活动", "village_recorder"),
            ("residence", "居住地表现", "village_recorder"),
        ]
    );
    let names: Vec<&str> = cats
        .iter()
        .flat_map(|c| c["items"].as_array().unwrap().iter())
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 18);
    for seed in [
        "生产经营",
        "奖惩",
        "信用评定",
        "教育培训",
        "志愿服务",
        "党员先锋指数",
        "业余生活表现",
    ] {
        assert!(names.contains(&seed), "{seed} in {names:?}");
    }
}

#[tokio::test]
async fn a_renamed_item_keeps_its_old_name_on_old_records_and_used_items_are_not_deleted() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let admin = w.c.admin_token.clone();
    let old = record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-07-03",
        "参加主题党日",
    )
    .await;
    assert_eq!(
        (old["item_name"].as_str(), old["item_version"].as_i64()),
        (Some("参加组织生活"), Some(1))
    );
    // Only the county admin edits the catalogue, with the item's ETag.
    let tag = item_etag(&app, &admin, "V01").await;
    let body = json!({ "name": "参加“三会一课”" });
    for tok in [&w.village_rec_a, &w.town_com_a, &w.assoc] {
        let r = app
            .patch("/api/v1/record-catalogue/items/V01", tok, &body)
            .header("If-Match", &tag)
            .send()
            .await
            .expect("patch");
        problem(r, 403, "forbidden").await;
    }
    let r = app
        .patch("/api/v1/record-catalogue/items/V01", &admin, &body)
        .send()
        .await
        .expect("patch");
    problem(r, 428, "if_match_required").await;
    let (s, v, new_tag) = send_tagged(
        app.patch("/api/v1/record-catalogue/items/V01", &admin, &body)
            .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["name"].as_str(), v["version"].as_i64()),
        (Some("参加“三会一课”"), Some(2))
    );
    assert_ne!(tag, new_tag);
    let r = app
        .patch(
            "/api/v1/record-catalogue/items/V01",
            &admin,
            &json!({ "name": "再改" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("stale");
    problem(r, 412, "stale_version").await;
    // The old record keeps the name it was written under; a new one takes the new name.
    let (s, again, _) =
        send_tagged(app.get(&format!("/api/v1/records/{}", id(&old)), &w.village_rec_a)).await;
    assert_eq!(s, 200);
    assert_eq!(
        (again["item_name"].as_str(), again["item_version"].as_i64()),
        (Some("参加组织生活"), Some(1))
    );
    let new = record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-07-09",
        "支部大会",
    )
    .await;
    assert_eq!(
        (new["item_name"].as_str(), new["item_version"].as_i64()),
        (Some("参加“三会一课”"), Some(2))
    );
    let (_, versions, _) =
        send_tagged(app.get("/api/v1/record-catalogue/items/V01/versions", &admin)).await;
    let names: Vec<&str> = versions
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["参加组织生活", "参加“三会一课”"]);
    // The time line shows each record under its own version's name.
    let tid = app
        .state
        .db
        .platform(shuanglian::db::Mode::Read, |tx| {
            Ok(shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county"))
        })
        .await
        .expect("tenant")
        .tenant_id();
    let member = w.member_a.clone();
    let line = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            shuanglian::workflows::records::timeline(tx, &member)
        })
        .await
        .expect("timeline");
    let titles: Vec<(String, String)> = line
        .iter()
        .map(|e| (e.on.to_string(), e.title.clone()))
        .collect();
    assert_eq!(
        titles,
        vec![
            (
                "2026-07-03".to_owned(),
                "参加村（社区）党组织活动：参加组织生活".to_owned()
            ),
            (
                "2026-07-09".to_owned(),
                "参加村（社区）党组织活动：参加“三会一课”".to_owned()
            ),
        ]
    );
    assert!(line.iter().all(|e| e.source == "record"));
    // A used item cannot be deleted (retire it); an unused one can.
    let tag = item_etag(&app, &admin, "V01").await;
    let r = app
        .client
        .delete(app.url("/api/v1/record-catalogue/items/V01"))
        .bearer_auth(&admin)
        .header("If-Match", &tag)
        .send()
        .await
        .expect("delete");
    problem(r, 409, "item_in_use").await;
    let added = app
        .created(
            &admin,
            "/api/v1/record-catalogue/items",
            &json!({ "category": "village", "name": "参加村民代表会议" }),
        )
        .await;
    assert_eq!(added["code"], "V05");
    let r = app
        .post(
            "/api/v1/record-catalogue/items",
            &admin,
            &json!({ "category": "village", "name": "参加村民代表会议" }),
        )
        .send()
        .await
        .expect("dup");
    problem(r, 409, "item_name_taken").await;
    let tag = item_etag(&app, &admin, "V05").await;
    let r = app
        .client
        .delete(app.url("/api/v1/record-catalogue/items/V05"))
        .bearer_auth(&admin)
        .header("If-Match", &tag)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    // A retired item takes no new records; its old records stay.
    let tag = item_etag(&app, &admin, "V01").await;
    let (s, v, tag) = send_tagged(
        app.post(
            "/api/v1/record-catalogue/items/V01/retire",
            &admin,
            &json!({}),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!((s, v["retired"].as_bool()), (200, Some(true)), "{v}");
    let r = app
        .post(
            "/api/v1/records",
            &w.village_rec_a,
            &json!({ "member_id": w.member_a, "item_code": "V01", "recorded_on": "2026-07-10", "content": "x" }),
        )
        .send()
        .await
        .expect("retired");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "item_retired");
    let (s, _, _) =
        send_tagged(app.get(&format!("/api/v1/records/{}", id(&old)), &w.village_rec_a)).await;
    assert_eq!(s, 200);
    let visible = catalogue(&app, &w.village_rec_a).await;
    assert_eq!(item(&visible, "V01")["retired"], true);
    let (_, active, _) = send_tagged(app.get("/api/v1/record-catalogue", &w.village_rec_a)).await;
    assert!(
        !active.to_string().contains("\"V01\""),
        "retired items are hidden by default"
    );
    let (s, v, _) = send_tagged(
        app.post(
            "/api/v1/record-catalogue/items/V01/restore",
            &admin,
            &json!({}),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!((s, v["retired"].as_bool()), (200, Some(false)), "{v}");
}

#[tokio::test]
async fn only_the_responsible_recorder_writes_each_category_for_members_of_its_unit() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let body = |item: &str, member: &str| json!({ "member_id": member, "item_code": item, "recorded_on": "2026-08-01", "content": "记实内容" });
    // A village writing business records, or association ones: 403.
    for (tok, code) in [
        (&w.village_rec_a, "B01"),
        (&w.village_rec_a, "A01"),
        (&w.aic_a, "V01"),
        (&w.aic_a, "R01"),
        (&w.branch_a, "B03"),
        (&w.branch_a, "R02"),
        (&w.town_com_a, "V01"),
        (&w.assoc, "A01"),
        (&w.c.admin_token, "B01"),
    ] {
        let r = app
            .post("/api/v1/records", tok, &body(code, &w.member_a))
            .send()
            .await
            .expect("post");
        problem(r, 403, "not_responsible_recorder").await;
    }
    // Each recorder writes its own categories for a member of its unit.
    let b = record(&app, &w.aic_a, &w.member_a, "B01", "2026-08-01", "经营正常").await;
    assert_eq!(
        (b["category"].as_str(), b["recording_unit_id"].as_str()),
        (Some("business"), Some(w.office_a.as_str()))
    );
    let a = record(
        &app,
        &w.branch_a,
        &w.member_a,
        "A03",
        "2026-08-02",
        "志愿服务",
    )
    .await;
    assert_eq!(a["recording_unit_id"], w.pb_a.as_str());
    let r = record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "R01",
        "2026-08-03",
        "热心公益",
    )
    .await;
    assert_eq!(
        (
            r["category_label"].as_str(),
            r["recording_unit_name"].as_str(),
            r["member_name"].as_str()
        ),
        (Some("居住地表现"), Some("古城村"), Some("王建国"))
    );
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V03",
        "2026-08-04",
        "清扫街道",
    )
    .await;
    // Members outside the unit: another village's, another grid's.
    for (tok, code, member) in [
        (&w.village_rec_a, "V01", &w.member_a2),
        (&w.village_rec_a, "V01", &w.member_b),
        (&w.aic_b, "B01", &w.member_a),
        (&w.branch_b, "A01", &w.member_a),
        (&w.aic_a, "B01", &w.member_b),
    ] {
        let r = app
            .post("/api/v1/records", tok, &body(code, member))
            .send()
            .await
            .expect("post");
        let v = problem(r, 422, "validation_failed").await;
        assert_eq!(fields(&v), vec!["member_id"], "{v}");
    }
    // The township committee sees village A2's member but does not record; a village recorder
    // naming another unit is refused.
    let r = app
        .post(
            "/api/v1/records",
            &w.village_rec_a,
            &json!({ "member_id": w.member_a, "item_code": "V01", "content": "x", "recording_unit_id": w.village_a2 }),
        )
        .send()
        .await
        .expect("post");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "not_your_unit");
    // Bad input names the field.
    let tomorrow = (shuanglian::clock::today() + chrono::Duration::days(1)).to_string();
    for (b, field, code) in [
        (
            json!({ "member_id": w.member_a, "item_code": "V01", "recorded_on": tomorrow, "content": "x" }),
            "recorded_on",
            "date_in_future",
        ),
        (
            json!({ "member_id": w.member_a, "item_code": "V01", "content": "x", "score": 101 }),
            "score",
            "out_of_range",
        ),
        (
            json!({ "member_id": w.member_a, "item_code": "V01", "content": "   " }),
            "content",
            "invalid_text",
        ),
        (
            json!({ "member_id": w.member_a, "item_code": "X99", "content": "x" }),
            "item_code",
            "item_not_found",
        ),
    ] {
        let r = app
            .post("/api/v1/records", &w.village_rec_a, &b)
            .send()
            .await
            .expect("post");
        let v = problem(r, 422, "validation_failed").await;
        assert_eq!(
            (
                v["errors"][0]["field"].as_str(),
                v["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{v}"
        );
    }
    // Today and negative scores are fine.
    let (s, v, _) = send_tagged(app.post(
        "/api/v1/records",
        &w.aic_a,
        &json!({ "member_id": w.member_a, "item_code": "B04", "content": "未明码标价", "score": -5 }),
    ))
    .await;
    assert_eq!((s, v["score"].as_i64()), (201, Some(-5)), "{v}");
    assert_eq!(v["recorded_on"], shuanglian::clock::today().to_string());
    // The member's records: everyone who sees the member or records for them, newest first.
    for tok in [
        &w.village_rec_a,
        &w.aic_a,
        &w.branch_a,
        &w.town_com_a,
        &w.assoc,
        &w.c.admin_token,
    ] {
        let (s, page, _) =
            send_tagged(app.get(&format!("/api/v1/members/{}/records", w.member_a), tok)).await;
        assert_eq!(s, 200, "{page}");
        let dates: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["recorded_on"].as_str().unwrap())
            .collect();
        assert_eq!(dates.len(), 5);
        assert!(dates.windows(2).all(|d| d[0] >= d[1]), "{dates:?}");
    }
    let (_, page, _) = send_tagged(app.get(
        &format!("/api/v1/members/{}/records?category=village", w.member_a),
        &w.village_rec_a,
    ))
    .await;
    let codes: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["V03"]);
    // Pages of two walk the five records once each, newest first.
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let (s, page, _) = send_tagged(app.get(
            &format!(
                "/api/v1/members/{}/records?limit=2&cursor={cursor}",
                w.member_a
            ),
            &w.village_rec_a,
        ))
        .await;
        assert_eq!(s, 200, "{page}");
        for r in page["items"].as_array().unwrap() {
            seen.push(r["item_code"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, vec!["B04", "V03", "R01", "A03", "B01"]);
    // The unit's ledger: its own records only.
    let (_, ledger, _) =
        send_tagged(app.get("/api/v1/records?period=2026Q3", &w.village_rec_a)).await;
    let codes: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["item_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["V03", "R01"]);
}

#[tokio::test]
async fn records_change_only_by_their_unit_and_only_until_the_quarter_is_filed() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let rec = record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-08-01",
        "主题党日",
    )
    .await;
    let path = format!("/api/v1/records/{}", id(&rec));
    let (_, _, tag) = send_tagged(app.get(&path, &w.village_rec_a)).await;
    // Another unit that reads the member (the AIC office of the grid) may not change it.
    let (s, _, _) = send_tagged(app.get(&path, &w.aic_a)).await;
    assert_eq!(s, 200);
    let r = app
        .patch(&path, &w.aic_a, &json!({ "content": "改" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    problem(r, 403, "not_recording_unit").await;
    let r = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&w.town_com_a)
        .header("If-Match", &tag)
        .send()
        .await
        .expect("delete");
    problem(r, 403, "not_recording_unit").await;
    let (s, v, tag) = send_tagged(
        app.patch(
            &path,
            &w.village_rec_a,
            &json!({ "content": "参加主题党日并发言", "score": 3 }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(
        (s, v["content"].as_str(), v["score"].as_i64()),
        (200, Some("参加主题党日并发言"), Some(3)),
        "{v}"
    );
    let (s, v, tag) = send_tagged(
        app.patch(
            &path,
            &w.village_rec_a,
            &json!({ "clear_score": true, "item_code": "V02" }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(
        (s, v["score"].is_null(), v["item_code"].as_str()),
        (200, true, Some("V02")),
        "{v}"
    );
    let r = app
        .patch(&path, &w.village_rec_a, &json!({ "item_code": "B01" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    problem(r, 403, "not_responsible_recorder").await;
    // The quarter is filed: its records close for the village.
    let filing = app
        .created(
            &w.village_rec_a,
            "/api/v1/filings",
            &json!({ "period": "2026Q3" }),
        )
        .await;
    let fid = id(&filing);
    let (s, v, _) = send_tagged(app.post(
        &format!("/api/v1/filings/{fid}/submit"),
        &w.village_rec_a,
        &json!({ "submitted_on": "2026-10-09" }),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let r = app
        .patch(&path, &w.village_rec_a, &json!({ "content": "再改" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    problem(r, 409, "period_filed").await;
    let r = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&w.village_rec_a)
        .header("If-Match", &tag)
        .send()
        .await
        .expect("delete");
    problem(r, 409, "period_filed").await;
    let r = app
        .post(
            "/api/v1/records",
            &w.village_rec_a,
            &json!({ "member_id": w.member_a, "item_code": "V03", "recorded_on": "2026-09-30", "content": "补记" }),
        )
        .send()
        .await
        .expect("post");
    problem(r, 409, "period_filed").await;
    // Moving an open quarter's record into the filed one is refused too.
    let q4 = record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V03",
        "2026-10-01",
        "志愿服务",
    )
    .await;
    let (_, _, q4_tag) =
        send_tagged(app.get(&format!("/api/v1/records/{}", id(&q4)), &w.village_rec_a)).await;
    let r = app
        .patch(
            &format!("/api/v1/records/{}", id(&q4)),
            &w.village_rec_a,
            &json!({ "recorded_on": "2026-09-29" }),
        )
        .header("If-Match", &q4_tag)
        .send()
        .await
        .expect("patch");
    problem(r, 409, "period_filed").await;
    // Other units' records of the quarter stay open.
    record(&app, &w.aic_a, &w.member_a, "B01", "2026-09-30", "经营正常").await;
    // Returned: the village corrects its records again.
    let (s, v, _) = send_tagged(app.post(
        &format!("/api/v1/filings/{fid}/return"),
        &w.town_com_a,
        &json!({ "reason": "请补充记实内容" }),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v, _) = send_tagged(
        app.patch(
            &path,
            &w.village_rec_a,
            &json!({ "content": "参加主题党日，交流经营心得" }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, _, tag) = send_tagged(app.get(&path, &w.village_rec_a)).await;
    let r = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&w.village_rec_a)
        .header("If-Match", &tag)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 204);
    let (s, _, _) = send_tagged(app.get(&path, &w.village_rec_a)).await;
    assert_eq!(s, 404);
}

/// Status of each record endpoint for `tok` on county A's record and member.
async fn statuses(app: &TestApp, tok: &str, w: &World, rec: &str) -> Vec<u16> {
    let path = format!("/api/v1/records/{rec}");
    let mut out = vec![];
    out.push(send_tagged(app.get(&path, tok)).await.0);
    out.push(
        send_tagged(
            app.patch(&path, tok, &json!({ "content": "改" }))
                .header("If-Match", "\"v1\""),
        )
        .await
        .0,
    );
    out.push(
        app.client
            .delete(app.url(&path))
            .bearer_auth(tok)
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("delete")
            .status()
            .as_u16(),
    );
    out.push(
        send_tagged(app.get(&format!("/api/v1/members/{}/records", w.member_a), tok))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(
            &format!("/api/v1/records?recording_unit_id={}", w.village_a),
            tok,
        ))
        .await
        .0,
    );
    out
}

#[tokio::test]
async fn other_counties_and_other_scopes_get_404_on_every_record_endpoint() {
    let app = spawn_app().await;
    let a = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let rec = id(&record(
        &app,
        &a.village_rec_a,
        &a.member_a,
        "V01",
        "2026-08-01",
        "主题党日",
    )
    .await);
    // Another county: its admin and its own village recorder.
    for tok in [&b.c.admin_token, &b.village_rec_a] {
        assert_eq!(statuses(&app, tok, &a, &rec).await, vec![404; 5]);
    }
    // Another scope in the same county: another township's village and committee, another
    // grid's AIC office and branch.
    for tok in [
        &a.village_rec_b,
        &a.town_com_b,
        &a.aic_b,
        &a.branch_b,
        &a.village_rec_a2,
    ] {
        assert_eq!(statuses(&app, tok, &a, &rec).await, vec![404; 5]);
    }
    // Another county's member in a body is unknown here.
    let r = app
        .post(
            "/api/v1/records",
            &b.village_rec_a,
            &json!({ "member_id": a.member_a, "item_code": "V01", "content": "x" }),
        )
        .send()
        .await
        .expect("post");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["member_id"]);
    // Each county edits its own catalogue.
    let tag = item_etag(&app, &a.c.admin_token, "R01").await;
    let (s, _, _) = send_tagged(
        app.patch(
            "/api/v1/record-catalogue/items/R01",
            &a.c.admin_token,
            &json!({ "name": "业余生活" }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        item(&catalogue(&app, &b.c.admin_token).await, "R01")["name"],
        "业余生活表现"
    );
    assert_eq!(
        item(&catalogue(&app, &a.c.admin_token).await, "R01")["name"],
        "业余生活"
    );
    // Unknown codes and ids are 404, not 500.
    let (s, _, _) =
        send_tagged(app.get("/api/v1/record-catalogue/items/ZZ", &a.c.admin_token)).await;
    assert_eq!(s, 404);
    let (s, _, _) = send_tagged(app.get("/api/v1/records/not-an-id", &a.c.admin_token)).await;
    assert_eq!(s, 404);
}
