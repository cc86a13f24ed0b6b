//! Evaluations (考评, issue 16 item 7), in three parts that ←/→ (or `[`/`]`) switch between:
//! - 党员先锋指数: a vanguard campaign's progress (`GET /evaluations/vanguard`), the latest
//!   year first; `-`/`+` shows an earlier or later campaign;
//! - 考评定级: a year's branch grading and ranking (`GET /evaluations/branches?year=`), last
//!   year's first (the year before the server's today); `-`/`+` moves the year;
//! - 谈心谈话·结对帮扶: the members of the latest final (or reported) campaign with one or two
//!   stars (`GET /evaluations/vanguard/{year}/entries?show=needs_help`, every page), with their
//!   talk, mentor and the day their help was done.
//!
//! The console keeps no clock: "last year" is the year before the server's today in China (the
//! `Date` header of the campaigns' answer, see [`crate::days`]); without it the server's own
//! default year is asked for.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};

use crate::api::types::{
    BranchEvaluation, BranchEvaluationList, Campaign, CampaignList, VanguardEntry,
};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::{List, draw_load_error, draw_table, draw_table_styled, fit};

/// The entries the third part shows, sent as `show=` (`tests/contract.rs` checks the API
/// knows it).
pub const HELP_SHOW: &str = "needs_help";

/// The campaign states whose stars are final: the third part lists the latest of them.
pub const FINAL_STATES: [&str; 2] = ["final", "reported"];

/// The grades of the branch grading, best first (the server's words).
pub const GRADES: [&str; 4] = ["好", "较好", "一般", "较差"];

/// The first year the server takes.
const FIRST_YEAR: i32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Part {
    /// 党员先锋指数: a campaign's progress.
    #[default]
    Vanguard,
    /// 考评定级: the branch grading's ranking.
    Branches,
    /// 谈心谈话·结对帮扶: the members with one or two stars.
    Help,
}

const PARTS: [Part; 3] = [Part::Vanguard, Part::Branches, Part::Help];

#[derive(Default)]
pub struct State {
    pub part: Part,
    /// The county's campaigns, the latest year first (the server's order).
    pub campaigns: Vec<Campaign>,
    /// The campaign the first part shows, by year (None: the latest).
    pub campaign_year: Option<i32>,
    /// The server's today in China when it sent the campaigns.
    pub today: Option<String>,
    pub campaigns_error: Option<String>,
    /// The grading's year shown (None until the server's today is known).
    pub branches_year: Option<i32>,
    /// The county's counts of that year (its items are in `ranking`).
    pub branches: Option<BranchEvaluationList>,
    pub ranking: List<BranchEvaluation>,
    pub branches_error: Option<String>,
    /// The campaign whose members needing help are listed (None: no final campaign yet).
    pub help_year: Option<i32>,
    pub help: List<VanguardEntry>,
    pub help_error: Option<String>,
    /// The campaigns have answered (or refused).
    pub loaded: bool,
}

impl State {
    /// The list takes every key while its `/` filter is typed.
    pub fn filtering(&self) -> bool {
        match self.part {
            Part::Vanguard => false,
            Part::Branches => self.ranking.filtering,
            Part::Help => self.help.filtering,
        }
    }

    /// The server's year, from its today.
    pub fn this_year(&self) -> Option<i32> {
        self.today.as_deref()?.get(..4)?.parse().ok()
    }

    /// The campaign the first part shows: the one chosen by year, else the latest.
    pub fn campaign(&self) -> Option<&Campaign> {
        self.campaign_year
            .and_then(|y| self.campaigns.iter().find(|c| c.year == y))
            .or_else(|| self.campaigns.first())
    }

    /// The calls that (re)load the screen: the campaigns (whose answer asks for the rest the
    /// first time), the grading of the year shown and the members needing help.
    pub fn calls(&self) -> Vec<Call> {
        let mut v = vec![Call::Campaigns];
        if self.branches_year.is_some() {
            v.push(self.branches_call());
        }
        if let Some(year) = self.help_year {
            v.push(help_call(year));
        }
        v
    }

    fn branches_call(&self) -> Call {
        Call::BranchEvaluations {
            year: self.branches_year,
        }
    }
}

fn help_call(year: i32) -> Call {
    Call::VanguardEntries {
        year,
        show: HELP_SHOW.to_owned(),
    }
}

fn rtext(b: &BranchEvaluation) -> String {
    format!(
        "{} {} {} {}",
        b.unit_name,
        b.parent_name,
        b.grade.as_deref().unwrap_or_default(),
        b.state_label
    )
}

