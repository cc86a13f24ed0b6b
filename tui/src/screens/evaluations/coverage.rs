//! 百日攻坚: the newest coverage campaign (`GET /evaluations/coverage`): its day, its reporting
//! cycles and the county's rates today; and a cycle's report
//! (`GET /evaluations/coverage/{id}/cycles/{cycle}`): the townships and the branches ranked,
//! those listed for a talk (约谈) in red, and the forms suggested for the organisations still
//! without a party organisation. The current cycle first; `-`/`+` steps through the cycles
//! begun, `t` moves the cursor between the two rankings. Read only: reports are issued in the
//! web.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::paren;
use crate::api::types::{CoverageCampaign, CoverageLine, CoverageReport, CoverageTally};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::{List, draw_load_error, draw_table_focus};

/// The cycle states the console words (`tests/contract.rs` checks the API knows them).
pub const CYCLE_STATES: [&str; 4] = ["upcoming", "current", "overdue", "issued"];

/// Why a unit is listed for a talk, as the console words them (checked the same way).
pub const REASONS: [&str; 3] = ["last_place", "no_progress", "survey_stalled"];

/// The suggested forms the console words (checked the same way).
pub const FORMS: [&str; 5] = [
    "standalone",
    "joint",
    "affiliated",
    "industry",
    "instructor",
];

/// Which ranking the cursor, the `/` filter and the keys are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ranking {
    #[default]
    Townships,
    Branches,
}

#[derive(Default)]
pub struct Coverage {
    /// The county's campaigns, the newest first (the server's order): the part shows the
    /// newest.
    pub campaigns: Vec<CoverageCampaign>,
    pub error: Option<String>,
    /// The campaigns have answered (or refused).
    pub loaded: bool,
    /// The campaign and the cycle whose report is shown (None: no campaign, or none begun).
    pub showing: Option<(String, u32)>,
    /// That report, its rankings moved into `townships` and `branches`.
    pub report: Option<CoverageReport>,
    pub report_error: Option<String>,
    pub townships: List<CoverageLine>,
    pub branches: List<CoverageLine>,
    pub ranking: Ranking,
}

impl Coverage {
    /// The campaign shown: the newest.
    pub fn campaign(&self) -> Option<&CoverageCampaign> {
        self.campaigns.first()
    }

    /// The report shown, to (re)load.
    pub fn report_call(&self) -> Option<Call> {
        self.showing
            .as_ref()
            .map(|(id, cycle)| Call::CoverageReport {
                id: id.clone(),
                cycle: *cycle,
            })
    }

    pub fn filtering(&self) -> bool {
        self.list().filtering
    }

    fn list(&self) -> &List<CoverageLine> {
        match self.ranking {
            Ranking::Townships => &self.townships,
            Ranking::Branches => &self.branches,
        }
    }

    /// Cursor and filter keys in the ranking with the cursor, and `t` to the other ranking;
    /// true when the key was used.
    pub fn key(&mut self, k: KeyEvent) -> bool {
        if !self.filtering() && k.code == KeyCode::Char('t') {
            self.ranking = match self.ranking {
                Ranking::Townships => Ranking::Branches,
                Ranking::Branches => Ranking::Townships,
            };
            return true;
        }
        match self.ranking {
            Ranking::Townships => self.townships.key(k, ltext),
            Ranking::Branches => self.branches.key(k, ltext),
        }
    }

    /// `-`/`+`: the report of the cycle before or after, among those begun; the rows of the
    /// cycle shown go at once (the filters stay).
    pub fn step(&mut self, later: bool) -> Action {
        let (Some(c), Some((id, at))) = (self.campaign(), &self.showing) else {
            return Action::None;
        };
        let begun = begun(c);
        let Some(i) = begun.iter().position(|n| n == at) else {
            return Action::None;
        };
        let to = if later {
            begun.get(i + 1)
        } else {
            i.checked_sub(1).and_then(|i| begun.get(i))
        };
        let Some(to) = to.copied() else {
            return Action::None;
        };
        self.showing = Some((id.clone(), to));
        self.clear_report();
        Action::Calls(self.report_call().into_iter().collect())
    }

