//! County admin: privacy controls: the role × field masking matrix, pending export approvals,
//! the unmasking log, and the audit log (filter with `/`) with its hash-chain check.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs};

use crate::api::types::*;
use crate::app::action::Action;
use crate::app::calls::Call;
use crate::i18n::{COUNTY_ROLES, EXPOSURES, Lang, PERSONAL_FIELDS, label, tr};
use crate::widgets::{List, draw_table, fit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sub {
    #[default]
    Policy,
    Exports,
    Unmasking,
    Audit,
}

const SUBS: [Sub; 4] = [Sub::Policy, Sub::Exports, Sub::Unmasking, Sub::Audit];

#[derive(Default)]
pub struct State {
    pub sub: Sub,
    pub policy: Vec<PolicyEntry>,
    /// Cursor in the matrix: (role row, field column).
    pub cell: (usize, usize),
    pub dirty: bool,
    pub exports: List<Export>,
    pub unmasking: List<AuditEntry>,
    pub audit: List<AuditEntry>,
    pub chain: Option<ChainCheck>,
}

fn xtext(e: &Export) -> String {
    format!(
        "{} {} {} {}",
        e.status, e.requested_by, e.reason, e.requested_at
    )
}

fn atext(a: &AuditEntry) -> String {
    format!(
        "{} {} {} {} {}",
        a.action, a.entity, a.entity_id, a.actor_role, a.at
    )
}

impl State {
    pub fn filtering(&self) -> bool {
        self.exports.filtering || self.audit.filtering || self.unmasking.filtering
    }

    pub fn set_policy(&mut self, p: Vec<PolicyEntry>) {
        self.policy = p;
        self.dirty = false;
    }

    pub fn set_exports(&mut self, mut e: Vec<Export>) {
        // Pending first: they are what the admin has to act on.
        e.sort_by_key(|x| x.status != "pending");
        self.exports.set(e, xtext);
    }

    pub fn set_audit(&mut self, a: Vec<AuditEntry>) {
        let unmask: Vec<AuditEntry> = a
            .iter()
            .filter(|x| x.action.contains("unmask"))
            .cloned()
            .collect();
        self.unmasking.set(unmask, atext);
        self.audit.set(a, atext);
    }

    pub fn exposure(&self, role: &str, field: &str) -> &str {
        self.policy
            .iter()
            .find(|e| e.role == role && e.field == field)
            .map(|e| e.visibility.as_str())
            .unwrap_or("masked")
    }
}

pub fn key(s: &mut State, k: KeyEvent, _lang: Lang) -> Action {
    let used = match s.sub {
        Sub::Exports => s.exports.key(k, xtext),
        Sub::Unmasking => s.unmasking.key(k, atext),
        Sub::Audit => s.audit.key(k, atext),
        Sub::Policy => false,
    };
    if used {
        return Action::None;
    }
    let pos = SUBS.iter().position(|x| *x == s.sub).unwrap_or(0);
    match (s.sub, k.code) {
        (_, KeyCode::Right | KeyCode::Char(']')) => s.sub = SUBS[(pos + 1) % SUBS.len()],
        (_, KeyCode::Left | KeyCode::Char('[')) => {
            s.sub = SUBS[(pos + SUBS.len() - 1) % SUBS.len()]
        }
        (Sub::Policy, KeyCode::Down | KeyCode::Char('j')) => {
            s.cell.0 = (s.cell.0 + 1).min(COUNTY_ROLES.len() - 1)
        }
        (Sub::Policy, KeyCode::Up | KeyCode::Char('k')) => s.cell.0 = s.cell.0.saturating_sub(1),
        (Sub::Policy, KeyCode::Char('l')) => {
            s.cell.1 = (s.cell.1 + 1).min(PERSONAL_FIELDS.len() - 1)
        }
        (Sub::Policy, KeyCode::Char('h')) => s.cell.1 = s.cell.1.saturating_sub(1),
        (Sub::Policy, KeyCode::Char(' ')) => {
            let (role, field) = (COUNTY_ROLES[s.cell.0], PERSONAL_FIELDS[s.cell.1]);
            let cur = s.exposure(role, field).to_owned();
            let next = EXPOSURES
                [(EXPOSURES.iter().position(|e| *e == cur).unwrap_or(0) + 1) % EXPOSURES.len()];
            match s
                .policy
                .iter_mut()
                .find(|e| e.role == role && e.field == field)
            {
                Some(e) => e.visibility = next.to_owned(),
                None => s.policy.push(PolicyEntry {
                    role: role.into(),
                    field: field.into(),
                    visibility: next.into(),
                }),
            }
            s.dirty = true;
        }
        (Sub::Policy, KeyCode::Char('w')) if s.dirty => {
            let entries = s
                .policy
                .iter()
                .filter(|e| COUNTY_ROLES.contains(&e.role.as_str()))
                .cloned()
                .collect();
            return Action::Calls(vec![Call::SetPolicy(entries)]);
        }
        (Sub::Exports, KeyCode::Char(c @ ('a' | 'd'))) => {
            if let Some(e) = s.exports.selected().filter(|e| e.status == "pending") {
                return Action::Calls(vec![Call::Decide {
                    id: e.id.clone(),
                    approve: c == 'a',
                }]);
            }
        }
        (Sub::Audit, KeyCode::Char('v')) => return Action::Calls(vec![Call::VerifyAudit]),
        _ => {}
    }
    Action::None
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let titles = vec![
        tr(lang, "脱敏策略", "Masking policy"),
        tr(lang, "导出审批", "Export approvals"),
        tr(lang, "查看明文记录", "Unmasking log"),
        tr(lang, "审计日志", "Audit log"),
    ];
    let pos = SUBS.iter().position(|x| *x == s.sub).unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(pos)
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
            .divider("│"),
        head,
    );
    match s.sub {
        Sub::Policy => {
            let mut lines = vec![Line::raw(format!(
                "{}{}",
                fit(tr(lang, "角色", "Role"), 22),
                PERSONAL_FIELDS
                    .iter()
                    .map(|fl| fit(&label(lang, fl), 14))
                    .collect::<String>()
            ))];
            for (r, role) in COUNTY_ROLES.iter().enumerate() {
                let mut spans = vec![Span::raw(fit(&label(lang, role), 22))];
                for (c, field) in PERSONAL_FIELDS.iter().enumerate() {
                    let v = label(lang, s.exposure(role, field));
                    let st = if (r, c) == s.cell {
                        Style::default().add_modifier(Modifier::REVERSED)
                    } else {
                        Style::default()
                    };
                    spans.push(Span::styled(fit(&v, 14), st));
                }
                lines.push(Line::from(spans));
            }
            lines.push(Line::raw(""));
            lines.push(Line::raw(tr(
                lang,
                "↑↓ h l 移动 · 空格 切换 · w 保存",
                "↑↓ h l move · space change · w save",
            )));
            if s.dirty {
                lines.push(Line::styled(
                    tr(lang, "有未保存的修改", "Unsaved changes"),
                    Style::default().fg(Color::Yellow),
                ));
            }
            f.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", tr(lang, "角色 × 字段", "Role × field"))),
                ),
                body,
            );
        }
        Sub::Exports => draw_table(
            f,
            body,
            lang,
            tr(
                lang,
                "导出申请  a 批准 · d 拒绝",
                "Export requests  a approve · d deny",
            ),
            &[
                (tr(lang, "状态", "Status"), 8),
                (tr(lang, "申请时间", "Requested"), 17),
                (tr(lang, "含个人信息", "Personal"), 10),
                (tr(lang, "理由", "Reason"), 30),
            ],
            &s.exports,
            |e| {
                vec![
                    label(lang, &e.status),
                    e.requested_at
                        .replace('T', " ")
                        .get(..16)
                        .unwrap_or_default()
                        .to_owned(),
                    if e.personal {
                        tr(lang, "是", "yes")
                    } else {
                        tr(lang, "否", "no")
                    }
                    .to_owned(),
                    e.reason.clone(),
                ]
            },
        ),
        Sub::Unmasking => draw_audit(
            f,
            body,
            lang,
            tr(lang, "查看明文记录", "Unmasking log"),
            &s.unmasking,
        ),
        Sub::Audit => {
            let chain = match &s.chain {
                Some(c) if c.intact => format!(
                    "{} ✓ {} {}",
                    tr(lang, "审计链完整", "Audit chain intact"),
                    c.entries,
                    tr(lang, "条", "entries")
                ),
                Some(c) => format!(
                    "{} ✗ #{}",
                    tr(lang, "审计链断开于", "Audit chain broken at"),
                    c.first_broken_seq.unwrap_or_default()
                ),
                None => tr(lang, "审计链未校验", "Chain not verified").to_owned(),
            };
            let title = format!(
                "{}  ·  {}  ·  v {}",
                tr(lang, "审计日志", "Audit log"),
                chain,
                tr(lang, "校验", "verify")
            );
            draw_audit(f, body, lang, &title, &s.audit)
        }
    }
}

fn draw_audit(f: &mut Frame, area: Rect, lang: Lang, title: &str, l: &List<AuditEntry>) {
    draw_table(
        f,
        area,
        lang,
        title,
        &[
            ("#", 6),
            (tr(lang, "时间", "At"), 17),
            (tr(lang, "操作", "Action"), 24),
            (tr(lang, "对象", "Entity"), 16),
            (tr(lang, "角色", "Role"), 14),
        ],
        l,
        |a| {
            vec![
                a.seq.to_string(),
                a.at.replace('T', " ")
                    .get(..16)
                    .unwrap_or_default()
                    .to_owned(),
                a.action.clone(),
                a.entity.clone(),
                label(lang, &a.actor_role),
            ]
        },
    );
}
