//! Finding members the way county staff do: pinyin initials and full pinyin, pinyin order with
//! stable cursors, and filters by grid (business place) and market.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, id_number, problem, spawn_app};

async fn member(app: &TestApp, c: &County, name: &str, extra: Value) -> String {
    let mut body = json!({
        "name": name, "is_owner": true, "business_name": format!("{name}的店"),
        "membership_org_name": "外县某村党支部", "membership_status": "full",
        "distribution": "individual_business"
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    app.member(&c.admin_token, &body).await
}

async fn names(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Option<String>) {
    let r = app
        .get(&format!("/api/v1/members?{query}"), token)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let v: Value = r.json().await.expect("json");
    let names = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["name"].as_str().expect("name").to_owned())
        .collect();
    (names, v["next_cursor"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn pinyin_initials_full_pinyin_and_pinyin_order() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    for n in ["张三", "赵四", "张珊珊", "阿强", "吕小龙", "王五"] {
        member(&app, &c, n, json!({})).await;
    }
    let tok = &c.admin_token;
    let mut zs = names(&app, tok, "name=zs").await.0;
    zs.sort();
    // 赵四 is zs too: initials are ambiguous by nature, which is why full pinyin works as well.
    assert_eq!(zs, vec!["张三", "张珊珊", "赵四"]);
    // Upper case and full pinyin prefixes work; ü is typed as v.
    assert_eq!(names(&app, tok, "name=ZSS").await.0, vec!["张珊珊"]);
    assert_eq!(names(&app, tok, "name=zhaos").await.0, vec!["赵四"]);
    assert_eq!(names(&app, tok, "name=lvx").await.0, vec!["吕小龙"]);
    assert!(names(&app, tok, "name=qq").await.0.is_empty());
    // Chinese input is still a name prefix.
    assert_eq!(names(&app, tok, "name=赵").await.0, vec!["赵四"]);
    // Pinyin order, walked two at a time: no member skipped or repeated.
    let want = vec!["阿强", "吕小龙", "王五", "张三", "张珊珊", "赵四"];
    assert_eq!(names(&app, tok, "sort=name").await.0, want);
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("sort=name&limit=2&cursor={c}"),
            None => "sort=name&limit=2".to_owned(),
        };
        let (page, next) = names(&app, tok, &q).await;
        assert!(page.len() <= 2);
        walked.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(walked, want);
    // Registration order stays the default.
    assert_eq!(names(&app, tok, "").await.0[0], "张三");
    let r = app
        .get("/api/v1/members?sort=age", tok)
        .send()
        .await
        .expect("l");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn grid_and_market_filters_follow_the_business_place() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let tok = &c.admin_token;
    let office_a = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let office_b = app.org_unit(&c, "aic_office", "孝丰工商所", None).await;
    let town_a = app.org_unit(&c, "township", "递铺街道", None).await;
    let town_b = app.org_unit(&c, "township", "孝丰镇", None).await;
    let village_a = app.org_unit(&c, "village", "古城村", Some(&town_a)).await;
    let village_b = app.org_unit(&c, "village", "横柏村", Some(&town_b)).await;
    let market_b = app
        .org_unit(&c, "market", "孝丰农贸市场", Some(&office_b))
        .await;
    let mut grids = Vec::new();
    for (office, town) in [(&office_a, &town_a), (&office_b, &town_b)] {
        let gid = app.grid(&c, "网格", office, None, &[town]).await;
        grids.push(gid);
    }
    member(
        &app,
        &c,
        "陈一",
        json!({ "org_life_unit_id": village_a, "membership_unit_id": village_a, "id_number": id_number("330523", "19800101", "011") }),
    )
    .await;
    member(&app, &c, "陈二", json!({ "org_life_unit_id": village_b })).await;
    // Registered in village A's party life but trading in market B: placed by the market.
    member(
        &app,
        &c,
        "陈三",
        json!({ "org_life_unit_id": village_a, "distribution": "market_business", "market_id": market_b }),
    )
    .await;
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        names(&app, tok, &format!("grid={}", grids[0])).await.0,
        vec!["陈一"]
    );
    assert_eq!(
        sorted(names(&app, tok, &format!("grid={}", grids[1])).await.0),
        vec!["陈三", "陈二"]
    );
    assert_eq!(
        names(&app, tok, &format!("market={market_b}")).await.0,
        vec!["陈三"]
    );
    // Filters combine: grid B and pinyin initials.
    assert_eq!(
        names(&app, tok, &format!("grid={}&name=ce", grids[1]))
            .await
            .0,
        vec!["陈二"]
    );
    // A village moving to the other grid moves its members with it (history kept by grids).
    let r = app
        .post(
            &format!("/api/v1/grids/{}/townships", grids[1]),
            tok,
            &json!({ "township_id": town_a }),
        )
        .send()
        .await
        .expect("move");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        names(&app, tok, &format!("grid={}", grids[0]))
            .await
            .0
            .is_empty()
    );
    assert_eq!(
        sorted(names(&app, tok, &format!("grid={}", grids[1])).await.0),
        vec!["陈一", "陈三", "陈二"]
    );
    // Another county's grid is not found, and its members stay invisible.
    let r = app
        .get(
            &format!("/api/v1/members?grid={}", grids[0]),
            &other.admin_token,
        )
        .send()
        .await
        .expect("x");
    problem(r, 404, "not_found").await;
    assert!(
        names(&app, &other.admin_token, &format!("market={market_b}"))
            .await
            .0
            .is_empty()
    );
}

