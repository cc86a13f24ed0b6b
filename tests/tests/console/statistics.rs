//! The half-year statistics in the console (issue 17 item 5), on the demo: 安吉县's admin
//! computes, reviews and freezes 2026H1 (the demo leaves it to them) and compares it with
//! 2025H2; then the provincial office sees both counties' 2026H1 across the province, with
//! the cells withheld by disclosure control, the rankings and the trends.

use super::*;

const SECRET: &str = shuanglian::demo::DEMO_TOTP_SECRET;

/// Signs in to the console with the demo's password and second factor.
async fn sign_in(app: &TestApp, tenant: Option<&str>, user: &str, home: &[&str]) -> Tmux {
    let mut args = vec!["--server", app.base.as_str()];
    if let Some(t) = tenant {
        args.extend(["--tenant", t]);
    }
    args.extend(["--user", user]);
    let tui = Tmux::start(&args);
    tui.wait_for(&["登录"]).await;
    tui.text(shuanglian::demo::DEMO_PASSWORD);
    tui.keys(&["Enter"]);
    tui.wait_for(&["二次验证"]).await;
    app.forget_totp_step(tenant, user).await;
    tui.text(&totp_code(SECRET));
    tui.keys(&["Enter"]);
    tui.wait_for(home).await;
    tui
}

/// The demo's provincial office, `zhejiang`, with its password and second factor (as
/// `serve --demo` makes it).
async fn provincial_office(app: &TestApp) {
    let hash = shuanglian::auth::password::hash(shuanglian::demo::DEMO_PASSWORD).expect("hash");
    let master = *app.state.master_key.bytes();
    app.state
        .db
        .platform(shuanglian::db::Mode::Write, move |tx| {
            let zj = shuanglian::users::repo::platform_insert(
                tx,
                "zhejiang",
                "浙江省局演示账户",
                shuanglian::auth::Role::ProvincialOffice,
                Some("330000"),
                &hash,
                false,
            )?;
            let secret = secrecy::SecretString::from(SECRET);
            let sealed = shuanglian::auth::totp::repo::seal_platform(&master, &zj.id, &secret);
            shuanglian::auth::totp::repo::platform_put(tx, &zj.id, &sealed, true)?;
            Ok(())
        })
        .await
        .expect("provincial office");
}

/// The console's line for a period in the periods' list.
async fn period_row(tui: &Tmux, period: &str, want: &[&str]) -> String {
    tui.wait_for_row(&format!("{period} "), want).await
}

