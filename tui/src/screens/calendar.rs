//! Platform operator: the national working-day calendar (全国节假日安排). Lists the years the
//! calendar knows (shipped with the service or loaded), and loads a year's State Council notice
//! from a file: `.ics` (iCalendar) or JSON. Reloading a loaded year replaces it (the listed
//! version goes as If-Match).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use crate::api::types::NationalYear;
use crate::app::action::{Action, Modal, Purpose};
use crate::i18n::{Lang, tr};
use crate::widgets::{Field, Form, List, draw_table};

#[derive(Default)]
pub struct State {
    pub list: List<NationalYear>,
}

fn text(y: &NationalYear) -> String {
    format!("{} {}", y.year, y.source)
}

pub fn loaded(s: &mut State, mut y: Vec<NationalYear>) {
    y.sort_by_key(|y| std::cmp::Reverse(y.year));
    s.list.set(y, text);
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.list.key(k, text) {
        return Action::None;
    }
    match k.code {
        KeyCode::Char('l') => Action::Open(Modal {
            form: Form::new(
                "导入全国节假日安排",
                "Load the national calendar",
                vec![
                    Field::text("年份（如 2027）", "Year (e.g. 2027)"),
                    Field::text("文件路径（.ics 或 .json）", "File path (.ics or .json)"),
                ],
            ),
            purpose: Purpose::LoadCalendar,
        }),
        _ => Action::None,
    }
}

/// The version to send as If-Match when `year` is reloaded (none on a first load).
pub fn version_of(s: &State, year: i32) -> Option<i64> {
    s.list
        .items
        .iter()
        .find(|y| y.year == year)
        .and_then(|y| y.version)
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let header = [
        (tr(lang, "年份", "Year"), 6),
        (tr(lang, "来源", "Source"), 10),
        (tr(lang, "放假天数", "Days off"), 8),
        (tr(lang, "调休上班", "Worked"), 8),
        (tr(lang, "导入人", "Loaded by"), 14),
        (tr(lang, "导入时间", "Loaded at"), 17),
    ];
    draw_table(
        f,
        area,
        lang,
        tr(
            lang,
            "全国节假日安排  l 从文件导入",
            "National calendar  l load from a file",
        ),
        &header,
        &s.list,
        |y| {
            let source = match y.source.as_str() {
                "shipped" => tr(lang, "内置", "shipped").to_owned(),
                "ical" => "iCalendar".to_owned(),
                other => other.to_owned(),
            };
            vec![
                y.year.to_string(),
                source,
                y.holidays.to_string(),
                y.workdays.to_string(),
                y.loaded_by.clone().unwrap_or_default(),
                y.loaded_at
                    .as_deref()
                    .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
                    .unwrap_or_default(),
            ]
        },
    );
}
