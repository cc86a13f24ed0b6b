//! 党员先锋指数: a vanguard campaign's progress (`GET /evaluations/vanguard`), the latest year
//! first; `-`/`+` shows an earlier or later campaign.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{State, day, paren, stars};
use crate::api::types::Campaign;
use crate::i18n::{Lang, tr};
use crate::widgets::{draw_load_error, fit};

/// `-`/`+`: an earlier or a later campaign (they come latest first: a later year is one place
/// up).
pub(super) fn step(s: &mut State, later: bool) {
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
}

/// A campaign's state in words: the server's label in Chinese.
pub(super) fn campaign_state(lang: Lang, c: &Campaign) -> String {
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

/// A campaign's progress, step by step, and the years there are.
pub(super) fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
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
