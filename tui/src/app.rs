//! The Elm architecture: one [`Model`], [`Msg`]s in, [`update`] changes the model and returns
//! [`Cmd`]s (API calls and the like) that the runtime carries out off the drawing loop; their
//! results come back as `Msg::Reply`. `view` (in `view.rs`) only reads the model.

use std::collections::HashSet;
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::sse::Feed;
use crate::api::types::*;
use crate::api::{ApiError, Client};
use crate::i18n::{Lang, problem, tr};
use crate::screens::{counties, deadlines, grids, overview, privacy, rosters, signin, users};
use crate::widgets::{Form, FormKey};

/// A top-level screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Counties,
    Overview,
    Grids,
    Rosters,
    Privacy,
    Users,
    Deadlines,
}

impl Tab {
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Tab::Counties => tr(lang, "县级租户", "Counties"),
            Tab::Overview => tr(lang, "全省概览", "Overview"),
            Tab::Grids => tr(lang, "网格", "Grids"),
            Tab::Rosters => tr(lang, "QQ群名册", "QQ rosters"),
            Tab::Privacy => tr(lang, "隐私与审计", "Privacy"),
            Tab::Users => tr(lang, "用户", "Users"),
            Tab::Deadlines => tr(lang, "期限", "Deadlines"),
        }
    }

    /// The screens a role works with.
    pub fn for_role(role: &str) -> Vec<Tab> {
        match role {
            "platform_operator" => vec![Tab::Counties, Tab::Overview],
            "provincial_office" => vec![Tab::Overview],
            "county_admin" => vec![
                Tab::Grids,
                Tab::Rosters,
                Tab::Privacy,
                Tab::Users,
                Tab::Deadlines,
            ],
            _ => vec![Tab::Grids, Tab::Rosters, Tab::Deadlines],
        }
    }
}

/// An API call the runtime carries out.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    SignIn(SignInRequestData),
    ChangePassword {
        current: String,
        new: String,
    },
    SignOut,
    Me,
    Tenants,
    Provinces,
    CreateTenant {
        code: String,
        name: String,
        admin: Option<String>,
    },
    SetTenantActive {
        id: String,
        active: bool,
    },
    OrgUnits,
    Grids,
    CreateGrid {
        name: String,
        office: String,
        branch: Option<String>,
    },
    UpdateGrid {
        id: String,
        name: Option<String>,
        branch: Option<String>,
    },
    Township {
        grid: String,
        township: String,
        add: bool,
    },
    Groups,
    Roster {
        group: String,
    },
    Snapshots {
        group: String,
    },
    Late {
        group: String,
    },
    History {
        group: String,
    },
    ImportPaste {
        group: String,
        text: String,
    },
    ImportFile {
        group: String,
        path: String,
    },
    Policy,
    SetPolicy(Vec<PolicyEntry>),
    Exports,
    Decide {
        id: String,
        approve: bool,
    },
    Audit,
    VerifyAudit,
    Users,
    CreateUser {
        username: String,
        name: String,
        role: String,
        unit: Option<String>,
    },
    SetUserActive {
        id: String,
        active: bool,
    },
    ResetPassword {
        id: String,
    },
    RevokeSessions {
        id: String,
    },
    Deadlines {
        state: String,
    },
}

