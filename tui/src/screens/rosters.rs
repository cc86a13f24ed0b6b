//! County: real-name QQ group rosters: the groups; one group's roster, the diff against the
//! last imported member list (missing organisers, unknown members, unverified), who is late
//! for the join deadline, and the import history. `i` pastes or imports a member list.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs};

use crate::api::types::*;
use crate::app::action::{Action, Modal, Purpose};
use crate::app::calls::Call;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{Field, Form, List, draw_table, fit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sub {
    #[default]
    Roster,
    Diff,
    Late,
    History,
}

const SUBS: [Sub; 4] = [Sub::Roster, Sub::Diff, Sub::Late, Sub::History];

#[derive(Default)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub sub: Sub,
    pub roster: List<RosterEntry>,
    pub snapshots: Vec<Snapshot>,
    pub latest: Option<SnapshotDetail>,
    pub late: Option<LateReport>,
    pub history: List<HistoryEntry>,
}

#[derive(Default)]
pub struct State {
    pub groups: List<QqGroup>,
    pub open: Option<Group>,
}

fn gtext(g: &QqGroup) -> String {
    g.name.clone()
}

fn etext(e: &RosterEntry) -> String {
    format!("{} {} {}", e.real_name, e.role, e.qq_masked)
}

fn htext(h: &HistoryEntry) -> String {
    format!("{} {}", h.at, h.action)
}

pub fn group_calls(id: &str) -> Vec<Call> {
    let g = id.to_owned();
    vec![
        Call::Roster { group: g.clone() },
        Call::Snapshots { group: g.clone() },
        Call::Late { group: g.clone() },
        Call::History { group: g },
    ]
}

impl State {
    pub fn filtering(&self) -> bool {
        match &self.open {
            Some(g) => g.roster.filtering || g.history.filtering,
            None => self.groups.filtering,
        }
    }

    pub fn set_groups(&mut self, g: Vec<QqGroup>) {
        self.groups.set(g, gtext);
    }

    fn group(&mut self, id: &str) -> Option<&mut Group> {
        self.open.as_mut().filter(|g| g.id == id)
    }

    pub fn set_roster(&mut self, id: &str, r: Vec<RosterEntry>) {
        if let Some(g) = self.group(id) {
            g.roster.set(r, etext);
        }
    }

    pub fn set_snapshots(&mut self, id: &str, s: Vec<Snapshot>, latest: Option<SnapshotDetail>) {
        if let Some(g) = self.group(id) {
            g.snapshots = s;
            g.latest = latest;
        }
    }

    pub fn set_late(&mut self, id: &str, l: LateReport) {
        if let Some(g) = self.group(id) {
            g.late = Some(l);
        }
    }

    pub fn set_history(&mut self, id: &str, h: Vec<HistoryEntry>) {
        if let Some(g) = self.group(id) {
            g.history.set(h, htext);
        }
    }

