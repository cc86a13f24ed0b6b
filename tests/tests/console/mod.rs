//! The operator console's side of the API: the checked-in OpenAPI document the console's client
//! is written against, the live-update stream (`GET /api/v1/events`) and its isolation, and the
//! real `shuanglian-tui` binary driven inside tmux against the real server (the grids, the
//! service requests' clocks, the notices' dead-letter list, the evaluations).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
mod evaluations;
mod statistics;

use shuanglian_tests::{
    County, Events, PASSWORD, TempDir, TestApp, id_number, send, spawn_app, spawn_app_with,
    totp_code,
};

// ----------------------------------------------------------------------------- openapi --

#[tokio::test]
async fn the_checked_in_openapi_document_is_what_the_server_serves() {
    let app = spawn_app().await;
    let served: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json"))
            .expect("docs/openapi.json is JSON");
    assert!(
        served == file,
        "docs/openapi.json differs from what the server serves. Regenerate it with\n    \
         cargo run -p shuanglian-server -- openapi > docs/openapi.json\nand review the diff \
         (the console's client, tui/src/api/types.rs, is checked against it)."
    );
}

// ------------------------------------------------------------------------------ events --

async fn create_user(app: &TestApp, c: &County, username: &str) -> String {
    let r = app
        .post(
            "/api/v1/users",
            &c.admin_token,
            &json!({ "username": username, "display_name": "联络员", "role": "branch_staff" }),
        )
        .send()
        .await
        .expect("create user");
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    v["user"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn events_reach_only_their_own_county_and_carry_no_personal_data() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let op = app.operator_token().await;
    let mut ev_a = Events::open(&app, &a.admin_token).await;
    let mut ev_b = Events::open(&app, &b.admin_token).await;
    let mut ev_op = Events::open(&app, &op).await;

    let uid = create_user(&app, &a, "liaison.a").await;
    let e = ev_a
        .next(Duration::from_secs(10))
        .await
        .expect("A sees its change");
    assert_eq!(e["kind"], "user_changed");
    assert_eq!(e["entity_id"], uid.as_str());
    assert_eq!(e["tenant_code"], "330523");
    let mut keys: Vec<&String> = e.as_object().expect("object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["at", "entity_id", "kind", "tenant_code"], "{e}");
    assert!(
        ev_b.next(Duration::from_millis(800)).await.is_none(),
        "county B must never see county A's events"
    );
    assert!(
        ev_op.next(Duration::from_millis(300)).await.is_none(),
        "county events stay off the platform channel"
    );

    let uid_b = create_user(&app, &b, "liaison.b").await;
    let e = ev_b
        .next(Duration::from_secs(10))
        .await
        .expect("B sees its own change");
    assert_eq!(e["entity_id"], uid_b.as_str());
    assert_eq!(e["tenant_code"], "330522");
    assert!(
        ev_a.next(Duration::from_millis(800)).await.is_none(),
        "and A not B's"
    );

    // Platform events: a suspended county, to the operator only.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platform/tenants/{}/suspend", b.id)))
        .bearer_auth(&op)
        .send()
        .await
        .expect("suspend");
    assert_eq!(r.status(), 200);
    let e = ev_op
        .next(Duration::from_secs(10))
        .await
        .expect("operator sees it");
    assert_eq!(e["kind"], "tenant_changed");
    assert_eq!(e["tenant_code"], "330522");
    assert!(ev_a.next(Duration::from_millis(500)).await.is_none());
}

#[tokio::test]
async fn the_event_stream_needs_a_session() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .expect("events");
    shuanglian_tests::problem(r, 401, "unauthenticated").await;
}

// ------------------------------------------------------------------------------- tmux --

fn tui_binary() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("SHUANGLIAN_TUI_BIN") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let p = target.join("debug/shuanglian-tui");
    assert!(
        p.exists(),
        "{} is missing: build the console first (`cargo build -p shuanglian-tui`; tests/run does)",
        p.display()
    );
    p
}

/// A console running in a detached tmux session of 120×40.
struct Tmux {
    name: String,
}

