//! County admin: users and roles: create (one-time password shown once), reset a password,
//! lock and unlock, sign a user out everywhere.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use crate::api::types::{OrgUnit, User};
use crate::app::action::{Action, Modal, Purpose};
use crate::app::calls::Call;
use crate::i18n::{COUNTY_ROLES, Lang, label, tr};
use crate::widgets::{Field, Form, List, draw_table};

#[derive(Default)]
pub struct State {
    pub list: List<User>,
    pub units: Vec<OrgUnit>,
}

fn text(u: &User) -> String {
    format!("{} {} {} {}", u.username, u.display_name, u.role, u.status)
}

pub fn loaded(s: &mut State, u: Vec<User>) {
    s.list.set(u, text);
}

pub fn key(s: &mut State, k: KeyEvent) -> Action {
    if s.list.key(k, text) {
        return Action::None;
    }
    let sel = s.list.selected();
    match (k.code, sel) {
        (KeyCode::Char('n'), _) => {
            let roles = COUNTY_ROLES
                .iter()
                .map(|r| {
                    (
                        r.to_string(),
                        format!("{} {}", label(crate::i18n::Lang::Zh, r), r),
                    )
                })
                .collect();
            let mut units = vec![(String::new(), "—".to_owned())];
            units.extend(s.units.iter().map(|u| (u.id.clone(), u.name.clone())));
            Action::Open(Modal {
                form: Form::new(
                    "新建用户",
                    "New user",
                    vec![
                        Field::text("用户名", "User name"),
                        Field::text("姓名", "Display name"),
                        Field::select("角色", "Role", roles),
                        Field::select("所属组织（可输入查找）", "Org unit (type to search)", units),
                    ],
                ),
                purpose: Purpose::CreateUser,
            })
        }
        (KeyCode::Char('p'), Some(u)) => {
            Action::Calls(vec![Call::ResetPassword { id: u.id.clone() }])
        }
        (KeyCode::Char('l'), Some(u)) => Action::Calls(vec![Call::SetUserActive {
            id: u.id.clone(),
            active: u.status != "active",
        }]),
        (KeyCode::Char('x'), Some(u)) => {
            Action::Calls(vec![Call::RevokeSessions { id: u.id.clone() }])
        }
        _ => Action::None,
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State) {
    let unit = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| s.units.iter().find(|u| &u.id == i))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    draw_table(
        f,
        area,
        lang,
        tr(
            lang,
            "用户  n 新建 · p 重置密码 · l 锁定/解锁 · x 注销会话",
            "Users  n new · p reset password · l lock/unlock · x end sessions",
        ),
        &[
            (tr(lang, "用户名", "User"), 16),
            (tr(lang, "姓名", "Name"), 12),
            (tr(lang, "角色", "Role"), 14),
            (tr(lang, "状态", "Status"), 8),
            (tr(lang, "组织", "Org unit"), 20),
        ],
        &s.list,
        |u| {
            vec![
                u.username.clone(),
                u.display_name.clone(),
                label(lang, &u.role),
                label(lang, &u.status),
                unit(&u.org_unit_id),
            ]
        },
    );
}
