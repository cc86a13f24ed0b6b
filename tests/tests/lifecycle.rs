//! A county's data lifecycle (issue 17 item 6) on the backend of this pass: the export
//! encrypted to the county's key, its restore into a fresh deployment and under a new tenant
//! (identical data, a verifying audit chain, the same passwords, second factors and blind
//! indexes), and deletion by crypto-shredding with a signed certificate; the neighbour county
//! is untouched throughout.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use shuanglian::lifecycle::{self, Target, archive, certificate};
use shuanglian_tests::{PASSWORD, TestApp, id_number, spawn_app, totp_code_at, unix_now};

/// Every table of an export, its rows with the county id (and the audit chain id, which only
/// says which county's chain continues) taken out: what must be identical after a restore.
fn contents(file: &Path, identity: &str) -> (archive::Header, BTreeMap<String, Vec<Vec<Value>>>) {
    let id = archive::parse_identity(identity).expect("identity");
    let input = std::io::BufReader::new(std::fs::File::open(file).expect("open"));
    let (mut r, header) = archive::Reader::open(input, &id).expect("decrypt");
    let mut tables = BTreeMap::new();
    while let Some((s, mut rows)) = r.next_table().expect("table") {
        let drop: Vec<usize> = s
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.name == "tenant_id" || (s.table == "audit_log" && c.name == "chain_id")
            })
            .map(|(i, _)| i)
            .collect();
        for row in &mut rows {
            for &i in drop.iter().rev() {
                row.remove(i);
            }
        }
        tables.insert(s.table, rows);
    }
    (header, tables)
}

async fn seed(app: &TestApp, code: &str, name: &str) -> (shuanglian_tests::County, String) {
    let c = app.county(code, name).await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let m = app
        .created(
            &c.admin_token,
            "/api/v1/members",
            &json!({ "name": "钱多", "id_number": id_number(&code[..6], "19850101", "042"),
                     "phone": "13611112222", "home_address": "某路2号", "is_owner": true,
                     "business_name": "钱记", "membership_unit_id": village,
                     "membership_status": "full", "distribution": "individual_business" }),
        )
        .await;
    // An unmasking: an audit entry with a reason.
    let mid = m["id"].as_str().expect("id").to_owned();
    let r = app
        .post(
            &format!("/api/v1/members/{mid}/unmask"),
            &c.admin_token,
            &json!({ "fields": ["phone"], "reason": "核对报到信息" }),
        )
        .send()
        .await
        .expect("unmask");
    assert_eq!(r.status(), 200);
    (c, mid)
}

/// The next step's code: the restored second factor remembers the step last used in the
/// original county (a replayed code is refused there too).
fn next_code(secret: &str) -> String {
    totp_code_at(secret, unix_now() + 30)
}

