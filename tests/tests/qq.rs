//! Real-name QQ groups: groups per grid or region and who sees and changes them, rosters with
//! encrypted QQ numbers, imports of the actual member list (paste, xlsx, CSV in UTF-8 and
//! GB18030) and their diff, the join deadline and who is late, the roster history, isolation,
//! and that QQ numbers stay out of the tables and the logs.

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};
use shuanglian_tests::{County, OneGrid, TestApp, fields, id, problem, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Everything the server and the harness log while this binary runs, at every level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buf
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn send(r: RequestBuilder) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let r = r.send().await.expect("send");
    let status = r.status();
    let headers = r.headers().clone();
    let v = r.json().await.unwrap_or(Value::Null);
    (status, v, headers)
}

async fn ok(r: RequestBuilder, expected: u16) -> Value {
    let (s, v, _) = send(r).await;
    assert_eq!(s.as_u16(), expected, "{v}");
    v
}

fn del(app: &TestApp, path: &str, tok: &str) -> RequestBuilder {
    app.client.delete(app.url(path)).bearer_auth(tok)
}

fn names(v: &Value, key: &str) -> Vec<String> {
    let mut n: Vec<String> = v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|i| i[key].as_str().expect("str").to_owned())
        .collect();
    n.sort();
    n
}

/// A county with two branches, a grid (AIC office, branch 1's party branch, township 1) and a
/// second township, staff bound across it, and a neighbouring county.
struct World {
    c: County,
    other: County,
    town: String,
    town2: String,
    grid: String,
    maint1: (String, String),
    maint2: (String, String),
    village: String,
    village_tok: String,
    assoc_tok: String,
    aic_tok: String,
    pb2: String,
}

async fn world(app: &TestApp) -> World {
    let OneGrid {
        c,
        committee,
        branch: b1,
        office,
        town,
        village,
        grid,
        ..
    } = app.one_grid().await;
    let other = app.county("330522", "长兴县").await;
    let b2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let pb2 = app
        .org_unit(&c, "party_branch", "孝丰分会第一支部", Some(&b2))
        .await;
    let town2 = app.org_unit(&c, "township", "孝丰镇", None).await;
    let maint1 = app.staff(&c, "branch.one", "branch_staff", Some(&b1)).await;
    let maint2 = app.staff(&c, "branch.two", "branch_staff", Some(&b2)).await;
    let (_, village_tok) = app
        .staff(&c, "village.one", "village_recorder", Some(&village))
        .await;
    let (_, assoc_tok) = app
        .staff(&c, "assoc.one", "association_committee", None)
        .await;
    let (_, aic_tok) = app
        .staff(&c, "aic.one", "aic_recorder", Some(&office))
        .await;
    World {
        c,
        other,
        town,
        town2,
        grid,
        maint1,
        maint2,
        village,
        village_tok,
        assoc_tok,
        aic_tok,
        pb2,
    }
}

/// The grid's group, kept by branch 1's staff member.
async fn grid_group(app: &TestApp, w: &World) -> String {
    let v = ok(
        app.post(
            "/api/v1/qq-groups",
            &w.c.admin_token,
            &json!({ "name": "递铺网格实名制党建QQ群", "group_number": "612345678", "grid_id": w.grid, "maintainer_id": w.maint1.0 }),
        ),
        201,
    )
    .await;
    id(&v)
}

async fn add(app: &TestApp, tok: &str, gid: &str, body: Value) -> Value {
    ok(
        app.post(&format!("/api/v1/qq-groups/{gid}/roster"), tok, &body),
        201,
    )
    .await
}

async fn etag(app: &TestApp, tok: &str, path: &str) -> String {
    let r = app.get(path, tok).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.headers()["etag"].to_str().expect("etag").to_owned()
}