impl Call {
    /// Reads can be retried after a lost connection; changes are not repeated behind the
    /// operator's back.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Call::Me
                | Call::Tenants
                | Call::Provinces
                | Call::OrgUnits
                | Call::Grids
                | Call::Groups
                | Call::Roster { .. }
                | Call::Snapshots { .. }
                | Call::Late { .. }
                | Call::History { .. }
                | Call::Policy
                | Call::Exports
                | Call::Audit
                | Call::VerifyAudit
                | Call::Users
                | Call::Deadlines { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignInRequestData {
    pub tenant_code: Option<String>,
    pub username: String,
    pub password: String,
    pub totp_code: Option<String>,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Reply {
    SignedIn(SignInResponse),
    Done,
    Me(Me),
    Tenants(Vec<Tenant>),
    Provinces(Vec<Province>),
    TenantCreated(TenantCreated),
    Tenant(Tenant),
    OrgUnits(Vec<OrgUnit>),
    Grids(Vec<Grid>),
    Grid(Grid),
    Groups(Vec<QqGroup>),
    Roster(Vec<RosterEntry>),
    Snapshots(Vec<Snapshot>, Option<SnapshotDetail>),
    Late(LateReport),
    History(Vec<HistoryEntry>),
    Imported(ImportResult),
    Policy(Vec<PolicyEntry>),
    Exports(Vec<Export>),
    Export(Export),
    Audit(Vec<AuditEntry>),
    Chain(ChainCheck),
    Users(Vec<User>),
    UserCreated(UserCreated),
    User(User),
    Credential(OneTimeCredential),
    Deadlines(DeadlineList),
}

// A message lives for one turn of the loop; boxing the large reply would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Tick,
    Reply(Call, Result<Reply, ApiError>),
    Live(Feed),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Call(Call),
    /// Repeat a read after a pause (lost connection).
    Retry(Call, Duration),
    /// Start following live updates with the current token.
    Subscribe,
    SaveToken(String),
    ForgetToken,
    Quit,
}

/// Where the console is.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    SignIn,
    ChangePassword,
    Main,
}

/// What a modal form is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    CreateCounty,
    CreateGrid,
    EditGrid(String),
    AddTownship(String),
    RemoveTownship(String),
    CreateUser,
    Import(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Modal {
    pub form: Form,
    pub purpose: Purpose,
}

/// Live-update connection, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Live {
    #[default]
    Off,
    On,
    Lost,
}

pub struct Model {
    pub lang: Lang,
    pub server: String,
    pub client: Client,
    pub token: Option<String>,
    pub me: Option<Me>,
    pub stage: Stage,
    pub tabs: Vec<Tab>,
    pub tab: usize,
    pub help: bool,
    /// Calls in flight: the loading indicator spins while > 0.
    pub pending: usize,
    pub spinner: usize,
    /// A message for the operator (zh, en), e.g. a one-time password; any key closes it.
    pub message: Option<(String, String)>,
    /// The last error, shown inline in the status line.
    pub error: Option<String>,
    /// The connection to the API is lost (reason); reads are being retried.
    pub offline: Option<String>,
    pub live: Live,
    pub stale: HashSet<Tab>,
    pub modal: Option<Modal>,
    pub signin: signin::State,
    pub counties: counties::State,
    pub overview: overview::State,
    pub grids: grids::State,
    pub rosters: rosters::State,
    pub privacy: privacy::State,
    pub users: users::State,
    pub deadlines: deadlines::State,
    pub quit: bool,
}

impl Model {
    pub fn new(server: &str, lang: Lang) -> Model {
        Model {
            lang,
            server: server.to_owned(),
            client: Client::new(server),
            token: None,
            me: None,
            stage: Stage::SignIn,
            tabs: Vec::new(),
            tab: 0,
            help: false,
            pending: 0,
            spinner: 0,
            message: None,
            error: None,
            offline: None,
            live: Live::Off,
            stale: HashSet::new(),
            modal: None,
            signin: signin::State::new(server),
            counties: Default::default(),
            overview: Default::default(),
            grids: Default::default(),
            rosters: Default::default(),
            privacy: Default::default(),
            users: Default::default(),
            deadlines: Default::default(),
            quit: false,
        }
    }

    pub fn current(&self) -> Option<Tab> {
        self.tabs.get(self.tab).copied()
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        tr(self.lang, zh, en)
    }

    pub fn describe(&self, e: &ApiError) -> String {
        match e {
            ApiError::Problem(p) => problem(self.lang, p),
            ApiError::Network(m) => format!(
                "{} ({m})",
                self.t("无法连接服务器", "Cannot reach the server")
            ),
            ApiError::Decode(m) => format!(
                "{} ({m})",
                self.t("无法读取服务器的回答", "Cannot read the server's answer")
            ),
        }
    }

    fn call(&mut self, c: Call) -> Cmd {
        self.pending += 1;
        Cmd::Call(c)
    }