fn htext(e: &VanguardEntry) -> String {
    format!(
        "{} {} {} {}",
        e.member_name,
        e.business_name,
        e.unit_name,
        e.mentor.as_deref().unwrap_or_default()
    )
}

/// The campaigns have come: kept in the server's order. The first time, the grading of the
/// year before the server's today is asked for; the members needing help are asked for when
/// the latest final campaign is another than the one listed.
pub fn campaigns_loaded(s: &mut State, l: CampaignList) -> Vec<Call> {
    let mut calls = Vec::new();
    s.campaigns = l.items;
    if l.today.is_some() {
        s.today = l.today;
    }
    s.campaigns_error = None;
    s.loaded = true;
    if s.campaign_year.is_some() && s.campaign().map(|c| c.year) != s.campaign_year {
        s.campaign_year = None;
    }
    if s.branches_year.is_none() && !s.ranking.loaded {
        s.branches_year = s.this_year().map(|y| y - 1);
        calls.push(s.branches_call());
    }
    let latest_final = s
        .campaigns
        .iter()
        .find(|c| FINAL_STATES.contains(&c.state.as_str()))
        .map(|c| c.year);
    if latest_final != s.help_year || (latest_final.is_none() && !s.help.loaded) {
        s.help_year = latest_final;
        s.help = List::default();
        s.help_error = None;
        match latest_final {
            Some(y) => calls.push(help_call(y)),
            // Nothing final yet: an empty list, said as such.
            None => s.help.set(Vec::new(), htext),
        }
    }
    calls
}

/// A year's grading has come; an answer for a year no longer shown is dropped.
pub fn branches_loaded(s: &mut State, asked: Option<i32>, mut l: BranchEvaluationList) {
    if asked != s.branches_year {
        return;
    }
    s.branches_year = Some(l.year);
    s.branches_error = None;
    // The server's order is the ranking: kept as it came.
    let items = std::mem::take(&mut l.items);
    s.branches = Some(l);
    s.ranking.set(items, rtext);
}

/// The members needing help have come; an answer for another campaign is dropped.
pub fn help_loaded(s: &mut State, year: i32, items: Vec<VanguardEntry>) {
    if Some(year) != s.help_year {
        return;
    }
    s.help_error = None;
    s.help.set(items, htext);
}

