//! Province overview: counties per province by status (from the tenant list; the platform has
//! no row-level data to show), and the latest live-update events.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::api::types::{LiveEvent, Province, Tenant};
use crate::app::action::Action;
use crate::i18n::{Lang, tr};
use crate::widgets::fit;

#[derive(Default)]
pub struct State {
    pub provinces: Vec<Province>,
    /// province code → (active, suspended)
    pub counts: BTreeMap<String, (usize, usize)>,
    pub events: Vec<LiveEvent>,
    pub loaded: bool,
}

impl State {
    pub fn set_tenants(&mut self, t: &[Tenant]) {
        self.counts.clear();
        for x in t {
            let e = self.counts.entry(x.province_code.clone()).or_default();
            if x.status == "active" {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        self.loaded = true;
    }

    pub fn push_event(&mut self, e: LiveEvent) {
        self.events.insert(0, e);
        self.events.truncate(50);
    }
}

pub fn key(_s: &mut State, _k: KeyEvent) -> Action {
    Action::None
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let mut lines = vec![Line::raw(format!(
        "{}{}{}{}",
        fit(tr(lang, "省份", "Province"), 20),
        fit(tr(lang, "县数", "Counties"), 10),
        fit(tr(lang, "正常", "Active"), 10),
        fit(tr(lang, "已停用", "Suspended"), 10)
    ))];
    let (mut ta, mut ts) = (0, 0);
    for (code, (a, su)) in &s.counts {
        let name = s
            .provinces
            .iter()
            .find(|p| &p.code == code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.clone());
        ta += a;
        ts += su;
        lines.push(Line::raw(format!(
            "{}{}{}{}",
            fit(&name, 20),
            fit(&(a + su).to_string(), 10),
            fit(&a.to_string(), 10),
            fit(&su.to_string(), 10)
        )));
    }
    lines.push(Line::raw(format!(
        "{}{}{}{}",
        fit(tr(lang, "合计", "Total"), 20),
        fit(&(ta + ts).to_string(), 10),
        fit(&ta.to_string(), 10),
        fit(&ts.to_string(), 10)
    )));
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tr(lang, "全省概览", "Province overview"))),
        ),
        top,
    );
    let ev: Vec<Line> = s
        .events
        .iter()
        .map(|e| {
            Line::raw(format!(
                "{}  {}  {}  {}",
                e.at.get(11..19).unwrap_or_default(),
                fit(&e.kind, 16),
                e.tenant_code.clone().unwrap_or_default(),
                e.entity_id
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(ev).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tr(lang, "实时动态", "Live activity"))),
        ),
        bottom,
    );
}