    /// The calls that (re)load a screen.
    pub fn load(&mut self, tab: Tab) -> Vec<Cmd> {
        self.stale.remove(&tab);
        let calls = match tab {
            Tab::Counties => vec![Call::Tenants],
            Tab::Overview => vec![Call::Provinces, Call::Tenants],
            Tab::Grids => vec![Call::OrgUnits, Call::Grids],
            Tab::Rosters => {
                let mut v = vec![Call::Groups];
                if let Some(g) = &self.rosters.open {
                    v.extend(rosters::group_calls(&g.id));
                }
                v
            }
            Tab::Privacy => vec![Call::Policy, Call::Exports, Call::Audit, Call::VerifyAudit],
            Tab::Users => vec![Call::OrgUnits, Call::Users],
            Tab::Deadlines => vec![Call::Deadlines {
                state: self.deadlines.state().to_owned(),
            }],
        };
        calls.into_iter().map(|c| self.call(c)).collect()
    }

    fn enter_main(&mut self, me: Me) -> Vec<Cmd> {
        self.tabs = Tab::for_role(&me.role);
        self.tab = 0;
        self.me = Some(me);
        self.stage = Stage::Main;
        let mut cmds = vec![Cmd::Subscribe];
        if let Some(t) = self.current() {
            cmds.extend(self.load(t));
        }
        cmds
    }

    fn sign_out_locally(&mut self) {
        let server = self.server.clone();
        let lang = self.lang;
        *self = Model::new(&server, lang);
    }
}

/// The whole behaviour of the console.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Tick => {
            m.spinner = m.spinner.wrapping_add(1);
            Vec::new()
        }
        Msg::Paste(text) => {
            if let Some(md) = &mut m.modal {
                md.form.paste(&text);
            } else if m.stage != Stage::Main {
                m.signin.form_mut(&m.stage).paste(&text);
            }
            Vec::new()
        }
        Msg::Key(k) => key(m, k),
        Msg::Reply(call, result) => reply(m, call, result),
        Msg::Live(feed) => live(m, feed),
    }
}

fn key(m: &mut Model, k: KeyEvent) -> Vec<Cmd> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && k.code == KeyCode::Char('c') {
        m.quit = true;
        return vec![Cmd::Quit];
    }
    if m.message.take().is_some() {
        return Vec::new();
    }
    if m.help {
        m.help = false;
        return Vec::new();
    }
    if let Some(md) = &mut m.modal {
        match md.form.key(k) {
            FormKey::Cancel => m.modal = None,
            FormKey::Edited => {}
            FormKey::Submit => {
                if let Some(call) = submit(md) {
                    return vec![m.call(call)];
                }
            }
        }
        return Vec::new();
    }
    if m.stage != Stage::Main {
        let stage = m.stage.clone();
        return match signin::key(&mut m.signin, &stage, k) {
            Some(call) => {
                m.error = None;
                vec![m.call(call)]
            }
            None => {
                if k.code == KeyCode::Esc && stage == Stage::SignIn {
                    m.quit = true;
                    return vec![Cmd::Quit];
                }
                Vec::new()
            }
        };
    }
    // A list being filtered takes every key.
    let filtering = match m.current() {
        Some(Tab::Counties) => m.counties.list.filtering,
        Some(Tab::Grids) => m.grids.list.filtering,
        Some(Tab::Rosters) => m.rosters.filtering(),
        Some(Tab::Privacy) => m.privacy.filtering(),
        Some(Tab::Users) => m.users.list.filtering,
        Some(Tab::Deadlines) => m.deadlines.list.filtering,
        _ => false,
    };
    if !filtering {
        match k.code {
            KeyCode::Char('?') => {
                m.help = true;
                return Vec::new();
            }
            KeyCode::Char('q') => {
                m.quit = true;
                return vec![Cmd::Quit];
            }
            KeyCode::Char('L') => {
                let c = m.call(Call::SignOut);
                return vec![c];
            }
            KeyCode::Char('r') => {
                m.error = None;
                return m.current().map(|t| m.load(t)).unwrap_or_default();
            }
            KeyCode::Tab | KeyCode::BackTab if !m.tabs.is_empty() => {
                let n = m.tabs.len();
                m.tab = if k.code == KeyCode::Tab {
                    (m.tab + 1) % n
                } else {
                    (m.tab + n - 1) % n
                };
                return switched(m);
            }
            KeyCode::Char(c @ '1'..='9') => {
                let i = (c as usize) - ('1' as usize);
                if i < m.tabs.len() {
                    m.tab = i;
                    return switched(m);
                }
                return Vec::new();
            }
            _ => {}
        }
    }
    let lang = m.lang;
    let out = match m.current() {
        Some(Tab::Counties) => counties::key(&mut m.counties, k),
        Some(Tab::Overview) => overview::key(&mut m.overview, k),
        Some(Tab::Grids) => grids::key(&mut m.grids, k),
        Some(Tab::Rosters) => rosters::key(&mut m.rosters, k),
        Some(Tab::Privacy) => privacy::key(&mut m.privacy, k, lang),
        Some(Tab::Users) => users::key(&mut m.users, k),
        Some(Tab::Deadlines) => deadlines::key(&mut m.deadlines, k),
        None => Action::None,
    };
    match out {
        Action::None => Vec::new(),
        Action::Calls(calls) => calls.into_iter().map(|c| m.call(c)).collect(),
        Action::Open(modal) => {
            m.modal = Some(modal);
            Vec::new()
        }
    }
}