/// A refused (or failed) read, said in its part: the campaigns (the first part, and the screen
/// counts as loaded, so switching back does not ask again), the grading or the help list.
pub fn refused(s: &mut State, call: &Call, text: String) {
    match call {
        Call::Campaigns => {
            s.campaigns_error = Some(text);
            s.loaded = true;
        }
        Call::BranchEvaluations { year } if *year == s.branches_year => {
            s.branches_error = Some(text)
        }
        Call::VanguardEntries { year, .. } if Some(*year) == s.help_year => {
            s.help_error = Some(text)
        }
        _ => {}
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    let used = match s.part {
        Part::Vanguard => false,
        Part::Branches => s.ranking.key(k, rtext),
        Part::Help => s.help.key(k, htext),
    };
    if used {
        return Action::None;
    }
    let pos = PARTS.iter().position(|p| *p == s.part).unwrap_or(0);
    let n = PARTS.len();
    let later = match k.code {
        KeyCode::Right | KeyCode::Char(']') => {
            s.part = PARTS[(pos + 1) % n];
            return Action::None;
        }
        KeyCode::Left | KeyCode::Char('[') => {
            s.part = PARTS[(pos + n - 1) % n];
            return Action::None;
        }
        KeyCode::Char('+' | '=') => true,
        KeyCode::Char('-') => false,
        _ => return Action::None,
    };
    match s.part {
        Part::Vanguard => {
            // The campaigns come latest first: a later year is one place up.
            let at = s
                .campaign()
                .and_then(|c| s.campaigns.iter().position(|x| x.year == c.year))
                .unwrap_or(0);
            let to = if later {
                at.checked_sub(1)
            } else {
                Some(at + 1).filter(|i| *i < s.campaigns.len())
            };
            if let Some(c) = to.and_then(|i| s.campaigns.get(i)) {
                s.campaign_year = Some(c.year);
            }
            Action::None
        }
        Part::Branches => {
            let Some(year) = s.branches_year else {
                return Action::None;
            };
            let to = if later { year + 1 } else { year - 1 };
            // The server takes 2000 to its this year.
            if to < FIRST_YEAR || s.this_year().is_some_and(|t| to > t) {
                return Action::None;
            }
            s.branches_year = Some(to);
            s.branches = None;
            s.branches_error = None;
            let filter = std::mem::take(&mut s.ranking.filter);
            s.ranking = List {
                filter,
                ..List::default()
            };
            Action::Calls(vec![s.branches_call()])
        }
        Part::Help => Action::None,
    }
}

/// A campaign's state in words: the server's label in Chinese.
fn campaign_state(lang: Lang, c: &Campaign) -> String {
    match lang {
        Lang::Zh if !c.state_label.is_empty() => c.state_label.clone(),
        _ => match c.state.as_str() {
            "open" => "evaluating",
            "notice" => "in public notice",
            "final" => "final",
            "reported" => "reported",
            other => other,
        }
        .to_owned(),
    }
}

/// Why members are not evaluated, in words: the server's label in Chinese.
fn exclusion(lang: Lang, key: &str, label: &str) -> String {
    match lang {
        Lang::Zh if !label.is_empty() => label.to_owned(),
        _ => match key {
            "probationary" => "probationary",
            "suspended" => "business suspended",
            "closed" => "business closed",
            "away_over_six_months" => "away over six months",
            other => other,
        }
        .to_owned(),
    }
}

/// A grade in words (the server's are Chinese), with 直接定级 when a condition set it.
pub fn grade(lang: Lang, g: &str, outright: bool) -> String {
    let word = match lang {
        Lang::Zh => g,
        Lang::En => match g {
            "好" => "good",
            "较好" => "fairly good",
            "一般" => "average",
            "较差" => "poor",
            other => other,
        },
    };
    if outright {
        format!("{word}{}", tr(lang, "·直接定级", " (outright)"))
    } else {
        word.to_owned()
    }
}

/// Stars as a number: 3星 / 3★.
fn stars(lang: Lang, n: Option<i32>) -> String {
    match n {
        Some(n) => format!("{n}{}", tr(lang, "星", "★")),
        None => "—".to_owned(),
    }
}

/// In brackets: full-width ones in Chinese.
fn paren(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Zh => format!("（{s}）"),
        Lang::En => format!(" ({s})"),
    }
}

fn day(d: &Option<String>) -> String {
    d.clone().unwrap_or_else(|| "—".to_owned())
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let titles = vec![
        tr(lang, "党员先锋指数", "Vanguard"),
        tr(lang, "考评定级", "Grading"),
        tr(lang, "谈心谈话·结对帮扶", "Talks & mentors"),
    ];
    let pos = PARTS.iter().position(|p| *p == s.part).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(pos)
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .divider("│");
    let mut hint = tr(lang, "←→ 切换", "←→ switch").to_owned();
    if s.part != Part::Help {
        hint.push_str(tr(lang, " · -/+ 年度", " · -/+ year"));
    }
    if s.part != Part::Vanguard {
        hint.push_str(tr(lang, " · / 筛选", " · / filter"));
    }
    let w = unicode_width::UnicodeWidthStr::width(hint.as_str()) as u16 + 1;
    let [t1, t2] = Layout::horizontal([Constraint::Min(20), Constraint::Length(w)]).areas(head);
    f.render_widget(tabs, t1);
    f.render_widget(Paragraph::new(hint), t2);
    match s.part {
        Part::Vanguard => draw_campaign(f, body, lang, s),
        Part::Branches => draw_branches(f, body, lang, s),
        Part::Help => draw_help(f, body, lang, s),
    }
}

