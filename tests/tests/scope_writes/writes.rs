//! Out-of-scope writes are 404 and change nothing.

use super::*;

#[tokio::test]
async fn out_of_scope_writes_are_404_and_change_nothing() {
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    // The notices the demo's daily job wrote, handed to the staff's inboxes (deliveries).
    let channels = shuanglian::notify::worker::Channels::from_settings(
        &app.settings.notify,
        *app.state.master_key.bytes(),
    );
    shuanglian::notify::worker::run_once(&app.state.db, &channels, chrono::Utc::now())
        .await
        .expect("delivery round");
    // County A's admin: a pending export to decide, and a session to end.
    let a_admin = demo_caller(&app, A, "A admin", "admin").await;
    let r = app
        .post(
            "/api/v1/member-exports",
            &a_admin.token,
            &json!({ "personal": true, "reason": "扫描测试导出" }),
        )
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::CREATED);
    let sessions: Value = app
        .get("/api/v1/me/sessions", &a_admin.token)
        .send()
        .await
        .expect("sessions")
        .json()
        .await
        .expect("json");
    let a_session = sessions[0]["id"].as_str().expect("session").to_owned();
    // The demo has no consents: A's admin records some, across the county.
    let mut db = Db::new(&app).await;
    let members = db.candidates(Kind::Member, "").await;
    for (mid, _) in members.iter().step_by(10) {
        let r = app
            .post(
                &format!("/api/v1/members/{mid}/consents"),
                &a_admin.token,
                &json!({ "consented_on": "2026-10-01", "form": "written", "notice_version": "v1" }),
            )
            .send()
            .await
            .expect("consent");
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let a_tenant = sql_text(
        &app,
        None,
        format!("SELECT CAST(id AS TEXT) FROM tenants WHERE code = '{A}'"),
    )
    .await;

    let callers = [
        demo_caller(&app, B, "county admin of B", "admin").await,
        demo_caller(&app, B, "association committee of B", "assoc.0009").await,
        demo_caller(&app, A, "branch staff of another branch", "branch.0006").await,
        demo_caller(&app, A, "staff of another service centre", "centre.0002").await,
        demo_caller(
            &app,
            A,
            "township committee of another township",
            "township.0007",
        )
        .await,
        demo_caller(
            &app,
            A,
            "village recorder of another village",
            "village.0001",
        )
        .await,
        demo_caller(&app, A, "AIC recorder of another office", "aic.0008").await,
        platform_caller(&app, "provincial office", Role::ProvincialOffice).await,
        platform_caller(&app, "platform operator", Role::PlatformOperator).await,
    ];
    let before = db.county().await;
    let tenant_before = db.rows("tenants", &format!("code = '{A}'")).await;

    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut picked: HashMap<(usize, Kind), Option<(String, String)>> = HashMap::new();
    let mut n = 0usize;
    for (ci, caller) in callers.iter().enumerate() {
        for c in cases() {
            n += 1;
            // The platform operator reaches every county by design: the platform's county
            // endpoints are in its scope, not a cross-scope write.
            if caller.name == "platform operator" && c.kind == Kind::Tenant {
                continue;
            }
            let target = match picked.get(&(ci, c.kind)) {
                Some(t) => t.clone(),
                None => {
                    let t = pick(&app, &mut db, caller, c.kind, &a_session, &a_tenant).await;
                    picked.insert((ci, c.kind), t.clone());
                    t
                }
            };
            let Some(target) = target else {
                // Every row of the kind is within this caller's scope (e.g. one branch keeps
                // all the demo's floating members): nothing to try. Another county's admin
                // always has a target, so every endpoint is still swept.
                assert_ne!(ci, 0, "{}: no {:?} in county A", caller.name, c.kind);
                skipped.push(format!("{} {} as {}", c.method, c.path, caller.name));
                continue;
            };
            // The same request naming an id that does not exist (in the path, or in the body).
            let ghost = (uuid::Uuid::now_v7().to_string(), target.1.clone());
            let (path, body) = fill(&c, caller, &target, n);
            let (gpath, gbody) = fill(&c, caller, &ghost, n);
            let (table, filter) = {
                let (_, _, _, table, col, by_sub) = c.kind.rows();
                let key = if by_sub { &target.1 } else { &target.0 };
                match c.kind {
                    Kind::Tenant => ("tenants", format!("id = '{key}'")),
                    _ => (table, format!("CAST(\"{col}\" AS TEXT) = '{key}'")),
                }
            };
            let row_before = if table.is_empty() {
                String::new()
            } else {
                db.rows(table, &filter).await
            };
            let got = answer(&app, &c, caller, &path, &body).await;
            let row_after = if table.is_empty() {
                String::new()
            } else {
                db.rows(table, &filter).await
            };
            let missing = answer(&app, &c, caller, &gpath, &gbody).await;
            // A role that may not use the endpoint at all is refused alike for every id (the
            // comparison with the missing id below holds it to that).
            let role_refusal = got.0 == 403;
            let ok_status = if c.path.contains("{id}") {
                got.0 == 404 || role_refusal
            } else {
                got.0 == 422 || got.0 == 404 || role_refusal
            };
            let what = format!(
                "{} {} {} as {}",
                c.method,
                c.path,
                if c.path.contains("{id}") {
                    target.0.as_str()
                } else {
                    "(body)"
                },
                caller.name
            );
            if !ok_status {
                failures.push(format!("{what}: {} {}", got.0, got.1));
            } else if got != missing {
                failures.push(format!(
                    "{what}: {} {} but a missing id gives {} {}",
                    got.0, got.1, missing.0, missing.1
                ));
            } else if row_before != row_after {
                failures.push(format!("{what}: the row changed"));
            }
        }
    }
    // Nothing anywhere in county A changed, and A's admin is still signed in.
    let after = db.county().await;
    for ((t, b), (_, a)) in before.iter().zip(after.iter()) {
        if b != a {
            failures.push(format!("table {t} changed"));
        }
    }
    assert_eq!(
        db.rows("tenants", &format!("code = '{A}'")).await,
        tenant_before
    );
    let me = app
        .get("/api/v1/me", &a_admin.token)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK, "A's session survived");
    eprintln!("out of scope for nobody (skipped): {skipped:#?}");
    assert!(
        skipped.len() * 10 < cases().len() * callers.len(),
        "too little was swept: {skipped:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
