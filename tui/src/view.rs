//! Draws the model. Reads only; nothing here waits or changes state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::{Live, Model, Stage, Tab};
use crate::i18n::tr;
use crate::screens::{
    calendar, counties, deadlines, evaluations, grids, import, notices, overview, privacy,
    province, requests, rosters, signin, statistics, users,
};
use crate::widgets::{centred, draw_form};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn view(m: &Model, f: &mut Frame) {
    let area = f.area();
    let [top, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    top_bar(m, f, top);
    match m.stage {
        Stage::SignIn | Stage::ChangePassword => signin::draw(f, body, m.lang, &m.signin, &m.stage),
        Stage::Main => match m.current() {
            Some(Tab::Counties) => counties::draw(f, body, m.lang, &m.counties),
            Some(Tab::Overview) => overview::draw(f, body, m.lang, &m.overview),
            Some(Tab::Calendar) => calendar::draw(f, body, m.lang, &m.calendar),
            Some(Tab::Grids) => grids::draw(f, body, m.lang, &m.grids),
            Some(Tab::Rosters) => rosters::draw(f, body, m.lang, &m.rosters),
            Some(Tab::Privacy) => privacy::draw(f, body, m.lang, &m.privacy),
            Some(Tab::Users) => users::draw(f, body, m.lang, &m.users),
            Some(Tab::Deadlines) => deadlines::draw(f, body, m.lang, &m.deadlines),
            Some(Tab::Import) => import::draw(f, body, m.lang, &m.import),
            Some(Tab::Requests) => requests::draw(f, body, m.lang, &m.requests),
            Some(Tab::Notices) => notices::draw(f, body, m.lang, &m.notices),
            Some(Tab::Evaluations) => evaluations::draw(f, body, m.lang, &m.evaluations),
            Some(Tab::Statistics) => statistics::draw(f, body, m.lang, &m.statistics),
            Some(Tab::Province) => province::draw(f, body, m.lang, &m.province),
            None => {}
        },
    }
    status_line(m, f, status);
    if let Some(md) = &m.modal {
        draw_form(f, body, m.lang, &md.form);
    }
    if let Some((zh, en)) = &m.message {
        message(
            f,
            body,
            tr(m.lang, zh, en),
            m.t("按任意键关闭", "Press any key"),
        );
    }
    if m.help {
        help(m, f, body);
    }
}

fn top_bar(m: &Model, f: &mut Frame, area: Rect) {
    let tabs = |short: bool| {
        let mut spans = vec![Span::styled(
            format!(" {} ", m.t("双联", "Shuanglian")),
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )];
        for (i, t) in m.tabs.iter().enumerate() {
            let st = if i == m.tab {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            let title = if short {
                t.short_title(m.lang)
            } else {
                t.title(m.lang)
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("{} {title}", i + 1), st));
        }
        spans
    };
    let mut spans = tabs(false);
    let right_of = |county: bool| {
        let mut right = String::new();
        if m.pending > 0 {
            right.push_str(&format!(
                "{} {}  ",
                SPINNER[m.spinner % SPINNER.len()],
                m.t("加载中", "loading")
            ));
        }
        match m.live {
            Live::On => right.push_str("● "),
            Live::Lost => right.push_str("○ "),
            Live::Off => {}
        }
        if let Some(me) = &m.me {
            match &me.tenant_name {
                Some(t) if county => right.push_str(&format!("{t} {}", me.username)),
                _ => right.push_str(&me.username),
            }
        }
        let width = unicode_width::UnicodeWidthStr::width(right.as_str()) as u16 + 1;
        (right, width)
    };
    let (mut right, mut right_width) = right_of(true);
    // On a narrow terminal the tabs keep their room: the brand gives way, then the county's
    // name (the user name stays), then the longer tab titles are shortened.
    if Line::from(spans.clone()).width() as u16 + right_width > area.width {
        spans.remove(0);
    }
    if Line::from(spans.clone()).width() as u16 + right_width > area.width {
        (right, right_width) = right_of(false);
    }
    if Line::from(spans.clone()).width() as u16 + right_width > area.width {
        spans = tabs(true);
        spans.remove(0);
    }
    let [l, r] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width)]).areas(area);
    f.render_widget(Paragraph::new(Line::from(spans)), l);
    f.render_widget(Paragraph::new(right), r);
}

