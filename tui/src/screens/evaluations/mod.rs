//! Evaluations (考评, issue 16 item 7), in parts that ←/→ (or `[`/`]`) switch between, one
//! module each:
//! - [`vanguard`] 党员先锋指数: a vanguard campaign's progress;
//! - [`grading`] 考评定级: a year's branch grading and ranking;
//! - [`help`] 谈心谈话·结对帮扶: the members with one or two stars, their talks and mentors;
//! - [`coverage`] 百日攻坚: the coverage campaign's day and cycles, and a cycle's township and
//!   branch rankings with the units listed for a talk.
//!
//! `-`/`+` moves what a part shows (a campaign, a year, a cycle), `/` filters its list.
//!
//! The console keeps no clock: "last year" is the year before the server's today in China (the
//! `Date` header of the campaigns' answer, see [`crate::days`]); without it the server's own
//! default year is asked for.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Tabs};
use unicode_width::UnicodeWidthStr;

use crate::api::types::{
    BranchEvaluation, BranchEvaluationList, Campaign, CampaignList, CoverageCampaign,
    CoverageReport, VanguardEntry,
};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::List;

mod coverage;
mod grading;
mod help;
#[cfg(test)]
mod tests;
mod vanguard;

pub use coverage::{CYCLE_STATES, Coverage, FORMS, REASONS, Ranking};
pub use grading::{GRADES, branches_loaded, grade};
pub use help::{HELP_SHOW, help_loaded};
use help::{help_call, htext};

/// The campaign states whose stars are final: the third part lists the latest of them.
pub const FINAL_STATES: [&str; 2] = ["final", "reported"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Part {
    /// 党员先锋指数: a campaign's progress.
    #[default]
    Vanguard,
    /// 考评定级: the branch grading's ranking.
    Branches,
    /// 谈心谈话·结对帮扶: the members with one or two stars.
    Help,
    /// 百日攻坚: the coverage campaign's progress and rankings.
    Coverage,
}

const PARTS: [Part; 4] = [Part::Vanguard, Part::Branches, Part::Help, Part::Coverage];

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
    /// The vanguard campaigns have answered (or refused).
    pub loaded: bool,
    /// The coverage campaign (百日攻坚) and the report shown.
    pub coverage: Coverage,
}

impl State {
    /// The list takes every key while its `/` filter is typed.
    pub fn filtering(&self) -> bool {
        match self.part {
            Part::Vanguard => false,
            Part::Branches => self.ranking.filtering,
            Part::Help => self.help.filtering,
            Part::Coverage => self.coverage.filtering(),
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

    /// The calls that (re)load the screen: the vanguard and the coverage campaigns (whose
    /// answers ask for the rest the first time), the grading of the year shown, the members
    /// needing help and the coverage report shown.
    pub fn calls(&self) -> Vec<Call> {
        let mut v = vec![Call::Campaigns, Call::CoverageCampaigns];
        if self.branches_year.is_some() {
            v.push(self.branches_call());
        }
        if let Some(year) = self.help_year {
            v.push(help_call(year));
        }
        v.extend(self.coverage.report_call());
        v
    }

    fn branches_call(&self) -> Call {
        Call::BranchEvaluations {
            year: self.branches_year,
        }
    }
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

/// The coverage campaigns have come: the report of the newest one's current cycle is asked
/// for the first time (see [`coverage`]).
pub fn coverage_loaded(s: &mut State, items: Vec<CoverageCampaign>) -> Vec<Call> {
    coverage::campaigns_loaded(&mut s.coverage, items)
}

/// A coverage cycle's report has come; an answer for a cycle no longer shown is dropped.
pub fn coverage_report_loaded(s: &mut State, id: &str, cycle: u32, r: CoverageReport) {
    coverage::report_loaded(&mut s.coverage, id, cycle, r);
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
        _ => coverage::refused(&mut s.coverage, call, text),
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    let used = match s.part {
        Part::Vanguard => false,
        Part::Branches => s.ranking.key(k, grading::rtext),
        Part::Help => s.help.key(k, htext),
        Part::Coverage => s.coverage.key(k),
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
            vanguard::step(s, later);
            Action::None
        }
        Part::Branches => grading::step(s, later),
        Part::Help => Action::None,
        Part::Coverage => s.coverage.step(later),
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
        tr(lang, "百日攻坚", "Coverage"),
    ];
    // Each title with a space either side, and a divider between them.
    let tabs_width = titles.iter().map(|t| t.width() + 2).sum::<usize>() + titles.len() - 1;
    let pos = PARTS.iter().position(|p| *p == s.part).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(pos)
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .divider("│");
    let mut hints = vec![tr(lang, "←→ 切换", "←→ switch")];
    match s.part {
        Part::Vanguard => hints.push(tr(lang, "-/+ 年度", "-/+ year")),
        Part::Branches => hints.extend([
            tr(lang, "-/+ 年度", "-/+ year"),
            tr(lang, "/ 筛选", "/ filter"),
        ]),
        Part::Help => hints.push(tr(lang, "/ 筛选", "/ filter")),
        Part::Coverage => hints.extend([
            tr(lang, "-/+ 轮次", "-/+ cycle"),
            tr(lang, "/ 筛选", "/ filter"),
        ]),
    }
    // On a narrow terminal the last hints give way to the titles.
    let mut hint = hints.join(" · ");
    while hints.len() > 1 && tabs_width + hint.width() + 1 > usize::from(head.width) {
        hints.pop();
        hint = hints.join(" · ");
    }
    let w = hint.width() as u16 + 1;
    let [t1, t2] = Layout::horizontal([Constraint::Min(20), Constraint::Length(w)]).areas(head);
    f.render_widget(tabs, t1);
    f.render_widget(Paragraph::new(hint), t2);
    match s.part {
        Part::Vanguard => vanguard::draw(f, body, lang, s),
        Part::Branches => grading::draw(f, body, lang, s),
        Part::Help => help::draw(f, body, lang, s),
        Part::Coverage => coverage::draw(f, body, lang, &s.coverage),
    }
}