    /// After an import: show its diff at once.
    pub fn imported(&mut self, id: &str, r: ImportResult) {
        if let Some(g) = self.group(id) {
            if let Some(s) = r.snapshot {
                g.latest = Some(SnapshotDetail {
                    snapshot: s,
                    diff: r.diff,
                });
            }
            g.sub = Sub::Diff;
        }
    }
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    let Some(g) = &mut s.open else {
        if s.groups.key(k, gtext) {
            return Action::None;
        }
        if k.code == KeyCode::Enter
            && let Some(sel) = s.groups.selected()
        {
            let id = sel.id.clone();
            s.open = Some(Group {
                id: id.clone(),
                name: sel.name.clone(),
                ..Group::default()
            });
            return Action::Calls(group_calls(&id));
        }
        return Action::None;
    };
    let used = match g.sub {
        Sub::Roster => g.roster.key(k, etext),
        Sub::History => g.history.key(k, htext),
        _ => false,
    };
    if used {
        return Action::None;
    }
    let pos = SUBS.iter().position(|x| *x == g.sub).unwrap_or(0);
    match k.code {
        KeyCode::Esc | KeyCode::Backspace => s.open = None,
        KeyCode::Right | KeyCode::Char(']') => g.sub = SUBS[(pos + 1) % SUBS.len()],
        KeyCode::Left | KeyCode::Char('[') => g.sub = SUBS[(pos + SUBS.len() - 1) % SUBS.len()],
        KeyCode::Char('i') => {
            return Action::Open(Modal {
                form: Form::new(
                    "导入群成员名单",
                    "Import the group's member list",
                    vec![
                        Field::text("文件路径（xlsx/CSV，可留空）", "File (xlsx/CSV, or blank)"),
                        Field::multiline(
                            "或粘贴（QQ号 群昵称，每行一人）",
                            "Or paste (QQ number, nickname; one a line)",
                        ),
                    ],
                ),
                purpose: Purpose::Import(g.id.clone()),
            });
        }
        _ => {}
    }
    Action::None
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let Some(g) = &s.open else {
        draw_table(
            f,
            area,
            lang,
            tr(lang, "QQ群  Enter 打开", "QQ groups  Enter open"),
            &[
                (tr(lang, "群名称", "Group"), 40),
                (tr(lang, "状态", "State"), 8),
            ],
            &s.groups,
            |x| {
                vec![
                    x.name.clone(),
                    if x.active {
                        tr(lang, "使用中", "active")
                    } else {
                        tr(lang, "已停用", "inactive")
                    }
                    .to_owned(),
                ]
            },
        );
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let titles: Vec<&str> = vec![
        tr(lang, "名册", "Roster"),
        tr(lang, "差异", "Diff"),
        tr(lang, "逾期", "Late"),
        tr(lang, "历史", "History"),
    ];
    let pos = SUBS.iter().position(|x| *x == g.sub).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(pos)
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .divider("│");
    let [t1, t2] = Layout::horizontal([Constraint::Min(20), Constraint::Length(40)]).areas(head);
    f.render_widget(tabs, t1);
    f.render_widget(
        Paragraph::new(fit(
            &format!("{}  ←→ · i {} · Esc", g.name, tr(lang, "导入", "import")),
            40,
        )),
        t2,
    );
    match g.sub {
        Sub::Roster => draw_table(
            f,
            body,
            lang,
            tr(lang, "名册", "Roster"),
            &[
                (tr(lang, "姓名", "Name"), 10),
                (tr(lang, "角色", "Role"), 18),
                (tr(lang, "QQ号", "QQ"), 12),
                (tr(lang, "入群日期", "Joined"), 11),
                (tr(lang, "实名", "Verified"), 8),
            ],
            &g.roster,
            |e| {
                vec![
                    e.real_name.clone(),
                    label(lang, &e.role),
                    e.qq_masked.clone(),
                    e.joined_on.clone().unwrap_or_default(),
                    if e.verified { "✓" } else { "✗" }.to_owned(),
                ]
            },
        ),
        Sub::Diff => draw_diff(f, body, lang, g),
        Sub::Late => draw_late(f, body, lang, g),
        Sub::History => {
            let [a, b] = Layout::vertical([
                Constraint::Length(g.snapshots.len().min(6) as u16 + 3),
                Constraint::Min(3),
            ])
            .areas(body);
            let mut lines = vec![Line::raw(format!(
                "{}{}{}{}{}",
                fit(tr(lang, "日期", "Date"), 12),
                fit(tr(lang, "来源", "Source"), 8),
                fit(tr(lang, "人数", "People"), 8),
                fit(tr(lang, "缺", "Missing"), 8),
                fit(tr(lang, "未知", "Unknown"), 8)
            ))];
            for x in g.snapshots.iter().take(6) {
                lines.push(Line::raw(format!(
                    "{}{}{}{}{}",
                    fit(&x.taken_on, 12),
                    fit(&label(lang, &x.source), 8),
                    fit(&x.people.to_string(), 8),
                    fit(&x.missing.to_string(), 8),
                    fit(&x.unknown.to_string(), 8)
                )));
            }
            f.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(format!(" {} ", tr(lang, "导入记录", "Imports"))),
                ),
                a,
            );
            draw_table(
                f,
                b,
                lang,
                tr(lang, "名册变更", "Roster changes"),
                &[
                    (tr(lang, "时间", "At"), 20),
                    (tr(lang, "操作", "Action"), 24),
                ],
                &g.history,
                |h| {
                    vec![
                        h.at.replace('T', " ")
                            .get(..19)
                            .unwrap_or_default()
                            .to_owned(),
                        h.action.clone(),
                    ]
                },
            );
        }
    }
}

