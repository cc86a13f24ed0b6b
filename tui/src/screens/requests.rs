//! Members' requests at the regional party-member service centres (党员诉求, `GET
//! /service-requests`): the open ones in the server's order (by due day, the most overdue
//! first, undated ones last) with their clocks; `f` shows one state instead, Enter one request
//! with its steps.
//!
//! A clock counts calendar days from the server's today (the day in China of its answer, see
//! [`crate::days`]) to the due day; whether a request is overdue is the server's word.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::api::types::{ServiceRequest, ServiceRequestList};
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::days::day_number;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{List, draw_load_error, draw_table_styled, fit};

/// What `f` cycles through: the open requests (taken or escalated), then each state (sent as
/// `state=`; `tests/contract.rs` checks they are the API's).
pub const FILTERS: [&str; 5] = ["open", "escalated", "taken", "answered", "archived"];

#[derive(Default)]
pub struct State {
    pub list: List<ServiceRequest>,
    /// The server's today in China when it sent the list.
    pub today: Option<String>,
    pub filter_idx: usize,
    /// The request shown with its steps (Enter), until Esc.
    pub open: Option<ServiceRequest>,
    pub error: Option<String>,
    pub loaded: bool,
}

impl State {
    pub fn filter(&self) -> &'static str {
        FILTERS[self.filter_idx % FILTERS.len()]
    }

    /// The list takes every key while its `/` filter is typed.
    pub fn filtering(&self) -> bool {
        self.open.is_none() && self.list.filtering
    }

    /// The calls that (re)load the screen: the list, and the request shown.
    pub fn calls(&self) -> Vec<Call> {
        let mut v = vec![Call::ServiceRequests {
            filter: self.filter().to_owned(),
        }];
        if let Some(r) = &self.open {
            v.push(Call::ServiceRequest { id: r.id.clone() });
        }
        v
    }

    fn today(&self) -> Option<i64> {
        self.today.as_deref().and_then(day_number)
    }
}

fn text(r: &ServiceRequest) -> String {
    format!(
        "{} {} {} {} {} {} {} {}",
        r.member_name,
        r.category_label,
        r.category,
        r.centre_name,
        r.owner_name,
        r.first_responder_name,
        r.state,
        r.due_on.as_deref().unwrap_or_default()
    )
}

pub fn loaded(s: &mut State, l: ServiceRequestList) {
    // The server's order is the point of the screen: kept as it came.
    s.today = l.today;
    s.error = None;
    s.loaded = true;
    s.list.set(l.items, text);
}

