//! The quarterly form in xlsx and HTML; other counties and scopes; the demo data.

use super::*;

#[tokio::test]
async fn the_filing_prints_as_the_quarterly_form_in_xlsx_and_html() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "R01",
        "2026-08-01",
        "热心公益，调解邻里纠纷",
    )
    .await;
    let f = filing(&app, &w.village_rec_a, "2026Q3").await;
    let fid = id(&f);
    act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-12" }),
    )
    .await;
    let r = app
        .get(
            &format!("/api/v1/filings/{fid}/document.xlsx"),
            &w.town_com_a,
        )
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    let text = xlsx_text(&r.bytes().await.expect("bytes")).await;
    for want in [
        "安吉县党员个体工商户和商品交易市场党员经营户情况季报表",
        "（村［社区］党组织填写）",
        "古城村",
        "2026年第三季度",
        "王建国",
        "建国五金店",
        "居住地表现",
        "业余生活表现",
        "情况说明",
    ] {
        assert!(text.iter().any(|t| t.contains(want)), "{want} in {text:?}");
    }
    assert!(text.iter().any(|t| t.contains("逾期2天报送")), "{text:?}");
    let (s, html, _) = {
        let r = app
            .get(
                &format!("/api/v1/filings/{fid}/document.html"),
                &w.village_rec_a,
            )
            .send()
            .await
            .expect("html");
        (r.status().as_u16(), r.text().await.expect("text"), ())
    };
    assert_eq!(s, 200);
    for want in [
        "<h1>安吉县党员个体工商户和商品交易市场党员经营户情况季报表</h1>",
        "（村［社区］党组织填写）",
        "王建国",
        "业余生活表现",
        "08-01 热心公益，调解邻里纠纷",
        "递铺街道党委",
        "@page { size: A4",
    ] {
        assert!(html.contains(want), "{want}");
    }
    // The branch's sheet says who filled it in.
    record(
        &app,
        &w.branch_a,
        &w.member_a,
        "A02",
        "2026-08-05",
        "电商培训",
    )
    .await;
    let f = filing(&app, &w.branch_a, "2026Q3").await;
    let r = app
        .get(
            &format!("/api/v1/filings/{}/document.html", id(&f)),
            &w.branch_a,
        )
        .send()
        .await
        .expect("html");
    let html = r.text().await.expect("text");
    assert!(html.contains("（县个民协会分会党支部填写）") && html.contains("电商培训"));
}

