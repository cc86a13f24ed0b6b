//! Benchmark helper (bench/notify): the notification worker's delivery rate against the local
//! SendSms gateway. K counties, each with a village recorder who wants SMS, M notices each; one
//! replica's worker runs rounds until every SMS is accepted. Prints one table row.
//!
//!   notify_throughput [COUNTIES] [NOTICES_PER_COUNTY]     # default 10 × 1000
//!
//! The backend is the harness's: SQLite, or PostgreSQL + Redis under tests/run.

use std::time::Instant;

use chrono::Utc;
use serde_json::json;
use shuanglian::notify::fake::FakeGateway;
use shuanglian::notify::worker;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let counties = args.first().copied().unwrap_or(10);
    let per_county = args.get(1).copied().unwrap_or(1000);
    let app = shuanglian_tests::spawn_app_with(|s| {
        s.notify.interval_secs = 0;
        s.telemetry.log_filter = "warn".into();
    })
    .await;
    for k in 0..counties {
        let c = app
            .county(&format!("3305{:02}", 30 + k), &format!("基准县{k}"))
            .await;
        let town = app.org_unit(&c, "township", "基准镇", None).await;
        let village = app.org_unit(&c, "village", "基准村", Some(&town)).await;
        let (_, tok) = app
            .staff(&c, &format!("bench{k}"), "village_recorder", Some(&village))
            .await;
        let put = |path: &str, tok: &str, body: serde_json::Value| {
            app.client
                .put(app.url(path))
                .bearer_auth(tok)
                .header("If-Match", "\"v0\"")
                .json(&body)
                .send()
        };
        let r = put(
            "/api/v1/me/notification-preferences",
            &tok,
            json!({ "inbox": true, "sms": true, "phone": format!("138{:08}", k) }),
        )
        .await?;
        anyhow::ensure!(r.status() == 200, "preferences: {}", r.text().await?);
        let r = put(
            "/api/v1/notifications/settings",
            &c.admin_token,
            json!({ "sms_sign_name": "基准县个协", "sms_template_code": "SMS_1", "sms_per_minute": 6000,
                "quiet_start": "00:00", "quiet_end": "00:00" }),
        )
        .await?;
        anyhow::ensure!(r.status() == 200, "settings: {}", r.text().await?);
        app.notices(&c, &village, per_county, "【逾期】基准事项", "基准事项")
            .await;
    }
    let gateway = FakeGateway::start(
        "127.0.0.1:0",
        shuanglian_tests::SMS_KEY_ID,
        shuanglian_tests::SMS_KEY_SECRET,
    )
    .await?;
    let channels = app.channels(Some(&gateway.url));
    let total = counties * per_county;
    let start = Instant::now();
    let mut rounds = 0;
    while gateway.messages().len() < total {
        let r = worker::run_once(&app.state.db, &channels, Utc::now()).await?;
        rounds += 1;
        anyhow::ensure!(r.retrying == 0 && r.dead == 0, "failures: {r:?}");
        anyhow::ensure!(rounds < 100, "not all sent after {rounds} rounds");
    }
    let secs = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        gateway.requests() == total,
        "sent twice: {} requests",
        gateway.requests()
    );
    let backend = match shuanglian_tests::backend() {
        shuanglian::db::Backend::Sqlite => "SQLite",
        shuanglian::db::Backend::Postgres => "PostgreSQL + Redis",
    };
    println!(
        "| {backend} | {counties} × {per_county} | {total} | {rounds} | {secs:.2} s | {:.0} |",
        total as f64 / secs
    );
    Ok(())
}