/// What a screen's key handler asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    None,
    Calls(Vec<Call>),
    Open(Modal),
}

fn switched(m: &mut Model) -> Vec<Cmd> {
    m.error = None;
    match m.current() {
        Some(t) if m.stale.contains(&t) || !loaded(m, t) => m.load(t),
        _ => Vec::new(),
    }
}

fn loaded(m: &Model, t: Tab) -> bool {
    match t {
        Tab::Counties => m.counties.list.loaded,
        Tab::Overview => m.overview.loaded,
        Tab::Grids => m.grids.list.loaded,
        Tab::Rosters => m.rosters.groups.loaded,
        Tab::Privacy => m.privacy.exports.loaded,
        Tab::Users => m.users.list.loaded,
        Tab::Deadlines => m.deadlines.loaded,
    }
}

/// The call a submitted form makes.
fn submit(md: &mut Modal) -> Option<Call> {
    let f = &md.form;
    Some(match &md.purpose {
        Purpose::CreateCounty => Call::CreateTenant {
            code: f.value(0),
            name: f.value(1),
            admin: f.opt(2),
        },
        Purpose::CreateGrid => Call::CreateGrid {
            name: f.value(0),
            office: f.value(1),
            branch: f.opt(2),
        },
        Purpose::EditGrid(id) => Call::UpdateGrid {
            id: id.clone(),
            name: f.opt(0),
            branch: f.opt(1),
        },
        Purpose::AddTownship(g) => Call::Township {
            grid: g.clone(),
            township: f.value(0),
            add: true,
        },
        Purpose::RemoveTownship(g) => Call::Township {
            grid: g.clone(),
            township: f.value(0),
            add: false,
        },
        Purpose::CreateUser => Call::CreateUser {
            username: f.value(0),
            name: f.value(1),
            role: f.value(2),
            unit: f.opt(3),
        },
        Purpose::Import(g) => match f.opt(0) {
            Some(path) => Call::ImportFile {
                group: g.clone(),
                path,
            },
            None => Call::ImportPaste {
                group: g.clone(),
                text: f.value(1),
            },
        },
    })
}

