//! Every step of a floating member case, and each illegal step refused.

use super::*;

#[tokio::test]
async fn a_floating_member_goes_through_every_step_and_each_illegal_step_is_refused() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.staff.clone();
    let conflict = |path: String, body: Value, code: &'static str| {
        let r = app.post(&path, &tok, &body);
        async move { problem(r.send().await.expect("c"), 409, code).await }
    };
    let invalid = |path: String, body: Value| {
        let r = app.post(&path, &tok, &body);
        async move {
            let v = problem(r.send().await.expect("c"), 422, "validation_failed").await;
            let f: Vec<(String, String)> = v["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().expect("f").to_owned(),
                        e["code"].as_str().expect("c").to_owned(),
                    )
                })
                .collect();
            f
        }
    };
    let reg = "/api/v1/floating-members".to_owned();

    // Registration: the 登记表 items the register lacks, checked; the member must be floating.
    assert_eq!(
        invalid(
            reg.clone(),
            json!({ "member_id": w.floating, "registered_on": "2025-03-01" })
        )
        .await,
        vec![
            ("home_contact_unit".to_owned(), "required".to_owned()),
            ("operating_since".to_owned(), "required".to_owned())
        ]
    );
    assert_eq!(
        invalid(
            reg.clone(),
            json!({ "member_id": w.floating, "home_contact_unit": "五都镇党委",
                    "operating_since": "2099-01-01", "registered_on": "2099-03-01", "year": 2020 })
        )
        .await,
        vec![
            ("registered_on".to_owned(), "date_in_future".to_owned()),
            ("operating_since".to_owned(), "date_in_future".to_owned()),
        ]
    );
    assert_eq!(
        invalid(
            reg.clone(),
            json!({ "member_id": w.floating, "home_contact_unit": "五都镇党委",
                    "operating_since": "2023-03-01", "registered_on": "2025-03-01", "year": 2024 })
        )
        .await,
        vec![("year".to_owned(), "invalid_year".to_owned())]
    );
    // Before 2000: the database's year bound, answered as the field's fault (was a 500).
    assert_eq!(
        invalid(
            reg.clone(),
            json!({ "member_id": w.floating, "home_contact_unit": "五都镇党委",
                    "operating_since": "1998-03-01", "registered_on": "1999-12-31" })
        )
        .await,
        vec![("registered_on".to_owned(), "out_of_range".to_owned())]
    );
    assert_eq!(
        invalid(
            reg.clone(),
            json!({ "member_id": w.local, "home_contact_unit": "五都镇党委",
                    "operating_since": "2023-03-01", "registered_on": "2025-03-01" })
        )
        .await,
        vec![("member_id".to_owned(), "not_floating_member".to_owned())]
    );
    let body = json!({ "member_id": w.floating, "home_contact_unit": "上饶市广丰区五都镇党委",
                       "home_org_address": "江西省上饶市广丰区五都镇", "operating_since": "2023-03-01",
                       "registered_on": "2025-03-01" });
    let case = register(&app, &tok, body.clone()).await;
    let id = case["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (
            case["state"].as_str(),
            case["year"].as_i64(),
            case["due_on"].as_str(),
            case["branch_id"].as_str(),
            case["member_name"].as_str(),
            case["home_org_name"].as_str(),
            case["business_name"].as_str(),
        ),
        (
            Some("registered"),
            Some(2025),
            Some("2025-11-30"),
            Some(w.party_branch.as_str()),
            Some("王建国"),
            Some(HOME),
            Some("建国五金店")
        ),
        "{case}"
    );
    conflict(reg.clone(), body, "already_registered").await;

    // The year's deadline is open for the branch: due on 30 November, overdue from 1 December.
    let o = obligation(&app, &w.c.admin_token, &id, "2025-11-30").await;
    assert_eq!(
        (
            o["state"].as_str(),
            o["owner_org_unit_id"].as_str(),
            o["member_id"].as_str()
        ),
        (
            Some("due"),
            Some(w.party_branch.as_str()),
            Some(w.floating.as_str())
        ),
        "{o}"
    );
    let o = obligation(&app, &w.c.admin_token, &id, "2025-12-01").await;
    assert_eq!(o["state"].as_str(), Some("overdue"), "{o}");

    // Before confirmation nothing else may happen.
    let p = |step: &str| format!("/api/v1/floating-members/{id}/{step}");
    let activity =
        json!({ "held_on": "2025-04-01", "kind": "org_life", "content": "参加支部党员大会" });
    conflict(p("activities"), activity.clone(), "identity_not_confirmed").await;
    conflict(
        p("evaluation"),
        json!({ "evaluation": "表现良好" }),
        "identity_not_confirmed",
    )
    .await;
    conflict(p("send"), json!({ "method": "post" }), "not_evaluated").await;
    conflict(p("chases"), json!({ "method": "phone" }), "not_sent").await;
    conflict(p("receipt"), json!({ "received_by": "陈书记" }), "not_sent").await;
    conflict(p("archive"), json!({}), "receipt_not_returned").await;
    for doc in ["feedback-form.xlsx", "letter.html", "receipt-form.html"] {
        problem(
            app.get(&p(doc), &tok).send().await.expect("d"),
            409,
            "not_evaluated",
        )
        .await;
    }

    // Identity confirmation: the reference and date of the home branch's stamped proof.
    assert_eq!(
        invalid(
            p("confirm"),
            json!({ "proof_reference": " ", "proof_date": "2099-01-01" })
        )
        .await,
        vec![
            ("proof_reference".to_owned(), "required".to_owned()),
            ("proof_date".to_owned(), "date_in_future".to_owned())
        ]
    );
    assert_eq!(
        invalid(
            p("confirm"),
            json!({ "proof_reference": "西山村党支部证明", "proof_date": "2025-02-20", "confirmed_on": "2025-02-28" })
        )
        .await,
        vec![(
            "confirmed_on".to_owned(),
            "date_before_previous_step".to_owned()
        )]
    );
    // A stale If-Match is refused.
    problem(
        app.post(
            &p("confirm"),
            &tok,
            &json!({ "proof_reference": "x", "proof_date": "2025-03-05" }),
        )
        .header("If-Match", "\"v9\"")
        .send()
        .await
        .expect("c"),
        412,
        "stale_version",
    )
    .await;
    let (s, v, tag) = send_tagged(
        app.post(
            &p("confirm"),
            &tok,
            &json!({ "proof_reference": "西山村党支部党员身份证明（盖章）2025第3号", "proof_date": "2025-03-05",
                     "confirmed_on": "2025-03-10" }),
        )
        .header("If-Match", "\"v1\""),
    )
    .await;
    assert_eq!((s, tag.as_str()), (200, "\"v2\""), "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            v["confirmed_on"].as_str(),
            v["proof_date"].as_str()
        ),
        (Some("confirmed"), Some("2025-03-10"), Some("2025-03-05"))
    );
    conflict(
        p("confirm"),
        json!({ "proof_reference": "again", "proof_date": "2025-03-05" }),
        "already_confirmed",
    )
    .await;

    // Activities, appendable from now on; only the year's are printed.
    for (on, kind, content) in [
        ("2025-06-15", "training", "参加诚信经营及法律知识培训"),
        ("2025-04-01", "org_life", "参加七一主题党日活动"),
        ("2024-12-20", "activity", "参加上年度志愿服务"),
        ("2025-09-09", "education", "参加理想信念教育专题党课"),
    ] {
        let (s, v, _) = send_tagged(app.post(
            &p("activities"),
            &tok,
            &json!({ "held_on": on, "kind": kind, "content": content }),
        ))
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["kind"].as_str(), Some(kind));
    }
    assert_eq!(
        invalid(
            p("activities"),
            json!({ "held_on": "2099-01-01", "kind": "training", "content": "" })
        )
        .await,
        vec![
            ("held_on".to_owned(), "date_in_future".to_owned()),
            ("content".to_owned(), "required".to_owned())
        ]
    );
    let (s, v, _) = send_tagged(app.post(
        &p("activities"),
        &tok,
        &json!({ "held_on": "2025-05-01", "kind": "party_day", "content": "x" }),
    ))
    .await;
    assert_eq!((s, fields(&v)), (400, vec!["kind".to_owned()]), "{v}");
    let (s, v, _) = send_tagged(app.get(&p("activities"), &tok)).await;
    assert_eq!(s, 200);
    let dates: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["held_on"].as_str())
        .collect();
    assert_eq!(
        dates,
        vec!["2024-12-20", "2025-04-01", "2025-06-15", "2025-09-09"]
    );
    let (_, v, _) = send_tagged(app.get(&format!("{}?year=2025", p("activities")), &tok)).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3));
    // A year no date can hold is refused by name, not a 500 from the database (found by the
    // API fuzzing: year=-35082 on PostgreSQL).
    for year in ["-35082", "1999", "2101"] {
        let r = app
            .get(&format!("{}?year={year}", p("activities")), &tok)
            .send()
            .await
            .expect("activities");
        let body = problem(r, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], "year", "{body}");
    }

    // The evaluation: required, and may be rewritten until sent.
    conflict(p("send"), json!({ "method": "post" }), "not_evaluated").await;
    assert_eq!(
        invalid(p("evaluation"), json!({ "evaluation": "  " })).await,
        vec![("evaluation".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        invalid(
            p("evaluation"),
            json!({ "evaluation": "好", "evaluated_on": "2025-03-01" })
        )
        .await,
        vec![(
            "evaluated_on".to_owned(),
            "date_before_previous_step".to_owned()
        )]
    );
    let (s, v, _) = send_tagged(app.post(
        &p("evaluation"),
        &tok,
        &json!({ "evaluation": "草稿", "evaluated_on": "2025-11-01" }),
    ))
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("evaluated")), "{v}");
    let evaluation = "该同志诚信守法经营，按时参加支部组织生活，积极参与志愿服务。";
    let (s, v, _) = send_tagged(app.post(
        &p("evaluation"),
        &tok,
        &json!({ "evaluation": evaluation, "secretary_name": "李红梅", "evaluated_on": "2025-11-10" }),
    ))
    .await;
    assert_eq!(
        (s, v["evaluation"].as_str(), v["evaluated_on"].as_str()),
        (200, Some(evaluation), Some("2025-11-10")),
        "{v}"
    );

    // The three documents, generated from the records.
    let (s, ct, xlsx) = bytes(&app, &p("feedback-form.xlsx"), &tok).await;
    assert_eq!(s, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let cells = xlsx_text(&xlsx);
    let joined = cells.join("\n");
    for want in [
        "个体工商户和商品交易市场流动党员双重管理反馈表",
        "（2025年度）",
        "王建国",
        "男",
        HOME,
        "上饶市广丰区五都镇党委",
        "建国五金店",
        "2023年3月1日",
        "递铺分会第一支部",
        "参加七一主题党日活动",
        "参加诚信经营及法律知识培训",
        "参加理想信念教育专题党课",
        "2025年度共3次：组织生活1次，培训1次，教育1次",
        evaluation,
        "支部书记（签名）：李红梅",
        "已确认（西山村党支部党员身份证明（盖章）2025第3号，证明日期2025年3月5日）",
    ] {
        assert!(joined.contains(want), "the xlsx lacks {want}: {joined}");
    }
    assert!(
        !joined.contains("参加上年度志愿服务"),
        "only the year's activities"
    );
    let (s, ct, html) = bytes(&app, &p("feedback-form.html"), &tok).await;
    let html = String::from_utf8(html).expect("utf8");
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(html.contains("<h1>个体工商户和商品交易市场流动党员双重管理反馈表</h1>"));
    assert!(html.contains(evaluation) && html.contains("参加七一主题党日活动"));
    let (s, _, letter) = bytes(&app, &p("letter.html"), &tok).await;
    let letter = String::from_utf8(letter).expect("utf8");
    assert_eq!(s, 200);
    for want in [
        "<h1>函</h1>",
        "关于王建国同志在经营地参加组织活动情况的函",
        &format!("{HOME}："),
        "自2023年3月1日起在我地从事个体经营（经营单位：建国五金店）",
        "2025年度，该同志在经营地参加组织生活、培训、教育及组织活动共3次",
        evaluation,
        "请在收到本函后填写所附回执",
        "递铺分会第一支部（盖章）",
    ] {
        assert!(letter.contains(want), "the letter lacks {want}");
    }
    let (s, _, letter_x) = bytes(&app, &p("letter.xlsx"), &tok).await;
    assert_eq!(s, 200);
    assert!(xlsx_text(&letter_x).iter().any(|c| c.contains("此致")));
    let (s, _, receipt) = bytes(&app, &p("receipt-form.html"), &tok).await;
    let receipt = String::from_utf8(receipt).expect("utf8");
    assert_eq!(s, 200);
    for want in [
        "<h1>回执</h1>",
        "（由组织关系所在地党支部填写后寄回）",
        "递铺分会第一支部：",
        "关于王建国同志2025年度在经营地参加组织活动情况的《函》",
        "组织关系所在地党组织意见",
        &format!("{HOME}（盖章）"),
        "经办人（签名）：",
    ] {
        assert!(receipt.contains(want), "the receipt form lacks {want}");
    }
    let (s, _, receipt_x) = bytes(&app, &p("receipt-form.xlsx"), &tok).await;
    assert_eq!(s, 200);
    assert!(xlsx_text(&receipt_x).iter().any(|c| c == "回执"));
    // The same reference on all three.
    let reference = v["reference"].as_str().expect("reference").to_owned();
    assert!(reference.starts_with("流动反馈〔2025〕"), "{reference}");
    assert!(
        joined.contains(&reference) && letter.contains(&reference) && receipt.contains(&reference)
    );

    // Sending meets the year's deadline.
    assert_eq!(
        invalid(
            p("send"),
            json!({ "method": "post", "sent_on": "2025-11-01" })
        )
        .await,
        vec![("sent_on".to_owned(), "date_before_previous_step".to_owned())]
    );
    let (s, v, _) = send_tagged(app.post(
        &p("send"),
        &tok,
        &json!({ "method": "post", "sent_on": "2025-11-20", "note": "挂号信 XA123" }),
    ))
    .await;
    assert_eq!(
        (
            s,
            v["state"].as_str(),
            v["sent_on"].as_str(),
            v["sent_method"].as_str()
        ),
        (200, Some("sent"), Some("2025-11-20"), Some("post")),
        "{v}"
    );
    let o = obligation(&app, &w.c.admin_token, &id, "2025-12-05").await;
    assert_eq!(o["state"].as_str(), Some("done"), "{o}");
    // Met on the day it was sent (recorded later), so not late.
    assert!(
        o["days_overdue"].is_null()
            && o["done_at"]
                .as_str()
                .is_some_and(|d| d.starts_with("2025-11-20")),
        "{o}"
    );
    conflict(p("send"), json!({ "method": "post" }), "already_sent").await;
    conflict(
        p("evaluation"),
        json!({ "evaluation": "改" }),
        "already_sent",
    )
    .await;
    let (_, _, sent_letter) = bytes(&app, &p("letter.html"), &tok).await;
    assert!(
        String::from_utf8(sent_letter)
            .expect("utf8")
            .contains("2025年11月20日")
    );

    // Outstanding receipts, with days outstanding, and their chases.
    let outstanding = |as_of: &'static str| {
        let r = app.get(
            &format!("/api/v1/floating-receipts/outstanding?as_of={as_of}"),
            &tok,
        );
        async move {
            let (s, v, _) = send_tagged(r).await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    let v = outstanding("2025-12-20").await;
    let item = &v["items"][0];
    assert_eq!(
        (
            item["case"]["id"].as_str(),
            item["days_outstanding"].as_i64(),
            item["chase_count"].as_i64()
        ),
        (Some(id.as_str()), Some(30), Some(0)),
        "{v}"
    );
    assert_eq!(
        invalid(
            p("chases"),
            json!({ "method": "phone", "chased_on": "2025-11-19" })
        )
        .await,
        vec![(
            "chased_on".to_owned(),
            "date_before_previous_step".to_owned()
        )]
    );
    let (s, c, _) = send_tagged(app.post(
        &p("chases"),
        &tok,
        &json!({ "method": "phone", "chased_on": "2025-12-05", "note": "电话联系陈书记" }),
    ))
    .await;
    assert_eq!((s, c["method"].as_str()), (201, Some("phone")), "{c}");
    let (s, _, _) = send_tagged(app.post(
        &p("chases"),
        &tok,
        &json!({ "method": "letter", "chased_on": "2025-12-18" }),
    ))
    .await;
    assert_eq!(s, 201);
    let v = outstanding("2025-12-20").await;
    assert_eq!(
        (
            v["items"][0]["chase_count"].as_i64(),
            v["items"][0]["last_chased_on"].as_str(),
            v["items"][0]["case"]["chases"][0]["note"].as_str()
        ),
        (Some(2), Some("2025-12-18"), Some("电话联系陈书记")),
        "{v}"
    );
    problem(
        app.get(
            "/api/v1/floating-receipts/outstanding?as_of=2025-13-01",
            &tok,
        )
        .send()
        .await
        .expect("o"),
        422,
        "validation_failed",
    )
    .await;

    // The receipt comes back, then the case is filed.
    conflict(p("archive"), json!({}), "receipt_not_returned").await;
    assert_eq!(
        invalid(
            p("receipt"),
            json!({ "received_by": "", "received_on": "2025-11-19" })
        )
        .await,
        vec![("received_by".to_owned(), "required".to_owned()),]
    );
    assert_eq!(
        invalid(
            p("receipt"),
            json!({ "received_by": "陈书记", "received_on": "2025-11-19" })
        )
        .await,
        vec![(
            "received_on".to_owned(),
            "date_before_previous_step".to_owned()
        )]
    );
    let (s, v, _) = send_tagged(app.post(
        &p("receipt"),
        &tok,
        &json!({ "received_by": "陈书记", "received_on": "2025-12-28" }),
    ))
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["received_by"].as_str()),
        (200, Some("receipt_returned"), Some("陈书记")),
        "{v}"
    );
    conflict(
        p("receipt"),
        json!({ "received_by": "x" }),
        "receipt_already_returned",
    )
    .await;
    conflict(
        p("chases"),
        json!({ "method": "phone" }),
        "receipt_already_returned",
    )
    .await;
    assert_eq!(outstanding("2025-12-30").await["items"], json!([]));
    let (s, v, _) = send_tagged(app.post(
        &p("archive"),
        &tok,
        &json!({ "archived_on": "2026-01-04", "archive_reference": "LD-2025-001" }),
    ))
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["archived_on"].as_str()),
        (200, Some("archived"), Some("2026-01-04")),
        "{v}"
    );
    conflict(p("archive"), json!({}), "archived").await;
    conflict(p("activities"), activity, "archived").await;
    conflict(
        p("confirm"),
        json!({ "proof_reference": "x", "proof_date": "2025-03-05" }),
        "archived",
    )
    .await;
    let (s, _, _) = bytes(&app, &p("feedback-form.html"), &tok).await;
    assert_eq!(s, 200, "a filed case can be printed again");

    // Next year: the registration and the confirmation carry over (enter once).
    let next = register(
        &app,
        &tok,
        json!({ "member_id": w.floating, "registered_on": "2026-01-05" }),
    )
    .await;
    assert_eq!(
        (
            next["state"].as_str(),
            next["year"].as_i64(),
            next["due_on"].as_str(),
            next["home_contact_unit"].as_str(),
            next["operating_since"].as_str(),
            next["proof_reference"].as_str(),
        ),
        (
            Some("confirmed"),
            Some(2026),
            Some("2026-11-30"),
            Some("上饶市广丰区五都镇党委"),
            Some("2023-03-01"),
            Some("西山村党支部党员身份证明（盖章）2025第3号")
        ),
        "{next}"
    );
    let (s, v, _) = send_tagged(app.get(
        &format!("/api/v1/floating-members?member_id={}", w.floating),
        &tok,
    ))
    .await;
    assert_eq!(
        (s, v["items"].as_array().map(Vec::len)),
        (200, Some(2)),
        "{v}"
    );
    let (_, v, _) = send_tagged(app.get("/api/v1/floating-members?state=archived", &tok)).await;
    assert_eq!(v["items"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1));

    // The member's time line, in date order.
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let mid = w.floating.clone();
    let line = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            shuanglian::workflows::floating::timeline(tx, &mid)
        })
        .await
        .expect("timeline");
    let kinds: Vec<(String, String)> = line
        .iter()
        .map(|e| (e.on.to_string(), e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2024-12-20", "activity.activity"),
            ("2025-03-01", "registered"),
            ("2025-03-10", "confirmed"),
            ("2025-04-01", "activity.org_life"),
            ("2025-06-15", "activity.training"),
            ("2025-09-09", "activity.education"),
            ("2025-11-10", "evaluated"),
            ("2025-11-20", "sent"),
            ("2025-12-28", "receipt_returned"),
            ("2026-01-04", "archived"),
            ("2026-01-05", "registered"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert!(line.iter().all(|e| e.source == "floating"));

    // Every step is in the audit log.
    let (_, v, _) = send_tagged(app.get(
        &format!("/api/v1/audit?entity_id={id}&limit=200"),
        &w.c.admin_token,
    ))
    .await;
    let actions: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "floating.register",
        "floating.confirm",
        "floating.activity",
        "floating.evaluate",
        "floating.send",
        "floating.chase",
        "floating.receipt",
        "floating.archive",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
}