/// A name prefix is a range over the names. On SQLite a prefix 500 or more names share walks
/// the register in id order and a rarer one seeks the name index (crates/register/src/members/
/// repo.rs, `common_prefix`); PostgreSQL's planner chooses for itself. Either way every member
/// with the prefix is found once, in registration order, and no one else.
#[tokio::test]
async fn common_and_rare_name_prefixes_find_exactly_their_members_in_registration_order() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    app.org_unit(&c, "village", "古城村", Some(&town)).await;
    const GIVEN: [&str; 8] = ["建国", "芳", "伟", "秀英", "敏", "强", "磊", "洋"];
    // 1,200 rows: 600 王 (75 of them 王建国), 600 李 (75 of them 李敏).
    let name = |k: u32| {
        let surname = if k.is_multiple_of(2) { "王" } else { "李" };
        format!("{surname}{}", GIVEN[(k / 2) as usize % 8])
    };
    let sheet = crate::faults::member_sheet_named(1_200, name);
    let r = app
        .client
        .post(app.url("/api/v1/members/import?dry_run=false"))
        .bearer_auth(&c.admin_token)
        .header("content-type", "text/csv")
        .body(sheet)
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    for (prefix, want) in [
        ("王", 600),
        ("王建", 75),
        ("李敏", 75),
        ("王敏x", 0),
        ("诸葛", 0),
    ] {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut cursor = String::new();
        loop {
            let r = app
                .get(
                    &format!("/api/v1/members?name={prefix}&limit=200&cursor={cursor}"),
                    &c.admin_token,
                )
                .send()
                .await
                .expect("list");
            assert_eq!(r.status(), StatusCode::OK, "{prefix}");
            let v: Value = r.json().await.expect("json");
            for m in v["items"].as_array().expect("items") {
                let (id, name) = (
                    m["id"].as_str().expect("id"),
                    m["name"].as_str().expect("name"),
                );
                assert!(name.starts_with(prefix), "{prefix}: {name}");
                seen.push((id.to_owned(), name.to_owned()));
            }
            match v["next_cursor"].as_str() {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(seen.len(), want, "{prefix}");
        assert!(
            seen.windows(2).all(|w| w[0].0 < w[1].0),
            "{prefix}: in registration (id) order, each once"
        );
    }
}