impl Tmux {
    fn start(args: &[&str]) -> Tmux {
        let name = format!(
            "sltui-{}-{}",
            std::process::id(),
            uuid::Uuid::now_v7().simple()
        );
        let mut cmd = format!("env TERM=xterm-256color {}", tui_binary().display());
        for a in args {
            cmd.push_str(&format!(" '{a}'"));
        }
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                "-s",
                &name,
                &cmd,
            ])
            .status()
            .expect("tmux (apt-get install tmux; tests/run does)");
        assert!(ok.success(), "tmux new-session failed");
        Tmux { name }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        assert!(
            Command::new("tmux")
                .args(&args)
                .status()
                .expect("tmux")
                .success()
        );
    }

    /// Literal text (no key names).
    fn text(&self, s: &str) {
        assert!(
            Command::new("tmux")
                .args(["send-keys", "-t", &self.name, "-l", s])
                .status()
                .expect("tmux")
                .success()
        );
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.name])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// Waits (up to 20 s) until the screen shows every one of `want`.
    async fn wait_for(&self, want: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if want.iter().all(|w| s.contains(w)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the console never showed {want:?}; it shows:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

impl Tmux {
    /// Waits (up to 20 s) until the screen's line showing `key` also shows every one of `want`,
    /// and returns that line.
    async fn wait_for_row(&self, key: &str, want: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if let Some(l) = s
                .lines()
                .find(|l| l.contains(key) && want.iter().all(|w| l.contains(w)))
            {
                return l.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "the console never showed {key} with {want:?}; it shows:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

async fn post(app: &TestApp, tok: &str, path: &str, body: Value) -> Value {
    let r = app.post(path, tok, &body).send().await.expect("post");
    let s = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(s.is_success(), "{path}: {s} {v}");
    v
}

#[tokio::test]
async fn an_operator_runs_grids_rosters_and_exports_from_the_console() {
    let mut app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let pb = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let (maint, _) = app.staff(&c, "branch.one", "branch_staff", Some(&pb)).await;
    let (_, admin2) = app.staff(&c, "admin.two", "county_admin", None).await;
    let g = post(
        &app,
        &c.admin_token,
        "/api/v1/qq-groups",
        json!({ "name": "递铺街道党建QQ群", "org_unit_id": town, "maintainer_id": maint }),
    )
    .await;
    let gid = g["id"].as_str().expect("id").to_owned();
    for (name, role, qq) in [
        ("赵平", "township_organiser", "10000001"),
        ("钱伟", "village_organiser", "10000002"),
    ] {
        post(
            &app,
            &c.admin_token,
            &format!("/api/v1/qq-groups/{gid}/roster"),
            json!({ "real_name": name, "role": role, "qq": qq, "verified": true }),
        )
        .await;
    }

    let me: Value = app
        .get("/api/v1/me", &c.admin_token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let admin = me["username"].as_str().expect("username").to_owned();

    // Sign in: password, then the second factor the server asks for.
    let tui = Tmux::start(&[
        "--server", &app.base, "--tenant", "330523", "--user", &admin,
    ]);
    tui.wait_for(&["登录", "330523"]).await;
    tui.text(PASSWORD);
    tui.keys(&["Enter"]);
    tui.wait_for(&["二次验证"]).await;
    app.forget_totp_step(Some("330523"), &admin).await;
    let secret = app.totp_secret(Some("330523"), &admin).expect("enrolled");
    tui.text(&totp_code(&secret));
    tui.keys(&["Enter"]);
    tui.wait_for(&["1 网格", &format!("安吉县 {admin}")]).await;

    // A server error is shown in the form, in Chinese, and nothing crashes.
    tui.keys(&["n"]);
    tui.wait_for(&["新建网格"]).await;
    tui.text("x");
    tui.keys(&["F2"]);
    let s = tui.wait_for(&["✗"]).await;
    assert!(s.contains("name"), "the field at fault is named:\n{s}");

    // Create a grid.
    tui.keys(&["BSpace"]);
    tui.text("梅溪网格");
    tui.keys(&["F2"]);
    // The form closes once the server has created it; the list then holds it.
    let s = tui.wait_for(&["梅溪网格", "递铺工商所", "(1)"]).await;
    assert!(!s.contains("新建网格"), "{s}");
    let grids: Value = app
        .get("/api/v1/grids", &c.admin_token)
        .send()
        .await
        .expect("grids")
        .json()
        .await
        .expect("json");
    assert_eq!(grids["items"][0]["name"], "梅溪网格");

    // Import the group's member list and see the diff.
    tui.keys(&["2"]);
    tui.wait_for(&["递铺街道党建QQ群"]).await;
    tui.keys(&["Enter"]);
    tui.wait_for(&["赵平", "钱伟"]).await;
    tui.keys(&["i"]);
    tui.wait_for(&["导入群成员名单"]).await;
    tui.keys(&["Tab"]);
    tui.text("10000001 赵平");
    tui.keys(&["Enter"]);
    tui.text("99999999 陌生人");
    tui.keys(&["F2"]);
    let s = tui
        .wait_for(&["名册有、群里没有", "钱伟", "陌生人", "缺失联络员 1"])
        .await;
    assert!(!s.contains("10000002"), "QQ numbers stay masked:\n{s}");

    // An export requested by another admin appears without a manual refresh; approve it.
    tui.keys(&["3"]);
    tui.wait_for(&["脱敏策略"]).await;
    tui.keys(&["Right"]);
    tui.wait_for(&["导出申请"]).await;
    let x = post(
        &app,
        &admin2,
        "/api/v1/member-exports",
        json!({ "personal": true, "reason": "季度报表核对" }),
    )
    .await;
    tui.wait_for(&["待审批", "季度报表核对"]).await;
    tui.keys(&["a"]);
    tui.wait_for(&["已批准"]).await;
    let v: Value = app
        .get(
            &format!("/api/v1/member-exports/{}", x["id"].as_str().expect("id")),
            &c.admin_token,
        )
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "approved");

    // A county's own member sheet: title row, the form's labels, a name written the county's
    // way. The dry run lists that name once; Enter maps it to the first suggestion (saved as a
    // mapping), the file runs again, and c imports it.
    let dir = TempDir(std::env::temp_dir().join(format!("sl-console-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let sheet = dir.0.join("roster.csv");
    std::fs::write(
        &sheet,
        format!(
            "安吉县党员名册\n党员姓名,身份证号码,是否业主,单位名称,组织生活所在辖区党组织,组织关系所在地党组织,党员类别,党员分布\n\
             周敏,{},√,周敏百货,递铺分会第一支部,安吉县个体民营企业协会递铺分会支部,正式党员,个体工商户\n填表人：张会计\n",
            id_number("330523", "19800101", "951")
        ),
    )
    .expect("write sheet");
    tui.keys(&["6"]);
    tui.wait_for(&["o 打开"]).await;
    tui.keys(&["o"]);
    tui.wait_for(&["导入党员表格"]).await;
    tui.text(&sheet.to_string_lossy());
    tui.keys(&["Enter"]);
    let s = tui
        .wait_for(&[
            "待对应的组织名称",
            "安吉县个体民营企业协会递铺分会支部",
            "[协会党委/递铺分会]",
        ])
        .await;
    assert!(s.contains("表头在第 2行"), "{s}");
    tui.keys(&["Enter"]);
    tui.wait_for(&["控制台导入对应"]).await;
    tui.keys(&["c"]);
    tui.wait_for(&["已导入：新增 1 人"]).await;
    let list: Value = app
        .get("/api/v1/members?name=周敏", &c.admin_token)
        .send()
        .await
        .expect("members")
        .json()
        .await
        .expect("json");
    assert_eq!(
        list["items"][0]["membership_unit_id"],
        branch.as_str(),
        "{list}"
    );

    // The server goes away: the console says so and keeps running.
    app.stop().await;
    tui.keys(&["r"]);
    tui.wait_for(&["连接已断开"]).await;
    assert!(tui.alive(), "the console must not crash");
    tui.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tui.alive() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!tui.alive(), "q quits");
}

/// A service centre's staff member follows the open requests and their clocks in the console
/// (issue 15 item 7): the overdue one first and marked, its steps on Enter.
#[tokio::test]
async fn centre_staff_follow_open_requests_and_their_clocks_in_the_console() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
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
    let member = app
        .member(
            &c.admin_token,
            &json!({ "name": "王建国", "is_owner": true, "business_name": "建国五金店",
                "org_life_unit_id": pb, "membership_org_name": "递铺街道古城村党支部",
                "membership_status": "full", "distribution": "individual_business" }),
        )
        .await;
    let (_, staff) = app
        .staff(&c, "centre.one", "branch_staff", Some(&centre))
        .await;
    // Taken on 12 February 2026 and escalated: due 28 February, long overdue.
    let r = post(
        &app,
        &staff,
        "/api/v1/service-requests",
        json!({ "member_id": member, "channel": "phone", "category": "rights",
                "content": "租赁纠纷", "received_on": "2026-02-12" }),
    )
    .await;
    let rid = r["id"].as_str().expect("id").to_owned();
    let e = post(
        &app,
        &staff,
        &format!("/api/v1/service-requests/{rid}/escalate"),
        json!({}),
    )
    .await;
    assert_eq!(e["due_on"], "2026-02-28", "{e}");

    let tui = Tmux::start(&[
        "--server",
        &app.base,
        "--tenant",
        "330523",
        "--user",
        "centre.one",
    ]);
    tui.wait_for(&["登录", "330523"]).await;
    tui.text(PASSWORD);
    tui.keys(&["Enter"]);
    tui.wait_for(&["1 网格"]).await;
    tui.keys(&["4"]);
    let s = tui
        .wait_for(&["党员诉求", "王建国", "2026-02-28", "超期"])
        .await;
    assert!(s.contains("维权"), "{s}");
    tui.keys(&["Enter"]);
    tui.wait_for(&["租赁纠纷", "已转办", "限时办结，2026-02-28前答复"])
        .await;
    tui.keys(&["q"]);
}

/// The subject of the notice the county's webhook refuses.
const SUBJECT: &str = "【逾期】党员信息更新";

/// A webhook receiver that refuses every notice (400): what makes a dead letter.
async fn refusing_receiver() -> String {
    use poem::listener::{Acceptor, Listener, TcpListener};

    #[poem::handler]
    fn refuse() -> poem::http::StatusCode {
        poem::http::StatusCode::BAD_REQUEST
    }
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = *acceptor.local_addr()[0].as_socket_addr().expect("addr");
    let app = poem::Route::new().at("/hook", poem::post(refuse));
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
    format!("http://{addr}/hook")
}

/// One notice for `unit` on an obligation of its own (as the daily job writes them), then one
/// round of the delivery worker for the county (the background one is off).
async fn notice_and_round(
    app: &TestApp,
    c: &County,
    unit: &str,
) -> shuanglian::notify::worker::Round {
    app.notices(c, unit, 1, SUBJECT, "党员信息更新").await;
    worker_round(app, c).await
}

async fn worker_round(app: &TestApp, c: &County) -> shuanglian::notify::worker::Round {
    let at = chrono::Utc::now() + chrono::Duration::seconds(1);
    app.delivery_round(&app.channels(None), c, at).await
}

async fn deliveries(app: &TestApp, c: &County, status: &str) -> Vec<Value> {
    let path = format!("/api/v1/notifications/deliveries?status={status}");
    let (s, v) = send(app.get(&path, &c.admin_token)).await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().expect("items").clone()
}

/// The county admin finds the notice the county's webhook refused in the console's dead-letter
/// list (issue 15 item 7), with the receiver's code, and sends it again once asked; a retry
/// someone else made first is the server's 409, said in the status line in Chinese.
#[tokio::test]
async fn the_county_admin_sends_a_dead_letter_again_from_the_console() {
    let app = spawn_app_with(|s| {
        s.notify.interval_secs = 0;
        s.notify.webhook_allow_private = true;
    })
    .await;
    let c = app.county("330523", "安吉县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    app.staff(&c, "village.one", "village_recorder", Some(&village))
        .await;
    let hook = refusing_receiver().await;
    let (_, cur) = send(app.get("/api/v1/notifications/settings", &c.admin_token)).await;
    let (s, v) = send(
        app.client
            .put(app.url("/api/v1/notifications/settings"))
            .bearer_auth(&c.admin_token)
            .header("If-Match", format!("\"v{}\"", cur["version"]))
            .json(
                &json!({ "sms_per_minute": 60, "quiet_start": "00:00", "quiet_end": "00:00",
                "webhook_url": hook, "webhook_secret": "a-webhook-secret-of-32-characters" }),
            ),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let r = notice_and_round(&app, &c, &village).await;
    assert_eq!(r.dead, 1, "the webhook refused it: {r:?}");
    let dead = deliveries(&app, &c, "dead").await;
    assert_eq!(dead.len(), 1);
    let id = dead[0]["id"].as_str().expect("id").to_owned();

    let me: Value = app
        .get("/api/v1/me", &c.admin_token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let admin = me["username"].as_str().expect("username").to_owned();
    let tui = Tmux::start(&[
        "--server", &app.base, "--tenant", "330523", "--user", &admin,
    ]);
    tui.wait_for(&["登录", "330523"]).await;
    tui.text(PASSWORD);
    tui.keys(&["Enter"]);
    tui.wait_for(&["二次验证"]).await;
    app.forget_totp_step(Some("330523"), &admin).await;
    let secret = app.totp_secret(Some("330523"), &admin).expect("enrolled");
    tui.text(&totp_code(&secret));
    tui.keys(&["Enter"]);
    tui.wait_for(&["1 网格", "8 通知"]).await;

    // The dead-letter list is what the tab opens on.
    tui.keys(&["8"]);
    tui.wait_for(&["显示: 死信", "消息送达（最新在前） (1)"])
        .await;
    tui.wait_for_row(SUBJECT, &["Webhook", "死信", "1", "http_400"])
        .await;

    // R asks first; any other key leaves it dead.
    tui.keys(&["R"]);
    tui.wait_for(&["重新发送这条死信？"]).await;
    tui.keys(&["n"]);
    tui.wait_for(&["已取消"]).await;
    assert_eq!(deliveries(&app, &c, "dead").await.len(), 1);
    tui.keys(&["R"]);
    tui.wait_for(&["重新发送这条死信？"]).await;
    tui.keys(&["y"]);
    tui.wait_for(&["已重新排队发送", "消息送达（最新在前） (0)"])
        .await;
    let pending = deliveries(&app, &c, "pending").await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(
        (
            pending[0]["id"].as_str(),
            pending[0]["status"].as_str(),
            pending[0]["attempts"].as_i64()
        ),
        (Some(id.as_str()), Some("pending"), Some(0))
    );
    // Under 待发送 the row is back, with no tries yet.
    tui.keys(&["f"]);
    tui.wait_for(&["显示: 待发送"]).await;
    tui.wait_for_row(SUBJECT, &["Webhook", "待发送", " 0 ", "http_400"])
        .await;

    // Refused again, then sent again by someone else before the console's retry: 409.
    assert_eq!(worker_round(&app, &c).await.dead, 1);
    tui.keys(&["f", "f"]);
    tui.wait_for(&["显示: 死信"]).await;
    tui.wait_for_row(SUBJECT, &["死信"]).await;
    let (s, v) = send(app.post(
        &format!("/api/v1/notifications/deliveries/{id}/retry"),
        &c.admin_token,
        &json!({}),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    tui.keys(&["R"]);
    tui.wait_for(&["重新发送这条死信？"]).await;
    tui.keys(&["y"]);
    tui.wait_for(&["✗ 只有已放弃（死信）的消息可以重新发送"])
        .await;
    tui.keys(&["q"]);
}
