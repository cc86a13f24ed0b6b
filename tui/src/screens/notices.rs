//! County admin: where the county's notices stand (`GET /notifications/deliveries`), the
//! dead-letter list first (issue 15 item 7). One row per delivery: a notice to one recipient on
//! one channel (站内消息, 短信, the county's webhook). `f` cycles the status shown (死信, 待发送,
//! 已送达), `c` the channel; `R` sends the dead delivery under the cursor again
//! (`POST /notifications/deliveries/{id}/retry`) once `y` confirms it, then the list reloads.
//!
//! Times are the server's UTC, shown in Beijing time (see [`crate::days::beijing_time`]).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::types::Delivery;
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::days::beijing_time;
use crate::i18n::{Lang, tr};
use crate::widgets::{List, centred, draw_load_error, draw_table};

/// What `f` cycles through, sent as `status=` (`tests/contract.rs` checks they are the API's):
/// the dead-letter list first.
pub const STATUSES: [&str; 3] = ["dead", "pending", "sent"];

/// What `c` cycles through, sent as `channel=` (all of them first, sent as no `channel`).
pub const CHANNELS: [Option<&str>; 4] = [None, Some("inbox"), Some("sms"), Some("webhook")];

#[derive(Default)]
pub struct State {
    pub list: List<Delivery>,
    pub status_idx: usize,
    pub channel_idx: usize,
    /// The dead delivery `R` asked to send again, until `y` (or any other key: it stays dead).
    pub confirm: Option<Delivery>,
    /// What the last retry did, (zh, en), shown under the table until the filter changes.
    pub note: Option<(String, String)>,
    pub error: Option<String>,
    pub loaded: bool,
}

impl State {
    pub fn status(&self) -> &'static str {
        STATUSES[self.status_idx % STATUSES.len()]
    }

    pub fn channel(&self) -> Option<&'static str> {
        CHANNELS[self.channel_idx % CHANNELS.len()]
    }

    /// The screen takes every key while its `/` filter is typed or a retry awaits its `y`.
    pub fn filtering(&self) -> bool {
        self.confirm.is_some() || self.list.filtering
    }

    /// The call that (re)loads the screen.
    pub fn calls(&self) -> Vec<Call> {
        vec![Call::Deliveries {
            status: self.status().to_owned(),
            channel: self.channel().map(str::to_owned),
        }]
    }
}

fn text(d: &Delivery) -> String {
    format!(
        "{} {} {} {} {}",
        d.channel,
        d.recipient_name.as_deref().unwrap_or_default(),
        d.subject,
        d.status,
        d.last_error.as_deref().unwrap_or_default()
    )
}

/// The deliveries in the server's order (newest first).
pub fn loaded(s: &mut State, items: Vec<Delivery>) {
    s.error = None;
    s.loaded = true;
    s.list.set(items, text);
}

/// The server took the retry: said under the table (the reload that follows drops the row from
/// the dead-letter list).
pub fn retried(s: &mut State, id: &str) {
    let subject = s
        .list
        .items
        .iter()
        .find(|d| d.id == id)
        .map(|d| d.subject.clone())
        .unwrap_or_default();
    s.note = Some((
        format!("✓ 已重新排队发送：{subject}（在“待发送”中）"),
        format!("✓ Queued to be sent again: {subject} (under pending)"),
    ));
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if let Some(d) = s.confirm.take() {
        return match k.code {
            KeyCode::Char('y' | 'Y') => Action::Calls(vec![Call::RetryDelivery { id: d.id }]),
            _ => {
                s.note = Some((
                    "已取消，未重新发送。".into(),
                    "Cancelled: not sent again.".into(),
                ));
                Action::None
            }
        };
    }
    if s.list.key(k, text) {
        return Action::None;
    }
    match k.code {
        KeyCode::Char('f') => {
            s.status_idx = (s.status_idx + 1) % STATUSES.len();
            s.note = None;
            Action::Calls(s.calls())
        }
        KeyCode::Char('c') => {
            s.channel_idx = (s.channel_idx + 1) % CHANNELS.len();
            s.note = None;
            Action::Calls(s.calls())
        }
        KeyCode::Char('R') => {
            match s.list.selected() {
                Some(d) if d.status == "dead" => s.confirm = Some(d.clone()),
                Some(_) => {
                    s.note = Some((
                        "只有死信可以重新发送。".into(),
                        "Only a dead delivery can be sent again.".into(),
                    ))
                }
                None => {}
            }
            Action::None
        }
        _ => Action::None,
    }
}

