//! The live-update stream's two promises beyond county isolation (tests/tests/console.rs):
//! a user receives only events about what their scope lets them see, and an open stream ends,
//! within a few seconds, when its session could no longer make an ordinary request (sign-out,
//! a disabled account, a suspended county); a new connection is then refused.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, Events, OneGrid, TestApp, problem, spawn_app};

/// How long a stream may outlive the session's right to requests.
const PROMPTLY: Duration = Duration::from_secs(6);
/// How long a test waits for an event that must come.
const COMES: Duration = Duration::from_secs(10);
/// How long a test listens for an event that must not come.
const QUIET: Duration = Duration::from_millis(1500);

fn refused(app: &TestApp, token: &str) -> reqwest::RequestBuilder {
    app.get("/api/v1/events", token)
}

/// Waits for the next event of `kind` about `entity`, skipping others; None if none comes.
async fn event_about(ev: &mut Events, kind: &str, entity: &str, wait: Duration) -> Option<Value> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(std::time::Instant::now())?;
        let e = ev.next(left).await?;
        if e["kind"] == kind && e["entity_id"] == entity {
            return Some(e);
        }
    }
}

struct World {
    county: County,
    /// Township T with villages A and B.
    village_a: String,
    village_b: String,
    /// Branch staff bound to a branch, the groups' maintainer.
    maintainer: (String, String),
    recorder_a: (String, String),
    recorder_b: (String, String),
}

async fn world(app: &TestApp) -> World {
    // The branch reaches the township through its grid, as QQ group maintainers do.
    let OneGrid {
        c,
        branch,
        town,
        village: village_a,
        ..
    } = app.one_grid().await;
    let village_b = app.org_unit(&c, "village", "鹤鹿溪村", Some(&town)).await;
    let maintainer = app
        .staff(&c, "branch.one", "branch_staff", Some(&branch))
        .await;
    let recorder_a = app
        .staff(&c, "village.a", "village_recorder", Some(&village_a))
        .await;
    let recorder_b = app
        .staff(&c, "village.b", "village_recorder", Some(&village_b))
        .await;
    World {
        county: c,
        village_a,
        village_b,
        maintainer,
        recorder_a,
        recorder_b,
    }
}

async fn created(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

#[tokio::test]
async fn a_village_recorder_receives_events_about_their_village_only() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.county.admin_token;
    let mut ev_a = Events::open(&app, &w.recorder_a.1).await;
    let mut ev_b = Events::open(&app, &w.recorder_b.1).await;
    let mut ev_admin = Events::open(&app, admin).await;

    // Village B's QQ group, and a member of village B put on its roster.
    let group = created(
        app.post(
            "/api/v1/qq-groups",
            admin,
            &json!({ "name": "鹤鹿溪村党建QQ群", "org_unit_id": w.village_b,
                     "maintainer_id": w.maintainer.0 }),
        )
        .send()
        .await
        .expect("group"),
    )
    .await;
    let gid = group["id"].as_str().expect("id").to_owned();
    created(
        app.post(
            &format!("/api/v1/qq-groups/{gid}/roster"),
            &w.maintainer.1,
            &json!({ "real_name": "张三", "role": "member", "qq": "123456789",
                     "org_unit_id": w.village_b }),
        )
        .send()
        .await
        .expect("entry"),
    )
    .await;
    // Village B's recorder, the maintainer's county admin: both changes reach them.
    for ev in [&mut ev_b, &mut ev_admin] {
        for _ in 0..2 {
            let e = event_about(ev, "roster_changed", &gid, COMES).await;
            assert!(e.is_some(), "the group's changes reach who sees the group");
        }
    }
    // Village A's recorder sees neither, nor anything about it.
    assert!(
        event_about(&mut ev_a, "roster_changed", &gid, QUIET)
            .await
            .is_none(),
        "village A's recorder must not hear of village B's roster"
    );
    // What the recorder cannot read over HTTP they do not hear of either: the group is a 404.
    problem(
        app.get(&format!("/api/v1/qq-groups/{gid}"), &w.recorder_a.1)
            .send()
            .await
            .expect("get"),
        404,
        "not_found",
    )
    .await;

    // A user account: the county admin and that user only.
    let (uid, _) = app.user(&w.county, "branch.two", "branch_staff").await;
    assert!(
        event_about(&mut ev_admin, "user_changed", &uid, COMES)
            .await
            .is_some()
    );
    assert!(
        event_about(&mut ev_a, "user_changed", &uid, QUIET)
            .await
            .is_none(),
        "a village recorder does not hear of other users' accounts"
    );

    // Village A's own group reaches village A's recorder (and not village B's).
    let own = created(
        app.post(
            "/api/v1/qq-groups",
            admin,
            &json!({ "name": "古城村党建QQ群", "org_unit_id": w.village_a,
                     "maintainer_id": w.maintainer.0 }),
        )
        .send()
        .await
        .expect("group"),
    )
    .await;
    let own_id = own["id"].as_str().expect("id");
    assert!(
        event_about(&mut ev_a, "roster_changed", own_id, COMES)
            .await
            .is_some()
    );
    assert!(
        event_about(&mut ev_b, "roster_changed", own_id, QUIET)
            .await
            .is_none()
    );
}