#[tokio::test]
async fn the_county_freezes_a_half_year_and_the_province_sees_it_in_the_console() {
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    provincial_office(&app).await;
    let today = shuanglian::clock::today();
    // The demo's today is the test's: 2026H1 is the half-year the demo leaves to the admin.
    let year = chrono::Datelike::year(&today);
    let (latest, current) = if chrono::Datelike::month(&today) > 6 {
        (format!("{year}H1"), format!("{year}H2"))
    } else {
        (format!("{}H2", year - 1), format!("{year}H1"))
    };
    let before = if latest.ends_with("H1") {
        format!("{}H2", year - 1)
    } else {
        format!("{}H1", year - 1)
    };

    let tui = sign_in(&app, Some("330523"), "admin", &["1 网格", "9 统计"]).await;
    tui.keys(&["9"]);
    tui.wait_for(&["半年统计", &current]).await;
    period_row(&tui, &latest, &["未生成"]).await;
    period_row(&tui, &before, &["已冻结", "#1"]).await;

    // The current half-year is not over: the server's 409, in Chinese in the status line.
    tui.keys(&["c"]);
    tui.wait_for(&["✗ 统计截止日之后才能生成该期统计"]).await;

    // ↓ to the latest half-year: compute, review, freeze (y confirms).
    tui.keys(&["Down"]);
    period_row(&tui, &latest, &["▶", "未生成"]).await;
    tui.wait_for(&["该期尚未生成统计"]).await;
    tui.keys(&["c"]);
    tui.wait_for(&["已生成统计。"]).await;
    period_row(&tui, &latest, &["已生成", "#1"]).await;
    tui.keys(&["r"]);
    tui.wait_for(&["已审核。"]).await;
    period_row(&tui, &latest, &["已审核"]).await;
    tui.keys(&["F"]);
    tui.wait_for(&["y 确认"]).await;
    tui.keys(&["y"]);
    tui.wait_for(&["已冻结。"]).await;
    period_row(&tui, &latest, &["已冻结", "#1"]).await;

    // Its first table, as the API has it.
    let tok = app
        .sign_in(
            Some("330523"),
            "assoc.0009",
            shuanglian::demo::DEMO_PASSWORD,
        )
        .await;
    let (s, snap) = send(app.get(&format!("/api/v1/statistics/periods/{latest}"), &tok)).await;
    assert_eq!(s, 200, "{snap}");
    assert_eq!(snap["current"]["state"], "frozen", "{snap}");
    let t = &snap["figures"]["tables"][0];
    let title = t["title"].as_str().expect("title");
    tui.wait_for(&[
        &format!(
            "1/{}",
            snap["figures"]["tables"].as_array().expect("tables").len()
        ),
        title,
    ])
    .await;
    let row = t["rows"][0]["label"].as_str().expect("label");
    let cells: Vec<i64> = t["cells"][0]
        .as_array()
        .expect("cells")
        .iter()
        .map(|v| v.as_i64().expect("a count"))
        .collect();
    // The row's counts as shown (as many columns as fit), in the API's order.
    let prefix: String = row.chars().take(3).collect();
    let line = tui.wait_for_row(&format!("│{prefix}"), &[]).await;
    let shown: Vec<i64> = line
        .split_whitespace()
        .filter_map(|w| w.trim_matches('│').parse().ok())
        .collect();
    assert!(
        !shown.is_empty() && cells.starts_with(&shown),
        "{row}: {cells:?} shown as {line}"
    );

    // d: what changed since the half-year before.
    tui.keys(&["d"]);
    tui.wait_for(&[&format!("{before} → {latest} 变化"), "合计"])
        .await;
    let (s, diff) = send(app.get(
        &format!("/api/v1/statistics/diff?from={before}&to={latest}"),
        &tok,
    ))
    .await;
    assert_eq!(s, 200, "{diff}");
    let d0 = &diff["tables"][0];
    tui.wait_for(&[&format!(
        "{}：合计 {} → {}",
        d0["title"].as_str().expect("title"),
        d0["from_total"],
        d0["to_total"]
    )])
    .await;

    // A frozen half-year is computed again only with a reason: the form asks, the server
    // refuses none.
    tui.keys(&["d"]);
    tui.keys(&["c"]);
    tui.wait_for(&["重新计算", "原因（必填）"]).await;
    tui.keys(&["F2"]);
    tui.wait_for(&["更正须作为新修订"]).await;
    tui.keys(&["Escape"]);
    tui.keys(&["q"]);
    drop(tui);

    // The provincial office: both counties frozen for the latest half-year.
    let tui = sign_in(&app, None, "zhejiang", &["1 全省统计"]).await;
    let s = tui
        .wait_for(&[
            &format!("（{latest}）"),
            "已冻结 2/2 县",
            "未冻结：无",
            "安吉县",
            "长兴县",
            "k = ",
            "排名",
            "趋势",
        ])
        .await;
    assert!(s.contains("全省"), "{s}");
    // Some table has a cell withheld: × in a county's row or the province's.
    let mut found = false;
    for _ in 0..12 {
        let s = tui.screen();
        if s.lines().any(|l| {
            l.starts_with('│')
                && ["安吉县", "长兴县", "全省"].iter().any(|n| l.contains(n))
                && l.contains('×')
                && !l.contains("=")
        }) {
            found = true;
            break;
        }
        tui.keys(&["t"]);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(found, "no table shows a suppressed cell:\n{}", tui.screen());
    // The trends: a sparkline of the province's rates.
    let s = tui.screen();
    assert!(
        s.chars().any(|c| ('▁'..='█').contains(&c)),
        "a sparkline:\n{s}"
    );
    // ← the half-year before: its tables too.
    tui.keys(&["Left"]);
    tui.wait_for(&[&format!("（{before}）"), "已冻结 2/2 县"])
        .await;
    tui.keys(&["q"]);
}