pub fn status_label(lang: Lang, s: &str) -> &str {
    match s {
        "dead" => tr(lang, "死信", "dead"),
        "pending" => tr(lang, "待发送", "pending"),
        "sent" => tr(lang, "已送达", "sent"),
        other => other,
    }
}

pub fn channel_label(lang: Lang, c: Option<&str>) -> &str {
    match c {
        None => tr(lang, "全部", "all"),
        Some("inbox") => tr(lang, "站内消息", "Inbox"),
        Some("sms") => tr(lang, "短信", "SMS"),
        Some("webhook") => "Webhook",
        Some(other) => other,
    }
}

/// When the next attempt is due, in Beijing time (month, day, minute): only a pending delivery
/// has one; a sent or dead one shows "—".
pub fn next_attempt(d: &Delivery) -> String {
    if d.status != "pending" {
        return "—".to_owned();
    }
    beijing_time(&d.next_attempt_at)
        .and_then(|t| t.get(5..).map(str::to_owned))
        .unwrap_or_else(|| d.next_attempt_at.clone())
}

/// One row's cells: 渠道, 接收人, 主题, 状态, 尝试, 下次尝试, 错误.
pub fn row(lang: Lang, d: &Delivery) -> Vec<String> {
    vec![
        channel_label(lang, Some(&d.channel)).to_owned(),
        d.recipient_name.clone().unwrap_or_else(|| "—".to_owned()),
        d.subject.clone(),
        status_label(lang, &d.status).to_owned(),
        d.attempts.to_string(),
        next_attempt(d),
        d.last_error.clone().unwrap_or_default(),
    ]
}

/// The line under the table: the selected delivery's times (Beijing) and whole error.
fn detail(lang: Lang, d: &Delivery) -> String {
    let at = |t: &str| beijing_time(t).unwrap_or_else(|| t.to_owned());
    let mut parts = vec![format!(
        "{} {}",
        tr(lang, "生成于", "created"),
        at(&d.created_at)
    )];
    if let Some(t) = &d.sent_at {
        parts.push(format!("{} {}", tr(lang, "送达于", "sent"), at(t)));
    }
    if let Some(e) = &d.last_error {
        parts.push(format!("{} {e}", tr(lang, "最后错误", "last error")));
    }
    parts.join(" · ")
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let line = format!(
        "{}: {} (f) · {}: {} (c) · R {}",
        tr(lang, "显示", "Showing"),
        status_label(lang, s.status()),
        tr(lang, "渠道", "Channel"),
        channel_label(lang, s.channel()),
        tr(lang, "重新发送死信", "send a dead one again"),
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
            "消息送达（最新在前）",
            "Notice deliveries, newest first",
        ),
        &[
            (tr(lang, "渠道", "Channel"), 8),
            (tr(lang, "接收人", "Recipient"), 9),
            (tr(lang, "主题", "Subject"), 20),
            (tr(lang, "状态", "Status"), 7),
            (tr(lang, "尝试", "Tries"), 5),
            (tr(lang, "下次尝试", "Next try"), 11),
            (tr(lang, "错误", "Error"), 12),
        ],
        &s.list,
        |d| row(lang, d),
    );
    let (text, style) = match (&s.note, s.list.selected()) {
        (Some((zh, en)), _) => (
            tr(lang, zh, en).to_owned(),
            Style::default().fg(Color::Green),
        ),
        (None, Some(d)) => (detail(lang, d), Style::default().fg(Color::DarkGray)),
        (None, None) => (String::new(), Style::default()),
    };
    f.render_widget(Paragraph::new(text).style(style), foot);
    if let Some(d) = &s.confirm {
        draw_confirm(f, body, lang, d);
    }
}

