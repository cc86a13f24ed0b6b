//! Scope holes in the register, one test each: a scoped writer cannot move a member, a
//! township, a market or a roster link out of (or into) their reach, and an export does not
//! hand out what the county's masking policy keeps masked.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{OneGrid, TestApp, fields, id, id_number, problem, spawn_app};

async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value, Option<String>) {
    let r = r.send().await.expect("send");
    let status = r.status();
    let tag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, r.json().await.unwrap_or(Value::Null), tag)
}

async fn created(r: reqwest::RequestBuilder) -> Value {
    let (s, v, _) = send(r).await;
    assert!(s.is_success(), "{s}: {v}");
    v
}

/// (status, first error's field and code): what tells two refusals apart.
fn shape(s: StatusCode, v: &Value) -> (u16, Value, Value, Value) {
    (
        s.as_u16(),
        v["code"].clone(),
        v["errors"][0]["field"].clone(),
        v["errors"][0]["code"].clone(),
    )
}

fn nowhere() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[tokio::test]
async fn updates_and_transfers_in_cannot_move_a_member_out_of_the_writers_subtree() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let b1 = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let pb1 = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&b1))
        .await;
    let b2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let (_, staff) = app.staff(&c, "branch.a", "branch_staff", Some(&b1)).await;
    let base = json!({ "is_owner": true, "business_name": "某店", "membership_status": "full",
                       "distribution": "individual_business", "org_life_unit_id": b1 });
    let with = |name: &str, extra: Value| {
        let mut b = base.clone();
        b["name"] = json!(name);
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let m = created(app.post(
        "/api/v1/members",
        &staff,
        &with("甲", json!({ "membership_unit_id": b1 })),
    ))
    .await;
    let mid = id(&m);
    let path = format!("/api/v1/members/{mid}");

    // PATCH: the unit it is moved to must be within the writer's subtree, as on create; one
    // outside answers as a unit that does not exist.
    let (s, v, _) = send(
        app.patch(&path, &staff, &json!({ "org_life_unit_id": b2 }))
            .header("If-Match", "\"v1\""),
    )
    .await;
    let (s2, v2, _) = send(
        app.patch(&path, &staff, &json!({ "org_life_unit_id": nowhere() }))
            .header("If-Match", "\"v1\""),
    )
    .await;
    assert_eq!(shape(s, &v), shape(s2, &v2), "{v} vs {v2}");
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), vec!["org_life_unit_id"]);
    assert_eq!(v["errors"][0]["code"], "org_unit_not_found");
    let (_, now, tag) = send(app.get(&path, &c.admin_token)).await;
    assert_eq!(
        (now["org_life_unit_id"].as_str(), tag.as_deref()),
        (Some(b1.as_str()), Some("\"v1\""))
    );
    // Within the subtree it is an ordinary update; the county admin may move it anywhere.
    let (s, v, _) = send(
        app.patch(&path, &staff, &json!({ "org_life_unit_id": pb1 }))
            .header("If-Match", "\"v1\""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = send(
        app.patch(&path, &c.admin_token, &json!({ "org_life_unit_id": b2 }))
            .header("If-Match", "\"v2\""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Transfer in: the membership comes from outside the county to a unit of the writer's.
    let f = created(app.post(
        "/api/v1/members",
        &staff,
        &with("乙", json!({ "membership_org_name": "江西省某村党支部" })),
    ))
    .await;
    let fid = id(&f);
    let transfer = |to: &str| json!({ "change": "transfer_in", "on": "2026-10-02", "from_org": "江西省某村党支部", "to_unit_id": to });
    let url = format!("/api/v1/members/{fid}/status-changes");
    let (s, v, _) = send(app.post(&url, &staff, &transfer(&b2))).await;
    let (s2, v2, _) = send(app.post(&url, &staff, &transfer(&nowhere()))).await;
    assert_eq!(shape(s, &v), shape(s2, &v2), "{v} vs {v2}");
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), vec!["to_unit_id"]);
    assert_eq!(v["errors"][0]["code"], "org_unit_not_found");
    let (_, now, _) = send(app.get(&format!("/api/v1/members/{fid}"), &c.admin_token)).await;
    assert!(
        now.get("membership_unit_id").is_none_or(Value::is_null),
        "{now}"
    );
    assert_eq!(now["category"], "floating", "{now}");
    let (s, v, _) = send(app.post(&url, &staff, &transfer(&pb1))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn an_aic_recorder_cannot_take_townships_or_link_its_market_to_another_grid() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let admin = &c.admin_token;
    let office_a = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let office_b = app.org_unit(&c, "aic_office", "孝丰工商所", None).await;
    let town1 = app.org_unit(&c, "township", "递铺街道", None).await;
    let town2 = app.org_unit(&c, "township", "孝丰镇", None).await;
    let grid = |name: &str, office: &str| json!({ "name": name, "aic_office_id": office });
    let ga = app.grid(&c, "递铺网格", &office_a, None, &[]).await;
    let gb = app.grid(&c, "孝丰网格", &office_b, None, &[&town2]).await;
    let (_, rec_a) = app
        .staff(&c, "aic.a", "aic_recorder", Some(&office_a))
        .await;
    let towns_of = |g: String| {
        let app = &app;
        async move {
            let (_, v, _) = send(app.get(&format!("/api/v1/grids/{g}"), admin)).await;
            let mut t: Vec<String> = v["townships"]
                .as_array()
                .expect("townships")
                .iter()
                .map(|t| t["township_id"].as_str().expect("id").to_owned())
                .collect();
            t.sort();
            t
        }
    };

    // Which townships a grid serves is the county's decision: the recorder cannot take B's
    // township into its own grid (nor add a free one), nor take one out.
    for t in [&town2, &town1] {
        let r = app
            .post(
                &format!("/api/v1/grids/{ga}/townships"),
                &rec_a,
                &json!({ "township_id": t }),
            )
            .send()
            .await
            .expect("assign");
        problem(r, 403, "forbidden").await;
    }
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/grids/{gb}/townships/{town2}")))
        .bearer_auth(&rec_a)
        .send()
        .await
        .expect("unassign");
    problem(r, 403, "forbidden").await;
    assert_eq!(towns_of(gb.clone()).await, vec![town2.clone()]);
    assert!(towns_of(ga.clone()).await.is_empty());
    // Another office's grid is not one the recorder can change: as if it did not exist.
    let r = app
        .patch(
            &format!("/api/v1/grids/{gb}"),
            &rec_a,
            &json!({ "name": "改名" }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("patch");
    problem(r, 404, "not_found").await;
    let (s1, v1, _) = send(app.post("/api/v1/grids", &rec_a, &grid("抢建", &office_b))).await;
    let (s2, v2, _) = send(app.post("/api/v1/grids", &rec_a, &grid("抢建", &nowhere()))).await;
    assert_eq!(shape(s1, &v1), shape(s2, &v2), "{v1} vs {v2}");
    assert_eq!(v1["errors"][0]["code"], "org_unit_not_found", "{v1}");
    // The county admin still assigns.
    created(app.post(
        &format!("/api/v1/grids/{ga}/townships"),
        admin,
        &json!({ "township_id": town1 }),
    ))
    .await;
    assert_eq!(towns_of(ga.clone()).await, vec![town1.clone()]);

    // The recorder's market links only to a grid the recorder reaches; another office's grid
    // answers as one that does not exist, and the market keeps its grid.
    let m = created(app.post(
        "/api/v1/markets",
        admin,
        &json!({ "name": "递铺农贸市场", "aic_office_id": office_a, "grid_id": ga }),
    ))
    .await;
    let mid = id(&m);
    let path = format!("/api/v1/markets/{mid}");
    let (_, _, tag) = send(app.get(&path, &rec_a)).await;
    let tag = tag.expect("etag");
    let (s1, v1, _) = send(
        app.patch(&path, &rec_a, &json!({ "grid_id": gb }))
            .header("If-Match", &tag),
    )
    .await;
    let (s2, v2, _) = send(
        app.patch(&path, &rec_a, &json!({ "grid_id": nowhere() }))
            .header("If-Match", &tag),
    )
    .await;
    assert_eq!(shape(s1, &v1), shape(s2, &v2), "{v1} vs {v2}");
    assert_eq!(
        (s1.as_u16(), v1["errors"][0]["code"].as_str()),
        (422, Some("grid_not_found")),
        "{v1}"
    );
    let (_, now, _) = send(app.get(&path, admin)).await;
    assert_eq!(now["grid_id"], ga.as_str(), "{now}");
    let (s, v, _) = send(
        app.patch(&path, &rec_a, &json!({ "grid_id": ga, "stall_count": 12 }))
            .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn roster_links_outside_the_maintainers_reach_answer_as_missing_ids() {
    let app = spawn_app().await;
    let OneGrid {
        c,
        committee,
        branch: b1,
        party_branch: pb1,
        town,
        village,
        grid,
        ..
    } = app.one_grid().await;
    let admin = &c.admin_token;
    let b2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let town2 = app.org_unit(&c, "township", "孝丰镇", None).await;
    let village2 = app.org_unit(&c, "village", "孝丰村", Some(&town2)).await;
    let (maint, tok) = app.staff(&c, "branch.one", "branch_staff", Some(&b1)).await;
    let gid = id(&created(app.post(
        "/api/v1/qq-groups",
        admin,
        &json!({ "name": "递铺网格党建QQ群", "grid_id": grid, "maintainer_id": maint }),
    ))
    .await);
    let member = |name: &str, unit: &str| {
        json!({ "name": name, "is_owner": true, "business_name": "某店", "membership_status": "full",
                "distribution": "individual_business", "membership_unit_id": unit })
    };
    let mine = id(&created(app.post("/api/v1/members", admin, &member("甲", &village))).await);
    let theirs = id(&created(app.post("/api/v1/members", admin, &member("乙", &b2))).await);
    let far = id(&created(app.post("/api/v1/members", admin, &member("丙", &village2))).await);

    let roster = format!("/api/v1/qq-groups/{gid}/roster");
    let entry = |qq: &str, link: Value| {
        let mut b = json!({ "real_name": "某人", "role": "member", "qq": qq });
        for (k, v) in link.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    // Out of reach and not existing: the same answer, and nothing written.
    for (field, out_of_reach) in [
        ("org_unit_id", town2.clone()),
        ("org_unit_id", village2.clone()),
        ("org_unit_id", b2.clone()),
        ("member_id", theirs.clone()),
        ("member_id", far.clone()),
    ] {
        let (s1, v1, _) = send(app.post(
            &roster,
            &tok,
            &entry("123456789", json!({ field: out_of_reach })),
        ))
        .await;
        let (s2, v2, _) = send(app.post(
            &roster,
            &tok,
            &entry("123456789", json!({ field: nowhere() })),
        ))
        .await;
        assert_eq!(shape(s1, &v1), shape(s2, &v2), "{field}: {v1} vs {v2}");
        assert_eq!(
            (s1.as_u16(), fields(&v1)),
            (422, vec![field.to_owned()]),
            "{v1}"
        );
    }
    let (_, list, _) = send(app.get(&roster, &tok)).await;
    assert!(
        list["items"].as_array().expect("items").is_empty(),
        "{list}"
    );
    // Within reach: the maintainer's branch, the grid's township and its villages, and the
    // members held there.
    for link in [
        json!({ "org_unit_id": village }),
        json!({ "org_unit_id": town }),
        json!({ "org_unit_id": pb1 }),
        json!({ "member_id": mine }),
    ] {
        let qq = format!("{}", 100_000_000 + rand_suffix(&link));
        created(app.post(&roster, &tok, &entry(&qq, link))).await;
    }
    // An update is held to the same rule; the entry keeps its link.
    let (_, list, _) = send(app.get(&roster, &tok)).await;
    let e = &list["items"][0];
    let url = format!("{roster}/{}", e["id"].as_str().expect("id"));
    let (_, _, tag) = send(app.get(&url, &tok)).await;
    let tag = tag.expect("etag");
    for (field, other) in [("org_unit_id", &town2), ("member_id", &theirs)] {
        let (s1, v1, _) = send(
            app.patch(&url, &tok, &json!({ field: other }))
                .header("If-Match", &tag),
        )
        .await;
        let (s2, v2, _) = send(
            app.patch(&url, &tok, &json!({ field: nowhere() }))
                .header("If-Match", &tag),
        )
        .await;
        assert_eq!(shape(s1, &v1), shape(s2, &v2), "{v1} vs {v2}");
        assert_eq!(s1, StatusCode::UNPROCESSABLE_ENTITY, "{v1}");
    }
    let (_, after, tag2) = send(app.get(&url, &tok)).await;
    assert_eq!(tag2.as_deref(), Some(tag.as_str()));
    assert_eq!(after["org_unit_id"], e["org_unit_id"], "{after}");
    // The county admin links anywhere in the county.
    created(app.post(
        &roster,
        admin,
        &entry(
            "987654321",
            json!({ "org_unit_id": town2, "member_id": theirs }),
        ),
    ))
    .await;
}

/// A stable small number from a JSON value (distinct QQ numbers per entry).
fn rand_suffix(v: &Value) -> u64 {
    v.to_string()
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 800_000_000
}

fn cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Requests a personal export as `tok`, has the county admin approve it, downloads it; returns
/// the stamp and the data row of the one member (header row looked up by name).
async fn personal_export(app: &TestApp, tok: &str, admin: &str) -> (String, Vec<(String, String)>) {
    let e = created(app.post(
        "/api/v1/member-exports",
        tok,
        &json!({ "personal": true, "reason": "核对联系方式" }),
    ))
    .await;
    let eid = id(&e);
    created(app.post(
        &format!("/api/v1/member-exports/{eid}/approve"),
        admin,
        &json!({}),
    ))
    .await;
    let r = app
        .get(&format!("/api/v1/member-exports/{eid}/download"), tok)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), StatusCode::OK);
    let rows = cells(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(rows.len(), 3, "stamp, header, one member: {rows:?}");
    let row = rows[1]
        .iter()
        .cloned()
        .zip(rows[2].iter().cloned())
        .collect();
    (rows[0][0].clone(), row)
}

fn cell<'a>(row: &'a [(String, String)], header_part: &str) -> &'a str {
    row.iter()
        .find(|(h, _)| h.contains(header_part))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no column {header_part}: {row:?}"))
}

#[tokio::test]
async fn a_personal_export_keeps_masked_what_the_policy_masks_for_the_role() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let admin = &c.admin_token;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let (_, admin2) = app.staff(&c, "admin2", "county_admin", None).await;
    let idn = id_number("330523", "19800101", "123");
    created(app.post(
        "/api/v1/members",
        admin,
        &json!({ "name": "王建国", "id_number": idn, "phone": "13812345678", "home_address": "某路1号",
                 "is_owner": true, "business_name": "王记", "membership_unit_id": town,
                 "membership_status": "full", "distribution": "individual_business" }),
    ))
    .await;
    let (_, clerk) = app
        .staff(&c, "clerk", "township_committee", Some(&town))
        .await;

    // By default a township committee sees every identifier masked: so does its export.
    let (stamp, row) = personal_export(&app, &clerk, &admin2).await;
    assert_eq!(cell(&row, "手机"), "138****5678", "{row:?}");
    assert_ne!(cell(&row, "身份证"), idn);
    assert!(cell(&row, "身份证").contains('*'), "{row:?}");
    assert!(!cell(&row, "住址").contains("某路1号"), "{row:?}");
    assert!(stamp.contains("个人信息已脱敏"), "{stamp}");
    let text = format!("{row:?}");
    assert!(
        !text.contains("13812345678") && !text.contains(&idn),
        "{text}"
    );

    // Unmasking on request lets an approved export carry the phone (the approval is the
    // request); the fields still masked stay so.
    let r = app
        .client
        .put(app.url("/api/v1/privacy/masking-policy"))
        .bearer_auth(admin)
        .json(&json!({ "entries": [{ "role": "township_committee", "field": "phone", "visibility": "on_request" }] }))
        .send()
        .await
        .expect("policy");
    assert!(r.status().is_success(), "{}", r.status());
    let (stamp, row) = personal_export(&app, &clerk, &admin2).await;
    assert_eq!(cell(&row, "手机"), "13812345678", "{row:?}");
    assert_ne!(cell(&row, "身份证"), idn);
    assert!(stamp.contains("含个人信息明文"), "{stamp}");
    // A county admin (on request by default) gets them all, once another admin approves.
    let (_, row) = personal_export(&app, admin, &admin2).await;
    assert_eq!(
        (cell(&row, "手机"), cell(&row, "身份证"), cell(&row, "住址")),
        ("13812345678", idn.as_str(), "某路1号")
    );
}
