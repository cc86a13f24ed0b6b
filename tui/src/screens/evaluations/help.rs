//! 谈心谈话·结对帮扶: the members of the latest final (or reported) campaign with one or two
//! stars (`GET /evaluations/vanguard/{year}/entries?show=needs_help`, every page), with their
//! talk, mentor and the day their help was done.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::Paragraph;

use super::vanguard::campaign_state;
use super::{State, day, paren, stars};
use crate::api::types::VanguardEntry;
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::{draw_load_error, draw_table_styled};

/// The entries the third part shows, sent as `show=` (`tests/contract.rs` checks the API
/// knows it).
pub const HELP_SHOW: &str = "needs_help";

pub(super) fn help_call(year: i32) -> Call {
    Call::VanguardEntries {
        year,
        show: HELP_SHOW.to_owned(),
    }
}

pub(super) fn htext(e: &VanguardEntry) -> String {
    format!(
        "{} {} {} {}",
        e.member_name,
        e.business_name,
        e.unit_name,
        e.mentor.as_deref().unwrap_or_default()
    )
}

/// The members needing help have come; an answer for another campaign is dropped.
pub fn help_loaded(s: &mut State, year: i32, items: Vec<VanguardEntry>) {
    if Some(year) != s.help_year {
        return;
    }
    s.help_error = None;
    s.help.set(items, htext);
}

/// The members of the latest final campaign with one or two stars; those whose help is not
/// done yet in yellow.
pub(super) fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
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
