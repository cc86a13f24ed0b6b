//! The county's half-year statistics (统计, issue 17 item 5): the current half-year and the six
//! before with the state of their newest revision; on the period chosen (↑/↓), its tables
//! (`t` cycles them, PgUp/PgDn or J/K scroll) or, with `d`, what changed since the half-year
//! before. The county admin computes (`c`; a frozen period again only as a new revision with a
//! reason, asked for in a form), reviews (`r`) and freezes (`F`, confirmed with `y`); the
//! server's refusals (409 `period_not_over`, `snapshot_not_reviewed`, …) are said in the status
//! line. On this screen `r` reviews: the screen reloads itself after every change and on live
//! updates.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::api::types::{StatDiff, StatPeriod, StatRevision, StatSnapshot, StatTable};
use crate::app::action::{Action, Modal, Purpose};
use crate::app::calls::Call;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{Field, Form, centred, draw_load_error, fit};

#[derive(Default)]
pub struct State {
    /// Newest first (the server's order): the current half-year, then the six before.
    pub periods: Vec<StatPeriod>,
    /// The period chosen, an index into `periods`.
    pub sel: usize,
    /// The chosen period's current snapshot.
    pub snapshot: Option<StatSnapshot>,
    /// The table shown, an index into the snapshot's tables.
    pub table: usize,
    pub scroll: u16,
    /// `d`: the diff with the half-year before is shown instead of the tables.
    pub show_diff: bool,
    pub diff: Option<StatDiff>,
    /// `F` was pressed: `y` freezes.
    pub confirm: bool,
    /// What the last key did, said under the periods (zh, en).
    pub note: Option<(String, String)>,
    pub error: Option<String>,
    pub loaded: bool,
}

impl State {
    /// The confirmation takes every key.
    pub fn filtering(&self) -> bool {
        self.confirm
    }

    pub fn selected(&self) -> Option<&StatPeriod> {
        self.periods.get(self.sel)
    }

    /// The half-year before the chosen one.
    fn previous(&self) -> Option<&StatPeriod> {
        self.periods.get(self.sel + 1)
    }

    /// The snapshot shown, if it is the chosen period's.
    pub fn shown(&self) -> Option<&StatSnapshot> {
        let p = self.selected()?;
        self.snapshot.as_ref().filter(|s| s.period == p.period)
    }

    /// The chosen period's newest revision: the snapshot's when it is newer than the list.
    fn current(&self) -> Option<&StatRevision> {
        match (self.shown(), self.selected().and_then(StatPeriod::current)) {
            (Some(s), Some(p))
                if p.version > s.current.version || p.revision > s.current.revision =>
            {
                Some(p)
            }
            (Some(s), _) => Some(&s.current),
            (None, p) => p,
        }
    }

    /// The calls that (re)load the screen: the periods (whose answer asks for the chosen
    /// period's snapshot), and the diff when shown.
    pub fn calls(&self) -> Vec<Call> {
        let mut v = vec![Call::StatPeriods];
        v.extend(self.diff_call());
        v
    }

    fn snapshot_call(&self) -> Option<Call> {
        let p = self.selected()?;
        p.current().map(|_| Call::StatSnapshot {
            period: p.period.clone(),
        })
    }

    fn diff_call(&self) -> Option<Call> {
        if !self.show_diff {
            return None;
        }
        Some(Call::StatDiff {
            from: self.previous()?.period.clone(),
            to: self.selected()?.period.clone(),
        })
    }

    /// Another period chosen: its snapshot (if computed) and diff.
    fn moved(&mut self) -> Action {
        self.scroll = 0;
        self.diff = None;
        self.note = None;
        let calls: Vec<Call> = self
            .snapshot_call()
            .into_iter()
            .chain(self.diff_call())
            .collect();
        Action::Calls(calls)
    }
}

/// The periods have come: the same period stays chosen; its snapshot is asked for when the
/// one shown is not its newest revision.
pub fn periods_loaded(s: &mut State, v: Vec<StatPeriod>) -> Vec<Call> {
    let chosen = s.selected().map(|p| p.period.clone());
    s.periods = v;
    s.sel = chosen
        .and_then(|c| s.periods.iter().position(|p| p.period == c))
        .unwrap_or(0);
    s.loaded = true;
    s.error = None;
    let newest = s.selected().and_then(StatPeriod::current).cloned();
    match (newest, s.shown()) {
        (Some(n), Some(shown))
            if n.revision == shown.current.revision && n.version == shown.current.version =>
        {
            Vec::new()
        }
        (Some(_), _) => s.snapshot_call().into_iter().collect(),
        (None, _) => Vec::new(),
    }
}

/// A snapshot has come (read, computed, reviewed or frozen): kept if it is the chosen
/// period's.
pub fn snapshot_loaded(s: &mut State, snap: StatSnapshot) {
    if s.selected().map(|p| &p.period) != Some(&snap.period) {
        return;
    }
    s.table = s.table.min(snap.figures.tables.len().saturating_sub(1));
    s.snapshot = Some(snap);
}

