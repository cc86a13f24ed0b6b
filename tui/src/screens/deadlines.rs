//! What is due and overdue, by org unit, from the deadline engine (`GET /deadlines`). If the
//! server has no deadline engine yet, its problem answer is shown here.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use crate::api::types::{Deadline, DeadlineList, DeadlineSummary};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{List, draw_load_error, draw_table};

const STATES: [&str; 4] = ["overdue", "due", "done", "all"];

#[derive(Default)]
pub struct State {
    pub list: List<Deadline>,
    pub summary: DeadlineSummary,
    pub state_idx: usize,
    pub error: Option<String>,
    pub loaded: bool,
}

impl State {
    pub fn state(&self) -> &'static str {
        STATES[self.state_idx % STATES.len()]
    }
}

fn text(d: &Deadline) -> String {
    format!(
        "{} {} {} {} {}",
        d.owner_name, d.kind_label, d.title, d.due_on, d.state
    )
}

pub fn loaded(s: &mut State, mut d: DeadlineList) {
    // By org unit, then by date: "what does each unit owe, soonest first".
    d.items
        .sort_by(|a, b| (&a.owner_name, &a.due_on).cmp(&(&b.owner_name, &b.due_on)));
    s.summary = d.summary;
    s.error = None;
    s.loaded = true;
    s.list.set(d.items, text);
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.list.key(k, text) {
        return Action::None;
    }
    if k.code == KeyCode::Char('f') {
        s.state_idx = (s.state_idx + 1) % STATES.len();
        return Action::Calls(vec![Call::Deadlines {
            state: s.state().to_owned(),
        }]);
    }
    Action::None
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let line = format!(
        "{} {} · {} {} · {} {}   {}: {} (f)",
        tr(lang, "逾期", "Overdue"),
        s.summary.overdue,
        tr(lang, "待办", "Due"),
        s.summary.due,
        tr(lang, "已完成", "Done"),
        s.summary.done,
        tr(lang, "显示", "Showing"),
        label(lang, s.state())
    );
    f.render_widget(Paragraph::new(line), head);
    if let Some(e) = &s.error {
        draw_load_error(f, body, e);
        return;
    }
    draw_table(
        f,
        body,
        lang,
        tr(
            lang,
            "期限（按组织）  * 节假日未公布，日期可能调整",
            "Deadlines by org unit  * holidays not yet published, the date may move",
        ),
        &[
            (tr(lang, "组织", "Org unit"), 16),
            (tr(lang, "事项", "Kind"), 12),
            (tr(lang, "标题", "Title"), 22),
            (tr(lang, "截止", "Due on"), 12),
            (tr(lang, "状态", "State"), 10),
        ],
        &s.list,
        |d| {
            let state = match d.days_overdue {
                Some(n) if d.state == "overdue" => format!("{} +{n}", label(lang, &d.state)),
                _ => label(lang, &d.state),
            };
            vec![
                d.owner_name.clone(),
                d.kind_label.clone(),
                d.title.clone(),
                if d.due_beyond_calendar {
                    format!("{}*", d.due_on)
                } else {
                    d.due_on.clone()
                },
                state,
            ]
        },
    );
}