fn scratch() -> shuanglian_tests::TempDir {
    let d = std::env::temp_dir().join(format!("sl-lifecycle-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    shuanglian_tests::TempDir(d)
}

/// Suspends or reactivates a county as the operator; the status code.
async fn status(app: &TestApp, op: &str, id: &str, action: &str) -> u16 {
    app.post(
        &format!("/api/v1/platform/tenants/{id}/{action}"),
        op,
        &json!({}),
    )
    .send()
    .await
    .expect(action)
    .status()
    .as_u16()
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = app.get(path, token).send().await.expect("get");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_county_round_trips_through_its_export_and_is_deleted_with_a_certificate() {
    let app = spawn_app().await;
    let (c, mid) = seed(&app, "330523", "安吉县").await;
    let (n, _) = seed(&app, "330522", "长兴县").await;
    let dir = scratch();
    let (identity, recipient) = archive::keygen();
    let (db, key) = (&app.state.db, &app.state.master_key);

    // Export, encrypted to the county's key: another key cannot open it.
    let file = dir.0.join("anji.age");
    let s = lifecycle::export(db, key, "330523", &recipient, &file, "test")
        .await
        .expect("export");
    assert!(s.rows > 0 && s.audit_entries >= 3, "{s:?}");
    let (other, _) = archive::keygen();
    let other = archive::parse_identity(&other).expect("identity");
    assert!(archive::Reader::open(std::fs::File::open(&file).expect("f"), &other).is_err());
    let (header, original) = contents(&file, &identity);
    assert_eq!(header.county.code, "330523");
    let members = &original["members"];
    assert_eq!(members.len(), 1);
    // Personal fields are in clear inside (the county reads its own data without us) ...
    assert!(
        members[0].iter().any(|v| v == "13611112222"),
        "{:?}",
        members[0]
    );
    // ... and nowhere in the file as stored.
    let raw = std::fs::read(&file).expect("read");
    assert!(!raw.windows(11).any(|w| w == b"13611112222"));
    // Only this county's rows.
    let text = serde_json::to_string(&original).expect("json");
    assert!(!text.contains(&n.id) && !text.contains("长兴县"));

    // Restore under a new tenant (code 330599): identical data, a verifying chain.
    let bad = lifecycle::restore(
        db,
        key,
        &file,
        &{
            let (o, _) = archive::keygen();
            o
        },
        Target::Same,
    )
    .await;
    assert!(bad.is_err(), "a wrong key restores nothing");
    let same = lifecycle::restore(db, key, &file, &identity, Target::Same).await;
    assert!(same.unwrap_err().to_string().contains("tenant_exists"));
    let r = lifecycle::restore(
        db,
        key,
        &file,
        &identity,
        Target::New {
            code: "330599".into(),
            name: Some("安吉县（恢复）".into()),
        },
    )
    .await
    .expect("restore");
    assert_eq!(r.code, "330599");
    let op = app.operator_token().await;
    let tenants = get(&app, "/api/v1/platform/tenants?limit=100", &op).await.1;
    let restored = tenants["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["code"] == "330599")
        .expect("listed")
        .clone();
    assert_eq!(
        restored["status"], "suspended",
        "restored suspended, for a look first"
    );
    let again = dir.0.join("again.age");
    lifecycle::export(db, key, "330599", &recipient, &again, "test")
        .await
        .expect("export again");
    let (_, copy) = contents(&again, &identity);
    let mut copy_audit = copy["audit_log"].clone();
    let last = copy_audit.pop().expect("the restore's own entry");
    assert!(last.iter().any(|v| v == "county.restored"), "{last:?}");
    assert_eq!(copy_audit, original["audit_log"]);
    for (t, rows) in &original {
        if t != "audit_log" {
            assert_eq!(
                copy.get(t),
                Some(rows),
                "table {t} differs after the restore"
            );
        }
    }
    // Reactivated, the admin signs in with the same password and second factor; the member
    // reads the same, the phone's blind index still finds it, and the chain verifies.
    let rid = restored["id"].as_str().expect("id");
    assert_eq!(status(&app, &op, rid, "reactivate").await, 200);
    let admin = "admin.330523";
    let secret = app.totp_secret(Some("330523"), admin).expect("secret");
    let r = app
        .sign_in_with_code(Some("330599"), admin, PASSWORD, Some(&next_code(&secret)))
        .await;
    assert_eq!(r.status(), 200, "the restored admin signs in");
    let tok = r.json::<Value>().await.expect("j")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (s, m) = get(&app, &format!("/api/v1/members/{mid}"), &tok).await;
    assert_eq!((s, m["phone_masked"].as_str()), (200, Some("136****2222")));
    let (_, found) = get(&app, "/api/v1/members?phone=13611112222", &tok).await;
    assert_eq!(found["items"][0]["id"], mid);
    let (_, chain) = get(&app, "/api/v1/audit/verify", &tok).await;
    assert_eq!(chain["intact"], true, "{chain}");

    // Delete the original: only once suspended, then keys, rows, certificate.
    let refused = lifecycle::delete(db, key, "330523", "330523", "test").await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("tenant_not_suspended")
    );
    assert_eq!(status(&app, &op, &c.id, "suspend").await, 200);
    assert!(
        lifecycle::delete(db, key, "330523", "330522", "test")
            .await
            .is_err(),
        "the confirmation must match"
    );
    let signed = lifecycle::delete(db, key, "330523", "330523", "test")
        .await
        .expect("delete");
    let cert =
        certificate::verify(&signed, &certificate::public_key(key.bytes())).expect("verifies");
    assert_eq!(cert.county.code, "330523");
    assert_eq!(cert.keys_destroyed.len(), 2);
    assert_eq!(cert.rows_deleted["members"], 1);
    let stored = lifecycle::certificate_of(db, "330523")
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(stored, signed);
    // Nothing of the county is left but its audit log; the neighbour is whole.
    let left = dir.0.join("left.age");
    let e = lifecycle::export(db, key, "330523", &recipient, &left, "test").await;
    assert!(e.unwrap_err().to_string().contains("tenant_deleted"));
    assert!(!left.exists() && !left.with_extension("partial").exists());
    assert_eq!(
        status(&app, &op, &c.id, "reactivate").await,
        409,
        "a deleted county cannot come back to life"
    );
    let (s, nm) = get(&app, "/api/v1/members?limit=10", &n.admin_token).await;
    assert_eq!((s, nm["items"].as_array().map(Vec::len)), (200, Some(1)));
    let counts = lifecycle::county_rows(db, &c.id).await.expect("counts");
    let nonzero: Vec<_> = counts.iter().filter(|(_, n)| **n > 0).collect();
    assert_eq!(
        nonzero,
        vec![(&"audit_log".to_owned(), &cert.audit_log.entries)]
    );

    // Retention: nothing purged within six months; afterwards the deleted county's entries go
    // and no one else's.
    let today = shuanglian::clock::today();
    assert_eq!(
        lifecycle::purge_expired_audit(db, today)
            .await
            .expect("purge"),
        0
    );
    let later = today + chrono::Duration::days(lifecycle::AUDIT_RETENTION_DAYS + 1);
    let purged = lifecycle::purge_expired_audit(db, later)
        .await
        .expect("purge");
    assert_eq!(purged, cert.audit_log.entries);
    let (_, chain) = get(&app, "/api/v1/audit/verify", &n.admin_token).await;
    assert_eq!(chain["intact"], true, "{chain}");
}

#[tokio::test]
async fn a_county_restores_into_a_fresh_deployment_under_its_own_id() {
    let app = spawn_app().await;
    let (c, mid) = seed(&app, "330523", "安吉县").await;
    let dir = scratch();
    let (identity, recipient) = archive::keygen();
    let file = dir.0.join("anji.age");
    lifecycle::export(
        &app.state.db,
        &app.state.master_key,
        "330523",
        &recipient,
        &file,
        "test",
    )
    .await
    .expect("export");
    // A cut file restores nothing.
    let bytes = std::fs::read(&file).expect("read");
    let cut = dir.0.join("cut.age");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");

    // Another deployment: its own database and master key.
    let fresh = spawn_app().await;
    let (db, key) = (&fresh.state.db, &fresh.state.master_key);
    assert!(
        lifecycle::restore(db, key, &cut, &identity, Target::Same)
            .await
            .is_err()
    );
    let op = fresh.operator_token().await;
    let (_, before) = get(&fresh, "/api/v1/platform/tenants?limit=100", &op).await;
    assert_eq!(
        before["items"].as_array().map(Vec::len),
        Some(0),
        "nothing half-restored"
    );
    let r = lifecycle::restore(db, key, &file, &identity, Target::Same)
        .await
        .expect("restore");
    assert_eq!(r.tenant_id, c.id);
    let again = dir.0.join("again.age");
    lifecycle::export(db, key, "330523", &recipient, &again, "test")
        .await
        .expect("export");
    let (_, original) = contents(&file, &identity);
    let (_, copy) = contents(&again, &identity);
    for (t, rows) in &original {
        if t == "audit_log" {
            assert_eq!(&copy[t][..rows.len()], &rows[..]);
        } else {
            assert_eq!(copy.get(t), Some(rows), "table {t} differs");
        }
    }
    assert_eq!(status(&fresh, &op, &c.id, "reactivate").await, 200);
    let secret = app
        .totp_secret(Some("330523"), "admin.330523")
        .expect("secret");
    let r = fresh
        .sign_in_with_code(
            Some("330523"),
            "admin.330523",
            PASSWORD,
            Some(&next_code(&secret)),
        )
        .await;
    assert_eq!(r.status(), 200);
    let tok = r.json::<Value>().await.expect("j")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let r = fresh
        .post(
            &format!("/api/v1/members/{mid}/unmask"),
            &tok,
            &json!({ "fields": ["phone"], "reason": "恢复后核对" }),
        )
        .send()
        .await
        .expect("unmask");
    let v: Value = r.json().await.expect("j");
    assert_eq!(
        v["phone"], "13611112222",
        "re-encrypted under the new deployment's keys"
    );
    let (_, chain) = get(&fresh, "/api/v1/audit/verify", &tok).await;
    assert_eq!(chain["intact"], true, "{chain}");
}
