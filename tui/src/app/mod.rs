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
use crate::screens::{
    calendar, counties, deadlines, evaluations, grids, import, notices, overview, privacy,
    province, requests, rosters, signin, statistics, users,
};
use crate::widgets::FormKey;

pub mod action;
pub mod calls;
mod replies;

pub use action::{Action, Modal, Purpose, Stage};
pub use calls::{Call, Reply, SignInRequestData, execute};
use replies::{live, reply};

/// A top-level screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Counties,
    Overview,
    /// The national working-day calendar (platform operator).
    Calendar,
    Grids,
    Rosters,
    Privacy,
    Users,
    Deadlines,
    Import,
    /// Members' requests at the service centres (党员诉求).
    Requests,
    /// Where the county's notices stand, the dead-letter list first (county admin).
    Notices,
    /// Evaluations (考评): the vanguard campaigns' progress, the branch grading's ranking, the
    /// members who need a talk and a mentor, the coverage campaign's progress and rankings.
    Evaluations,
    /// The county's half-year statistics (统计): compute, review, freeze, the tables, the diff.
    Statistics,
    /// A province's half-year across its counties (全省统计): tables, rankings, trends.
    Province,
}

impl Tab {
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Tab::Counties => tr(lang, "县级租户", "Counties"),
            Tab::Overview => tr(lang, "全省概览", "Overview"),
            Tab::Calendar => tr(lang, "节假日", "Calendar"),
            Tab::Grids => tr(lang, "网格", "Grids"),
            Tab::Rosters => tr(lang, "QQ群名册", "QQ rosters"),
            Tab::Privacy => tr(lang, "隐私与审计", "Privacy"),
            Tab::Users => tr(lang, "用户", "Users"),
            Tab::Deadlines => tr(lang, "期限", "Deadlines"),
            Tab::Import => tr(lang, "导入党员", "Import"),
            Tab::Requests => tr(lang, "诉求", "Requests"),
            Tab::Notices => tr(lang, "通知", "Notices"),
            Tab::Evaluations => tr(lang, "考评", "Evaluations"),
            Tab::Statistics => tr(lang, "统计", "Statistics"),
            Tab::Province => tr(lang, "全省统计", "Province statistics"),
        }
    }

    /// A shorter title, for when the full ones do not fit the top bar (a county admin's nine
    /// tabs in English on 80 columns).
    pub fn short_title(self, lang: Lang) -> &'static str {
        match self {
            Tab::Rosters => tr(lang, "名册", "Rosters"),
            Tab::Privacy => tr(lang, "隐私", "Priv"),
            Tab::Deadlines => tr(lang, "期限", "Due"),
            Tab::Import => tr(lang, "导入", "Import"),
            Tab::Evaluations => tr(lang, "考评", "Evals"),
            Tab::Requests => tr(lang, "诉求", "Reqs"),
            Tab::Notices => tr(lang, "通知", "Notif"),
            Tab::Statistics => tr(lang, "统计", "Stats"),
            Tab::Province => tr(lang, "全省统计", "Prov. stats"),
            t => t.title(lang),
        }
    }

    /// The screens a role works with. Service requests are the association's (its centres sit
    /// under its branches): the centres' staff handle them, the county and the association
    /// committee follow them; the township, village and AIC roles have none. The notices'
    /// delivery status and dead letters are the county admin's alone (the API's rule too).
    /// Evaluations are the association committee's and the branch staff's, who record them
    /// (the county admin's bar is full at 80 columns; the API lets every county user read).
    /// The half-year statistics are the county admin's to compute, review and freeze (tab 9)
    /// and the association committee's to read (tab 6); the provincial office sees its
    /// province's (its only tab: the platform's tenant list is not its to read), and the
    /// platform operator any province's.
    pub fn for_role(role: &str) -> Vec<Tab> {
        match role {
            "platform_operator" => vec![Tab::Counties, Tab::Overview, Tab::Province, Tab::Calendar],
            "provincial_office" => vec![Tab::Province],
            "county_admin" => vec![
                Tab::Grids,
                Tab::Rosters,
                Tab::Privacy,
                Tab::Users,
                Tab::Deadlines,
                Tab::Import,
                Tab::Requests,
                Tab::Notices,
                Tab::Statistics,
            ],
            "association_committee" => vec![
                Tab::Grids,
                Tab::Rosters,
                Tab::Deadlines,
                Tab::Requests,
                Tab::Evaluations,
                Tab::Statistics,
            ],
            "branch_staff" => vec![
                Tab::Grids,
                Tab::Rosters,
                Tab::Deadlines,
                Tab::Requests,
                Tab::Evaluations,
            ],
            _ => vec![Tab::Grids, Tab::Rosters, Tab::Deadlines],
        }
    }
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
    pub calendar: calendar::State,
    pub overview: overview::State,
    pub grids: grids::State,
    pub rosters: rosters::State,
    pub privacy: privacy::State,
    pub users: users::State,
    pub deadlines: deadlines::State,
    pub import: import::State,
    pub requests: requests::State,
    pub notices: notices::State,
    pub evaluations: evaluations::State,
    pub statistics: statistics::State,
    pub province: province::State,
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
            calendar: Default::default(),
            overview: Default::default(),
            grids: Default::default(),
            rosters: Default::default(),
            privacy: Default::default(),
            users: Default::default(),
            deadlines: Default::default(),
            import: Default::default(),
            requests: Default::default(),
            notices: Default::default(),
            evaluations: Default::default(),
            statistics: Default::default(),
            province: Default::default(),
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
            Tab::Calendar => vec![Call::NationalYears],
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
            Tab::Import => vec![Call::Mappings],
            Tab::Requests => self.requests.calls(),
            Tab::Notices => self.notices.calls(),
            Tab::Evaluations => self.evaluations.calls(),
            Tab::Statistics => self.statistics.calls(),
            Tab::Province => {
                self.choose_province();
                self.province.calls()
            }
        };
        calls.into_iter().map(|c| self.call(c)).collect()
    }

    /// The platform operator's province: the one with the most counties (from the tenant
    /// list), until `p` chooses another; a provincial office's is its own.
    fn choose_province(&mut self) {
        if self.me.as_ref().map(|m| m.role.as_str()) != Some("platform_operator") {
            return;
        }
        let mut by: Vec<(&String, usize)> = self
            .overview
            .counts
            .iter()
            .map(|(p, (a, s))| (p, a + s))
            .collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        self.province.provinces = by.iter().map(|(p, _)| (*p).clone()).collect();
        if self.province.province.is_none() {
            self.province.province = Some(
                self.province
                    .provinces
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "330000".to_owned()),
            );
        }
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
                if let Some(mut call) = submit(md) {
                    // The import runs under the mapping and kind of sheet chosen on its screen.
                    if let Call::ImportSheet { mapping, sheet, .. } = &mut call {
                        *mapping = m.import.mapping_id();
                        *sheet = m.import.sheet;
                    }
                    // A reload of a loaded year carries the version listed (If-Match).
                    if let Call::LoadCalendar { year, version, .. } = &mut call {
                        *version = year
                            .trim()
                            .parse()
                            .ok()
                            .and_then(|y| calendar::version_of(&m.calendar, y));
                    }
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
        Some(Tab::Calendar) => m.calendar.list.filtering,
        Some(Tab::Grids) => m.grids.list.filtering,
        Some(Tab::Rosters) => m.rosters.filtering(),
        Some(Tab::Privacy) => m.privacy.filtering(),
        Some(Tab::Users) => m.users.list.filtering,
        Some(Tab::Deadlines) => m.deadlines.list.filtering,
        Some(Tab::Requests) => m.requests.filtering(),
        Some(Tab::Notices) => m.notices.filtering(),
        Some(Tab::Evaluations) => m.evaluations.filtering(),
        Some(Tab::Statistics) => m.statistics.filtering(),
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
            // On the statistics screen r reviews (it reloads itself after every change).
            KeyCode::Char('r') if m.current() != Some(Tab::Statistics) => {
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
        Some(Tab::Calendar) => calendar::key(&mut m.calendar, k),
        Some(Tab::Overview) => overview::key(&mut m.overview, k),
        Some(Tab::Grids) => grids::key(&mut m.grids, k),
        Some(Tab::Rosters) => rosters::key(&mut m.rosters, k),
        Some(Tab::Privacy) => privacy::key(&mut m.privacy, k, lang),
        Some(Tab::Users) => users::key(&mut m.users, k),
        Some(Tab::Deadlines) => deadlines::key(&mut m.deadlines, k),
        Some(Tab::Import) => import::key(&mut m.import, k),
        Some(Tab::Requests) => requests::key(&mut m.requests, k),
        Some(Tab::Notices) => notices::key(&mut m.notices, k),
        Some(Tab::Evaluations) => evaluations::key(&mut m.evaluations, k),
        Some(Tab::Statistics) => statistics::key(&mut m.statistics, k),
        Some(Tab::Province) => province::key(&mut m.province, k),
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
        Tab::Calendar => m.calendar.list.loaded,
        Tab::Overview => m.overview.loaded,
        Tab::Grids => m.grids.list.loaded,
        Tab::Rosters => m.rosters.groups.loaded,
        Tab::Privacy => m.privacy.exports.loaded,
        Tab::Users => m.users.list.loaded,
        Tab::Deadlines => m.deadlines.loaded,
        Tab::Import => m.import.loaded,
        Tab::Requests => m.requests.loaded,
        Tab::Notices => m.notices.loaded,
        Tab::Evaluations => m.evaluations.loaded,
        Tab::Statistics => m.statistics.loaded,
        Tab::Province => m.province.loaded,
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
        Purpose::LoadCalendar => Call::LoadCalendar {
            year: f.value(0),
            path: f.value(1),
            version: None,
        },
        Purpose::MemberImport => Call::ImportSheet {
            sheet: SheetKind::Members,
            path: f.value(0),
            mapping: None,
            commit: false,
        },
        Purpose::StatReason(period) => Call::StatCompute {
            period: period.clone(),
            reason: f.opt(0),
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
