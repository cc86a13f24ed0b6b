//! Sign-in (server, county code, user name, password, and the TOTP code when the server asks
//! for it) and the first-sign-in password change.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::app::action::Stage;
use crate::app::calls::{Call, SignInRequestData};
use crate::i18n::{Lang, tr};
use crate::widgets::{Field, Form, FormKey, draw_form};

pub struct State {
    pub form: Form,
    pub change: Form,
}

impl State {
    pub fn new(server: &str) -> State {
        State {
            form: Form::new(
                "登录 双联 管理控制台",
                "Sign in to the Shuanglian console",
                vec![
                    Field::text("服务器地址", "Server URL").with(server),
                    Field::text("县区代码（平台账户留空）", "County code (blank: platform)"),
                    Field::text("用户名", "User name"),
                    Field::secret("密码", "Password"),
                ],
            ),
            change: Form::new(
                "首次登录：请修改密码",
                "First sign-in: change your password",
                vec![],
            ),
        }
    }

    pub fn form_mut(&mut self, stage: &Stage) -> &mut Form {
        match stage {
            Stage::ChangePassword => &mut self.change,
            _ => &mut self.form,
        }
    }

    /// The account has a second factor: add the code field and go to it.
    pub fn ask_totp(&mut self) {
        if self.form.fields.len() == 4 {
            self.form.fields.push(Field::text(
                "动态码（验证器应用）",
                "TOTP code (authenticator app)",
            ));
        }
        self.form.focus = 4;
    }

    pub fn start_change(&mut self, current: &str) {
        self.change.fields = vec![
            Field::secret("当前密码", "Current password").with(current),
            Field::secret("新密码（至少10位）", "New password (10+ characters)"),
            Field::secret("再次输入新密码", "New password again"),
        ];
        self.change.focus = if current.is_empty() { 0 } else { 1 };
        self.change.error = None;
    }
}

pub fn key(s: &mut State, stage: &Stage, k: KeyEvent) -> Option<Call> {
    match stage {
        Stage::ChangePassword => match s.change.key(k) {
            FormKey::Submit => {
                if s.change.value(1) != s.change.value(2) {
                    s.change.error =
                        Some("两次输入的新密码不一致 / The new passwords differ".into());
                    return None;
                }
                Some(Call::ChangePassword {
                    current: s.change.value(0),
                    new: s.change.value(1),
                })
            }
            _ => None,
        },
        _ => match s.form.key(k) {
            FormKey::Submit => Some(Call::SignIn(SignInRequestData {
                tenant_code: s.form.opt(1),
                username: s.form.value(2),
                password: s.form.value(3),
                totp_code: s.form.opt(4),
            })),
            _ => None,
        },
    }
}

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, s: &State, stage: &Stage) {
    let form = match stage {
        Stage::ChangePassword => &s.change,
        _ => &s.form,
    };
    draw_form(f, area, lang, form);
    let hint = tr(
        lang,
        "演示：shuanglian serve --demo 打印账户；动态码：shuanglian totp-code --secret …",
        "Demo: shuanglian serve --demo prints accounts; codes: shuanglian totp-code --secret …",
    );
    if area.height > 2 {
        let r = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        f.render_widget(ratatui::widgets::Paragraph::new(hint), r);
    }
}
