//! County: grids (管理区域网格): create; edit the name and the party branch; add and remove the
//! townships it serves (its villages follow their townships). The AIC office is fixed at
//! creation, as the API has it.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::api::types::{Grid, OrgUnit};
use crate::app::action::{Action, Modal, Purpose};
use crate::i18n::{Lang, tr};
use crate::widgets::{Field, Form, List, draw_table};

#[derive(Default)]
pub struct State {
    pub list: List<Grid>,
    pub units: Vec<OrgUnit>,
    pub names: HashMap<String, String>,
}

impl State {
    pub fn set_units(&mut self, u: Vec<OrgUnit>) {
        self.names = u.iter().map(|x| (x.id.clone(), x.name.clone())).collect();
        self.units = u;
        let names = self.names.clone();
        self.list.refilter(|g| text(&names, g));
    }

    pub fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn options(&self, kind: &str) -> Vec<(String, String)> {
        self.units
            .iter()
            .filter(|u| u.kind == kind)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect()
    }
}

fn text(names: &HashMap<String, String>, g: &Grid) -> String {
    let n = |id: &str| names.get(id).cloned().unwrap_or_default();
    let mut s = format!("{} {}", g.name, n(&g.aic_office_id));
    if let Some(b) = &g.party_branch_id {
        s.push_str(&n(b));
    }
    for t in &g.townships {
        s.push_str(&n(&t.township_id));
    }
    s
}

pub fn loaded(s: &mut State, g: Vec<Grid>) {
    let names = s.names.clone();
    s.list.set(g, |x| text(&names, x));
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    let names = s.names.clone();
    if s.list.key(k, |g| text(&names, g)) {
        return Action::None;
    }
    let branch_opts = || {
        let mut o = vec![(String::new(), "—".to_owned())];
        o.extend(s.options("party_branch"));
        o
    };
    match (k.code, s.list.selected()) {
        (KeyCode::Char('n'), _) => Action::Open(Modal {
            form: Form::new(
                "新建网格",
                "New grid",
                vec![
                    Field::text("网格名称", "Grid name"),
                    Field::select("工商所", "AIC office", s.options("aic_office")),
                    Field::select("联系支部", "Party branch", branch_opts()),
                ],
            ),
            purpose: Purpose::CreateGrid,
        }),
        (KeyCode::Char('e'), Some(g)) => {
            let mut branch = Field::select("联系支部", "Party branch", branch_opts());
            if let (Some(b), crate::widgets::FieldKind::Select(o, i, _)) =
                (&g.party_branch_id, &mut branch.kind)
                && let Some(p) = o.iter().position(|(v, _)| v == b)
            {
                *i = p;
            }
            Action::Open(Modal {
                form: Form::new(
                    "修改网格",
                    "Edit grid",
                    vec![Field::text("网格名称", "Grid name").with(&g.name), branch],
                ),
                purpose: Purpose::EditGrid(g.id.clone()),
            })
        }
        (KeyCode::Char('t'), Some(g)) => Action::Open(Modal {
            form: Form::new(
                "加入乡镇",
                "Add a township",
                vec![Field::select(
                    "乡镇/街道",
                    "Township",
                    s.options("township"),
                )],
            ),
            purpose: Purpose::AddTownship(g.id.clone()),
        }),
        (KeyCode::Char('T'), Some(g)) => Action::Open(Modal {
            form: Form::new(
                "移出乡镇",
                "Remove a township",
                vec![Field::select(
                    "乡镇/街道",
                    "Township",
                    g.townships
                        .iter()
                        .map(|t| (t.township_id.clone(), s.name(&t.township_id)))
                        .collect(),
                )],
            ),
            purpose: Purpose::RemoveTownship(g.id.clone()),
        }),
        _ => Action::None,
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
    let header = [
        (tr(lang, "网格", "Grid"), 16),
        (tr(lang, "工商所", "AIC office"), 14),
        (tr(lang, "联系支部", "Branch"), 14),
        (tr(lang, "乡镇", "Towns"), 5),
    ];
    draw_table(
        f,
        left,
        lang,
        tr(
            lang,
            "网格  n 新建 · e 修改 · t/T 加入/移出乡镇",
            "Grids  n new · e edit · t/T add/remove township",
        ),
        &header,
        &s.list,
        |g| {
            vec![
                g.name.clone(),
                s.name(&g.aic_office_id),
                g.party_branch_id
                    .as_deref()
                    .map(|b| s.name(b))
                    .unwrap_or_default(),
                g.townships.len().to_string(),
            ]
        },
    );
    let mut lines = Vec::new();
    if let Some(g) = s.list.selected() {
        lines.push(Line::raw(g.name.clone()));
        for t in &g.townships {
            lines.push(Line::raw(format!("▸ {}", s.name(&t.township_id))));
            let villages: Vec<String> = s
                .units
                .iter()
                .filter(|u| u.parent_id.as_deref() == Some(&t.township_id) && u.kind == "village")
                .map(|u| u.name.clone())
                .collect();
            if !villages.is_empty() {
                lines.push(Line::raw(format!("  {}", villages.join("、"))));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default().borders(Borders::ALL).title(format!(
                " {} ",
                tr(lang, "乡镇与村社区", "Townships and villages")
            )),
        ),
        right,
    );
}