fn draw_diff(f: &mut Frame, area: Rect, lang: Lang, g: &Group) {
    let mut lines = Vec::new();
    match &g.latest {
        None => lines.push(Line::raw(tr(
            lang,
            "尚未导入群成员名单：按 i 导入。",
            "No member list imported yet: press i.",
        ))),
        Some(d) => {
            let x = &d.diff;
            lines.push(Line::raw(format!(
                "{} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
                tr(lang, "名单日期", "List of"),
                d.snapshot.taken_on,
                tr(lang, "群内", "in group"),
                x.people,
                tr(lang, "匹配", "matched"),
                x.matched,
                tr(lang, "缺失联络员", "missing organisers"),
                x.missing_organisers,
                tr(lang, "未登记", "unknown"),
                x.unknown.len(),
                tr(lang, "未实名", "unverified"),
                x.unverified.len()
            )));
            let bold = Style::default().add_modifier(Modifier::BOLD);
            lines.push(Line::styled(
                tr(
                    lang,
                    "名册有、群里没有：",
                    "On the roster, not in the group:",
                ),
                bold,
            ));
            for e in &x.missing {
                lines.push(Line::raw(format!(
                    "  {} {} {}",
                    fit(&e.real_name, 10),
                    fit(&label(lang, &e.role), 18),
                    e.qq_masked
                )));
            }
            lines.push(Line::styled(
                tr(
                    lang,
                    "群里有、名册没有：",
                    "In the group, not on the roster:",
                ),
                bold,
            ));
            for u in &x.unknown {
                lines.push(Line::raw(format!(
                    "  {} {} {}",
                    fit(&format!("#{}", u.line), 6),
                    fit(&u.qq_masked, 12),
                    u.nickname.clone().unwrap_or_default()
                )));
            }
            lines.push(Line::styled(tr(lang, "未实名：", "Not verified:"), bold));
            for e in &x.unverified {
                lines.push(Line::raw(format!(
                    "  {} {}",
                    fit(&e.real_name, 10),
                    e.qq_masked
                )));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
            " {} ",
            tr(lang, "与最近名单的差异", "Diff with the latest list")
        ))),
        area,
    );
}

fn draw_late(f: &mut Frame, area: Rect, lang: Lang, g: &Group) {
    let mut lines = Vec::new();
    if let Some(l) = &g.late {
        lines.push(Line::from(vec![Span::raw(format!(
            "{} {} · {} {} · {} {}",
            tr(lang, "截止", "Due"),
            l.due,
            tr(lang, "截至", "as of"),
            l.as_of,
            tr(lang, "逾期人数", "late"),
            l.items.len()
        ))]));
        for e in &l.items {
            lines.push(Line::raw(format!(
                "  {} {} {} {} {}",
                fit(&e.entry.real_name, 10),
                fit(&label(lang, &e.entry.role), 18),
                fit(&label(lang, &e.status), 10),
                e.days_late,
                tr(lang, "天", "days")
            )));
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tr(lang, "入群期限", "Join deadline"))),
        ),
        area,
    );
}
