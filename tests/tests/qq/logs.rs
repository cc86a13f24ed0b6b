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
