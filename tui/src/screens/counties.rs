//! Platform operator: the counties (list with status; create a county with its first admin;
//! suspend and reactivate).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use crate::api::types::Tenant;
use crate::app::action::{Action, Modal, Purpose};
use crate::app::calls::Call;
use crate::i18n::{Lang, label, tr};
use crate::widgets::{Field, Form, List, draw_table};

#[derive(Default)]
pub struct State {
    pub list: List<Tenant>,
}

fn text(t: &Tenant) -> String {
    format!("{} {} {} {}", t.code, t.name, t.province_code, t.status)
}

pub fn loaded(s: &mut State, mut t: Vec<Tenant>) {
    t.sort_by(|a, b| a.code.cmp(&b.code));
    s.list.set(t, text);
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.list.key(k, text) {
        return Action::None;
    }
    match k.code {
        KeyCode::Char('n') => Action::Open(Modal {
            form: Form::new(
                "新建县级租户",
                "New county",
                vec![
                    Field::text("行政区划代码（6位）", "Division code (6 digits)"),
                    Field::text("县名", "Name"),
                    Field::text(
                        "首位管理员用户名（默认 admin）",
                        "First admin user name (admin)",
                    ),
                ],
            ),
            purpose: Purpose::CreateCounty,
        }),
        KeyCode::Char('s') => match s.list.selected() {
            Some(t) => Action::Calls(vec![Call::SetTenantActive {
                id: t.id.clone(),
                active: t.status != "active",
            }]),
            None => Action::None,
        },
        _ => Action::None,
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let header = [
        (tr(lang, "代码", "Code"), 8),
        (tr(lang, "县名", "Name"), 20),
        (tr(lang, "省", "Province"), 9),
        (tr(lang, "状态", "Status"), 10),
        (tr(lang, "创建于", "Created"), 12),
    ];
    draw_table(
        f,
        area,
        lang,
        tr(
            lang,
            "县级租户  n 新建 · s 停用/恢复",
            "Counties  n new · s suspend/reactivate",
        ),
        &header,
        &s.list,
        |t| {
            vec![
                t.code.clone(),
                t.name.clone(),
                t.province_code.clone(),
                label(lang, &t.status),
                t.created_at.get(..10).unwrap_or_default().to_owned(),
            ]
        },
    );
}
