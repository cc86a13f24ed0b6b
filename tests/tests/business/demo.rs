//! The demo data fills the business register.

use super::*;

#[tokio::test]
async fn demo_data_fills_the_business_register() {
    use diesel::prelude::*;
    use shuanglian::db::Mode;
    use shuanglian::db::schema::{business_people as bp, member_status_history as h};
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
    // The demo county admin has the demo's published second factor.
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
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let admin = r.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Every kind and every status, with valid credit codes.
    for kind in [
        "individual_business",
        "small_micro_enterprise",
        "market_stall",
    ] {
        for status in ["operating", "suspended", "closed"] {
            let (s, v, _) = send_tagged(app.get(
                &format!("/api/v1/businesses?kind={kind}&status={status}&limit=200"),
                &admin,
            ))
            .await;
            assert_eq!(s, 200, "{v}");
            let items = v["items"].as_array().expect("items");
            assert!(!items.is_empty(), "{kind} {status}");
            for b in items {
                if let Some(code) = b["credit_code"].as_str() {
                    shuanglian::business::model::CreditCode::parse("credit_code", code)
                        .unwrap_or_else(|e| panic!("{code}: {e:?}"));
                }
                assert!(b["grid_id"].is_string(), "placed in a grid: {b}");
                if kind == "market_stall" {
                    assert!(
                        b["market_id"].is_string() && b["stall_no"].is_string(),
                        "{b}"
                    );
                }
            }
        }
    }
    // Markets carry their facts.
    let (_, markets, _) = send_tagged(app.get("/api/v1/markets?limit=200", &admin)).await;
    let markets = markets["items"].as_array().expect("items");
    assert_eq!(markets.len(), 20);
    assert!(
        markets
            .iter()
            .all(|m| m["recorded"] == true && m["stall_count"].is_i64())
    );
    // Owners, employees (current and past), and a history of every kind of change.
    let (roles, kinds) = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            let t = tx.tid().to_owned();
            let roles: Vec<(String, bool)> = bp::table
                .filter(bp::tenant_id.eq(&t))
                .select((bp::role, bp::until.is_null()))
                .distinct()
                .load(tx.conn())?;
            let kinds: Vec<String> = h::table
                .filter(h::tenant_id.eq(&t))
                .select(h::change)
                .distinct()
                .load(tx.conn())?;
            Ok((roles, kinds))
        })
        .await
        .expect("counts");
    for r in [("owner", true), ("employee", true), ("employee", false)] {
        assert!(roles.contains(&(r.0.to_owned(), r.1)), "{r:?} in {roles:?}");
    }
    let mut kinds = kinds;
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "away",
            "business_status",
            "membership_status",
            "returned",
            "transfer_in",
            "transfer_out"
        ]
    );
    // A village recorder reaches the businesses of its grid, and their people.
    let village = app
        .sign_in(
            Some("330523"),
            "village.0001",
            shuanglian::demo::DEMO_PASSWORD,
        )
        .await;
    let (_, v, _) = send_tagged(app.get("/api/v1/businesses?limit=5", &village)).await;
    let first = v["items"][0]["id"].as_str().expect("a business").to_owned();
    let (s, _, _) =
        send_tagged(app.get(&format!("/api/v1/businesses/{first}/people"), &village)).await;
    assert_eq!(s, 200);
}
