//! Imports of the actual member list (paste, xlsx, CSV) and their diff.

use super::*;

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
