//! QQ numbers stay out of the logs.

use super::*;

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

/// The same for the mobile numbers the notification worker sends SMS to: the preference that
/// stores one, the round that sends it through the SendSms gateway, the delivery list.
#[tokio::test]
async fn mobile_numbers_sent_by_sms_never_reach_the_logs() {
    use chrono::Utc;

    const PHONE: &str = "13900001111";
    let logs = captured_logs();
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let c = app.county("330581", "日志县").await;
    let town = app.org_unit(&c, "township", "日志镇", None).await;
    let village = app.org_unit(&c, "village", "日志村", Some(&town)).await;
    let (_, tok) = app
        .staff(&c, "logrec", "village_recorder", Some(&village))
        .await;
    let put = |path: &str, tok: &str, body: Value| {
        app.client
            .put(app.url(path))
            .bearer_auth(tok)
            .header("If-Match", "\"v0\"")
            .json(&body)
    };
    ok(
        put(
            "/api/v1/me/notification-preferences",
            &tok,
            json!({ "inbox": true, "sms": true, "phone": PHONE }),
        ),
        200,
    )
    .await;
    ok(
        put(
            "/api/v1/notifications/settings",
            &c.admin_token,
            json!({ "sms_sign_name": "日志县个协", "sms_template_code": "SMS_1", "sms_per_minute": 60,
                "quiet_start": "00:00", "quiet_end": "00:00" }),
        ),
        200,
    )
    .await;
    app.notices(&c, &village, 1, "【逾期】日志事项", "日志事项")
        .await;
    let gateway = shuanglian::notify::fake::FakeGateway::start(
        "127.0.0.1:0",
        shuanglian_tests::SMS_KEY_ID,
        shuanglian_tests::SMS_KEY_SECRET,
    )
    .await
    .expect("gateway");
    let ch = app.channels(Some(&gateway.url));
    let r = app.delivery_round(&ch, &c, Utc::now()).await;
    assert_eq!(r.sent, 1);
    assert_eq!(
        gateway.messages()[0].phone,
        PHONE,
        "the gateway got the number"
    );
    ok(app.get("/api/v1/me/notification-preferences", &tok), 200).await;
    ok(
        app.get("/api/v1/notifications/deliveries", &c.admin_token),
        200,
    )
    .await;
    let text =
        String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        text.contains("fake SMS gateway accepted a message") && text.contains("139****1111"),
        "logs were captured"
    );
    assert!(!text.contains(PHONE), "a mobile number in the logs");
    let _ = std::io::stderr().flush();
}

/// The same for the survey taken at a service centre's window (mobile and ID-card numbers,
/// sealed until the member is entered) and the activity notice then sent to that member by SMS.
#[tokio::test]
async fn window_surveys_and_activity_sms_keep_identifiers_out_of_the_logs() {
    use chrono::Utc;

    const PHONE: &str = "13700002222";
    let idn = shuanglian_tests::id_number("330581", "19880808", "017");
    let logs = captured_logs();
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let c = app.county("330582", "窗口县").await;
    let assoc = app
        .org_unit(&c, "association_committee", "县个私协会党委", None)
        .await;
    let branch = app.org_unit(&c, "branch", "窗口分会", Some(&assoc)).await;
    let pb = app
        .org_unit(&c, "party_branch", "窗口分会支部", Some(&branch))
        .await;
    let centre = app
        .org_unit(&c, "service_centre", "窗口服务中心", Some(&branch))
        .await;
    let (_, staff) = app
        .staff(&c, "winstaff", "branch_staff", Some(&centre))
        .await;
    let (_, director) = app.staff(&c, "windir", "branch_staff", Some(&branch)).await;
    let (_, committee) = app
        .staff(&c, "winassoc", "association_committee", Some(&assoc))
        .await;
    let send = |r: reqwest::RequestBuilder| async move {
        let resp = r.send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (s, r) = send(app.post(
        "/api/v1/registrations",
        &staff,
        &json!({ "survey": { "name": "窗口党员", "id_number": idn, "phone": PHONE, "is_owner": true,
            "business_name": "窗口小店", "org_life_unit_id": pb, "membership_org_name": "某地党委",
            "membership_status": "full", "distribution": "individual_business" } }),
    ))
    .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_str().expect("id").to_owned();
    for (what, body) in [
        (
            "calls",
            json!({ "whom": "组织委员", "outcome": "confirmed" }),
        ),
        ("pledge", json!({ "reference": "承诺书-1" })),
        ("issue", json!({ "plaque_no": "P-1", "handbook_no": "H-1" })),
        ("enter", json!({})),
    ] {
        let (s, v) = send(app.post(
            &format!("/api/v1/registrations/{rid}/{what}"),
            &staff,
            &body,
        ))
        .await;
        assert_eq!(s, 200, "{what}: {v}");
    }
    let (_, r) = send(app.get(&format!("/api/v1/registrations/{rid}"), &staff)).await;
    let member = r["member_id"].as_str().expect("entered").to_owned();
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{member}/consents"),
        &staff,
        &json!({ "purpose": "sms_notices", "notice_version": "短信-1", "consented_on": "2026-12-01", "form": "written" }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    ok(
        app.client
            .put(app.url("/api/v1/notifications/settings"))
            .bearer_auth(&c.admin_token)
            .header("If-Match", "\"v0\"")
            .json(
                &json!({ "sms_sign_name": "窗口县个协", "sms_template_code": "SMS_1",
                "sms_per_minute": 60, "quiet_start": "00:00", "quiet_end": "00:00" }),
            ),
        200,
    )
    .await;
    let (s, a) = send(app.post(
        "/api/v1/activities",
        &director,
        &json!({ "centre_id": centre, "theme": "窗口培训", "kind": "training",
            "held_on": shuanglian::clock::today(), "place": "窗口", "audience": { "unit_id": pb } }),
    ))
    .await;
    assert_eq!(s, 201, "{a}");
    let aid = a["id"].as_str().expect("id").to_owned();
    for (tok, what) in [
        (&director, "submit"),
        (&committee, "approve"),
        (&staff, "notify"),
    ] {
        let (s, v) =
            send(app.post(&format!("/api/v1/activities/{aid}/{what}"), tok, &json!({}))).await;
        assert_eq!(s, 200, "{what}: {v}");
    }
    let gateway = shuanglian::notify::fake::FakeGateway::start(
        "127.0.0.1:0",
        shuanglian_tests::SMS_KEY_ID,
        shuanglian_tests::SMS_KEY_SECRET,
    )
    .await
    .expect("gateway");
    let r = app
        .delivery_round(&app.channels(Some(&gateway.url)), &c, Utc::now())
        .await;
    assert_eq!(r.sent, 1, "{r:?}");
    assert_eq!(
        gateway.messages()[0].phone,
        PHONE,
        "the gateway got the number"
    );
    let text =
        String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        text.contains("fake SMS gateway accepted a message"),
        "logs were captured"
    );
    assert!(!text.contains(PHONE), "a mobile number in the logs");
    assert!(!text.contains(&idn), "an ID-card number in the logs");
    let _ = std::io::stderr().flush();
}