#[tokio::test]
async fn sign_out_ends_an_open_stream_and_the_token_is_refused() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let tok = &w.recorder_a.1;
    let mut ev = Events::open(&app, tok).await;
    let r = app
        .post("/api/v1/auth/sign-out", tok, &json!({}))
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        ev.ends_within(PROMPTLY).await,
        "the stream outlived sign-out"
    );
    problem(
        refused(&app, tok).send().await.expect("events"),
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn disabling_a_user_ends_their_open_stream() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (uid, tok) = &w.recorder_b;
    let mut ev = Events::open(&app, tok).await;
    let r = app
        .get(&format!("/api/v1/users/{uid}"), &w.county.admin_token)
        .send()
        .await
        .expect("get");
    let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            &w.county.admin_token,
            &json!({ "status": "disabled" }),
        )
        .header("If-Match", etag)
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        ev.ends_within(PROMPTLY).await,
        "the stream outlived the account"
    );
    problem(
        refused(&app, tok).send().await.expect("events"),
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn suspending_the_county_ends_its_open_streams_and_refuses_new_ones() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut ev_admin = Events::open(&app, &w.county.admin_token).await;
    let mut ev_rec = Events::open(&app, &w.recorder_a.1).await;
    // Another county's stream stays open.
    let other = app.county("330522", "长兴县").await;
    let mut ev_other = Events::open(&app, &other.admin_token).await;
    let op = app.operator_token().await;
    let r = app
        .post(
            &format!("/api/v1/platform/tenants/{}/suspend", w.county.id),
            &op,
            &json!({}),
        )
        .send()
        .await
        .expect("suspend");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(ev_admin.ends_within(PROMPTLY).await, "the admin's stream");
    assert!(ev_rec.ends_within(PROMPTLY).await, "the recorder's stream");
    assert!(
        !ev_other.ends_within(Duration::from_secs(3)).await,
        "another county's stream goes on"
    );
    problem(
        refused(&app, &w.recorder_a.1).send().await.expect("events"),
        403,
        "tenant_suspended",
    )
    .await;
    // Back in service, the same sessions may subscribe again.
    let r = app
        .post(
            &format!("/api/v1/platform/tenants/{}/reactivate", w.county.id),
            &op,
            &json!({}),
        )
        .send()
        .await
        .expect("reactivate");
    assert_eq!(r.status(), StatusCode::OK);
    Events::open(&app, &w.recorder_a.1).await;
}

