//! PostgreSQL row-level security, checked from the catalog so new tables are covered
//! automatically. Runs only in the PostgreSQL pass (tests/run filters `postgres_only` out of the
//! SQLite pass); without the PostgreSQL environment it fails rather than pass vacuously.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use shuanglian_tests::{backend, spawn_app};

#[derive(QueryableByName, Debug)]
struct TableRls {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    enabled: bool,
    #[diesel(sql_type = Bool)]
    forced: bool,
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName, Debug)]
struct RoleFacts {
    #[diesel(sql_type = Bool)]
    superuser: bool,
    #[diesel(sql_type = Bool)]
    bypass: bool,
    #[diesel(sql_type = Bool)]
    owns_any: bool,
}

#[tokio::test]
async fn postgres_only_every_tenant_table_has_forced_rls_and_the_app_role_reads_nothing_without_a_tenant()
 {
    assert_eq!(
        backend(),
        shuanglian::db::Backend::Postgres,
        "this test needs SHUANGLIAN_TEST_BACKEND=postgres"
    );
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    app.user(&a, "village.a", "village_recorder").await;
    app.user(&b, "village.b", "village_recorder").await;
    // Leave an idempotency row too, so every tenant table has rows in both counties.
    let r = app
        .post(
            "/api/v1/users",
            &a.admin_token,
            &serde_json::json!({"username":"idem.a","display_name":"甲","role":"branch_staff"}),
        )
        .header("Idempotency-Key", "k1")
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 201);

    let owner_url = app.owner_url.clone().expect("owner url");
    let app_url = secrecy::ExposeSecret::expose_secret(&app.settings.database.url).to_owned();
    let app_role = app.settings.database.app_role.clone();

    tokio::task::spawn_blocking(move || {
        let mut owner = PgConnection::establish(&owner_url).expect("owner");
        let tables: Vec<TableRls> = diesel::sql_query(
            "SELECT c.relname::text AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              ORDER BY 1",
        )
        .load(&mut owner)
        .expect("catalog");
        assert!(tables.len() >= 2, "expected the tenant tables, found {tables:?}");
        for t in &tables {
            assert!(t.enabled && t.forced, "table {} must ENABLE and FORCE row level security", t.name);
            let n: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", t.name)).get_result(&mut owner).expect("count");
            // FORCE binds the owner too: with no tenant set even the owner reads nothing.
            assert_eq!(n.n, 0, "owner without tenant reads nothing from {}", t.name);
        }
        // Views over tenant data must be security_invoker.
        let bad_views: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'v'
                AND NOT coalesce(array_to_string(c.reloptions, ',') LIKE '%security_invoker=true%', false)",
        )
        .get_result(&mut owner)
        .expect("views");
        assert_eq!(bad_views.n, 0);

        let mut app_conn = PgConnection::establish(&app_url).expect("app role");
        let facts: RoleFacts = diesel::sql_query(
            "SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypass,
                    EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owns_any
               FROM pg_roles r WHERE r.rolname = current_user",
        )
        .get_result(&mut app_conn)
        .expect("role facts");
        assert!(!facts.superuser && !facts.bypass && !facts.owns_any, "{app_role}: {facts:?}");

        for t in &tables {
            let n: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {}", t.name)).get_result(&mut app_conn).expect("count");
            assert_eq!(n.n, 0, "app role without a tenant reads nothing from {}", t.name);
        }
        // Inside county A's transaction: only A's rows, and no writing rows for B.
        let (a_id, b_id) = (a.id.clone(), b.id.clone());
        app_conn
            .transaction::<_, diesel::result::Error, _>(|c| {
                diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)").bind::<Text, _>(&a_id).execute(c)?;
                let n: Count = diesel::sql_query("SELECT count(*) AS n FROM users WHERE tenant_id <> $1").bind::<Text, _>(&a_id).get_result(c)?;
                assert_eq!(n.n, 0, "county A sees none of B's users");
                let n: Count = diesel::sql_query("SELECT count(*) AS n FROM users").get_result(c)?;
                assert!(n.n >= 2);
                Ok(())
            })
            .expect("tenant A tx");
        let insert = app_conn.transaction::<_, diesel::result::Error, _>(|c| {
            diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)").bind::<Text, _>(&a_id).execute(c)?;
            diesel::sql_query(
                "INSERT INTO users (tenant_id, id, username, display_name, role, status, password_hash, must_change_password, version, created_at, updated_at)
                 VALUES ($1, gen_random_uuid()::text, 'intruder', 'x', 'county_admin', 'active', 'x', false, 1, now(), now())",
            )
            .bind::<Text, _>(&b_id)
            .execute(c)?;
            Ok(())
        });
        let err = insert.expect_err("writing a row for another county must fail");
        assert!(err.to_string().contains("row-level security"), "{err}");
        // Every tenant table, generically: inside A's transaction a row for B is refused by the
        // policy (PostgreSQL checks it before NOT NULL and other constraints), and with no
        // tenant set no row can be written at all.
        for t in &tables {
            for (bound, target) in [(Some(a_id.as_str()), b_id.as_str()), (None, a_id.as_str())] {
                let r = app_conn.transaction::<_, diesel::result::Error, _>(|c| {
                    if let Some(bound) = bound {
                        diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)").bind::<Text, _>(bound).execute(c)?;
                    }
                    diesel::sql_query(format!("INSERT INTO {} (tenant_id) VALUES ($1)", t.name)).bind::<Text, _>(target).execute(c)?;
                    Ok(())
                });
                let err = r.expect_err("insert must fail");
                assert!(err.to_string().contains("row-level security"), "{}: {err}", t.name);
            }
        }
        // The setting does not outlive its transaction on a pooled connection.
        #[derive(QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
            v: Option<String>,
        }
        let s: Setting = diesel::sql_query("SELECT current_setting('app.tenant_id', true) AS v").get_result(&mut app_conn).expect("setting");
        assert!(s.v.unwrap_or_default().is_empty());
        // DDL is the owner's business.
        assert!(app_conn.batch_execute("ALTER TABLE users DISABLE ROW LEVEL SECURITY").is_err());
    })
    .await
    .expect("join");
}