fn reply(m: &mut Model, call: Call, result: Result<Reply, ApiError>) -> Vec<Cmd> {
    m.pending = m.pending.saturating_sub(1);
    let r = match result {
        Ok(r) => {
            m.offline = None;
            r
        }
        Err(ApiError::Network(reason)) => {
            m.offline = Some(reason);
            if call.is_read() && m.stage == Stage::Main {
                m.pending += 1;
                return vec![Cmd::Retry(call, Duration::from_secs(2))];
            }
            let text = m.describe(&ApiError::Network(String::new()));
            fail(m, &call, text);
            return Vec::new();
        }
        Err(e) => {
            if e.status() == Some(401) && m.stage == Stage::Main && !matches!(call, Call::SignOut) {
                // The session ended (expired, revoked): back to the sign-in screen.
                let text = m.describe(&e);
                m.sign_out_locally();
                m.error = Some(text);
                return vec![Cmd::ForgetToken];
            }
            if matches!(call, Call::SignOut) {
                m.sign_out_locally();
                return vec![Cmd::ForgetToken];
            }
            if let (Call::SignIn(_), ApiError::Problem(p)) = (&call, &e)
                && p.code == "totp_required"
            {
                m.signin.ask_totp();
            }
            if matches!(call, Call::Deadlines { .. }) {
                m.deadlines.error = Some(m.describe(&e));
                m.deadlines.loaded = true;
            }
            let text = m.describe(&e);
            fail(m, &call, text);
            return Vec::new();
        }
    };
    m.error = None;
    match (call, r) {
        (Call::SignIn(_), Reply::SignedIn(s)) => {
            m.token = Some(s.token.clone());
            m.client = m.client.with_token(Some(s.token.clone()));
            let mut cmds = vec![Cmd::SaveToken(s.token)];
            if s.must_change_password {
                m.stage = Stage::ChangePassword;
                let pw = m.signin.form.value(3);
                m.signin.start_change(&pw);
            } else {
                cmds.push(m.call(Call::Me));
            }
            cmds
        }
        (Call::ChangePassword { .. }, _) => {
            m.message = Some(("密码已修改。".into(), "Password changed.".into()));
            vec![m.call(Call::Me)]
        }
        (Call::Me, Reply::Me(me)) => {
            if me.must_change_password {
                m.stage = Stage::ChangePassword;
                m.signin.start_change("");
                return Vec::new();
            }
            m.enter_main(me)
        }
        (Call::SignOut, _) => {
            m.sign_out_locally();
            vec![Cmd::ForgetToken]
        }
        (Call::Tenants, Reply::Tenants(t)) => {
            m.overview.set_tenants(&t);
            counties::loaded(&mut m.counties, t);
            Vec::new()
        }
        (Call::Provinces, Reply::Provinces(p)) => {
            m.overview.provinces = p;
            Vec::new()
        }
        (Call::CreateTenant { .. }, Reply::TenantCreated(c)) => {
            m.modal = None;
            let pw = c.admin.one_time_password.unwrap_or_default();
            m.message = Some((
                format!(
                    "已创建 {} {}。首位管理员 {}，一次性密码 {}（首次登录须修改）",
                    c.tenant.code, c.tenant.name, c.admin.username, pw
                ),
                format!(
                    "Created {} {}. First admin {}, one-time password {} (must be changed at first sign-in)",
                    c.tenant.code, c.tenant.name, c.admin.username, pw
                ),
            ));
            vec![m.call(Call::Tenants)]
        }
        (Call::SetTenantActive { .. }, _) => vec![m.call(Call::Tenants)],
        (Call::OrgUnits, Reply::OrgUnits(u)) => {
            m.grids.set_units(u.clone());
            m.users.units = u;
            Vec::new()
        }
        (Call::Grids, Reply::Grids(g)) => {
            grids::loaded(&mut m.grids, g);
            Vec::new()
        }
        (Call::CreateGrid { .. } | Call::UpdateGrid { .. } | Call::Township { .. }, _) => {
            m.modal = None;
            vec![m.call(Call::Grids)]
        }
        (Call::Groups, Reply::Groups(g)) => {
            m.rosters.set_groups(g);
            Vec::new()
        }
        (Call::Roster { group }, Reply::Roster(r)) => {
            m.rosters.set_roster(&group, r);
            Vec::new()
        }
        (Call::Snapshots { group }, Reply::Snapshots(s, latest)) => {
            m.rosters.set_snapshots(&group, s, latest);
            Vec::new()
        }
        (Call::Late { group }, Reply::Late(l)) => {
            m.rosters.set_late(&group, l);
            Vec::new()
        }
        (Call::History { group }, Reply::History(h)) => {
            m.rosters.set_history(&group, h);
            Vec::new()
        }
        (Call::ImportPaste { group, .. } | Call::ImportFile { group, .. }, Reply::Imported(r)) => {
            m.modal = None;
            m.rosters.imported(&group, r);
            rosters::group_calls(&group)
                .into_iter()
                .map(|c| m.call(c))
                .collect()
        }
        (Call::Policy, Reply::Policy(p)) | (Call::SetPolicy(_), Reply::Policy(p)) => {
            m.privacy.set_policy(p);
            Vec::new()
        }
        (Call::Exports, Reply::Exports(e)) => {
            m.privacy.set_exports(e);
            Vec::new()
        }
        (Call::Decide { .. }, _) => vec![m.call(Call::Exports), m.call(Call::Audit)],
        (Call::Audit, Reply::Audit(a)) => {
            m.privacy.set_audit(a);
            Vec::new()
        }
        (Call::VerifyAudit, Reply::Chain(c)) => {
            m.privacy.chain = Some(c);
            Vec::new()
        }
        (Call::Users, Reply::Users(u)) => {
            users::loaded(&mut m.users, u);
            Vec::new()
        }
        (Call::CreateUser { .. }, Reply::UserCreated(c)) => {
            m.modal = None;
            let pw = c.credential.one_time_password.unwrap_or_default();
            m.message = Some((
                format!("已创建用户 {}，一次性密码 {}", c.user.username, pw),
                format!("Created user {}, one-time password {}", c.user.username, pw),
            ));
            vec![m.call(Call::Users)]
        }
        (Call::ResetPassword { .. }, Reply::Credential(c)) => {
            let pw = c.one_time_password.unwrap_or_default();
            m.message = Some((
                format!("{} 的新一次性密码：{}（其会话已全部注销）", c.username, pw),
                format!(
                    "New one-time password for {}: {} (their sessions were ended)",
                    c.username, pw
                ),
            ));
            vec![m.call(Call::Users)]
        }
        (Call::SetUserActive { .. }, _) => vec![m.call(Call::Users)],
        (Call::RevokeSessions { .. }, _) => {
            m.message = Some((
                "已注销该用户的全部会话。".into(),
                "All their sessions were ended.".into(),
            ));
            Vec::new()
        }
        (Call::Deadlines { .. }, Reply::Deadlines(d)) => {
            deadlines::loaded(&mut m.deadlines, d);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Shows an error where the operator is looking: in the open form, else the status line.
fn fail(m: &mut Model, _call: &Call, text: String) {
    if let Some(md) = &mut m.modal {
        md.form.error = Some(text);
    } else if m.stage != Stage::Main {
        let stage = m.stage.clone();
        m.signin.form_mut(&stage).error = Some(text);
    } else {
        m.error = Some(text);
    }
}

fn live(m: &mut Model, feed: Feed) -> Vec<Cmd> {
    match feed {
        Feed::Connected => {
            m.live = Live::On;
            // Anything may have changed while we were away.
            if m.offline.take().is_some() {
                return m.current().map(|t| m.load(t)).unwrap_or_default();
            }
            Vec::new()
        }
        Feed::Lost(reason) => {
            m.live = Live::Lost;
            m.offline = Some(reason);
            Vec::new()
        }
        Feed::Refused(_) => {
            m.live = Live::Off;
            Vec::new()
        }
        Feed::Event(ev) => {
            m.overview.push_event(ev.clone());
            let tabs: &[Tab] = match ev.kind.as_str() {
                "tenant_changed" => &[Tab::Counties, Tab::Overview],
                "grid_changed" => &[Tab::Grids],
                "roster_changed" => &[Tab::Rosters],
                "export_changed" => &[Tab::Privacy],
                "user_changed" => &[Tab::Users],
                _ => &[
                    Tab::Counties,
                    Tab::Overview,
                    Tab::Grids,
                    Tab::Rosters,
                    Tab::Privacy,
                    Tab::Users,
                    Tab::Deadlines,
                ],
            };
            let cur = m.current();
            let mut cmds = Vec::new();
            for t in tabs {
                if !m.tabs.contains(t) {
                    continue;
                }
                if Some(*t) == cur {
                    cmds.extend(m.load(*t));
                } else {
                    m.stale.insert(*t);
                }
            }
            cmds
        }
    }
}

/// Runs one call against the API.
pub async fn execute(client: &Client, call: &Call) -> Result<Reply, ApiError> {
    Ok(match call {
        Call::SignIn(r) => Reply::SignedIn(
            client
                .sign_in(&SignInRequest {
                    tenant_code: r.tenant_code.clone(),
                    username: r.username.clone(),
                    password: r.password.clone(),
                    totp_code: r.totp_code.clone(),
                })
                .await?,
        ),
        Call::ChangePassword { current, new } => {
            client
                .change_password(&ChangePasswordRequest {
                    current_password: current.clone(),
                    new_password: new.clone(),
                })
                .await?;
            Reply::Done
        }
        Call::SignOut => {
            client.sign_out().await?;
            Reply::Done
        }
        Call::Me => Reply::Me(client.me().await?),
        Call::Tenants => Reply::Tenants(client.tenants().await?),
        Call::Provinces => Reply::Provinces(client.provinces().await?),
        Call::CreateTenant { code, name, admin } => Reply::TenantCreated(
            client
                .create_tenant(&CreateTenantRequest {
                    code: code.clone(),
                    name: name.clone(),
                    admin_username: admin.clone(),
                    admin_display_name: None,
                })
                .await?,
        ),
        Call::SetTenantActive { id, active } => {
            Reply::Tenant(client.set_tenant_active(id, *active).await?)
        }
        Call::OrgUnits => Reply::OrgUnits(client.org_units().await?),
        Call::Grids => Reply::Grids(client.grids().await?),
        Call::CreateGrid {
            name,
            office,
            branch,
        } => Reply::Grid(
            client
                .create_grid(&CreateGridRequest {
                    name: name.clone(),
                    aic_office_id: office.clone(),
                    party_branch_id: branch.clone(),
                })
                .await?,
        ),
        Call::UpdateGrid { id, name, branch } => Reply::Grid(
            client
                .update_grid(
                    id,
                    &UpdateGridRequest {
                        name: name.clone(),
                        party_branch_id: branch.clone(),
                    },
                )
                .await?,
        ),
        Call::Township {
            grid,
            township,
            add,
        } => Reply::Grid(if *add {
            client.assign_township(grid, township).await?
        } else {
            client.unassign_township(grid, township).await?
        }),
        Call::Groups => Reply::Groups(client.qq_groups().await?),
        Call::Roster { group } => Reply::Roster(client.roster(group).await?),
        Call::Snapshots { group } => {
            let s = client.snapshots(group).await?;
            let latest = match s.first() {
                Some(first) => Some(client.snapshot(group, &first.id).await?),
                None => None,
            };
            Reply::Snapshots(s, latest)
        }
        Call::Late { group } => Reply::Late(client.late(group).await?),
        Call::History { group } => Reply::History(client.history(group).await?),
        Call::ImportPaste { group, text } => {
            Reply::Imported(client.import_paste(group, text).await?)
        }
        Call::ImportFile { group, path } => {
            let bytes = std::fs::read(path).map_err(|e| {
                ApiError::Problem(Problem {
                    status: 0,
                    code: "file_unreadable".into(),
                    detail: format!("无法读取文件 {path}：{e}"),
                    detail_en: format!("Cannot read {path}: {e}"),
                    ..Problem::default()
                })
            })?;
            let ct = if path.to_lowercase().ends_with(".xlsx") {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            } else if path.to_lowercase().ends_with(".csv") {
                "text/csv"
            } else {
                "text/plain"
            };
            Reply::Imported(client.import_file(group, ct, bytes).await?)
        }
        Call::Policy => Reply::Policy(client.policy().await?),
        Call::SetPolicy(e) => Reply::Policy(client.set_policy(e.clone()).await?),
        Call::Exports => Reply::Exports(client.exports().await?),
        Call::Decide { id, approve } => Reply::Export(client.decide_export(id, *approve).await?),
        Call::Audit => Reply::Audit(client.audit().await?),
        Call::VerifyAudit => Reply::Chain(client.verify_audit().await?),
        Call::Users => Reply::Users(client.users().await?),
        Call::CreateUser {
            username,
            name,
            role,
            unit,
        } => Reply::UserCreated(
            client
                .create_user(&CreateUserRequest {
                    username: username.clone(),
                    display_name: name.clone(),
                    role: role.clone(),
                    org_unit_id: unit.clone(),
                })
                .await?,
        ),
        Call::SetUserActive { id, active } => {
            Reply::User(client.set_user_active(id, *active).await?)
        }
        Call::ResetPassword { id } => Reply::Credential(client.reset_password(id).await?),
        Call::RevokeSessions { id } => {
            client.revoke_sessions(id).await?;
            Reply::Done
        }
        Call::Deadlines { state } => Reply::Deadlines(client.deadlines(state).await?),
    })
}
