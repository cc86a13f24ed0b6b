//! Every mutating endpoint is swept or excluded with a reason.

use super::*;

#[test]
fn every_mutating_endpoint_is_swept_or_excluded_with_a_reason() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json"))
            .expect("JSON");
    let mut documented = BTreeSet::new();
    for (p, ops) in doc["paths"].as_object().expect("paths") {
        for m in ops.as_object().expect("ops").keys() {
            if ["post", "put", "patch", "delete"].contains(&m.as_str()) {
                documented.insert((m.to_uppercase(), p.trim_start_matches("/api/v1").to_owned()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = cases()
        .iter()
        // A case may carry a query string naming its target; the document lists the path.
        .map(|c| {
            (
                c.method.to_owned(),
                c.path.split('?').next().unwrap_or(c.path).to_owned(),
            )
        })
        .chain(
            EXCLUDED
                .iter()
                .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())),
        )
        .collect();
    let missing: Vec<_> = documented.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "mutating endpoints neither swept nor excluded (add them to cases() or EXCLUDED): {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "listed but not in docs/openapi.json: {stale:?}"
    );
    assert_eq!(
        cases().len() + EXCLUDED.len(),
        listed.len(),
        "an endpoint is listed twice"
    );
}
