//! 考评定级: a year's branch grading and ranking (`GET /evaluations/branches?year=`), last
//! year's first (the year before the server's today); `-`/`+` moves the year.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use super::State;
use crate::api::types::{BranchEvaluation, BranchEvaluationList};
use crate::app::action::Action;
use crate::i18n::{Lang, tr};
use crate::widgets::{List, draw_load_error, draw_table};

/// The grades of the branch grading, best first (the server's words).
pub const GRADES: [&str; 4] = ["好", "较好", "一般", "较差"];

/// The first year the server takes.
const FIRST_YEAR: i32 = 2000;

pub(super) fn rtext(b: &BranchEvaluation) -> String {
    format!(
        "{} {} {} {}",
        b.unit_name,
        b.parent_name,
        b.grade.as_deref().unwrap_or_default(),
        b.state_label
    )
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

/// `-`/`+`: the year before or after, from 2000 to the server's this year; the rows of the
/// year shown go at once (the filter stays).
pub(super) fn step(s: &mut State, later: bool) -> Action {
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

/// The year's ranking, with the county's counts above it.
pub(super) fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
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