/// A campaign's progress, step by step, and the years there are.
fn draw_campaign(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    if let Some(e) = &s.campaigns_error {
        draw_load_error(f, area, e);
        return;
    }
    let block = |title: String| Block::default().borders(Borders::ALL).title(title);
    let Some(c) = s.campaign() else {
        let text = if s.loaded {
            tr(
                lang,
                "尚未启动党员先锋指数考评。",
                "No vanguard campaign has been opened yet.",
            )
        } else {
            tr(lang, "加载中…", "loading…")
        };
        f.render_widget(
            Paragraph::new(text).block(block(format!(
                " {} ",
                tr(lang, "党员先锋指数", "Vanguard index")
            ))),
            area,
        );
        return;
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let field = |zh: &str, en: &str, v: String| {
        Line::from(vec![
            Span::styled(fit(tr(lang, zh, en), 17), bold),
            Span::raw(v),
        ])
    };
    let k = &c.counts;
    let sep = " · ";
    let notice = match (&c.notice_from, &c.notice_until) {
        (Some(a), Some(b)) => format!("{a} {} {b}", tr(lang, "至", "to")),
        _ => tr(lang, "未开始", "not started").to_owned(),
    } + &paren(
        lang,
        &format!("{}{}", c.notice_days, tr(lang, "天", " days")),
    );
    let reasons: Vec<String> = k
        .excluded_by_reason
        .iter()
        .map(|r| format!("{} {}", exclusion(lang, &r.key, &r.label), r.count))
        .collect();
    let mut excluded = format!("{} {}", tr(lang, "不参评", "excluded"), k.excluded);
    if !reasons.is_empty() {
        excluded.push_str(&paren(lang, &reasons.join(sep)));
    }
    let star_counts: Vec<String> = (1..=5)
        .rev()
        .map(|n| {
            let count = k.final_stars.get(n - 1).copied().unwrap_or(0);
            format!("{} {count}", stars(lang, Some(n as i32)))
        })
        .collect();
    let of = |done: u32| format!("{done}/{}", k.evaluated);
    let mut lines = vec![
        field(
            "状态",
            "State",
            format!(
                "{}{sep}{} {}",
                campaign_state(lang, c),
                tr(lang, "启动于", "opened on"),
                c.opened_on
            ),
        ),
        field("审核公示", "Public notice", notice),
        field(
            "评定 / 上报",
            "Final / reported",
            format!("{} / {}", day(&c.finalised_on), day(&c.reported_on)),
        ),
        field(
            "考评名单",
            "On the list",
            format!(
                "{} {}{sep}{} {}{sep}{excluded}",
                k.listed,
                tr(lang, "人", "members"),
                tr(lang, "参评", "evaluated"),
                k.evaluated
            ),
        ),
        field(
            "考评进度",
            "Progress",
            format!(
                "{} {}{sep}{} {}{sep}{} {}{sep}{} {}",
                tr(lang, "自评", "self"),
                of(k.self_done),
                tr(lang, "互评", "peer"),
                of(k.peer_done),
                tr(lang, "组织审定", "reviewed"),
                of(k.reviewed),
                tr(lang, "一票否决", "vetoed"),
                k.vetoed
            ),
        ),
        field("星级", "Stars", star_counts.join(sep)),
        field(
            "评定结果",
            "Outcome",
            format!(
                "{} {}{sep}{} {}{sep}{} {}{}",
                tr(lang, "优秀党员", "outstanding"),
                k.outstanding,
                tr(lang, "优先推荐", "recommended"),
                k.recommended,
                tr(lang, "需谈心帮扶", "talk and mentor"),
                k.needs_help,
                paren(
                    lang,
                    &format!("{} {}", tr(lang, "已完成", "done"), k.help_done)
                ),
            ),
        ),
        Line::from(vec![
            Span::styled(fit(tr(lang, "异议", "Objections"), 17), bold),
            Span::styled(
                format!(
                    "{}{sep}{} {}",
                    c.objections,
                    tr(lang, "待答复", "open"),
                    c.objections_open
                ),
                if c.objections_open > 0 {
                    Style::default().fg(Color::Yellow)
                } else {
                    Style::default()
                },
            ),
        ]),
        Line::raw(""),
    ];
    let mut years = vec![Span::styled(fit(tr(lang, "年度", "Years"), 17), bold)];
    for x in &s.campaigns {
        let st = if x.year == c.year {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        years.push(Span::styled(format!(" {} ", x.year), st));
        years.push(Span::raw(" "));
    }
    if s.campaigns.len() > 1 {
        years.push(Span::styled(
            tr(lang, " -/+ 切换年度", " -/+ another year"),
            Style::default().fg(Color::DarkGray),
        ));
    }
    lines.push(Line::from(years));
    let title = format!(
        " {}{} {} ",
        c.year,
        tr(lang, "年度", ""),
        tr(lang, "党员先锋指数考评", "vanguard index campaign")
    );
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title)),
        area,
    );
}

