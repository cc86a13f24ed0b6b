//! SIGTERM drains; logs, traces and metrics carry no personal data.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_drains_and_exits_cleanly_and_json_logs_carry_no_personal_data() {
    let dir = workdir();
    let t = run_ok(cmd(&dir).args([
        "platform-user",
        "create",
        "--username",
        "ops.root",
        "--display-name",
        "运维",
        "--role",
        "platform-operator",
    ]));
    let op_otp = otp(&t);
    let s = serve(
        &dir,
        &[
            ("SHUANGLIAN_LOG_FORMAT", "json"),
            (
                "SHUANGLIAN_TELEMETRY__LOG_FILTER",
                "debug,h2=info,hyper=info",
            ),
        ],
    );
    let forbidden = exercise(&s, &op_otp).await;
    let (status, logs) = s.terminate();
    assert!(status.success(), "exit status {status:?}\n{logs}");
    let mut request_lines = 0;
    for line in logs.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if v["span"]["name"] == "http.request" {
            request_lines += 1;
            assert!(v["span"]["request_id"].is_string(), "{line}");
        }
    }
    assert!(request_lines >= 4, "request spans are logged:\n{logs}");
    assert!(
        logs.contains("\"tenant\":\"330523\""),
        "tenant code in spans:\n{logs}"
    );
    assert!(
        logs.contains("\"http.status\":401") && logs.contains("latency_ms"),
        "status and latency in access logs:\n{logs}"
    );
    for f in &forbidden {
        assert!(
            !logs.contains(f.as_str()),
            "log output leaked {f:?}:\n{logs}"
        );
    }
    assert!(logs.contains("draining"), "shutdown is logged:\n{logs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn traces_and_metrics_are_exported_over_otlp_without_personal_data() {
    let (port, got) = otlp_receiver().await;
    let dir = workdir();
    let t = run_ok(cmd(&dir).args([
        "platform-user",
        "create",
        "--username",
        "ops.root",
        "--display-name",
        "运维",
        "--role",
        "platform-operator",
    ]));
    let op_otp = otp(&t);
    let endpoint = format!("http://127.0.0.1:{port}");
    let s = serve(&dir, &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())]);
    let forbidden = exercise(&s, &op_otp).await;
    let (status, logs) = s.terminate();
    assert!(status.success(), "{logs}");
    // Exporters flush on shutdown; allow the receiver a moment.
    let start = Instant::now();
    loop {
        let paths: Vec<String> = got
            .lock()
            .expect("lock")
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        if paths.iter().any(|p| p == "/v1/traces") && paths.iter().any(|p| p == "/v1/metrics") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "OTLP export missing: {paths:?}\n{logs}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = got.lock().expect("lock").clone();
    let traces: Vec<u8> = all
        .iter()
        .filter(|(p, _)| p == "/v1/traces")
        .flat_map(|(_, b)| b.clone())
        .collect();
    let metrics: Vec<u8> = all
        .iter()
        .filter(|(p, _)| p == "/v1/metrics")
        .flat_map(|(_, b)| b.clone())
        .collect();
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        contains(&traces, "http.request") && contains(&traces, "request_id"),
        "span names and fields are exported"
    );
    assert!(
        contains(&traces, "330523"),
        "the tenant code is on the spans"
    );
    assert!(
        contains(&metrics, "http.server.request.duration"),
        "latency metric exported"
    );
    assert!(
        contains(&metrics, "db.pool.connections"),
        "pool metric exported"
    );
    for f in &forbidden {
        assert!(
            !contains(&traces, f) && !contains(&metrics, f),
            "OTLP export leaked {f:?}"
        );
    }
}
