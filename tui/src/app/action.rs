//! What a screen's key handler hands back to the app, and the modal forms it opens: below both
//! the app and the screens, so that the screens need not import the app that dispatches to them.

use super::calls::Call;
use crate::widgets::Form;

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
    /// The member import: a file to dry-run.
    MemberImport,
    /// A year's national calendar from a file (platform operator).
    LoadCalendar,
    /// The reason for a frozen period's new revision (统计).
    StatReason(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Modal {
    pub form: Form,
    pub purpose: Purpose,
}

/// What a screen's key handler asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    None,
    Calls(Vec<Call>),
    Open(Modal),
}