    fn clear_report(&mut self) {
        self.report = None;
        self.report_error = None;
        for l in [&mut self.townships, &mut self.branches] {
            let filter = std::mem::take(&mut l.filter);
            *l = List {
                filter,
                ..List::default()
            };
        }
    }
}

/// The cycles whose report can be read: every one but those still to come.
fn begun(c: &CoverageCampaign) -> Vec<u32> {
    c.cycles
        .iter()
        .filter(|x| x.state != "upcoming")
        .map(|x| x.cycle)
        .collect()
}

/// The cycle shown first: the current one, else the last begun (the campaign is over).
fn first_cycle(c: &CoverageCampaign) -> Option<u32> {
    let begun = begun(c);
    c.current_cycle
        .filter(|n| begun.contains(n))
        .or_else(|| begun.last().copied())
}

fn ltext(l: &CoverageLine) -> String {
    let mut s = l.name.clone();
    for r in &l.reasons {
        s.push(' ');
        s.push_str(&r.label);
    }
    s
}

/// The campaigns have come. The report of the newest campaign's current cycle is asked for
/// the first time, or when the cycle shown is no longer one of it (another campaign).
pub fn campaigns_loaded(s: &mut Coverage, items: Vec<CoverageCampaign>) -> Vec<Call> {
    s.campaigns = items;
    s.error = None;
    s.loaded = true;
    let still = match (s.campaign(), &s.showing) {
        (Some(c), Some((id, n))) => *id == c.id && begun(c).contains(n),
        _ => false,
    };
    if still {
        return Vec::new();
    }
    let showing = s
        .campaign()
        .and_then(|c| first_cycle(c).map(|n| (c.id.clone(), n)));
    s.showing = showing;
    s.clear_report();
    s.report_call().into_iter().collect()
}

/// A cycle's report has come; an answer for another cycle than the one shown is dropped.
pub fn report_loaded(s: &mut Coverage, id: &str, cycle: u32, mut r: CoverageReport) {
    if s.showing.as_ref() != Some(&(id.to_owned(), cycle)) {
        return;
    }
    s.report_error = None;
    // The server's order is the ranking: kept as it came.
    s.townships.set(std::mem::take(&mut r.townships), ltext);
    s.branches.set(std::mem::take(&mut r.branches), ltext);
    s.report = Some(r);
}

/// A refused read, said in the part: the campaigns, or the report shown.
pub fn refused(s: &mut Coverage, call: &Call, text: String) {
    match call {
        Call::CoverageCampaigns => {
            s.error = Some(text);
            s.loaded = true;
        }
        Call::CoverageReport { id, cycle } if s.showing.as_ref() == Some(&(id.clone(), *cycle)) => {
            s.report_error = Some(text)
        }
        _ => {}
    }
}

/// A cycle's state in words, and its colour.
pub(super) fn cycle_state(lang: Lang, state: &str) -> (&'static str, Style) {
    let (zh, en, colour) = match state {
        "issued" => ("已通报", "issued", Color::Green),
        "current" => ("本轮", "current", Color::Yellow),
        "overdue" => ("逾期未通报", "overdue", Color::Red),
        _ => ("", "", Color::DarkGray),
    };
    (tr(lang, zh, en), Style::default().fg(colour))
}

/// Why a unit is listed for a talk, in a word (the server's labels are sentences).
pub(super) fn reason(lang: Lang, code: &str, label: &str) -> String {
    match code {
        "last_place" => tr(lang, "末位", "last"),
        "no_progress" => tr(lang, "进展慢", "slow"),
        "survey_stalled" => tr(lang, "迟缓", "stalled"),
        _ => label,
    }
    .to_owned()
}

/// A rate, or a dash with nothing to count.
fn pct(r: Option<f64>) -> String {
    r.map(|v| format!("{v:.1}%"))
        .unwrap_or_else(|| "—".to_owned())
}