#[tokio::test]
async fn workflow_changes_reach_the_units_that_take_part_and_no_one_else() {
    let app = spawn_app().await;
    let shuanglian_tests::TwoGrids {
        c,
        pb_a,
        pb_b,
        town_a,
        village_a,
        village_b,
        ..
    } = app.two_grids("330523", "安吉县", "协会党委").await;
    let (_, branch_a) = app.staff(&c, "fenhui.a", "branch_staff", Some(&pb_a)).await;
    let (_, branch_b) = app.staff(&c, "fenhui.b", "branch_staff", Some(&pb_b)).await;
    let (_, rec_a) = app
        .staff(&c, "cun.a", "village_recorder", Some(&village_a))
        .await;
    let (_, rec_b) = app
        .staff(&c, "cun.b", "village_recorder", Some(&village_b))
        .await;
    let (_, town) = app
        .staff(&c, "zhen.a", "township_committee", Some(&town_a))
        .await;
    let m = app
        .member_in(&c.admin_token, "王建国", "王建国五金店", &village_a)
        .await;
    let mut ev_rec_a = Events::open(&app, &rec_a).await;
    let mut ev_rec_b = Events::open(&app, &rec_b).await;
    let mut ev_branch_a = Events::open(&app, &branch_a).await;
    let mut ev_branch_b = Events::open(&app, &branch_b).await;
    let mut ev_town = Events::open(&app, &town).await;

    // The branch issues a handbook: its village and township hear of it, the other village not.
    let h = created(
        app.post("/api/v1/handbooks", &branch_a, &json!({ "member_id": m }))
            .send()
            .await
            .expect("issue"),
    )
    .await;
    let hid = h["id"].as_str().expect("id").to_owned();
    for ev in [&mut ev_rec_a, &mut ev_town] {
        assert!(
            event_about(ev, "handbook_changed", &hid, COMES)
                .await
                .is_some()
        );
    }
    assert!(
        event_about(&mut ev_rec_b, "handbook_changed", &hid, QUIET)
            .await
            .is_none(),
        "another village does not hear of the handbook (it is a 404 to them)"
    );
    // The village confirms: the issuing branch hears of it, the other branch not.
    let r = app
        .post(
            &format!("/api/v1/handbooks/{hid}/village-confirmation"),
            &rec_a,
            &json!({}),
        )
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        event_about(&mut ev_branch_a, "handbook_changed", &hid, COMES)
            .await
            .is_some()
    );
    assert!(
        event_about(&mut ev_branch_b, "handbook_changed", &hid, QUIET)
            .await
            .is_none()
    );
    // A village's quarterly filing: its township committee hears of it, the other village not.
    let today = shuanglian::clock::today();
    let q = (chrono::Datelike::month(&today) - 1) / 3;
    let period = if q == 0 {
        format!("{}Q4", chrono::Datelike::year(&today) - 1)
    } else {
        format!("{}Q{q}", chrono::Datelike::year(&today))
    };
    let f = created(
        app.post("/api/v1/filings", &rec_a, &json!({ "period": period }))
            .send()
            .await
            .expect("filing"),
    )
    .await;
    let fid = f["id"].as_str().expect("id").to_owned();
    assert!(
        event_about(&mut ev_town, "filing_changed", &fid, COMES)
            .await
            .is_some()
    );
    assert!(
        event_about(&mut ev_rec_b, "filing_changed", &fid, QUIET)
            .await
            .is_none()
    );
    // A floating member's case: its responsible branch's staff hear of it, the other branch not.
    let fm = app
        .member(
            &c.admin_token,
            &json!({ "name": "李流动", "gender": "male", "is_owner": true, "business_name": "流动小吃",
                "org_life_unit_id": pb_a, "membership_org_name": "宿松县复兴镇党委",
                "household_registration": "361123", "membership_status": "full",
                "distribution": "individual_business" }),
        )
        .await;
    let case = created(
        app.post(
            "/api/v1/floating-members",
            &branch_a,
            &json!({ "member_id": fm, "home_contact_unit": "复兴镇党委",
                "operating_since": "2020-03-01" }),
        )
        .send()
        .await
        .expect("register"),
    )
    .await;
    let cid = case["id"].as_str().expect("id").to_owned();
    assert!(
        event_about(&mut ev_branch_a, "floating_changed", &cid, COMES)
            .await
            .is_some()
    );
    assert!(
        event_about(&mut ev_branch_b, "floating_changed", &cid, QUIET)
            .await
            .is_none(),
        "another branch does not hear of the case (it is a 404 to them)"
    );
}