fn status_line(m: &Model, f: &mut Frame, area: Rect) {
    let (text, style) = if let Some(reason) = &m.offline {
        (
            format!(
                "⚠ {} ({reason})",
                m.t(
                    "与服务器的连接已断开，正在重试…",
                    "Connection to the server lost, retrying…"
                )
            ),
            Style::default().fg(Color::Black).bg(Color::Yellow),
        )
    } else if let Some(e) = &m.error {
        (
            format!("✗ {e}"),
            Style::default().fg(Color::White).bg(Color::Red),
        )
    } else {
        (
            m.t(
                "? 帮助 · Tab/1-9 切换 · / 筛选 · r 刷新 · L 退出登录 · q 退出",
                "? help · Tab/1-9 switch · / filter · r reload · L sign out · q quit",
            )
            .to_owned(),
            Style::default().fg(Color::DarkGray),
        )
    };
    f.render_widget(Paragraph::new(text).style(style), area);
}

fn message(f: &mut Frame, area: Rect, text: &str, hint: &str) {
    let r = centred(area, area.width.saturating_sub(6).min(70), 7);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(text),
            Line::raw(""),
            Line::styled(hint, Style::default().fg(Color::DarkGray)),
        ])
        .wrap(Wrap { trim: false })
        .block(Block::default().borders(Borders::ALL)),
        r,
    );
}

fn help(m: &Model, f: &mut Frame, area: Rect) {
    let rows: &[(&str, &str, &str)] = &[
        ("?", "帮助（任意键关闭）", "this help (any key closes)"),
        ("Tab / 1-9", "切换页面", "switch screen"),
        ("↑↓ j k PgUp PgDn g G", "移动", "move"),
        (
            "/",
            "筛选（Enter 确定，Esc 清除）",
            "filter (Enter keep, Esc clear)",
        ),
        ("← → [ ]", "切换子页面", "switch sub-view"),
        ("Enter / Esc", "打开 / 返回", "open / back"),
        ("n e", "新建 / 修改", "new / edit"),
        (
            "s",
            "停用或恢复县（平台）",
            "suspend or reactivate a county",
        ),
        (
            "t T",
            "网格加入 / 移出乡镇 · 百日攻坚乡镇/分会排名",
            "grid: add/remove township · coverage ranking",
        ),
        ("i", "导入QQ群成员名单", "import a QQ member list"),
        ("a d", "批准 / 拒绝导出", "approve / deny an export"),
        (
            "空格 w v",
            "切换脱敏 / 保存 / 校验审计链",
            "space change masking / w save / v verify chain",
        ),
        (
            "p l x",
            "重置密码 / 锁定解锁 / 注销会话",
            "reset password / lock-unlock / end sessions",
        ),
        (
            "f c  - +",
            "切换状态 / 通知渠道 / 考评年度或轮次",
            "the state / channel / evaluation year or cycle",
        ),
        (
            "R",
            "通知：重新发送死信（y 确认）",
            "notices: send a dead one again (y confirms)",
        ),
        (
            "c r F d t ← → p",
            "统计 生成/审核/冻结/比较/换表 · 全省 ←→期 p省",
            "compute review Freeze diff table · ←→ period p",
        ),
        ("r", "刷新（统计页：审核）", "reload (statistics: review)"),
        ("F2 Ctrl+S", "提交表单", "submit a form"),
        ("L", "退出登录（注销令牌）", "sign out (revokes the token)"),
        ("q Ctrl+C", "退出", "quit"),
    ];
    let lines: Vec<Line> = rows
        .iter()
        .map(|(k, zh, en)| {
            Line::from(vec![
                Span::styled(
                    crate::widgets::fit(k, 22),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(tr(m.lang, zh, en)),
            ])
        })
        .collect();
    let r = centred(
        area,
        area.width.saturating_sub(2).min(72),
        lines.len() as u16 + 2,
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", m.t("按键", "Keys"))),
        ),
        r,
    );
}