/// The four rates of a tally, labelled.
fn rates(lang: Lang, t: &CoverageTally) -> String {
    [
        (tr(lang, "摸底率", "surveyed"), t.survey_rate),
        (tr(lang, "党组织覆盖率", "party org"), t.party_org_rate),
        (tr(lang, "党的工作覆盖率", "party work"), t.party_work_rate),
        (tr(lang, "团组织覆盖率", "League org"), t.league_org_rate),
    ]
    .iter()
    .map(|(l, r)| format!("{l} {}", pct(*r)))
    .collect::<Vec<_>>()
    .join(tr(lang, "  ", " · "))
}

pub(super) fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &Coverage) {
    if let Some(e) = &s.error {
        draw_load_error(f, area, e);
        return;
    }
    let Some(c) = s.campaign() else {
        let text = if s.loaded {
            tr(
                lang,
                "尚未启动百日攻坚行动。",
                "No coverage campaign has been started yet.",
            )
        } else {
            tr(lang, "加载中…", "loading…")
        };
        let title = format!(" {} ", tr(lang, "百日攻坚", "Coverage campaign"));
        let block = Block::default().borders(Borders::ALL).title(title);
        f.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(6), Constraint::Min(1)]).areas(area);
    f.render_widget(Paragraph::new(head_lines(lang, s, c)), head);
    if let Some(e) = &s.report_error {
        draw_load_error(f, body, e);
        return;
    }
    if s.showing.is_none() {
        return;
    }
    draw_rankings(f, body, lang, s);
}

/// The campaign's day and title, its cycles, the county's rates today, and the report's
/// date, its suggested forms and the units listed for a talk.
fn head_lines<'a>(lang: Lang, s: &Coverage, c: &'a CoverageCampaign) -> Vec<Line<'a>> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().fg(Color::DarkGray);
    let sep = " · ";
    let day = if c.day < 1 {
        format!("{} {}", tr(lang, "开始于", "starts on"), c.starts_on)
    } else {
        format!(
            "{}{}/{}{}",
            tr(lang, "第", "day "),
            c.day.min(i64::from(c.days)),
            c.days,
            tr(lang, "天", "")
        )
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(day, bold),
        Span::raw(sep),
        Span::raw(c.title.as_str()),
    ])];
    let mut cycles = vec![Span::styled(tr(lang, "轮次 ", "Cycles "), bold)];
    let shown = s.showing.as_ref().map(|(_, n)| *n);
    for x in &c.cycles {
        let (word, style) = cycle_state(lang, &x.state);
        let text = if word.is_empty() {
            format!(" {} ", x.cycle)
        } else {
            format!(" {} {word} ", x.cycle)
        };
        let style = if Some(x.cycle) == shown {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style
        };
        cycles.push(Span::styled(text, style));
    }
    cycles.push(Span::styled(
        tr(lang, "  -/+ 轮次 · t 乡镇/分会", "  -/+ cycle · t ranking"),
        dim,
    ));
    lines.push(Line::from(cycles));
    lines.push(Line::from(vec![
        Span::styled(tr(lang, "全县 ", "County "), bold),
        Span::raw(rates(lang, &c.county)),
    ]));
    let Some(r) = &s.report else {
        if s.showing.is_some() {
            lines.push(Line::styled(tr(lang, "加载中…", "loading…"), dim));
        }
        return lines;
    };
    let report = match lang {
        Lang::Zh => format!("截至 {}（第{}天）", r.as_of, r.day),
        Lang::En => format!("as of {} (day {})", r.as_of, r.day),
    };
    let issued = match (&r.issued_on, r.issued) {
        (Some(d), true) => format!("{} {d}", tr(lang, "已通报", "issued")),
        _ => tr(lang, "未通报，数据实时", "not issued (live)").to_owned(),
    };
    let mut tail = vec![report, issued];
    if let Some(n) = r.compared_with_cycle {
        tail.push(format!(
            "{}{n}{}",
            tr(lang, "对比第", "vs cycle "),
            tr(lang, "轮", "")
        ));
    }
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{}{}{} ",
                tr(lang, "第", "Cycle "),
                r.cycle,
                tr(lang, "轮通报", "")
            ),
            bold,
        ),
        Span::raw(tail.join(sep)),
    ]));
    let total: u32 = r.suggested.iter().map(|x| x.count).sum();
    let forms: Vec<String> = r
        .suggested
        .iter()
        .map(|x| format!("{} {}", form(lang, &x.form, &x.label), x.count))
        .collect();
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} {total}{}",
                tr(lang, "建议组建", "Suggested"),
                tr(lang, "：", ": ")
            ),
            bold,
        ),
        Span::raw(forms.join(sep)),
    ]));
    let listed: Vec<String> = r
        .laggards
        .iter()
        .map(|l| {
            let why: Vec<String> = l
                .reasons
                .iter()
                .map(|x| reason(lang, &x.code, &x.label))
                .collect();
            format!("{}{}", l.name, paren(lang, &why.join("·")))
        })
        .collect();
    let red = Style::default().fg(Color::Red);
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} {}{}",
                tr(lang, "约谈", "Talks"),
                r.laggards.len(),
                tr(lang, "：", ": ")
            ),
            bold,
        ),
        Span::styled(listed.join(sep), red),
    ]));
    lines
}