#[tokio::test]
async fn other_counties_and_other_scopes_get_404_on_every_filing_endpoint() {
    let app = spawn_app().await;
    let a = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    record(
        &app,
        &a.village_rec_a,
        &a.member_a,
        "V01",
        "2026-07-03",
        "主题党日",
    )
    .await;
    let fid = id(&filing(&app, &a.village_rec_a, "2026Q3").await);
    for tok in [&b.c.admin_token, &b.village_rec_a, &b.town_com_a, &b.assoc] {
        assert_eq!(statuses(&app, tok, &fid, &a.village_a).await, vec![404; 9]);
    }
    for tok in [
        &a.village_rec_a2,
        &a.village_rec_b,
        &a.town_com_b,
        &a.aic_b,
        &a.branch_b,
    ] {
        assert_eq!(statuses(&app, tok, &fid, &a.village_a).await, vec![404; 9]);
    }
    // Lists are scoped: the village sees its own filings, its township committee all of its
    // villages', the association committee and the admin the county's.
    filing(&app, &a.village_rec_a2, "2026Q3").await;
    filing(&app, &a.village_rec_b, "2026Q3").await;
    let count = |tok: String| {
        let app = &app;
        async move {
            let (s, v, _) = send_tagged(app.get("/api/v1/filings?period=2026Q3", &tok)).await;
            assert_eq!(s, 200, "{v}");
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(a.village_rec_a.clone()).await, 1);
    assert_eq!(count(a.town_com_a.clone()).await, 2);
    assert_eq!(count(a.town_com_b.clone()).await, 1);
    assert_eq!(count(a.assoc.clone()).await, 3);
    assert_eq!(count(a.c.admin_token.clone()).await, 3);
    assert_eq!(count(b.c.admin_token.clone()).await, 0);
    // Someone with no recording unit cannot file.
    let r = app
        .post(
            "/api/v1/filings",
            &a.town_com_a,
            &json!({ "period": "2026Q3" }),
        )
        .send()
        .await
        .expect("post");
    problem(r, 403, "not_a_recorder").await;
}

#[tokio::test]
async fn demo_data_has_records_by_every_recorder_and_filings_in_every_state() {
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    use shuanglian::db::Mode;
    use shuanglian::db::schema::{filings as f, obligations as o, performance_records as r};
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    let tid = app
        .state
        .db
        .platform(Mode::Read, |tx| {
            Ok(shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county"))
        })
        .await
        .expect("tenant")
        .tenant_id();
    let (categories, quarters, states, late, overdue) = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            let tid = tx.tid().to_owned();
            let categories: Vec<(String, i64)> = r::table
                .filter(r::tenant_id.eq(&tid))
                .group_by(r::category)
                .select((r::category, count_star()))
                .load(tx.conn())?;
            // The recorders' records; last year's vanguard results (item A04, written by the
            // evaluations' demo when that campaign closed) are not theirs.
            let year_start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
            let dates: Vec<chrono::NaiveDate> = r::table
                .filter(r::tenant_id.eq(&tid))
                .filter(r::item_code.ne("A04").or(r::recorded_on.ge(year_start)))
                .select(r::recorded_on)
                .load(tx.conn())?;
            let mut quarters: Vec<String> = dates
                .iter()
                .map(|d| shuanglian::deadlines::Period::quarter_of(*d).to_string())
                .collect();
            quarters.sort();
            quarters.dedup();
            let states: Vec<(String, String, i64)> = f::table
                .filter(f::tenant_id.eq(&tid))
                .group_by((f::period, f::state))
                .select((f::period, f::state, count_star()))
                .load(tx.conn())?;
            let late: i64 = f::table
                .filter(f::tenant_id.eq(&tid))
                .filter(f::first_submitted_on.gt(f::due_on.nullable()))
                .count()
                .get_result(tx.conn())?;
            let overdue: i64 = o::table
                .filter(o::tenant_id.eq(&tid))
                .filter(o::kind.eq("quarterly_filing"))
                .filter(o::done_at.is_null())
                .count()
                .get_result(tx.conn())?;
            Ok((categories, quarters, states, late, overdue))
        })
        .await
        .expect("query");
    assert_eq!(categories.len(), 4, "{categories:?}");
    assert!(categories.iter().all(|(_, n)| *n > 20), "{categories:?}");
    assert_eq!(quarters, vec!["2026Q1", "2026Q2", "2026Q3", "2026Q4"]);
    for state in ["draft", "submitted", "accepted", "returned"] {
        assert!(
            states.iter().any(|(p, s, _)| p == "2026Q3" && s == state),
            "{state} in {states:?}"
        );
    }
    assert!(late > 0 && overdue > 0, "late {late}, overdue {overdue}");
    // The dashboard shows the overdue filings with their owners.
    let r = app
        .sign_in_with_code(
            Some("330523"),
            "admin",
            shuanglian::demo::DEMO_PASSWORD,
            Some(&shuanglian_tests::totp_code(
                shuanglian::demo::DEMO_TOTP_SECRET,
            )),
        )
        .await;
    let admin = r.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (s, v, _) = send_tagged(app.get(
        "/api/v1/deadlines?kind=quarterly_filing&state=overdue&as_of=2026-11-26",
        &admin,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["summary"]["overdue"].as_i64().unwrap() > 0, "{v}");
    assert!(
        v["items"][0]["owner_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
}
