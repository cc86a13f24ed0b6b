//! Evaluations (考评, issue 16 item 7), in parts that ←/→ (or `[`/`]`) switch between, one
//! module each:
//! - [`vanguard`] 党员先锋指数: a vanguard campaign's progress;
//! - [`grading`] 考评定级: a year's branch grading and ranking;
//! - [`help`] 谈心谈话·结对帮扶: the members with one or two stars, their talks and mentors.
//!
//! `-`/`+` moves what a part shows (a campaign, a year), `/` filters its list.
//!
//! The console keeps no clock: "last year" is the year before the server's today in China (the
//! `Date` header of the campaigns' answer, see [`crate::days`]); without it the server's own
//! default year is asked for.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Paragraph, Tabs};

use crate::api::types::{
    BranchEvaluation, BranchEvaluationList, Campaign, CampaignList, VanguardEntry,
};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::List;

mod grading;
mod help;
#[cfg(test)]
mod tests;
mod vanguard;

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
        Part::Branches => s.ranking.key(k, grading::rtext),
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
            vanguard::step(s, later);
            Action::None
        }
        Part::Branches => grading::step(s, later),
        Part::Help => Action::None,
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
        Part::Vanguard => vanguard::draw(f, body, lang, s),
        Part::Branches => grading::draw(f, body, lang, s),
        Part::Help => help::draw(f, body, lang, s),
    }
}