/// A suggested form in a word, after 建议组建 (the server's labels say 单独组建 and the like).
fn form(lang: Lang, code: &str, label: &str) -> String {
    match code {
        "standalone" => tr(lang, "单独", "single"),
        "joint" => tr(lang, "联合", "joint"),
        "affiliated" => tr(lang, "挂靠", "attached"),
        "industry" => tr(lang, "行业", "trade"),
        "instructor" => tr(lang, "指导员", "instructor"),
        _ => label,
    }
    .to_owned()
}

/// The two rankings, one above the other: the branches' (a few) as tall as they need when
/// there is room, the townships' the rest.
fn draw_rankings(f: &mut Frame, area: Rect, lang: Lang, s: &Coverage) {
    let need = |l: &List<CoverageLine>| l.view.len().max(1) as u16 + 3;
    let branches_h = need(&s.branches).min(
        area.height
            .saturating_sub(need(&s.townships))
            .max(area.height / 2),
    );
    let [top, bottom] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(branches_h)]).areas(area);
    let cycle = s.showing.as_ref().map(|(_, n)| *n).unwrap_or_default();
    let title = |zh: &str, en: &str| {
        format!(
            "{}{cycle}{} {}",
            tr(lang, "第", "Cycle "),
            tr(lang, "轮", ""),
            tr(lang, zh, en)
        )
    };
    ranking(
        f,
        top,
        lang,
        &title("乡镇（街道）排名", "township ranking"),
        tr(lang, "乡镇（街道）", "Township"),
        &s.townships,
        s.ranking == Ranking::Townships,
    );
    ranking(
        f,
        bottom,
        lang,
        &title("分会排名", "branch ranking"),
        tr(lang, "分会", "Branch"),
        &s.branches,
        s.ranking == Ranking::Branches,
    );
}

fn ranking(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    title: &str,
    unit: &str,
    list: &List<CoverageLine>,
    focused: bool,
) {
    draw_table_focus(
        f,
        area,
        lang,
        title,
        &[
            (tr(lang, "名次", "Rank"), 4),
            (unit, 14),
            (tr(lang, "主体", "Orgs"), 5),
            (tr(lang, "摸底率", "Survey"), 6),
            (tr(lang, "党组织", "Party"), 6),
            (tr(lang, "党的工作", "Reached"), 8),
            (tr(lang, "团组织", "League"), 6),
            (tr(lang, "新建", "New"), 4),
            (tr(lang, "约谈", "Talk"), 17),
        ],
        list,
        |l| {
            let t = &l.tally;
            vec![
                l.place.map(|p| p.to_string()).unwrap_or_else(|| "—".into()),
                l.name.clone(),
                t.businesses.to_string(),
                pct(t.survey_rate),
                pct(t.party_org_rate),
                pct(t.party_work_rate),
                pct(t.league_org_rate),
                t.established.to_string(),
                l.reasons
                    .iter()
                    .map(|r| reason(lang, &r.code, &r.label))
                    .collect::<Vec<_>>()
                    .join("·"),
            ]
        },
        |l| {
            if l.reasons.is_empty() {
                Style::default()
            } else {
                Style::default().fg(Color::Red)
            }
        },
        focused,
    );
}