/// A diff has come: kept if it is the one shown.
pub fn diff_loaded(s: &mut State, from: &str, to: &str, d: StatDiff) {
    let now = (
        s.previous().map(|p| p.period.as_str()),
        s.selected().map(|p| p.period.as_str()),
    );
    if now == (Some(from), Some(to)) {
        s.diff = Some(d);
    }
}

/// A change the server made: said under the periods.
pub fn changed(s: &mut State, call: &Call) {
    let (zh, en) = match call {
        Call::StatCompute { .. } => ("已生成统计。", "Computed."),
        Call::StatAdvance { verb: "review", .. } => ("已审核。", "Reviewed."),
        Call::StatAdvance { .. } => ("已冻结。", "Frozen."),
        _ => return,
    };
    s.note = Some((zh.into(), en.into()));
}

/// A refused read, said on the screen (changes refused are said in the status line).
pub fn refused(s: &mut State, call: &Call, text: String) {
    match call {
        Call::StatPeriods => {
            s.error = Some(text);
            s.loaded = true;
        }
        Call::StatDiff { .. } => s.show_diff = false,
        _ => {}
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.confirm {
        s.confirm = false;
        let version = s.current().map(|r| r.version);
        return match (k.code, s.selected(), version) {
            (KeyCode::Char('y' | 'Y'), Some(p), Some(version)) => {
                Action::Calls(vec![Call::StatAdvance {
                    period: p.period.clone(),
                    verb: "freeze",
                    version,
                }])
            }
            _ => {
                s.note = Some(("已取消。".into(), "Cancelled.".into()));
                Action::None
            }
        };
    }
    let n = s.periods.len();
    match k.code {
        KeyCode::Up | KeyCode::Char('k') if s.sel > 0 => {
            s.sel -= 1;
            s.moved()
        }
        KeyCode::Down | KeyCode::Char('j') if s.sel + 1 < n => {
            s.sel += 1;
            s.moved()
        }
        KeyCode::PageDown | KeyCode::Char('J') => {
            s.scroll = s.scroll.saturating_add(5);
            Action::None
        }
        KeyCode::PageUp | KeyCode::Char('K') => {
            s.scroll = s.scroll.saturating_sub(5);
            Action::None
        }
        KeyCode::Char('t' | 'T') => {
            let tables = s.shown().map_or(0, |x| x.figures.tables.len());
            if tables > 0 {
                s.table = if k.code == KeyCode::Char('t') {
                    (s.table + 1) % tables
                } else {
                    (s.table + tables - 1) % tables
                };
                s.scroll = 0;
            }
            Action::None
        }
        KeyCode::Char('d') => {
            s.show_diff = !s.show_diff;
            s.scroll = 0;
            s.diff = None;
            match s.diff_call() {
                Some(c) => Action::Calls(vec![c]),
                None => {
                    s.show_diff = false;
                    Action::None
                }
            }
        }
        KeyCode::Char('c') => {
            let Some(p) = s.selected() else {
                return Action::None;
            };
            let period = p.period.clone();
            if s.current().is_some_and(|r| r.state == "frozen") {
                let form = Form::new(
                    &format!("重新计算 {}（已冻结：新修订）", p.label),
                    &format!("Recompute {} (frozen: a new revision)", p.period),
                    vec![Field::text("原因（必填）", "Reason (required)")],
                );
                return Action::Open(Modal {
                    form,
                    purpose: Purpose::StatReason(period),
                });
            }
            Action::Calls(vec![Call::StatCompute {
                period,
                reason: None,
            }])
        }
        KeyCode::Char('r') => match (s.selected(), s.current()) {
            (Some(p), Some(r)) => Action::Calls(vec![Call::StatAdvance {
                period: p.period.clone(),
                verb: "review",
                version: r.version,
            }]),
            _ => {
                s.note = Some((
                    "该期尚未生成统计（c 生成）。".into(),
                    "Not computed yet (c computes).".into(),
                ));
                Action::None
            }
        },
        KeyCode::Char('F') => {
            if s.current().is_some() {
                s.confirm = true;
            } else {
                s.note = Some((
                    "该期尚未生成统计（c 生成）。".into(),
                    "Not computed yet (c computes).".into(),
                ));
            }
            Action::None
        }
        _ => Action::None,
    }
}

/// A revision's state in the user's language.
fn state_text(lang: Lang, p: &StatPeriod) -> String {
    match p.current() {
        Some(r) => label(lang, &r.state),
        None if p.over => tr(lang, "未生成", "not computed").to_owned(),
        None => tr(lang, "未到截止日", "not over").to_owned(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    if let Some(e) = &s.error {
        draw_load_error(f, area, e);
        return;
    }
    let h = s.periods.len() as u16 + 2;
    let [top, note, body] = Layout::vertical([
        Constraint::Length(h),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    let mut lines = vec![Line::styled(
        format!(
            "  {}{}{}{}{}",
            fit(tr(lang, "统计期", "Period"), 20),
            fit(tr(lang, "截止日", "Cut-off"), 12),
            fit(tr(lang, "状态", "State"), 12),
            fit(tr(lang, "修订", "Revision"), 10),
            tr(lang, "原因", "Reason")
        ),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (i, p) in s.periods.iter().enumerate() {
        let r = p.current();
        let text = format!(
            "{}{}{}{}{}{}",
            if i == s.sel { "▶ " } else { "  " },
            fit(&format!("{} {}", p.period, p.label), 20),
            fit(&p.cutoff, 12),
            fit(&state_text(lang, p), 12),
            fit(
                &r.map(|r| format!("#{}", r.revision)).unwrap_or_default(),
                10
            ),
            r.and_then(|r| r.reason.clone()).unwrap_or_default()
        );
        let st = if i == s.sel {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::styled(text, st));
    }
    lines.truncate(h.saturating_sub(2) as usize);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            tr(
                lang,
                "半年统计（↑↓ 选择期）",
                "Half-year statistics (↑↓ period)"
            )
        ))),
        top,
    );
    let hint = tr(
        lang,
        "c 生成 · r 审核 · F 冻结 · t 换表 · d 与上期比较 · PgUp/PgDn 滚动",
        "c compute · r review · F freeze · t table · d diff · PgUp/PgDn scroll",
    );
    let text = match &s.note {
        Some((zh, en)) => format!("{}   {hint}", tr(lang, zh, en)),
        None => hint.to_owned(),
    };
    f.render_widget(
        Paragraph::new(text).style(Style::default().fg(Color::DarkGray)),
        note,
    );
    if s.show_diff {
        draw_diff(f, body, lang, s);
    } else {
        draw_snapshot(f, body, lang, s);
    }
    if s.confirm {
        let r = centred(body, body.width.saturating_sub(6).min(60), 5);
        f.render_widget(Clear, r);
        let p = s.selected().map(|p| p.label.clone()).unwrap_or_default();
        f.render_widget(
            Paragraph::new(vec![
                Line::raw(format!(
                    "{}{p}{}",
                    tr(lang, "冻结 ", "Freeze "),
                    tr(
                        lang,
                        " 的统计？冻结后只能以新修订更正。",
                        "? A correction is then a new revision."
                    )
                )),
                Line::raw(tr(
                    lang,
                    "y 确认 · 其他键取消",
                    "y confirms · any other key cancels",
                )),
            ])
            .block(Block::default().borders(Borders::ALL)),
            r,
        );
    }
}

fn draw_snapshot(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let block = Block::default().borders(Borders::ALL);
    let Some(snap) = s.shown() else {
        let text = match s.selected() {
            Some(p) if p.current().is_some() => tr(lang, "加载中…", "Loading…"),
            Some(p) if p.over => tr(
                lang,
                "该期尚未生成统计：按 c 生成。",
                "Not computed yet: c computes it.",
            ),
            Some(_) => tr(lang, "该期尚未结束。", "This half-year is not over yet."),
            None => "",
        };
        f.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let Some(t) = snap.figures.tables.get(s.table) else {
        f.render_widget(Paragraph::new("—").block(block), area);
        return;
    };
    let title = format!(
        " {} {}/{}：{}（{}）{} · {} ",
        snap.label,
        s.table + 1,
        snap.figures.tables.len(),
        t.title,
        t.population,
        if t.provincial {
            tr(lang, " · 报省", " · to province")
        } else {
            ""
        },
        label(lang, &snap.current.state)
    );
    f.render_widget(
        Paragraph::new(table_lines(t))
            .scroll((s.scroll, 0))
            .block(block.title(title)),
        area,
    );
}

/// A county table: its row labels, then its cells under the column labels.
fn table_lines(t: &StatTable) -> Vec<Line<'static>> {
    let mut head = fit("", 22);
    for c in &t.cols {
        head.push_str(&fit(&c.label, 12));
    }
    let mut lines = vec![Line::styled(
        head,
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (r, row) in t.rows.iter().zip(&t.cells) {
        let mut l = fit(&r.label, 22);
        for v in row {
            l.push_str(&fit(&v.to_string(), 12));
        }
        lines.push(Line::raw(l));
    }
    lines
}

fn draw_diff(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let title = match (s.previous(), s.selected()) {
        (Some(a), Some(b)) => format!(
            " {} → {} {} ",
            a.period,
            b.period,
            tr(lang, "变化", "changes")
        ),
        _ => String::new(),
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let Some(d) = &s.diff else {
        f.render_widget(
            Paragraph::new(tr(lang, "加载中…", "Loading…")).block(block),
            area,
        );
        return;
    };
    let mut lines = Vec::new();
    for t in &d.tables {
        lines.push(Line::styled(
            format!(
                "{}：{} {} → {}（{}）",
                t.title,
                tr(lang, "合计", "total"),
                t.from_total,
                t.to_total,
                signed(t.to_total - t.from_total)
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        if t.changed.is_empty() {
            lines.push(Line::raw(format!("  {}", tr(lang, "无变化", "no change"))));
        }
        for c in &t.changed {
            lines.push(Line::raw(format!(
                "  {}{} → {}（{}）",
                fit(&format!("{}·{}", c.row.label, c.col.label), 36),
                c.from,
                c.to,
                signed(c.change)
            )));
        }
    }
    f.render_widget(
        Paragraph::new(lines).scroll((s.scroll, 0)).block(block),
        area,
    );
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}
