//! API conventions: problem+json for every kind of bad input (never a 500), body limits,
//! OpenAPI and Swagger UI, health and readiness, request ids, ETags on users.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{fields, problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn bad_bodies_get_problems_that_name_the_field() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let t = &a.admin_token;
    let raw = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/users"))
            .bearer_auth(t)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    // Malformed JSON.
    let v = problem(
        raw("{\"username\": ").await.expect("send"),
        400,
        "malformed_request",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "invalid_json");
    // Wrong types.
    let v = problem(
        raw(r#"{"username": 5, "display_name": "张三", "role": "branch_staff"}"#)
            .await
            .expect("send"),
        400,
        "malformed_request",
    )
    .await;
    assert_eq!(fields(&v), vec!["username"]);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .expect("m")
            .contains("username")
    );
    let v = problem(
        raw(r#"{"username": "abc", "display_name": "张三", "role": 3}"#)
            .await
            .expect("send"),
        400,
        "malformed_request",
    )
    .await;
    assert_eq!(fields(&v), vec!["role"]);
    let v = problem(
        raw(r#"{"username": "abc", "display_name": "张三", "role": "emperor"}"#)
            .await
            .expect("send"),
        400,
        "malformed_request",
    )
    .await;
    assert_eq!(fields(&v), vec!["role"]);
    // Missing and unknown fields.
    let v = problem(
        raw(r#"{"username": "abc", "role": "branch_staff"}"#)
            .await
            .expect("send"),
        400,
        "malformed_request",
    )
    .await;
    assert_eq!(fields(&v), vec!["display_name"]);
    assert_eq!(v["errors"][0]["code"], "required");
    let v = problem(raw(r#"{"username": "abc", "display_name": "张三", "role": "branch_staff", "is_admin": true}"#).await.expect("send"), 400, "malformed_request").await;
    assert_eq!(fields(&v), vec!["is_admin"]);
    // Not JSON at all, and an empty body.
    let r = app
        .client
        .post(app.url("/api/v1/users"))
        .bearer_auth(t)
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .expect("send");
    problem(r, 415, "unsupported_media_type").await;
    problem(raw("").await.expect("send"), 400, "malformed_request").await;
    // Nothing was created by any of it.
    let list: Value = app
        .get("/api/v1/users", t)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn oversize_bodies_are_413_whether_declared_or_streamed() {
    let app = spawn_app_with(|s| s.server.body_limit_bytes = 2048).await;
    let big = format!(r#"{{"username":"{}","password":"x"}}"#, "a".repeat(4096));
    let r = app
        .client
        .post(app.url("/api/v1/auth/sign-in"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .expect("send");
    problem(r, 413, "body_too_large").await;
    // Chunked, with no Content-Length to trust.
    let stream = futures_util::stream::iter(
        big.into_bytes()
            .chunks(512)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let r = app
        .client
        .post(app.url("/api/v1/auth/sign-in"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("send");
    problem(r, 413, "body_too_large").await;
}

#[tokio::test]
async fn bad_parameters_and_unknown_routes_are_problems() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let t = &a.admin_token;
    let v = problem(
        app.get("/api/v1/users?limit=0", t).send().await.expect("s"),
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(fields(&v), vec!["limit"]);
    let v = problem(
        app.get("/api/v1/users?limit=abc", t)
            .send()
            .await
            .expect("s"),
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(fields(&v), vec!["limit"]);
    let v = problem(
        app.get("/api/v1/users?cursor=zzz", t)
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["cursor"]);
    let v = problem(
        app.get("/api/v1/users?role=king", t)
            .send()
            .await
            .expect("s"),
        400,
        "invalid_parameter",
    )
    .await;
    assert_eq!(fields(&v), vec!["role"]);
    problem(
        app.get("/api/v1/users/not-a-uuid", t)
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), t)
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/nothing-here", t).send().await.expect("s"),
        404,
        "route_not_found",
    )
    .await;
    let r = app
        .client
        .put(app.url("/api/v1/users"))
        .bearer_auth(t)
        .send()
        .await
        .expect("s");
    assert_eq!(
        r.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );
    problem(r, 405, "method_not_allowed").await;
    let r = app
        .patch(
            &format!("/api/v1/users/{}", a.admin_id),
            t,
            &json!({"display_name": "x"}),
        )
        .header("If-Match", "garbage")
        .send()
        .await
        .expect("s");
    problem(r, 400, "invalid_if_match").await;
    let r = app
        .post(
            "/api/v1/users",
            t,
            &json!({"username": "abc", "display_name": "张三", "role": "branch_staff"}),
        )
        .header("Idempotency-Key", "has spaces in it")
        .send()
        .await
        .expect("s");
    let v = problem(r, 400, "invalid_parameter").await;
    assert_eq!(fields(&v), vec!["Idempotency-Key"]);
}

#[tokio::test]
async fn a_barrage_of_odd_requests_never_gets_a_5xx() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let t = &a.admin_token;
    let bodies = [
        "null",
        "[]",
        "\"s\"",
        "1e999",
        "{\"username\":null}",
        "{\"username\":{}}",
        "{\"a\":",
        "\u{0}",
        "{\"username\":\"\u{202e}abc\",\"display_name\":\"\",\"role\":\"branch_staff\"}",
    ];
    let paths = [
        "/api/v1/users",
        "/api/v1/auth/sign-in",
        "/api/v1/auth/password",
        "/api/v1/platform/tenants",
    ];
    for p in paths {
        for b in bodies {
            let r = app
                .client
                .post(app.url(p))
                .bearer_auth(t)
                .header("content-type", "application/json")
                .body(b)
                .send()
                .await
                .expect("send");
            let s = r.status();
            assert!(s.is_client_error(), "{p} {b:?} → {s}");
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            assert!(
                ct.starts_with("application/problem+json"),
                "{p} {b:?} → {ct}"
            );
        }
    }
}

#[tokio::test]
async fn users_have_etags_and_if_match_prevents_lost_updates() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let (uid, _) = app.user(&a, "branch.one", "branch_staff").await;
    let path = format!("/api/v1/users/{uid}");
    let r = app.get(&path, &a.admin_token).send().await.expect("get");
    let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
    let r = app
        .patch(&path, &a.admin_token, &json!({ "role": "aic_recorder" }))
        .header("If-Match", &etag)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["role"], "aic_recorder");
    let r = app
        .patch(
            &path,
            &a.admin_token,
            &json!({ "display_name": "晚到的修改" }),
        )
        .header("If-Match", &etag)
        .send()
        .await
        .expect("patch");
    problem(r, 412, "stale_version").await;
    let r = app
        .patch(
            &path,
            &a.admin_token,
            &json!({ "role": "platform_operator" }),
        )
        .header("If-Match", "\"v2\"")
        .send()
        .await
        .expect("patch");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["role"]);
    // An admin cannot lock themself out.
    let me = format!("/api/v1/users/{}", a.admin_id);
    let etag = app
        .get(&me, &a.admin_token)
        .send()
        .await
        .expect("get")
        .headers()["etag"]
        .to_str()
        .expect("e")
        .to_owned();
    let r = app
        .patch(&me, &a.admin_token, &json!({ "status": "disabled" }))
        .header("If-Match", etag)
        .send()
        .await
        .expect("patch");
    problem(r, 422, "validation_failed").await;
}

/// docs/openapi.json is what the server serves. `shuanglian openapi` writes it by parsing the
/// served (compact) document and printing it with `serde_json::to_string_pretty` and
/// `println!`; the same steps applied to the served body must give the file byte for byte.
#[tokio::test]
async fn docs_openapi_json_is_the_served_document() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("spec");
    assert_eq!(r.status(), StatusCode::OK);
    let served: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    let printed = format!(
        "{}\n",
        serde_json::to_string_pretty(&served).expect("pretty")
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let file = std::fs::read(path).expect("docs/openapi.json");
    if printed.as_bytes() != file.as_slice() {
        let file = String::from_utf8_lossy(&file);
        let first = printed
            .lines()
            .zip(file.lines())
            .position(|(a, b)| a != b)
            .map_or("in length".to_owned(), |i| format!("at line {}", i + 1));
        panic!(
            "docs/openapi.json differs from the served document ({first}); regenerate it with \
             `cargo run -p shuanglian-server --bin shuanglian -- openapi > docs/openapi.json`"
        );
    }
}

#[tokio::test]
async fn openapi_swagger_health_and_request_ids() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("spec");
    assert_eq!(r.status(), StatusCode::OK);
    let spec: Value = r.json().await.expect("json");
    assert!(spec["openapi"].as_str().expect("version").starts_with("3."));
    for p in [
        "/auth/sign-in",
        "/me",
        "/users",
        "/users/{id}",
        "/platform/tenants",
        "/platform/tenants/{id}/suspend",
    ] {
        assert!(spec["paths"].get(p).is_some(), "{p} missing from the spec");
    }
    assert!(spec.to_string().contains("application/problem+json"));
    // Request bodies are documented as strict, as they are enforced.
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let requests: Vec<&String> = schemas.keys().filter(|k| k.ends_with("Request")).collect();
    assert!(requests.len() >= 6, "{requests:?}");
    for name in requests {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
    }
    // `errors` is optional in problems.
    let required = schemas["Problem"]["required"].as_array().expect("required");
    assert!(!required.iter().any(|f| f == "errors"));
    let r = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .expect("ui");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .expect("html")
            .to_lowercase()
            .contains("swagger")
    );
    let v: Value = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("h")
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "ok");
    let v: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "ready", "{v}");
    assert_eq!(v["database"]["backend"], shuanglian_tests::backend().name());
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("h");
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("me");
    let rid = r.headers()["x-request-id"]
        .to_str()
        .expect("rid")
        .to_owned();
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        v["request_id"],
        rid.as_str(),
        "problems quote the request id"
    );
}

#[tokio::test]
async fn provincial_users_see_only_their_province_and_no_county_data() {
    let app = spawn_app().await;
    app.county("330523", "安吉县").await;
    app.county("320583", "昆山市").await;
    let t = app.provincial_office().await;
    let v: Value = app
        .get("/api/v1/platform/tenants?province=320000", &t)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let codes: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, vec!["330523"]);
    problem(
        app.post(
            "/api/v1/platform/tenants",
            &t,
            &json!({"code": "330522", "name": "长兴县"}),
        )
        .send()
        .await
        .expect("c"),
        403,
        "forbidden",
    )
    .await;
    problem(
        app.get("/api/v1/users", &t).send().await.expect("u"),
        403,
        "tenant_required",
    )
    .await;
}
