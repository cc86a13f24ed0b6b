//! Console benchmark, no criterion: frame render time for a 10,000-entry roster and the
//! 90-county list, and keypress-to-updated-screen time against a running server.
//!
//!     cargo run --release -p shuanglian-tui --example bench
//!     cargo run --release -p shuanglian-tui --example bench -- \
//!         --server http://127.0.0.1:8080 --tenant 330523 --user village.0001 --password Shuanglian-demo-2026

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shuanglian_tui::app::{Call, Cmd, Model, Msg, SignInRequestData, Tab, execute, update};
use shuanglian_tui::i18n::Lang;
use shuanglian_tui::sample;
use shuanglian_tui::view::view;

fn stats(name: &str, mut d: Vec<Duration>) {
    d.sort();
    let med = d[d.len() / 2];
    let worst = d[d.len() - 1];
    println!(
        "{name:<48} n={:<4} median {:>8.3} ms   worst {:>8.3} ms",
        d.len(),
        med.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}

fn frames(name: &str, m: &mut Model, w: u16, h: u16, n: usize) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let mut d = Vec::with_capacity(n);
    for i in 0..n {
        // Scroll as an operator would: the cursor moves every frame.
        let code = if i % 50 < 25 {
            KeyCode::PageDown
        } else {
            KeyCode::PageUp
        };
        update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        let t0 = Instant::now();
        t.draw(|f| view(m, f)).expect("draw");
        d.push(t0.elapsed());
    }
    stats(name, d);
}

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter()
        .position(|x| x == name)
        .and_then(|i| a.get(i + 1).cloned())
}

/// Runs commands to completion in-process (the runtime does the same in tasks).
async fn settle(m: &mut Model, mut cmds: Vec<Cmd>) {
    while !cmds.is_empty() {
        let mut next = Vec::new();
        for c in cmds {
            if let Cmd::Call(call) = c {
                let client = m.client.with_token(m.token.clone());
                let r = execute(&client, &call).await;
                next.extend(update(m, Msg::Reply(call, r)));
            }
        }
        cmds = next;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let mut m = sample::model(lang, "county_admin", Tab::Rosters);
        m.rosters.open = Some(shuanglian_tui::screens::rosters::Group {
            id: "q".into(),
            name: "递铺网格实名制党建QQ群".into(),
            ..Default::default()
        });
        m.rosters.set_roster("q", sample::roster(10_000));
        frames(
            &format!("render: 10,000-entry roster 120x40 ({tag})"),
            &mut m,
            120,
            40,
            500,
        );
        frames(
            &format!("render: 10,000-entry roster 80x24 ({tag})"),
            &mut m,
            80,
            24,
            500,
        );
        let mut m = sample::model(lang, "platform_operator", Tab::Counties);
        shuanglian_tui::screens::counties::loaded(&mut m.counties, sample::tenants(90));
        frames(
            &format!("render: 90-county list 120x40 ({tag})"),
            &mut m,
            120,
            40,
            500,
        );
    }

    let Some(server) = arg("--server") else {
        println!(
            "(keypress-to-screen skipped: pass --server URL --tenant CODE --user NAME --password PW)"
        );
        return;
    };
    let mut m = Model::new(&server, Lang::Zh);
    let req = SignInRequestData {
        tenant_code: arg("--tenant"),
        username: arg("--user").unwrap_or_else(|| "village.0001".into()),
        password: arg("--password").unwrap_or_else(|| "Shuanglian-demo-2026".into()),
        totp_code: arg("--totp"),
    };
    let cmds = vec![Cmd::Call(Call::SignIn(req))];
    settle(&mut m, cmds).await;
    assert!(m.me.is_some(), "sign-in failed: {:?}", m.error);
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut d = Vec::new();
    for _ in 0..50 {
        let t0 = Instant::now();
        // `r` reloads the grids: key → update → API calls → replies → update → frame drawn.
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
        );
        settle(&mut m, cmds).await;
        t.draw(|f| view(&m, f)).expect("draw");
        d.push(t0.elapsed());
    }
    stats("keypress→screen: r reloads grids (2 API calls)", d);
    let mut d = Vec::new();
    for _ in 0..50 {
        let t0 = Instant::now();
        let cmds = update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)),
        );
        let mut cmds2 = cmds;
        cmds2.extend(update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
        ));
        settle(&mut m, cmds2).await;
        t.draw(|f| view(&m, f)).expect("draw");
        d.push(t0.elapsed());
        update(
            &mut m,
            Msg::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE)),
        );
    }
    stats("keypress→screen: QQ groups reload (1 API call)", d);
}