/// One request with its steps, for the detail shown (a late answer for another is dropped).
pub fn opened(s: &mut State, r: ServiceRequest) {
    if s.open.as_ref().is_some_and(|o| o.id == r.id) {
        s.open = Some(r);
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.open.is_some() {
        if matches!(k.code, KeyCode::Esc | KeyCode::Backspace) {
            s.open = None;
        }
        return Action::None;
    }
    if s.list.key(k, text) {
        return Action::None;
    }
    match k.code {
        KeyCode::Char('f') => {
            s.filter_idx = (s.filter_idx + 1) % FILTERS.len();
            Action::Calls(s.calls())
        }
        KeyCode::Enter => match s.list.selected() {
            Some(r) => {
                s.open = Some(r.clone());
                Action::Calls(vec![Call::ServiceRequest { id: r.id.clone() }])
            }
            None => Action::None,
        },
        _ => Action::None,
    }
}

/// Where a request's clock stands, in words: days left or over for an open one, on time or
/// late for an answered one, "—" before it is on the clock (not escalated).
pub fn clock(lang: Lang, r: &ServiceRequest, today: Option<i64>) -> String {
    let Some(due) = r.due_on.as_deref().and_then(day_number) else {
        return "—".to_owned();
    };
    if matches!(r.state.as_str(), "answered" | "archived") {
        return if r.overdue {
            tr(lang, "超期办结", "late")
        } else {
            tr(lang, "按期办结", "on time")
        }
        .to_owned();
    }
    match today {
        Some(t) if r.overdue && t > due => match lang {
            Lang::Zh => format!("超期{}天", t - due),
            Lang::En => format!("{}d over", t - due),
        },
        _ if r.overdue => tr(lang, "已超期", "overdue").to_owned(),
        Some(t) if t == due => tr(lang, "今天到期", "due today").to_owned(),
        Some(t) if t < due => match lang {
            Lang::Zh => format!("剩{}天", due - t),
            Lang::En => format!("{}d left", due - t),
        },
        // No day from the server, or a day the server does not yet count as overdue.
        _ => tr(lang, "未超期", "on time").to_owned(),
    }
}

fn category(lang: Lang, r: &ServiceRequest) -> String {
    match lang {
        Lang::Zh if !r.category_label.is_empty() => r.category_label.clone(),
        _ => label(lang, &r.category),
    }
}

fn channel(lang: Lang, c: &str) -> &str {
    match c {
        "on_site" => tr(lang, "现场", "on site"),
        "phone" => tr(lang, "电话", "by phone"),
        other => other,
    }
}

fn overdue_style(r: &ServiceRequest) -> Style {
    if r.overdue {
        Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let over = s.list.items.iter().filter(|r| r.overdue).count();
    let mut line = format!(
        "{} {over} · {}: {} (f) · Enter {}",
        tr(lang, "超期", "Overdue"),
        tr(lang, "显示", "Showing"),
        label(lang, s.filter()),
        tr(lang, "办理经过", "steps"),
    );
    if let Some(t) = &s.today {
        line.push_str(&format!(" · {} {t}", tr(lang, "今天", "today")));
    }
    f.render_widget(Paragraph::new(line), head);
    if let Some(e) = &s.error {
        draw_load_error(f, body, e);
        return;
    }
    if let Some(r) = &s.open {
        draw_request(f, body, lang, r, s.today());
        return;
    }
    let today = s.today();
    draw_table_styled(
        f,
        body,
        lang,
        tr(
            lang,
            "党员诉求（按办理期限）",
            "Service requests by due day",
        ),
        &[
            (tr(lang, "办理期限", "Due on"), 10),
            (tr(lang, "时限", "Clock"), 9),
            (tr(lang, "党员", "Member"), 8),
            (tr(lang, "类别", "Category"), 8),
            (tr(lang, "服务中心", "Centre"), 15),
            (tr(lang, "负责人", "Owner"), 8),
            (tr(lang, "状态", "State"), 9),
            (tr(lang, "延期", "Ext."), 4),
        ],
        &s.list,
        |r| {
            vec![
                r.due_on.clone().unwrap_or_else(|| "—".to_owned()),
                clock(lang, r, today),
                r.member_name.clone(),
                category(lang, r),
                r.centre_name.clone(),
                r.owner_name.clone(),
                label(lang, &r.state),
                if r.extensions > 0 {
                    r.extensions.to_string()
                } else {
                    String::new()
                },
            ]
        },
        overdue_style,
    );
}

/// One request: its 受(办)理表 fields, its clock and its steps, oldest first.
fn draw_request(f: &mut Frame, area: Rect, lang: Lang, r: &ServiceRequest, today: Option<i64>) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let field = |zh: &str, en: &str, v: String| {
        Line::from(vec![
            Span::styled(fit(tr(lang, zh, en), 12), bold),
            Span::raw(v),
        ])
    };
    let due = r.due_on.clone().unwrap_or_else(|| "—".to_owned());
    let mut lines = vec![
        field("服务中心", "Centre", r.centre_name.clone()),
        field(
            "受理",
            "Taken",
            format!(
                "{} · {} · {} {}",
                r.received_on,
                channel(lang, &r.channel),
                tr(lang, "首问责任人", "first responder"),
                r.first_responder_name
            ),
        ),
        field("负责人", "Owner", r.owner_name.clone()),
        field(
            "状态",
            "State",
            format!(
                "{}{}",
                label(lang, &r.state),
                if r.major {
                    tr(lang, " · 重大服务事项", " · major")
                } else {
                    ""
                }
            ),
        ),
        Line::from(vec![
            Span::styled(fit(tr(lang, "办理期限", "Due on"), 12), bold),
            Span::styled(
                format!(
                    "{due} · {} · {} {}",
                    clock(lang, r, today),
                    tr(lang, "延期", "extended"),
                    r.extensions
                ),
                overdue_style(r),
            ),
        ]),
        field("诉求内容", "Request", r.content.clone()),
        Line::raw(""),
        Line::styled(tr(lang, "办理经过", "Steps"), bold),
    ];
    if r.steps.is_empty() {
        lines.push(Line::raw(tr(lang, "加载中…", "loading…")));
    }
    for st in &r.steps {
        lines.push(Line::raw(format!(
            "{}  {}{}{}",
            st.on,
            fit(&label(lang, &st.kind), 10),
            fit(&st.by_name, 10),
            st.detail.as_deref().unwrap_or_default()
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        tr(lang, "Esc 返回列表", "Esc back to the list"),
        Style::default().fg(Color::DarkGray),
    ));
    let title = format!(
        " {} · {} · {} ",
        tr(lang, "党员诉求", "Service request"),
        r.member_name,
        category(lang, r)
    );
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    fn at(due: Option<&str>, state: &str, overdue: bool) -> ServiceRequest {
        let mut r = sample::service_requests().items.remove(0);
        r.due_on = due.map(str::to_owned);
        r.state = state.into();
        r.overdue = overdue;
        r
    }

    #[test]
    fn clocks_count_from_the_servers_today() {
        let today = day_number("2026-11-26");
        let c = |r: &ServiceRequest| clock(Lang::Zh, r, today);
        assert_eq!(c(&at(Some("2026-11-23"), "escalated", true)), "超期3天");
        assert_eq!(c(&at(Some("2026-11-28"), "escalated", false)), "剩2天");
        assert_eq!(c(&at(Some("2026-11-26"), "escalated", false)), "今天到期");
        assert_eq!(c(&at(None, "taken", false)), "—");
        assert_eq!(c(&at(Some("2026-11-20"), "answered", true)), "超期办结");
        assert_eq!(c(&at(Some("2026-11-20"), "archived", false)), "按期办结");
        assert_eq!(
            clock(Lang::En, &at(Some("2026-11-23"), "escalated", true), today),
            "3d over"
        );
        assert_eq!(
            clock(Lang::En, &at(Some("2026-11-28"), "taken", false), today),
            "2d left"
        );
        // Without the server's day, or when it disagrees, the server's overdue flag decides.
        assert_eq!(
            clock(Lang::Zh, &at(Some("2026-11-23"), "escalated", true), None),
            "已超期"
        );
        assert_eq!(c(&at(Some("2026-11-26"), "escalated", true)), "已超期");
        assert_eq!(
            clock(Lang::Zh, &at(Some("2026-11-28"), "escalated", false), None),
            "未超期"
        );
    }

    #[test]
    fn enter_opens_a_request_and_esc_returns() {
        let mut s = State::default();
        loaded(&mut s, sample::service_requests());
        let k = |c| KeyEvent::from(c);
        let Action::Calls(calls) = key(&mut s, k(KeyCode::Enter)) else {
            panic!("Enter asks for the request")
        };
        let id = s.open.as_ref().map(|r| r.id.clone()).expect("open");
        assert_eq!(calls, vec![Call::ServiceRequest { id: id.clone() }]);
        assert_eq!(s.calls().len(), 2, "a reload refreshes the request shown");
        // Another request's late answer does not replace it.
        let mut other = sample::request_with_steps();
        other.id = "elsewhere".into();
        opened(&mut s, other);
        assert!(s.open.as_ref().is_some_and(|r| r.steps.is_empty()));
        let mut full = sample::request_with_steps();
        full.id = id;
        opened(&mut s, full);
        assert!(s.open.as_ref().is_some_and(|r| !r.steps.is_empty()));
        assert_eq!(key(&mut s, k(KeyCode::Char('f'))), Action::None);
        key(&mut s, k(KeyCode::Esc));
        assert!(s.open.is_none());
        let Action::Calls(calls) = key(&mut s, k(KeyCode::Char('f'))) else {
            panic!("f reloads")
        };
        assert_eq!(
            calls,
            vec![Call::ServiceRequests {
                filter: "escalated".into()
            }]
        );
    }
}