/// The question before a dead delivery is sent again.
fn draw_confirm(f: &mut Frame, area: Rect, lang: Lang, d: &Delivery) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let lines = vec![
        Line::styled(
            tr(lang, "重新发送这条死信？", "Send this dead delivery again?"),
            bold,
        ),
        Line::raw(format!(
            "{} · {} · {}",
            channel_label(lang, Some(&d.channel)),
            d.recipient_name.as_deref().unwrap_or("—"),
            d.subject
        )),
        Line::raw(format!(
            "{} {} · {} {}",
            tr(lang, "已尝试", "tried"),
            d.attempts,
            tr(lang, "最后错误", "last error"),
            d.last_error.as_deref().unwrap_or("—")
        )),
        Line::raw(""),
        Line::styled(
            tr(
                lang,
                "y 确认重新发送 · 其他键取消",
                "y send it again · any other key cancels",
            ),
            Style::default().fg(Color::DarkGray),
        ),
    ];
    let r = centred(area, area.width.saturating_sub(4).min(64), 7);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tr(lang, "重新发送", "Send again"))),
        ),
        r,
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
    fn rows_show_the_channel_the_status_and_the_next_try_in_beijing_time() {
        let d = sample::deliveries();
        let dead = d.iter().find(|x| x.channel == "webhook").expect("webhook");
        assert_eq!(
            row(Lang::Zh, dead),
            [
                "Webhook",
                "—",
                "【逾期】2026年第四季度党费收缴",
                "死信",
                "1",
                "—",
                "http_400"
            ]
        );
        let mut pending = dead.clone();
        pending.status = "pending".into();
        pending.next_attempt_at = "2026-12-07T15:30:00.123456".into();
        assert_eq!(next_attempt(&pending), "12-07 23:30");
        pending.next_attempt_at = "2026-12-07T16:30:00".into();
        assert_eq!(next_attempt(&pending), "12-08 00:30");
        assert_eq!(row(Lang::En, &pending)[3], "pending");
        let sms = d.iter().find(|x| x.channel == "sms").expect("sms");
        assert_eq!(row(Lang::Zh, sms)[..2], ["短信", "沈春梅"]);
        assert_eq!(row(Lang::En, sms)[0], "SMS");
        assert_eq!(
            detail(Lang::Zh, dead),
            "生成于 2026-12-07 10:00 · 最后错误 http_400"
        );
    }

    #[test]
    fn f_and_c_cycle_status_and_channel_from_the_dead_letters() {
        let mut s = State::default();
        assert_eq!(
            s.calls(),
            vec![Call::Deliveries {
                status: "dead".into(),
                channel: None
            }]
        );
        assert_eq!(
            key(&mut s, k(KeyCode::Char('f'))),
            Action::Calls(vec![Call::Deliveries {
                status: "pending".into(),
                channel: None
            }])
        );
        key(&mut s, k(KeyCode::Char('c')));
        key(&mut s, k(KeyCode::Char('c')));
        assert_eq!(
            s.calls(),
            vec![Call::Deliveries {
                status: "pending".into(),
                channel: Some("sms".into())
            }]
        );
        for _ in 0..2 {
            key(&mut s, k(KeyCode::Char('f')));
            key(&mut s, k(KeyCode::Char('c')));
        }
        assert_eq!((s.status(), s.channel()), ("dead", None));
    }

    #[test]
    fn a_dead_delivery_is_sent_again_only_after_y() {
        let mut s = State::default();
        loaded(&mut s, sample::deliveries());
        // The first row is dead: R asks, any other key cancels and sends nothing.
        assert_eq!(key(&mut s, k(KeyCode::Char('R'))), Action::None);
        assert!(s.filtering(), "the question takes every key");
        assert_eq!(key(&mut s, k(KeyCode::Char('q'))), Action::None);
        assert!(s.confirm.is_none());
        assert!(s.note.as_ref().is_some_and(|n| n.0.contains("已取消")));
        key(&mut s, k(KeyCode::Char('R')));
        let id = s.list.items[0].id.clone();
        assert_eq!(
            key(&mut s, k(KeyCode::Char('y'))),
            Action::Calls(vec![Call::RetryDelivery { id: id.clone() }])
        );
        retried(&mut s, &id);
        assert!(s.note.as_ref().is_some_and(|n| n.0.contains("已重新排队")));
        // A row that is not dead (any more) is not offered.
        s.list.items[0].status = "sent".into();
        assert_eq!(key(&mut s, k(KeyCode::Char('R'))), Action::None);
        assert!(s.confirm.is_none());
        assert!(s.note.as_ref().is_some_and(|n| n.0.contains("只有死信")));
    }
}