/// The year's ranking, with the county's counts above it.
fn draw_branches(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let year = s
        .branches_year
        .map(|y| format!("{y}{}", tr(lang, "年度", "")))
        .unwrap_or_default();
    let mut line = year.clone();
    if let Some(b) = &s.branches {
        line.push_str(&format!(
            " · {} {} · {} {}",
            tr(lang, "参评单位", "units"),
            b.subjects,
            tr(lang, "已定级", "graded"),
            b.assessed
        ));
        let count = |g: &str| {
            b.grades
                .iter()
                .filter(|x| x.grade == g)
                .map(|x| x.count)
                .sum::<u32>()
        };
        for g in GRADES {
            line.push_str(&format!(" · {} {}", grade(lang, g, false), count(g)));
        }
        for x in b
            .grades
            .iter()
            .filter(|x| !GRADES.contains(&x.grade.as_str()))
        {
            line.push_str(&format!(" · {} {}", x.grade, x.count));
        }
    }
    f.render_widget(Paragraph::new(line), head);
    if let Some(e) = &s.branches_error {
        draw_load_error(f, body, e);
        return;
    }
    let title = format!("{year} {}", tr(lang, "考评定级排名", "branch grading"));
    draw_table(
        f,
        body,
        lang,
        title.trim(),
        &[
            (tr(lang, "名次", "Rank"), 4),
            (tr(lang, "单位", "Unit"), 22),
            (tr(lang, "所属分会", "Branch"), 14),
            (tr(lang, "总分", "Total"), 6),
            (tr(lang, "等级", "Grade"), 15),
            (tr(lang, "状态", "State"), 10),
        ],
        &s.ranking,
        |b| {
            vec![
                b.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                b.unit_name.clone(),
                b.parent_name.clone(),
                b.total
                    .map(|t| format!("{t:.1}"))
                    .unwrap_or_else(|| "—".into()),
                b.grade
                    .as_deref()
                    .map(|g| grade(lang, g, b.outright))
                    .unwrap_or_else(|| "—".into()),
                match (lang, b.state.as_deref()) {
                    (Lang::Zh, _) => b.state_label.clone(),
                    (Lang::En, Some("assessed")) => "graded".into(),
                    (Lang::En, Some("self_assessed")) => "self-rated".into(),
                    (Lang::En, _) => "not yet".into(),
                },
            ]
        },
    );
}