async fn snapshot_count(app: &TestApp, tok: &str, gid: &str) -> usize {
    let v = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/snapshots"), tok),
        200,
    )
    .await;
    v["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn groups_are_scoped_and_only_the_admin_and_maintainer_change_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    // Creation: idempotent, validated, by the right roles.
    let body =
        json!({ "name": "递铺网格实名制党建QQ群", "grid_id": w.grid, "maintainer_id": w.maint1.0 });
    let (s, g1, h) = send(
        app.post("/api/v1/qq-groups", admin, &body)
            .header("Idempotency-Key", "qq-1"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{g1}");
    assert_eq!(h["etag"], "\"v1\"");
    let g1 = id(&g1);
    let (s, again, h) = send(
        app.post("/api/v1/qq-groups", admin, &body)
            .header("Idempotency-Key", "qq-1"),
    )
    .await;
    assert_eq!((s, id(&again)), (StatusCode::CREATED, g1.clone()));
    assert_eq!(h["idempotent-replayed"], "true");
    let g2 = id(&ok(
        app.post("/api/v1/qq-groups", admin, &json!({ "name": "孝丰镇党建QQ群", "org_unit_id": w.town2, "maintainer_id": w.maint2.0 })),
        201,
    )
    .await);
    let g3 = id(&ok(
        app.post(
            "/api/v1/qq-groups",
            &w.maint2.1,
            &json!({ "name": "孝丰分会支部群", "org_unit_id": w.pb2, "maintainer_id": w.maint2.0 }),
        ),
        201,
    )
    .await);
    problem(
        app.post(
            "/api/v1/qq-groups",
            &w.maint2.1,
            &json!({ "name": "代建的群", "org_unit_id": w.pb2, "maintainer_id": w.maint1.0 }),
        )
        .send()
        .await
        .expect("s"),
        403,
        "forbidden",
    )
    .await;
    for tok in [&w.village_tok, &w.assoc_tok, &w.aic_tok] {
        problem(
            app.post("/api/v1/qq-groups", tok, &body)
                .send()
                .await
                .expect("s"),
            403,
            "forbidden",
        )
        .await;
    }
    let users = ok(app.get("/api/v1/users?limit=200", admin), 200).await;
    let village_id = users["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "village.one")
        .map(id)
        .expect("village user");
    for (b, field, code) in [
        (
            json!({ "name": "两者都有", "grid_id": w.grid, "org_unit_id": w.town, "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_or_unit_required",
        ),
        (
            json!({ "name": "两者都无", "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_or_unit_required",
        ),
        (
            json!({ "name": "不存在的网格", "grid_id": uuid::Uuid::now_v7().to_string(), "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_not_found",
        ),
        (
            json!({ "name": "村里维护", "grid_id": w.grid, "maintainer_id": village_id }),
            "maintainer_id",
            "not_branch_staff",
        ),
        (
            json!({ "name": "无人维护", "grid_id": w.grid, "maintainer_id": uuid::Uuid::now_v7().to_string() }),
            "maintainer_id",
            "user_not_found",
        ),
        (
            json!({ "name": "群号错", "group_number": "012345", "grid_id": w.grid, "maintainer_id": w.maint1.0 }),
            "group_number",
            "invalid_qq",
        ),
    ] {
        let (s, v, _) = send(app.post("/api/v1/qq-groups", admin, &b)).await;
        assert_eq!(s.as_u16(), 422, "{b}: {v}");
        assert_eq!(fields(&v), vec![field], "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    // Who sees what.
    let list = |tok: String| {
        let app = &app;
        async move { names(&ok(app.get("/api/v1/qq-groups", &tok), 200).await, "id") }
    };
    let mut all = vec![g1.clone(), g2.clone(), g3.clone()];
    all.sort();
    assert_eq!(list(admin.clone()).await, all);
    assert_eq!(list(w.assoc_tok.clone()).await, all);
    assert_eq!(
        list(w.maint1.1.clone()).await,
        vec![g1.clone()],
        "branch 1: its party branch's grid"
    );
    let mut two = vec![g2.clone(), g3.clone()];
    two.sort();
    assert_eq!(
        list(w.maint2.1.clone()).await,
        two,
        "branch 2: what it keeps"
    );
    assert_eq!(
        list(w.village_tok.clone()).await,
        vec![g1.clone()],
        "a village: its township's grid"
    );
    assert_eq!(
        list(w.aic_tok.clone()).await,
        vec![g1.clone()],
        "the AIC office: its grid"
    );
    let v = ok(
        app.get(&format!("/api/v1/qq-groups?grid_id={}", w.grid), admin),
        200,
    )
    .await;
    assert_eq!(names(&v, "id"), vec![g1.clone()]);
    let v = ok(app.get("/api/v1/qq-groups?grid_id=nope", admin), 200).await;
    assert!(v["items"].as_array().expect("items").is_empty());
    // Pages.
    let v = ok(app.get("/api/v1/qq-groups?limit=2", admin), 200).await;
    let next = v["next_cursor"].as_str().expect("cursor").to_owned();
    let v = ok(
        app.get(&format!("/api/v1/qq-groups?limit=2&cursor={next}"), admin),
        200,
    )
    .await;
    assert_eq!(v["items"].as_array().expect("items").len(), 1);
    // Reading and changing one group.
    let path = format!("/api/v1/qq-groups/{g1}");
    assert_eq!(
        ok(app.get(&path, &w.village_tok), 200).await["maintainer_id"],
        w.maint1.0.as_str()
    );
    problem(
        app.get(&path, &w.maint2.1).send().await.expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&path, &w.other.admin_token)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    let rename = json!({ "name": "递铺网格党建群" });
    for (tok, status, code) in [
        (&w.village_tok, 403, "forbidden"),
        (&w.assoc_tok, 403, "forbidden"),
        (&w.maint2.1, 404, "not_found"),
        (&w.other.admin_token, 404, "not_found"),
    ] {
        let r = app
            .patch(&path, tok, &rename)
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("p");
        problem(r, status, code).await;
        for action in ["deactivate", "reactivate"] {
            let r = app
                .post(&format!("{path}/{action}"), tok, &json!({}))
                .send()
                .await
                .expect("d");
            problem(r, status, code).await;
        }
    }
    assert!(
        list(w.other.admin_token.clone()).await.is_empty(),
        "another county lists none"
    );
    problem(
        app.patch(&path, &w.maint1.1, &rename)
            .send()
            .await
            .expect("p"),
        428,
        "if_match_required",
    )
    .await;
    let v = ok(
        app.patch(&path, &w.maint1.1, &rename)
            .header("If-Match", "\"v1\""),
        200,
    )
    .await;
    assert_eq!(v["name"], "递铺网格党建群");
    let (s, _, h) = send(
        app.patch(&path, &w.maint1.1, &rename)
            .header("If-Match", "\"v2\""),
    )
    .await;
    assert_eq!(
        (s, h["etag"].to_str().expect("e")),
        (StatusCode::OK, "\"v2\""),
        "no change, no new version"
    );
    problem(
        app.patch(&path, admin, &json!({ "name": "又改" }))
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    // Deactivated groups keep their roster frozen.
    let v = ok(
        app.post(&format!("{path}/deactivate"), &w.maint1.1, &json!({})),
        200,
    )
    .await;
    assert_eq!(v["active"], false);
    let r = app
        .post(
            &format!("{path}/roster"),
            &w.maint1.1,
            &json!({ "real_name": "张三", "role": "member", "qq": "123456789" }),
        )
        .send()
        .await
        .expect("a");
    problem(r, 409, "group_inactive").await;
    problem(
        app.post(&format!("{path}/deactivate"), admin, &json!({}))
            .send()
            .await
            .expect("d"),
        409,
        "status_unchanged",
    )
    .await;
    let v = ok(app.get("/api/v1/qq-groups?active=false", admin), 200).await;
    assert_eq!(names(&v, "id"), vec![g1.clone()]);
    ok(
        app.post(&format!("{path}/reactivate"), admin, &json!({})),
        200,
    )
    .await;
    // Handing the group over moves it out of branch 1's hands.
    let tag = etag(&app, admin, &path).await;
    let v = ok(
        app.patch(&path, admin, &json!({ "maintainer_id": w.maint2.0 }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(v["maintainer_id"], w.maint2.0.as_str());
    let tag = etag(&app, admin, &path).await;
    let r = app
        .patch(&path, &w.maint1.1, &json!({ "name": "旧维护人改名" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    problem(r, 403, "forbidden").await;
    assert!(
        list(w.maint2.1.clone()).await.contains(&g1),
        "the new maintainer sees it"
    );
    // The history and the audit log both tell.
    let h = ok(app.get(&format!("{path}/history"), admin), 200).await;
    let actions: Vec<&str> = h["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "group.create",
            "group.update",
            "group.deactivate",
            "group.reactivate",
            "group.update"
        ]
    );
    assert_eq!(
        h["items"][4]["changes"]["maintainer_id"]["new"],
        w.maint2.0.as_str()
    );
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={g1}"), admin),
        200,
    )
    .await;
    let text = a.to_string();
    assert!(
        text.contains("qq_group.create") && text.contains("qq_group.deactivate"),
        "{text}"
    );
}

#[tokio::test]
async fn roster_entries_are_encrypted_masked_found_exactly_and_kept_in_history() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    let gid = grid_group(&app, &w).await;
    let base = format!("/api/v1/qq-groups/{gid}/roster");
    let m = &w.maint1.1;
    let e1 = add(&app, m, &gid, json!({ "real_name": "张三", "role": "township_organiser", "qq": "123456789", "org_unit_id": w.town, "verified": true, "joined_on": "2025-04-01" })).await;
    assert_eq!(e1["qq_masked"], "12*****89");
    assert_eq!(e1["verified"], true);
    assert!(!e1.to_string().contains("123456789"), "{e1}");
    // Full-width digits are the same number.
    let e2 = add(&app, m, &gid, json!({ "real_name": "李四", "role": "village_organiser", "qq": "２３４５６７８９", "org_unit_id": w.village })).await;
    assert_eq!(e2["qq_masked"], "23****89");
    assert_eq!(e2["verified"], false);
    let e3 = add(
        &app,
        admin,
        &gid,
        json!({ "real_name": "王五", "role": "member", "qq": "34567890" }),
    )
    .await;
    let r = app
        .post(
            &base,
            m,
            &json!({ "real_name": "重复", "role": "member", "qq": "23456789" }),
        )
        .send()
        .await
        .expect("d");
    problem(r, 409, "duplicate_qq").await;
    for (b, field, code) in [
        (
            json!({ "real_name": "坏号", "role": "member", "qq": "0123" }),
            "qq",
            "invalid_qq",
        ),
        (
            json!({ "real_name": " ", "role": "member", "qq": "99988877" }),
            "real_name",
            "invalid_display_name",
        ),
        (
            json!({ "real_name": "未来", "role": "member", "qq": "99988877", "joined_on": "2999-01-01" }),
            "joined_on",
            "future_date",
        ),
        (
            json!({ "real_name": "无党员", "role": "member", "qq": "99988877", "member_id": uuid::Uuid::now_v7().to_string() }),
            "member_id",
            "member_not_found",
        ),
        (
            json!({ "real_name": "无组织", "role": "member", "qq": "99988877", "org_unit_id": uuid::Uuid::now_v7().to_string() }),
            "org_unit_id",
            "org_unit_not_found",
        ),
    ] {
        let (s, v, _) = send(app.post(&base, m, &b)).await;
        assert_eq!(s.as_u16(), 422, "{b}: {v}");
        assert_eq!(fields(&v), vec![field], "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    let r = app
        .post(
            &base,
            m,
            &json!({ "real_name": "错角色", "role": "boss", "qq": "99988877" }),
        )
        .send()
        .await
        .expect("r");
    problem(r, 400, "malformed_request").await;
    // Exact lookup through the blind index; filters.
    let find = |q: &str| {
        let (app, url, tok) = (&app, format!("{base}?{q}"), admin.clone());
        async move { names(&ok(app.get(&url, &tok), 200).await, "real_name") }
    };
    assert_eq!(find("qq=123456789").await, vec!["张三"]);
    assert_eq!(
        find("qq=%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99").await,
        vec!["李四"]
    );
    assert!(find("qq=999999999").await.is_empty());
    assert_eq!(find("verified=false").await, vec!["李四", "王五"]);
    assert_eq!(find("role=township_organiser").await, vec!["张三"]);
    let v = problem(
        app.get(&format!("{base}?qq=12ab"), admin)
            .send()
            .await
            .expect("l"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["qq"]);
    // Edits need the current ETag; the history shows old → new, QQ numbers masked.
    let p1 = format!("{base}/{}", id(&e1));
    let tag = etag(&app, m, &p1).await;
    let v = ok(
        app.patch(&p1, m, &json!({ "qq": "223456789", "verified": false }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(v["qq_masked"], "22*****89");
    problem(
        app.patch(&p1, m, &json!({ "real_name": "张三丰" }))
            .header("If-Match", &tag)
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    // Two edits from the same ETag at once: one wins, the other is told, nothing is lost.
    let tag = etag(&app, m, &p1).await;
    let (a, b) = tokio::join!(
        send(
            app.patch(&p1, m, &json!({ "real_name": "张三甲" }))
                .header("If-Match", &tag)
        ),
        send(
            app.patch(&p1, admin, &json!({ "real_name": "张三乙" }))
                .header("If-Match", &tag)
        ),
    );
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{} {}", a.1, b.1);
    let winner = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
    assert_eq!(
        ok(app.get(&p1, admin), 200).await["real_name"],
        winner["real_name"]
    );
    let tag = etag(&app, m, &p1).await;
    ok(
        app.patch(&p1, m, &json!({ "real_name": "张三" }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(find("qq=223456789").await, vec!["张三"]);
    assert!(find("qq=123456789").await.is_empty());
    let p3 = format!("{base}/{}", id(&e3));
    problem(
        del(&app, &p3, m).send().await.expect("d"),
        428,
        "if_match_required",
    )
    .await;
    let tag3 = etag(&app, m, &p3).await;
    let r = del(&app, &p3, m)
        .header("If-Match", &tag3)
        .send()
        .await
        .expect("d");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(app.get(&p3, m).send().await.expect("g"), 404, "not_found").await;
    let h = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/history"), admin),
        200,
    )
    .await;
    let text = h.to_string();
    for clear in ["123456789", "223456789", "23456789", "34567890"] {
        assert!(
            !text.contains(&format!("\"{clear}\"")),
            "{clear} in the history: {text}"
        );
    }
    let items = h["items"].as_array().expect("items");
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "group.create",
            "entry.add",
            "entry.add",
            "entry.add",
            "entry.update",
            "entry.update",
            "entry.update",
            "entry.remove"
        ]
    );
    let upd = &items[4];
    assert_eq!(upd["entry_id"], id(&e1).as_str());
    assert_eq!(upd["actor_id"], w.maint1.0.as_str());
    assert_eq!(
        upd["changes"]["qq"],
        json!({ "old": "12*****89", "new": "22*****89" })
    );
    assert_eq!(
        upd["changes"]["verified"],
        json!({ "old": true, "new": false })
    );
    assert!(
        upd["changes"].get("real_name").is_none(),
        "unchanged fields are not listed"
    );
    assert_eq!(items[6]["changes"]["real_name"]["new"], "张三");
    assert_eq!(items[7]["changes"]["real_name"], json!({ "old": "王五" }));
    let only = ok(
        app.get(
            &format!("/api/v1/qq-groups/{gid}/history?entry_id={}", id(&e1)),
            admin,
        ),
        200,
    )
    .await;
    assert_eq!(only["items"].as_array().expect("items").len(), 4);
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={}", id(&e1)), admin),
        200,
    )
    .await;
    let atext = a.to_string();
    assert!(
        atext.contains("qq_roster.update")
            && atext.contains("\"qq\"")
            && !atext.contains("223456789"),
        "{atext}"
    );
    // Seeing a number in clear: the county admin, with a reason, audited, never cached.
    let un = format!("{p1}/unmask");
    problem(
        app.post(&un, admin, &json!({ "reason": "  " }))
            .send()
            .await
            .expect("u"),
        422,
        "validation_failed",
    )
    .await;
    let (s, v, h) = send(app.post(&un, admin, &json!({ "reason": "核对入群身份" }))).await;
    assert_eq!((s, v["qq"].as_str()), (StatusCode::OK, Some("223456789")));
    assert_eq!(h["cache-control"], "no-store");
    problem(
        app.post(&un, m, &json!({ "reason": "想看看号码" }))
            .send()
            .await
            .expect("u"),
        403,
        "unmask_not_allowed",
    )
    .await;
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={}", id(&e1)), admin),
        200,
    )
    .await;
    let entry = a["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "qq_roster.unmask")
        .expect("unmask audited")
        .clone();
    assert_eq!(entry["reason"], "核对入群身份");
    // Who may change the roster: the admin and the maintainer; others who see the group get
    // 403, those who do not (another branch, another county) 404.
    let p2 = format!("{base}/{}", id(&e2));
    let tag2 = etag(&app, admin, &p2).await;
    for (tok, status, code) in [
        (w.village_tok.clone(), 403, "forbidden"),
        (w.assoc_tok.clone(), 403, "forbidden"),
        (w.aic_tok.clone(), 403, "forbidden"),
        (w.maint2.1.clone(), 404, "not_found"),
        (w.other.admin_token.clone(), 404, "not_found"),
    ] {
        let r = app
            .post(
                &base,
                &tok,
                &json!({ "real_name": "某", "role": "member", "qq": "88877766" }),
            )
            .send()
            .await
            .expect("a");
        problem(r, status, code).await;
        let r = app
            .patch(&p2, &tok, &json!({ "verified": true }))
            .header("If-Match", &tag2)
            .send()
            .await
            .expect("p");
        problem(r, status, code).await;
        let r = del(&app, &p2, &tok)
            .header("If-Match", &tag2)
            .send()
            .await
            .expect("d");
        problem(r, status, code).await;
        let r = app
            .post(
                &format!("/api/v1/qq-groups/{gid}/snapshots"),
                &tok,
                &json!({ "text": "23456789 李四" }),
            )
            .send()
            .await
            .expect("i");
        problem(r, status, code).await;
        let r = app
            .client
            .post(app.url(&format!("/api/v1/qq-groups/{gid}/snapshots/file")))
            .bearer_auth(&tok)
            .header("content-type", "text/csv")
            .body("QQ号,群昵称\n23456789,李四\n")
            .send()
            .await
            .expect("f");
        problem(r, status, code).await;
    }
    // Reading: whoever sees the group; 404 for the others, on every read endpoint.
    for path in [
        base.clone(),
        p2.clone(),
        format!("/api/v1/qq-groups/{gid}/snapshots"),
        format!("/api/v1/qq-groups/{gid}/late"),
        format!("/api/v1/qq-groups/{gid}/history"),
    ] {
        ok(app.get(&path, &w.village_tok), 200).await;
        for tok in [&w.maint2.1, &w.other.admin_token] {
            problem(
                app.get(&path, tok).send().await.expect("g"),
                404,
                "not_found",
            )
            .await;
        }
    }
    let r = app
        .post(
            &format!("{p2}/unmask"),
            &w.other.admin_token,
            &json!({ "reason": "越界查看号码" }),
        )
        .send()
        .await
        .expect("u");
    problem(r, 404, "not_found").await;
    // An entry id under another group is not found.
    let other_group = id(&ok(
        app.post(
            "/api/v1/qq-groups",
            admin,
            &json!({ "name": "另一个群", "org_unit_id": w.town, "maintainer_id": w.maint1.0 }),
        ),
        201,
    )
    .await);
    problem(
        app.get(
            &format!("/api/v1/qq-groups/{other_group}/roster/{}", id(&e2)),
            admin,
        )
        .send()
        .await
        .expect("g"),
        404,
        "not_found",
    )
    .await;
    // Nothing in the tables holds a number in clear.
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let g = gid.clone();
    let raw = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            let roster = shuanglian::qq::repo::roster(tx, &g)?;
            let page = shuanglian::api::PageRequest {
                limit: 1000,
                after: None,
            };
            let hist = shuanglian::qq::repo::list_history(tx, &g, None, &page)?;
            Ok(format!("{roster:?}{hist:?}"))
        })
        .await
        .expect("raw");
    assert!(
        raw.contains("qq_enc") && raw.contains("v1."),
        "the rows were read"
    );
    for clear in ["123456789", "223456789", "23456789", "34567890"] {
        assert!(!raw.contains(clear), "{clear} stored in clear: {raw}");
    }
}

#[tokio::test]
async fn a_pasted_member_list_gives_the_diff_and_bad_lines_write_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let gid = grid_group(&app, &w).await;
    let m = &w.maint1.1;
    for (name, role, qq, verified) in [
        ("张三", "township_organiser", "123456789", true),
        ("李四", "village_organiser", "23456789", false),
        ("王五", "member", "34567890", true),
        ("赵六", "village_organiser", "45678901", true),
        ("钱七", "member", "56789012", true),
    ] {
        add(
            &app,
            m,
            &gid,
            json!({ "real_name": name, "role": role, "qq": qq, "verified": verified }),
        )
        .await;
    }
    let url = format!("/api/v1/qq-groups/{gid}/snapshots");
    let text = "\u{FEFF}QQ号\t群昵称\r\n123456789\t张三-递铺街道\r\n\r\n李四（２３４５６７８９）\n34567890, 王五\n\u{3000}77777777\u{3000}陌生人\n";
    // A dry run shows the same diff and stores nothing.
    let v = ok(
        app.post(
            &url,
            m,
            &json!({ "text": text, "taken_on": "2025-05-15", "dry_run": true }),
        ),
        200,
    )
    .await;
    assert_eq!(v["dry_run"], true);
    assert!(v.get("snapshot").is_none());
    assert_eq!(snapshot_count(&app, m, &gid).await, 0);
    let (s, v, h) = send(
        app.post(&url, m, &json!({ "text": text, "taken_on": "2025-05-15" }))
            .header("Idempotency-Key", "paste-1"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sid = v["snapshot"]["id"].as_str().expect("snapshot").to_owned();
    assert_eq!(h["location"].to_str().expect("l"), format!("{url}/{sid}"));
    let d = &v["diff"];
    assert_eq!(
        (d["people"].as_i64(), d["matched"].as_i64()),
        (Some(4), Some(3)),
        "{v}"
    );
    let missing: Vec<&str> = d["missing"]
        .as_array()
        .expect("m")
        .iter()
        .map(|e| e["real_name"].as_str().expect("n"))
        .collect();
    assert_eq!(missing, vec!["赵六", "钱七"], "organisers first");
    assert_eq!(d["missing_organisers"], 1);
    assert_eq!(
        d["unknown"],
        json!([{ "line": 6, "qq_masked": "77****77", "nickname": "陌生人" }])
    );
    let unverified: Vec<&str> = d["unverified"]
        .as_array()
        .expect("u")
        .iter()
        .map(|e| e["real_name"].as_str().expect("n"))
        .collect();
    assert_eq!(unverified, vec!["李四"]);
    assert_eq!(v["snapshot"]["source"], "paste");
    assert_eq!(v["snapshot"]["taken_on"], "2025-05-15");
    assert_eq!(v["snapshot"]["imported_by"], w.maint1.0.as_str());
    assert!(!v.to_string().contains("77777777"));
    // A retry with the same key replays the import, it does not repeat it.
    let (s, again, h) = send(
        app.post(&url, m, &json!({ "text": text, "taken_on": "2025-05-15" }))
            .header("Idempotency-Key", "paste-1"),
    )
    .await;
    assert_eq!(
        (s, again["snapshot"]["id"].as_str()),
        (StatusCode::CREATED, Some(sid.as_str()))
    );
    assert_eq!(h["idempotent-replayed"], "true");
    assert_eq!(snapshot_count(&app, m, &gid).await, 1);
    // Bad lines: listed by number, nothing written; a dry run lists them beside the diff.
    let bad = "123456789 张三\n只有名字没有号码\n0123456 李四\n123456789 张三又一次\n";
    let v = problem(
        app.post(&url, m, &json!({ "text": bad }))
            .send()
            .await
            .expect("p"),
        422,
        "invalid_member_list",
    )
    .await;
    assert_eq!(fields(&v), vec!["lines[2]", "lines[3]", "lines[4]"]);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .expect("m")
            .starts_with("第2行"),
        "{v}"
    );
    assert_eq!(v["errors"][2]["code"], "duplicate_qq");
    assert!(
        !v.to_string().contains("0123456"),
        "the value is not echoed"
    );
    let v = ok(
        app.post(&url, m, &json!({ "text": bad, "dry_run": true })),
        200,
    )
    .await;
    assert_eq!(v["errors"].as_array().expect("e").len(), 3);
    assert_eq!(v["diff"]["matched"], 1);
    for empty in ["", "\n\n  \n", "QQ号\t群昵称\n"] {
        let v = problem(
            app.post(&url, m, &json!({ "text": empty }))
                .send()
                .await
                .expect("p"),
            422,
            "invalid_member_list",
        )
        .await;
        assert_eq!(fields(&v), vec!["text"], "{v}");
    }
    let r = app
        .post(
            &url,
            m,
            &json!({ "text": "123456789 张三", "taken_on": "2999-01-01" }),
        )
        .send()
        .await
        .expect("p");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["taken_on"]);
    assert_eq!(
        snapshot_count(&app, m, &gid).await,
        1,
        "nothing more was stored"
    );
    // The stored list, compared with the roster as it is now.
    add(
        &app,
        m,
        &gid,
        json!({ "real_name": "孙八", "role": "member", "qq": "77777777", "verified": true }),
    )
    .await;
    let v = ok(app.get(&format!("{url}/{sid}"), &w.village_tok), 200).await;
    assert_eq!(v["snapshot"]["unknown"], 1, "counts at import time");
    assert_eq!(v["diff"]["unknown"], json!([]));
    assert_eq!(v["diff"]["matched"], 4);
    problem(
        app.get(&format!("{url}/{}", uuid::Uuid::now_v7()), m)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("{url}/{sid}"), &w.maint2.1)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("{url}/{sid}"), &w.other.admin_token)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    let h = ok(app.get(&format!("/api/v1/qq-groups/{gid}/history"), m), 200).await;
    let imp = h["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "snapshot.import")
        .expect("import in history")
        .clone();
    assert_eq!(imp["changes"]["people"], 4);
    assert_eq!(imp["changes"]["snapshot_id"], sid.as_str());
    // The list is stored encrypted; the replayed response kept no nicknames.
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let s2 = sid.clone();
    let raw = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            use diesel::prelude::*;
            use shuanglian::db::schema::idempotency_keys as ik;
            let people = shuanglian::qq::repo::snapshot_people(tx, &s2)?;
            let tid = tx.tid().to_owned();
            let bodies: Vec<String> = ik::table
                .filter(ik::tenant_id.eq(tid))
                .select(ik::body)
                .load(tx.conn())?;
            Ok((people.len(), format!("{people:?}"), bodies.join("\n")))
        })
        .await
        .expect("raw");
    assert_eq!(raw.0, 4);
    for clear in [
        "123456789",
        "23456789",
        "34567890",
        "77777777",
        "陌生人",
        "张三-递铺街道",
    ] {
        assert!(!raw.1.contains(clear), "{clear} stored in clear");
    }
    assert!(
        !raw.2.contains("陌生人") && !raw.2.contains("77777777"),
        "{}",
        raw.2
    );
}

fn xlsx(rows: &[(&str, &str)], qq_as_number: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "QQ号").expect("h");
    ws.write_string(0, 1, "群昵称").expect("h");
    for (i, (qq, nick)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        if qq_as_number && let Ok(n) = qq.parse::<f64>() {
            ws.write_number(r, 0, n).expect("n");
        } else {
            ws.write_string(r, 0, *qq).expect("s");
        }
        ws.write_string(r, 1, *nick).expect("s");
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn upload(
    app: &TestApp,
    tok: &str,
    gid: &str,
    ct: &str,
    body: Vec<u8>,
    query: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/qq-groups/{gid}/snapshots/file{query}")))
        .bearer_auth(tok)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("upload")
}

#[tokio::test]
async fn xlsx_and_csv_lists_import_and_broken_files_are_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let gid = grid_group(&app, &w).await;
    let m = &w.maint1.1;
    add(&app, m, &gid, json!({ "real_name": "张三", "role": "township_organiser", "qq": "123456789", "verified": true })).await;
    add(&app, m, &gid, json!({ "real_name": "李四", "role": "village_organiser", "qq": "23456789", "verified": true })).await;
    // xlsx, QQ numbers typed as numbers (as Excel keeps them) and as text.
    let file = xlsx(
        &[("123456789", "张三"), ("", ""), ("88888888", "路人甲")],
        true,
    );
    let r = upload(&app, m, &gid, XLSX, file, "?taken_on=2025-05-09").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("j");
    assert_eq!(v["source"], "xlsx");
    assert_eq!(
        (v["diff"]["people"].as_i64(), v["diff"]["matched"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        v["diff"]["unknown"],
        json!([{ "line": 4, "qq_masked": "88****88", "nickname": "路人甲" }])
    );
    assert_eq!(v["diff"]["missing"][0]["real_name"], "李四");
    let file = xlsx(&[("123456789", "张三"), ("23456789", "李四")], false);
    let v: Value = upload(&app, m, &gid, "application/octet-stream", file, "")
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(v["diff"]["matched"], 2, "{v}");
    // CSV in UTF-8 with a BOM, and in GB18030 as Excel saves it on Chinese Windows.
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(
        "QQ号,群昵称\r\n123456789,张三\r\n23456789,\"李四, 古城村\"\r\n".as_bytes(),
    );
    let r = upload(&app, m, &gid, "text/csv", utf8, "").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("j");
    assert_eq!(
        (v["source"].as_str(), v["diff"]["matched"].as_i64()),
        (Some("csv"), Some(2))
    );
    let (gbk, _, _) = encoding_rs::GB18030.encode("QQ号,群昵称\n123456789,张三\n66666666,王老五\n");
    assert!(std::str::from_utf8(&gbk).is_err());
    let r = upload(
        &app,
        m,
        &gid,
        "text/csv; charset=gb18030",
        gbk.into_owned(),
        "",
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("j");
    assert_eq!(
        v["diff"]["unknown"][0]["nickname"], "王老五",
        "decoded from GB18030"
    );
    let stored = snapshot_count(&app, m, &gid).await;
    assert_eq!(stored, 4);
    // Broken files: a clear problem, and nothing written.
    let good = xlsx(&[("123456789", "张三")], true);
    let truncated = good[..good.len() / 2].to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (XLSX, truncated, "unreadable_xlsx"),
        (
            "text/csv",
            "姓名,电话\n张三,13812345678\n".as_bytes().to_vec(),
            "missing_column",
        ),
        (
            "text/csv",
            b"QQ\xff\xfe\x80,\x81\xff\n".to_vec(),
            "bad_encoding",
        ),
        (
            "text/csv",
            "QQ号,群昵称\n123456789,张三\nabc,李四\n"
                .as_bytes()
                .to_vec(),
            "invalid_qq",
        ),
        ("text/csv", b"   ".to_vec(), "empty_file"),
        (
            "application/octet-stream",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest".to_vec(),
            "xls_not_supported",
        ),
    ];
    for (ct, body, code) in cases {
        let v = problem(
            upload(&app, m, &gid, ct, body, "").await,
            422,
            "invalid_member_list",
        )
        .await;
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    let junk: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    problem(
        upload(&app, m, &gid, "text/csv", junk, "").await,
        413,
        "body_too_large",
    )
    .await;
    problem(
        upload(&app, m, &gid, "application/json", b"{}".to_vec(), "").await,
        415,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(
        snapshot_count(&app, m, &gid).await,
        stored,
        "nothing written by the failures"
    );
}

#[tokio::test]
async fn who_is_late_for_the_join_deadline_at_its_boundaries() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    let gid = grid_group(&app, &w).await;
    let m = &w.maint1.1;
    let v = ok(app.get("/api/v1/qq-settings", m), 200).await;
    assert_eq!(v, json!({ "join_deadline": "05-10", "is_default": true }));
    for (name, role, qq, joined) in [
        (
            "五月九日",
            "village_organiser",
            "11111111",
            Some("2025-05-09"),
        ),
        (
            "五月十日",
            "village_organiser",
            "22222222",
            Some("2025-05-10"),
        ),
        (
            "五月十一",
            "township_organiser",
            "33333333",
            Some("2025-05-11"),
        ),
        ("未入群", "village_organiser", "44444444", None),
        ("首见于导入", "village_organiser", "55555555", None),
        ("普通党员", "member", "66666666", None),
    ] {
        let mut b = json!({ "real_name": name, "role": role, "qq": qq });
        if let Some(j) = joined {
            b["joined_on"] = json!(j);
        }
        add(&app, m, &gid, b).await;
    }
    // Seen in the group's list of 8 May: that is when this one joined.
    ok(
        app.post(
            &format!("/api/v1/qq-groups/{gid}/snapshots"),
            m,
            &json!({ "text": "55555555 首见", "taken_on": "2025-05-08" }),
        ),
        201,
    )
    .await;
    let late = |q: &str| {
        let (app, url, tok) = (&app, format!("/api/v1/qq-groups/{gid}/late?{q}"), m.clone());
        async move {
            let v = ok(app.get(&url, &tok), 200).await;
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| {
                    format!(
                        "{}:{}:{}",
                        i["entry"]["real_name"].as_str().expect("n"),
                        i["status"].as_str().expect("s"),
                        i["days_late"]
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert!(late("as_of=2025-05-09").await.is_empty());
    assert!(
        late("as_of=2025-05-10").await.is_empty(),
        "nobody is late on the deadline day"
    );
    assert_eq!(
        late("as_of=2025-05-11").await,
        vec!["五月十一:joined_late:1", "未入群:not_joined:1"]
    );
    assert_eq!(
        late("as_of=2025-05-20").await,
        vec!["五月十一:joined_late:1", "未入群:not_joined:10"]
    );
    assert_eq!(
        late("as_of=2025-05-11&all_roles=true").await,
        vec![
            "五月十一:joined_late:1",
            "未入群:not_joined:1",
            "普通党员:not_joined:1"
        ]
    );
    let v = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/late?as_of=2025-05-11"), m),
        200,
    )
    .await;
    assert_eq!(
        (v["join_deadline"].as_str(), v["due"].as_str()),
        (Some("05-10"), Some("2025-05-10"))
    );
    let r = app
        .get(&format!("/api/v1/qq-groups/{gid}/late?as_of=2025-13-01"), m)
        .send()
        .await
        .expect("l");
    problem(r, 400, "invalid_parameter").await;
    // The county admin moves the deadline; nobody else may.
    let r = app
        .patch(
            "/api/v1/qq-settings",
            m,
            &json!({ "join_deadline": "05-20" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    problem(r, 403, "forbidden").await;
    let r = app
        .patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "02-29" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(
        (fields(&v), v["errors"][0]["code"].as_str()),
        (vec!["join_deadline".to_owned()], Some("invalid_deadline"))
    );
    let (s, v, h) = send(
        app.patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "5-20" }),
        )
        .header("If-Match", "\"v0\""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({ "join_deadline": "05-20", "is_default": false }));
    assert_eq!(h["etag"], "\"v1\"");
    let r = app
        .patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "05-25" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    problem(r, 412, "stale_version").await;
    assert!(
        late("as_of=2025-05-20").await.is_empty(),
        "the 11 May join is now in time"
    );
    assert_eq!(late("as_of=2025-05-21").await, vec!["未入群:not_joined:1"]);
    // Another county keeps its own deadline.
    let v = ok(app.get("/api/v1/qq-settings", &w.other.admin_token), 200).await;
    assert_eq!(v["join_deadline"], "05-10");
    let a = ok(app.get("/api/v1/audit", admin), 200).await;
    assert!(a.to_string().contains("qq_settings.update"));
}

#[tokio::test]
async fn qq_numbers_never_reach_the_logs() {
    let logs = captured_logs();
    let app = spawn_app().await;
    let w = world(&app).await;
    let gid = grid_group(&app, &w).await;
    let m = &w.maint1.1;
    add(
        &app,
        m,
        &gid,
        json!({ "real_name": "日志甲", "role": "village_organiser", "qq": "987654321" }),
    )
    .await;
    ok(
        app.post(
            &format!("/api/v1/qq-groups/{gid}/snapshots"),
            m,
            &json!({ "text": "987654321 甲\n876543210 乙\n" }),
        ),
        201,
    )
    .await;
    let bad = app
        .post(
            &format!("/api/v1/qq-groups/{gid}/snapshots"),
            m,
            &json!({ "text": "765432109 丙\nabc\n" }),
        )
        .send()
        .await
        .expect("b");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/roster?qq=987654321"), m),
        200,
    )
    .await;
    let csv = "QQ号,群昵称\n654321098,丁\n";
    let r = upload(&app, m, &gid, "text/csv", csv.as_bytes().to_vec(), "").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let file = xlsx(&[("543210987", "戊")], true);
    assert_eq!(
        upload(&app, m, &gid, XLSX, file, "").await.status(),
        StatusCode::CREATED
    );
    ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/late?all_roles=true"), m),
        200,
    )
    .await;
    let text =
        String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        text.contains("request completed") && text.contains("/qq-groups/{id}/snapshots"),
        "logs were captured"
    );
    for qq in [
        "987654321",
        "876543210",
        "765432109",
        "654321098",
        "543210987",
    ] {
        assert!(!text.contains(qq), "QQ number {qq} in the logs");
    }
    let _ = std::io::stderr().flush();
}
