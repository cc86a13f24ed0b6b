//! County admin: a member sheet or a business register through the import, as the API runs it.
//! `t` says what the sheet holds (党员 / 经营主体; runs it again, without a saved mapping); `o`
//! opens a file and runs the dry run; `m` switches the saved mapping (and runs it again); the
//! report shows where
//! the table was found, what was rewritten, each unknown organisation name once with the closest
//! units, and the bad rows; ↑↓ choose a name, ←→ one of its suggestions, Enter maps it (saved
//! in the mapping); `c` commits the valid rows once nothing is left to map.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::api::types::{ImportMapping, MemberImport, SheetKind};
use crate::app::action::{Action, Modal, Purpose};
use crate::app::calls::Call;
use crate::i18n::{Lang, tr};
use crate::widgets::{Field, Form};

#[derive(Default)]
pub struct State {
    /// What the sheet holds: members (the default) or a business register.
    pub sheet: SheetKind,
    pub mappings: Vec<ImportMapping>,
    /// The saved mapping used (an index into `mappings`), or none.
    pub mapping: Option<usize>,
    /// The file last opened.
    pub path: Option<String>,
    pub report: Option<MemberImport>,
    /// The unknown organisation name chosen, and which of its suggestions.
    pub selected: usize,
    pub choice: usize,
    pub loaded: bool,
}

impl State {
    pub fn mapping_id(&self) -> Option<String> {
        self.mapping
            .and_then(|i| self.mappings.get(i))
            .map(|m| m.id.clone())
    }

    /// The dry run of the file opened, under the mapping chosen.
    pub fn dry_run(&self) -> Option<Call> {
        Some(Call::ImportSheet {
            sheet: self.sheet,
            path: self.path.clone()?,
            mapping: self.mapping_id(),
            commit: false,
        })
    }
}

/// The saved mappings, keeping the one chosen (by id); the first when none was chosen yet.
pub fn mappings_loaded(s: &mut State, v: Vec<ImportMapping>) {
    let chosen = s.mapping_id();
    s.mapping = match chosen {
        Some(id) => v.iter().position(|m| m.id == id),
        None if !s.loaded => (!v.is_empty()).then_some(0),
        None => None,
    };
    s.mappings = v;
    s.loaded = true;
}

/// A mapping just saved becomes the one used.
pub fn mapping_saved(s: &mut State, m: ImportMapping) {
    match s.mappings.iter().position(|x| x.id == m.id) {
        Some(i) => {
            s.mappings[i] = m;
            s.mapping = Some(i);
        }
        None => {
            s.mappings.push(m);
            s.mapping = Some(s.mappings.len() - 1);
        }
    }
}

pub fn reported(s: &mut State, r: MemberImport) {
    let n = r.unknown_org_names.len();
    s.selected = s.selected.min(n.saturating_sub(1));
    s.choice = 0;
    s.report = Some(r);
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    let unknown = s.report.as_ref().map_or(0, |r| r.unknown_org_names.len());
    match k.code {
        KeyCode::Char('o') => {
            let (zh, en) = match s.sheet {
                SheetKind::Members => (
                    "导入党员表格（先试导入）",
                    "Import a member sheet (dry run first)",
                ),
                SheetKind::Businesses => (
                    "导入经营主体名录（先试导入）",
                    "Import a business register (dry run first)",
                ),
            };
            return Action::Open(Modal {
                form: Form::new(
                    zh,
                    en,
                    vec![Field::text("文件路径（xlsx/CSV）", "File (xlsx/CSV)")],
                ),
                purpose: Purpose::MemberImport,
            });
        }
        KeyCode::Char('t') => {
            // A saved mapping serves one kind of sheet: the other kind starts without one.
            s.sheet = s.sheet.next();
            s.mapping = None;
            s.report = None;
            return s.dry_run().map_or(Action::None, |c| Action::Calls(vec![c]));
        }
        KeyCode::Char('m') => {
            s.mapping = match s.mapping {
                None if !s.mappings.is_empty() => Some(0),
                Some(i) if i + 1 < s.mappings.len() => Some(i + 1),
                _ => None,
            };
            return s.dry_run().map_or(Action::None, |c| Action::Calls(vec![c]));
        }
        KeyCode::Char('r') => {
            let mut calls = vec![Call::Mappings];
            calls.extend(s.dry_run());
            return Action::Calls(calls);
        }
        KeyCode::Up => {
            s.selected = s.selected.saturating_sub(1);
            s.choice = 0;
        }
        KeyCode::Down if s.selected + 1 < unknown => {
            s.selected += 1;
            s.choice = 0;
        }
        KeyCode::Left => s.choice = s.choice.saturating_sub(1),
        KeyCode::Right => {
            let n = s
                .report
                .as_ref()
                .and_then(|r| r.unknown_org_names.get(s.selected))
                .map_or(0, |u| u.suggestions.len());
            if s.choice + 1 < n {
                s.choice += 1;
            }
        }
        KeyCode::Enter => {
            let target = s
                .report
                .as_ref()
                .and_then(|r| r.unknown_org_names.get(s.selected))
                .and_then(|u| {
                    u.suggestions
                        .get(s.choice)
                        .map(|g| (u.name.clone(), g.id.clone()))
                });
            if let Some((name, unit_id)) = target {
                return Action::Calls(vec![Call::MapOrgName {
                    mapping: s.mapping_id(),
                    name,
                    unit_id,
                }]);
            }
        }
        KeyCode::Char('c') => {
            let ready = s
                .report
                .as_ref()
                .is_some_and(|r| r.dry_run && r.unknown_org_names.is_empty());
            if let (true, Some(path)) = (ready, s.path.clone()) {
                return Action::Calls(vec![Call::ImportSheet {
                    sheet: s.sheet,
                    path,
                    mapping: s.mapping_id(),
                    commit: true,
                }]);
            }
        }
        _ => {}
    }
    Action::None
}

