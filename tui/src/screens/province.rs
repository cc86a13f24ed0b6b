//! The provincial office's statistics (全省统计, issue 17 item 5): a half-year across the
//! province's counties from their frozen snapshots (`GET /province/statistics`), the counties
//! not frozen yet, one cross-county table at a time (`t` cycles them) with the cells withheld
//! by disclosure control shown as `×`, the rankings, and the province's rate of each ranking
//! over the periods as sparklines (`GET /province/statistics/trends`). ←/→ or -/+ step the
//! periods. The platform operator sees the province with the most counties (`p`: the next).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Wrap};

use crate::api::types::{ProvinceStatTable, ProvinceStatistics, ProvinceTrends};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{draw_load_error, fit};

#[derive(Default)]
pub struct State {
    /// The province asked for (the platform operator's choice; a provincial office's is its
    /// own, and the server's answer names it).
    pub province: Option<String>,
    /// The provinces the operator can step through (`p`).
    pub provinces: Vec<String>,
    /// The period asked for (None: the server's default).
    pub period: Option<String>,
    pub stats: Option<ProvinceStatistics>,
    pub trends: Option<ProvinceTrends>,
    pub table: usize,
    pub scroll: u16,
    pub error: Option<String>,
    pub loaded: bool,
}

impl State {
    pub fn calls(&self) -> Vec<Call> {
        vec![
            Call::ProvinceStatistics {
                province: self.province.clone(),
                period: self.period.clone(),
            },
            Call::ProvinceTrends {
                province: self.province.clone(),
            },
        ]
    }

    /// The periods to step through: the trends' (oldest first), else the one shown.
    fn periods(&self) -> Vec<String> {
        match &self.trends {
            Some(t) if !t.periods.is_empty() => {
                t.periods.iter().map(|p| p.period.clone()).collect()
            }
            _ => self.stats.iter().map(|s| s.period.clone()).collect(),
        }
    }

    fn step(&mut self, later: bool) -> Action {
        let ps = self.periods();
        let cur = self
            .stats
            .as_ref()
            .map(|s| s.period.clone())
            .or_else(|| self.period.clone());
        let Some(i) = cur.and_then(|c| ps.iter().position(|p| *p == c)) else {
            return Action::None;
        };
        let j = if later { i + 1 } else { i.wrapping_sub(1) };
        let Some(p) = ps.get(j) else {
            return Action::None;
        };
        self.period = Some(p.clone());
        self.scroll = 0;
        Action::Calls(vec![Call::ProvinceStatistics {
            province: self.province.clone(),
            period: self.period.clone(),
        }])
    }
}

/// A half-year has come: kept if it is the one asked for (or the default, when none was).
pub fn loaded(s: &mut State, period: &Option<String>, v: ProvinceStatistics) {
    if *period != s.period {
        return;
    }
    s.table = s.table.min(v.tables.len().saturating_sub(1));
    s.stats = Some(v);
    s.error = None;
    s.loaded = true;
}

pub fn trends_loaded(s: &mut State, v: ProvinceTrends) {
    s.trends = Some(v);
}

pub fn refused(s: &mut State, call: &Call, text: String) {
    if matches!(call, Call::ProvinceStatistics { .. }) {
        s.error = Some(text);
        s.loaded = true;
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    match k.code {
        KeyCode::Left | KeyCode::Char('-') => s.step(false),
        KeyCode::Right | KeyCode::Char('+' | '=') => s.step(true),
        KeyCode::Char('t' | 'T') => {
            let n = s.stats.as_ref().map_or(0, |x| x.tables.len());
            if n > 0 {
                s.table = if k.code == KeyCode::Char('t') {
                    (s.table + 1) % n
                } else {
                    (s.table + n - 1) % n
                };
                s.scroll = 0;
            }
            Action::None
        }
        KeyCode::PageDown | KeyCode::Char('j' | 'J') | KeyCode::Down => {
            s.scroll = s
                .scroll
                .saturating_add(if k.code == KeyCode::PageDown { 10 } else { 1 });
            Action::None
        }
        KeyCode::PageUp | KeyCode::Char('k' | 'K') | KeyCode::Up => {
            s.scroll = s
                .scroll
                .saturating_sub(if k.code == KeyCode::PageUp { 10 } else { 1 });
            Action::None
        }
        KeyCode::Char('p') if s.provinces.len() > 1 => {
            let i = s
                .province
                .as_ref()
                .and_then(|p| s.provinces.iter().position(|x| x == p))
                .map_or(0, |i| (i + 1) % s.provinces.len());
            s.province = Some(s.provinces[i].clone());
            s.period = None;
            s.stats = None;
            s.trends = None;
            Action::Calls(s.calls())
        }
        _ => Action::None,
    }
}

/// A rate as a percentage.
fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".to_owned())
}

fn cell(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "×".to_owned())
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    if let Some(e) = &s.error {
        draw_load_error(f, area, e);
        return;
    }
    let Some(st) = &s.stats else {
        f.render_widget(Paragraph::new(tr(lang, "加载中…", "Loading…")), area);
        return;
    };
    let missing: Vec<String> = st
        .counties
        .iter()
        .filter(|c| c.missing.is_some())
        .map(|c| {
            let why = c.missing.as_deref().unwrap_or_default();
            format!("{}（{}）", c.name, missing_text(lang, why))
        })
        .collect();
    let head = format!(
        "{}（{}） · {} {}/{} {} · {}{}",
        st.label,
        st.period,
        tr(lang, "已冻结", "frozen"),
        st.frozen,
        st.counties.len(),
        tr(lang, "县", "counties"),
        tr(lang, "未冻结：", "not frozen: "),
        if missing.is_empty() {
            tr(lang, "无", "none").to_owned()
        } else {
            missing.join("、")
        }
    );
    let hint = tr(
        lang,
        "←/→ 或 -/+ 切换期 · t 换表 · PgUp/PgDn 滚动",
        "←/→ or -/+ period · t table · PgUp/PgDn scroll",
    );
    let rank_h = (st.rankings.len() as u16 * 2 + 2).clamp(4, 14);
    let [h1, h2, table, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(rank_h.max(trend_height(s))),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(head), h1);
    f.render_widget(
        Paragraph::new(hint).style(Style::default().fg(Color::DarkGray)),
        h2,
    );
    match st.tables.get(s.table) {
        Some(t) => draw_table(f, table, lang, s, st, t),
        None => f.render_widget(
            Paragraph::new(tr(
                lang,
                "该期尚无已冻结的县。",
                "No county is frozen for this period.",
            ))
            .block(Block::default().borders(Borders::ALL)),
            table,
        ),
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    draw_rankings(f, left, lang, st);
    draw_trends(f, right, lang, s);
}