/// The members of the latest final campaign with one or two stars; those whose help is not
/// done yet in yellow.
fn draw_help(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let c = s
        .help_year
        .and_then(|y| s.campaigns.iter().find(|c| c.year == y));
    let line = match c {
        Some(c) => format!(
            "{}{} {}{}{} {}{} {}",
            c.year,
            tr(lang, "年度", ""),
            tr(lang, "党员先锋指数", "vanguard index"),
            paren(lang, &campaign_state(lang, c)),
            tr(lang, "：1–2星", ": 1–2 stars"),
            c.counts.needs_help,
            tr(lang, "人 · 已完成", " · done"),
            c.counts.help_done
        ),
        None if s.loaded => tr(
            lang,
            "尚无已评定的党员先锋指数考评。",
            "No vanguard campaign is final yet.",
        )
        .to_owned(),
        None => String::new(),
    };
    f.render_widget(Paragraph::new(line), head);
    if let Some(e) = &s.help_error {
        draw_load_error(f, body, e);
        return;
    }
    draw_table_styled(
        f,
        body,
        lang,
        tr(
            lang,
            "谈心谈话·结对帮扶（1–2星）",
            "Talks and mentors (1–2 stars)",
        ),
        &[
            (tr(lang, "党员", "Member"), 8),
            (tr(lang, "经营主体", "Business"), 14),
            (tr(lang, "支部", "Unit"), 16),
            (tr(lang, "星级", "Stars"), 5),
            (tr(lang, "谈心谈话", "Talk on"), 10),
            (tr(lang, "帮扶人", "Mentor"), 8),
            (tr(lang, "完成", "Done on"), 10),
        ],
        &s.help,
        |e| {
            vec![
                e.member_name.clone(),
                e.business_name.clone(),
                e.unit_name.clone(),
                stars(lang, e.final_stars),
                day(&e.talk_on),
                e.mentor.clone().unwrap_or_else(|| "—".into()),
                day(&e.help_done_on),
            ]
        },
        |e| {
            if e.help_done_on.is_none() {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default()
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::from(c)
    }

    #[test]
    fn the_campaigns_ask_for_last_years_grading_and_the_latest_final_campaigns_help() {
        let mut s = State::default();
        assert_eq!(s.calls(), vec![Call::Campaigns]);
        let calls = campaigns_loaded(&mut s, sample::campaigns());
        assert_eq!(
            calls,
            vec![
                Call::BranchEvaluations { year: Some(2025) },
                Call::VanguardEntries {
                    year: 2025,
                    show: "needs_help".into()
                }
            ],
            "last year by the server's day; the 2026 campaign is still in its notice"
        );
        assert_eq!(s.campaign().map(|c| c.year), Some(2026), "the latest first");
        // A reload asks again for what is shown, and the campaigns' answer adds nothing.
        assert_eq!(s.calls().len(), 3);
        assert!(campaigns_loaded(&mut s, sample::campaigns()).is_empty());
    }

    #[test]
    fn without_the_servers_day_the_servers_default_year_is_asked_for() {
        let mut s = State::default();
        let mut l = sample::campaigns();
        l.today = None;
        l.items.clear();
        let calls = campaigns_loaded(&mut s, l);
        assert_eq!(calls, vec![Call::BranchEvaluations { year: None }]);
        assert!(s.help.loaded, "nothing final: an empty list, not a spinner");
        branches_loaded(&mut s, None, sample::branch_ranking());
        assert_eq!(
            s.branches_year,
            Some(2025),
            "the year the server answered for"
        );
    }

    #[test]
    fn answers_for_another_year_are_dropped() {
        let mut s = State::default();
        campaigns_loaded(&mut s, sample::campaigns());
        branches_loaded(&mut s, Some(2024), sample::branch_ranking());
        assert!(s.branches.is_none());
        branches_loaded(&mut s, Some(2025), sample::branch_ranking());
        assert_eq!(s.ranking.items.len(), 5);
        assert_eq!(s.branches.as_ref().map(|b| b.assessed), Some(5));
        help_loaded(&mut s, 2026, sample::needs_help());
        assert!(s.help.items.is_empty());
        help_loaded(&mut s, 2025, sample::needs_help());
        assert_eq!(s.help.items.len(), 3);
    }

    #[test]
    fn keys_switch_parts_and_move_the_year() {
        let mut s = State::default();
        campaigns_loaded(&mut s, sample::campaigns());
        branches_loaded(&mut s, Some(2025), sample::branch_ranking());
        // The campaigns: - shows last year's, + this year's again, no further.
        assert_eq!(key(&mut s, k(KeyCode::Char('-'))), Action::None);
        assert_eq!(s.campaign().map(|c| c.year), Some(2025));
        key(&mut s, k(KeyCode::Char('-')));
        assert_eq!(s.campaign().map(|c| c.year), Some(2025), "the oldest");
        key(&mut s, k(KeyCode::Char('+')));
        key(&mut s, k(KeyCode::Char('+')));
        assert_eq!(s.campaign().map(|c| c.year), Some(2026));
        // The grading: - asks for the year before, + comes back, not past the server's year.
        key(&mut s, k(KeyCode::Right));
        assert_eq!(s.part, Part::Branches);
        assert_eq!(
            key(&mut s, k(KeyCode::Char('-'))),
            Action::Calls(vec![Call::BranchEvaluations { year: Some(2024) }])
        );
        assert!(s.ranking.items.is_empty(), "no other year's rows meanwhile");
        key(&mut s, k(KeyCode::Char('+')));
        assert_eq!(
            key(&mut s, k(KeyCode::Char('+'))),
            Action::Calls(vec![Call::BranchEvaluations { year: Some(2026) }])
        );
        assert_eq!(key(&mut s, k(KeyCode::Char('+'))), Action::None);
        // / filters the ranking and takes every key meanwhile.
        branches_loaded(&mut s, Some(2026), sample::branch_ranking());
        key(&mut s, k(KeyCode::Char('/')));
        assert!(s.filtering());
        for c in "较差".chars() {
            key(&mut s, k(KeyCode::Char(c)));
        }
        assert_eq!(s.ranking.view.len(), 2);
        key(&mut s, k(KeyCode::Enter));
        assert!(!s.filtering());
        key(&mut s, k(KeyCode::Char(']')));
        assert_eq!(s.part, Part::Help);
        assert_eq!(key(&mut s, k(KeyCode::Char('-'))), Action::None);
        key(&mut s, k(KeyCode::Right));
        assert_eq!(s.part, Part::Vanguard, "round again");
        key(&mut s, k(KeyCode::Left));
        assert_eq!(s.part, Part::Help);
    }

    #[test]
    fn grades_and_stars_in_words() {
        assert_eq!(grade(Lang::Zh, "较差", true), "较差·直接定级");
        assert_eq!(grade(Lang::En, "较差", true), "poor (outright)");
        assert_eq!(grade(Lang::En, "较好", false), "fairly good");
        assert_eq!(stars(Lang::Zh, Some(2)), "2星");
        assert_eq!(stars(Lang::En, None), "—");
    }
}