fn section(title: String, lines: Vec<Line<'static>>) -> Paragraph<'static> {
    Paragraph::new(lines).block(Block::default().borders(Borders::TOP).title(title))
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [head, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
    let mapping = s.mapping.and_then(|i| s.mappings.get(i)).map_or_else(
        || tr(lang, "（不用）", "(none)").to_owned(),
        |m| m.name.clone(),
    );
    let file = s
        .path
        .clone()
        .unwrap_or_else(|| tr(lang, "（未打开）", "(none)").to_owned());
    let (zh, en) = s.sheet.label();
    let mut top = vec![
        Line::from(format!(
            "{}{}    {}{file}    {}{mapping}",
            tr(lang, "表格：", "Sheet: "),
            tr(lang, zh, en),
            tr(lang, "文件：", "File: "),
            tr(lang, "对应关系：", "Mapping: ")
        )),
        Line::styled(
            tr(
                lang,
                "t 党员/经营主体  o 打开  m 对应关系  ↑↓ 名称  ←→ 建议  Enter 对应  c 导入有效行",
                "t members/businesses  o open  m mapping  ↑↓ name  ←→ unit  Enter map  c commit",
            ),
            Style::default().fg(Color::DarkGray),
        ),
    ];
    let Some(r) = &s.report else {
        f.render_widget(Paragraph::new(top), head);
        return;
    };
    let verb = if r.dry_run {
        tr(lang, "试导入", "Dry run")
    } else {
        tr(lang, "已导入", "Imported")
    };
    top.push(Line::styled(
        format!(
            "{verb}: {} {}{} · {} {} · {} {} · {} {} · {} {} · {} {}",
            tr(lang, "表头在第", "header row"),
            r.layout.header_row,
            tr(lang, "行", ""),
            tr(lang, "新增", "new"),
            r.created,
            tr(lang, "更新", "updated"),
            r.updated,
            tr(lang, "未变", "unchanged"),
            r.unchanged,
            tr(lang, "跳过", "skipped"),
            r.layout.skipped.len(),
            tr(lang, "错误", "errors"),
            r.errors.len() as u32 + r.more_errors.unwrap_or(0),
        ) + &r
            .owners_linked
            .map(|n| format!(" · {} {n}", tr(lang, "关联业主", "owners linked")))
            .unwrap_or_default(),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    f.render_widget(Paragraph::new(top), head);
    let [fixes, unknown, errors] = Layout::vertical([
        Constraint::Length(r.normalised.len().clamp(1, 6) as u16 + 1),
        Constraint::Length(r.unknown_org_names.len().clamp(1, 8) as u16 + 1),
        Constraint::Min(2),
    ])
    .areas(body);
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    };
    let fix_lines = r
        .normalised
        .iter()
        .map(|n| Line::from(pick(&n.message, &n.message_en)))
        .collect();
    f.render_widget(section(pick("改写", "Rewritten"), fix_lines), fixes);
    let unknown_lines = r
        .unknown_org_names
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let sugg: Vec<String> = u
                .suggestions
                .iter()
                .enumerate()
                .map(|(n, g)| {
                    if i == s.selected && n == s.choice {
                        format!("[{}]", g.name)
                    } else {
                        g.name.clone()
                    }
                })
                .collect();
            let text = format!(
                "{} {}（{}）→ {}",
                if i == s.selected { "▶" } else { " " },
                u.name,
                u.row_count,
                sugg.join("  ")
            );
            if i == s.selected {
                Line::styled(text, Style::default().fg(Color::Yellow))
            } else {
                Line::from(text)
            }
        })
        .collect();
    f.render_widget(
        section(
            pick("待对应的组织名称（行数）", "Names to map (rows)"),
            unknown_lines,
        ),
        unknown,
    );
    let error_lines = r
        .errors
        .iter()
        .map(|e| {
            Line::styled(
                pick(&e.message, &e.message_en),
                Style::default().fg(Color::Red),
            )
        })
        .collect();
    f.render_widget(
        section(pick("错误行", "Rejected rows"), error_lines),
        errors,
    );
}
