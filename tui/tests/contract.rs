//! The hand-written client (src/api/types.rs) against the API's own description,
//! docs/openapi.json: every call exists with its method and body schemas, every field the
//! console reads or sends exists with the right JSON type, and every code the console sends
//! (roles, fields, exposures) is one the API knows. Regenerate the document with
//! `cargo run -p shuanglian-server -- openapi > docs/openapi.json`.

use serde_json::Value;
use shuanglian_tui::api::contract::{CALLS, EVALUATION_FIELDS, FIELDS, STATISTICS_FIELDS};
use shuanglian_tui::i18n::{COUNTY_ROLES, EXPOSURES, PERSONAL_FIELDS};
use shuanglian_tui::screens::{evaluations, notices, requests};

fn doc() -> Value {
    let p = format!("{}/../docs/openapi.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).expect("docs/openapi.json")).expect("json")
}

fn schema_name(v: &Value) -> Option<String> {
    v.get("$ref")
        .or_else(|| v.pointer("/allOf/0/$ref"))
        .or_else(|| v.pointer("/items/$ref"))
        .and_then(Value::as_str)
        .map(|r| r.rsplit('/').next().unwrap_or_default().to_owned())
}

#[test]
fn every_call_exists_with_its_schemas() {
    let d = doc();
    for (method, path, req, resp) in CALLS {
        let op = d["paths"][path][method].clone();
        assert!(
            op.is_object(),
            "{method} {path} is not in docs/openapi.json"
        );
        if let Some(req) = req {
            let got = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().find_map(|m| schema_name(&m["schema"])));
            assert_eq!(got.as_deref(), Some(*req), "{method} {path} request body");
        }
        if let Some(resp) = resp {
            let got = op["responses"]
                .as_object()
                .expect("responses")
                .iter()
                .filter(|(s, _)| s.starts_with('2'))
                .filter_map(|(_, r)| r["content"].as_object())
                .flat_map(|c| c.values())
                .find_map(|m| schema_name(&m["schema"]));
            assert_eq!(got.as_deref(), Some(*resp), "{method} {path} response");
        }
    }
}

#[test]
fn every_field_exists_with_its_type() {
    let d = doc();
    let schemas = &d["components"]["schemas"];
    for (schema, fields) in FIELDS
        .iter()
        .chain(EVALUATION_FIELDS)
        .chain(STATISTICS_FIELDS)
    {
        let props = &schemas[schema]["properties"];
        assert!(props.is_object(), "schema {schema} missing");
        for (field, ty) in *fields {
            let p = &props[field];
            assert!(p.is_object(), "{schema}.{field} missing");
            let got = if schema_name(p).is_some() && p.get("items").is_none() {
                "object"
            } else {
                p["type"].as_str().unwrap_or("?")
            };
            assert_eq!(got, *ty, "{schema}.{field}");
        }
    }
}

#[test]
fn codes_the_console_sends_are_known() {
    let d = doc();
    let e = |n: &str| -> Vec<String> {
        d["components"]["schemas"][n]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    for r in COUNTY_ROLES {
        assert!(e("Role").contains(&r.to_string()), "role {r}");
    }
    for f in PERSONAL_FIELDS {
        assert!(e("Field").contains(&f.to_string()), "field {f}");
    }
    for x in EXPOSURES {
        assert!(e("Exposure").contains(&x.to_string()), "exposure {x}");
    }
    assert_eq!(e("UserStatus"), ["active", "disabled"]);
    for s in requests::FILTERS.iter().filter(|s| **s != "open") {
        assert!(e("RequestState").contains(&s.to_string()), "state {s}");
    }
    for s in notices::STATUSES {
        assert!(e("DeliveryStatus").contains(&s.to_string()), "status {s}");
    }
    for c in notices::CHANNELS.iter().flatten() {
        assert!(e("Channel").contains(&c.to_string()), "channel {c}");
    }
    assert!(
        e("EntryFilter").contains(&evaluations::HELP_SHOW.to_string()),
        "show={}",
        evaluations::HELP_SHOW
    );
    for s in evaluations::FINAL_STATES {
        assert!(e("CampaignState").contains(&s.to_string()), "state {s}");
    }
    for s in evaluations::CYCLE_STATES {
        assert!(
            e("CoverageCycleState").contains(&s.to_string()),
            "cycle {s}"
        );
    }
    for r in evaluations::REASONS {
        assert!(e("LagReason").contains(&r.to_string()), "reason {r}");
    }
    for f in evaluations::FORMS {
        assert!(e("CoverageForm").contains(&f.to_string()), "form {f}");
    }
    for k in ["service_request_changed", "resync"] {
        assert!(e("EventKind").contains(&k.to_string()), "event {k}");
    }
}

#[test]
fn the_service_request_list_takes_the_console_s_query() {
    let d = doc();
    let names: Vec<&str> = d["paths"]["/service-requests"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for q in ["open", "state", "limit", "cursor"] {
        assert!(names.contains(&q), "GET /service-requests?{q}");
    }
}

#[test]
fn the_delivery_list_takes_the_console_s_query() {
    let d = doc();
    let names: Vec<&str> = d["paths"]["/notifications/deliveries"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for q in ["status", "channel", "limit", "cursor"] {
        assert!(names.contains(&q), "GET /notifications/deliveries?{q}");
    }
}

#[test]
fn the_evaluation_lists_take_the_console_s_query() {
    let d = doc();
    let names = |path: &str| -> Vec<String> {
        d["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    };
    let entries = names("/evaluations/vanguard/{year}/entries");
    for q in ["year", "show", "limit", "cursor"] {
        assert!(
            entries.iter().any(|n| n == q),
            "GET /evaluations/vanguard/{{year}}/entries?{q}"
        );
    }
    assert!(
        names("/evaluations/branches").iter().any(|n| n == "year"),
        "GET /evaluations/branches?year"
    );
}