fn missing_text(lang: Lang, why: &str) -> String {
    match why {
        "not_frozen" => tr(lang, "未冻结", "not frozen").to_owned(),
        "tenant_suspended" => label(lang, "suspended"),
        other => other.to_owned(),
    }
}

fn draw_table(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    s: &State,
    st: &ProvinceStatistics,
    t: &ProvinceStatTable,
) {
    let title = format!(
        " {} {}/{}：{}（{}） ",
        tr(lang, "表", "Table"),
        s.table + 1,
        st.tables.len(),
        t.title,
        t.population
    );
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut head = fit(tr(lang, "县", "County"), 14);
    for c in &t.cols {
        head.push_str(&fit(&c.label, 11));
    }
    head.push_str(tr(lang, "合计", "Total"));
    let mut lines = vec![
        Line::styled(
            format!(
                "{} k = {}",
                tr(
                    lang,
                    "× = 抑制的单元格（小于阈值的计数及其补充抑制），阈值",
                    "× = suppressed (a count below k, or a complementary cell),"
                ),
                st.min_cell
            ),
            Style::default().fg(Color::DarkGray),
        ),
        Line::styled(head, bold),
    ];
    for r in &t.rows {
        let mut l = fit(&r.name, 14);
        for v in &r.cells {
            l.push_str(&fit(&cell(*v), 11));
        }
        l.push_str(&cell(r.total));
        lines.push(Line::raw(l));
    }
    let mut l = fit(tr(lang, "全省", "Province"), 14);
    for v in &t.col_totals {
        l.push_str(&fit(&cell(*v), 11));
    }
    l.push_str(&cell(t.total));
    lines.push(Line::styled(l, bold));
    f.render_widget(
        Paragraph::new(lines)
            .scroll((s.scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

fn draw_rankings(f: &mut Frame, area: Rect, lang: Lang, st: &ProvinceStatistics) {
    let lines: Vec<Line> = st
        .rankings
        .iter()
        .map(|r| {
            let places: Vec<String> = r
                .lines
                .iter()
                .map(|l| {
                    let place = l.place.map(|p| p.to_string()).unwrap_or_else(|| "—".into());
                    format!("{place} {} {}", l.name, pct(l.rate))
                })
                .collect();
            Line::raw(format!(
                "{} {} {}：{}",
                r.title,
                tr(lang, "全省", "province"),
                pct(r.province_rate),
                places.join(" · ")
            ))
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tr(lang, "排名", "Rankings"))),
        ),
        area,
    );
}

/// Each ranking's trend takes two lines: its title and latest rate, and its sparkline.
fn trend_height(s: &State) -> u16 {
    let n = s.stats.as_ref().map_or(0, |st| st.rankings.len()).max(
        s.trends
            .as_ref()
            .and_then(|t| t.periods.last())
            .map_or(0, |p| p.rankings.len()),
    );
    (n as u16 * 2 + 2).min(14)
}

fn draw_trends(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {} ",
        tr(
            lang,
            "趋势（全省比率，逐期）",
            "Trends (province rate by period)"
        )
    ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(t) = &s.trends else {
        return;
    };
    // The rankings as the latest period names them.
    let Some(keys) = t.periods.iter().rev().find(|p| !p.rankings.is_empty()) else {
        f.render_widget(Paragraph::new(tr(lang, "尚无数据", "No data yet")), inner);
        return;
    };
    let rows = Layout::vertical(
        keys.rankings
            .iter()
            .map(|_| Constraint::Length(2))
            .collect::<Vec<_>>(),
    )
    .split(inner);
    for (r, area) in keys.rankings.iter().zip(rows.iter()) {
        let data: Vec<Option<u64>> = t
            .periods
            .iter()
            .map(|p| {
                p.rankings
                    .iter()
                    .find(|x| x.key == r.key)
                    .and_then(|x| x.province_rate)
                    .map(|v| (v * 1000.0).round() as u64)
            })
            // Three columns a period, so that a few periods still read as a line.
            .flat_map(|v| [v; 3])
            .collect();
        let first = t
            .periods
            .first()
            .map(|p| p.period.as_str())
            .unwrap_or_default();
        let last = t
            .periods
            .last()
            .map(|p| p.period.as_str())
            .unwrap_or_default();
        let [label_area, line] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(*area);
        f.render_widget(
            Paragraph::new(format!(
                "{} {} ({first}–{last})",
                r.title,
                pct(r.province_rate)
            )),
            label_area,
        );
        let w = (data.len() as u16).min(line.width);
        let [spark, _] =
            Layout::horizontal([Constraint::Length(w), Constraint::Min(0)]).areas(line);
        f.render_widget(
            Sparkline::default()
                .data(data)
                .max(1000)
                .style(Style::default().fg(Color::Green)),
            spark,
        );
    }
}
