//! Every screen rendered into ratatui's TestBackend at 80×24 (the smallest terminal the
//! console supports), in zh-CN and English, compared with the text snapshots in
//! tests/snapshots/. After an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p
//! shuanglian-tui --test render` and review the diff.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use shuanglian_tui::i18n::Lang;
use shuanglian_tui::sample;
use shuanglian_tui::view::view;
use unicode_width::UnicodeWidthStr;

/// The buffer as text; a wide character's second cell is skipped, so every line is exactly
/// as wide as the terminal when wide characters count twice.
fn text(b: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        let mut x = 0;
        let mut line = String::new();
        while x < b.area.width {
            let sym = b[(x, y)].symbol();
            line.push_str(sym);
            x += sym.width().max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn render(m: &shuanglian_tui::app::Model, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| view(m, f)).expect("draw");
    text(t.backend().buffer())
}

fn check(name: &str, got: &str) {
    let path = format!("{}/tests/snapshots/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {path}: run with UPDATE_SNAPSHOTS=1 and review it")
    });
    assert_eq!(got, want, "screen {name} differs from {path}");
}

#[test]
fn every_screen_in_both_languages_at_80x24() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        for (name, m) in sample::screens(lang) {
            check(&format!("{name}.{tag}"), &render(&m, 80, 24));
        }
    }
}

#[test]
fn wide_characters_line_up_in_columns() {
    let (_, m) = sample::screens(Lang::Zh)
        .into_iter()
        .find(|(n, _)| *n == "roster")
        .expect("roster screen");
    let s = render(&m, 80, 24);
    // The role column starts at the same display column on every roster row.
    let cols: Vec<usize> = s
        .lines()
        .filter(|l| l.contains("成员") || l.contains("村联络员") || l.contains("乡镇联络员"))
        .map(|l| {
            let i = l.find(['成', '村', '乡']).expect("role");
            l[..i].width()
        })
        .collect();
    assert!(cols.len() > 5, "{s}");
    assert!(
        cols.windows(2).all(|w| w[0] == w[1]),
        "misaligned: {cols:?}\n{s}"
    );
}

#[test]
fn larger_terminals_render_too() {
    for (_, m) in sample::screens(Lang::En) {
        let s = render(&m, 120, 40);
        assert_eq!(s.lines().count(), 40);
    }
}

#[test]
fn overdue_requests_are_red_and_their_clocks_count_from_the_servers_day() {
    use ratatui::style::Color;
    let (_, m) = sample::screens(Lang::Zh)
        .into_iter()
        .find(|(n, _)| *n == "requests")
        .expect("requests screen");
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    t.draw(|f| view(&m, f)).expect("draw");
    let b = t.backend().buffer();
    let s = text(b);
    let row = |name: &str| -> u16 {
        let y = s
            .lines()
            .position(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not on screen:\n{s}"));
        u16::try_from(y).expect("row")
    };
    // The server's today is 2026-11-26.
    for (name, clock) in [
        ("沈建华", "超期8天"),
        ("王春梅", "超期3天"),
        ("李勇", "今天到期"),
        ("陈丽", "剩6天"),
    ] {
        let line = s.lines().nth(usize::from(row(name))).unwrap_or_default();
        assert!(line.contains(clock), "{name}: {clock}\n{s}");
    }
    let fg = |name: &str| b[(3, row(name))].fg;
    assert_eq!(fg("沈建华"), Color::Red, "overdue, under the cursor");
    assert_eq!(fg("王春梅"), Color::Red);
    assert_ne!(fg("李勇"), Color::Red);
    assert_ne!(fg("张文斌"), Color::Red);
}

#[test]
fn the_coverage_rankings_mark_those_listed_for_a_talk_in_red() {
    use ratatui::style::Color;
    let (_, m) = sample::screens(Lang::Zh)
        .into_iter()
        .find(|(n, _)| *n == "evaluations-coverage")
        .expect("coverage screen");
    // On a larger terminal both rankings show whole: the unplaced lines last, unranked.
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    t.draw(|f| view(&m, f)).expect("draw");
    let b = t.backend().buffer();
    let s = text(b);
    let row = |name: &str| -> (u16, &str) {
        let (y, l) = s
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains('│') && l.contains(name))
            .unwrap_or_else(|| panic!("{name} not in a ranking:\n{s}"));
        (u16::try_from(y).expect("row"), l)
    };
    for (name, place, talk) in [
        ("孝丰镇", "│1 ", ""),
        ("递铺街道", "│8 ", "末位·进展慢·迟缓"),
        ("（未填乡镇）", "│— ", ""),
        ("孝丰分会", "│1 ", ""),
        ("递铺分会", "│4 ", "末位·进展慢"),
        ("（未划入分会）", "│— ", ""),
    ] {
        let (y, line) = row(name);
        assert!(line.starts_with(place), "{name}: {line}");
        assert!(line.contains(talk), "{name}: {line}");
        let fg = b[(3, y)].fg;
        assert_eq!(fg == Color::Red, !talk.is_empty(), "{name}: {fg:?}");
    }
    assert!(
        s.contains("约谈 2：递铺街道（末位·进展慢·迟缓） · 递铺分会（末位·进展慢）"),
        "{s}"
    );
}
