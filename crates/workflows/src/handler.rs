//! What every workflow handler does before its own rules: take the caller's county, open one
//! transaction there, and resolve who is acting inside it. The handler then checks what the
//! caller may see (each workflow's `visible`, 404 for anything else), loads and builds its view.

use crate::AppState;
use crate::auth::{Auth, Principal};
use crate::db::{Db, DbResult, Mode, TenantTx};
use crate::error::AppResult;
use crate::tenancy::TenantId;

/// How a workflow resolves who is acting, once per transaction: its visibility, the units it
/// acts for. The bare [`Principal`] serves a workflow that checks scope itself.
pub trait Resolve: Sized {
    fn resolve(tx: &mut TenantTx<'_>, who: Principal) -> DbResult<Self>;
}

impl Resolve for Principal {
    fn resolve(_tx: &mut TenantTx<'_>, who: Principal) -> DbResult<Self> {
        Ok(who)
    }
}

/// A county user's request to a workflow.
pub struct Call<'a> {
    db: &'a Db,
    tid: TenantId,
    who: Principal,
}

impl<'a> Call<'a> {
    /// The caller's county, checked first, as every handler did: a platform user is refused
    /// (403 `tenant_required`) before the path or the body is looked at.
    pub fn new(state: &'a AppState, auth: Auth) -> AppResult<Call<'a>> {
        Ok(Call {
            db: &state.db,
            tid: auth.0.tenant()?,
            who: auth.0,
        })
    }

    /// Who the change is published for on `/events`, taken before the call runs.
    pub fn emitter(&self) -> shuanglian_register::events::Emitter {
        shuanglian_register::events::Emitter::of(&self.who)
    }

    /// The caller, for role checks before the transaction.
    pub fn who(&self) -> &Principal {
        &self.who
    }

    /// Runs `f` in a read transaction with the caller resolved as `C`.
    pub async fn read<C, T, F>(self, f: F) -> AppResult<T>
    where
        C: Resolve,
        T: Send + 'static,
        F: FnOnce(&mut TenantTx<'_>, &C) -> DbResult<T> + Send + 'static,
    {
        self.run(Mode::Read, f).await
    }

    /// Runs `f` in a write transaction with the caller resolved as `C`.
    pub async fn write<C, T, F>(self, f: F) -> AppResult<T>
    where
        C: Resolve,
        T: Send + 'static,
        F: FnOnce(&mut TenantTx<'_>, &C) -> DbResult<T> + Send + 'static,
    {
        self.run(Mode::Write, f).await
    }

    async fn run<C, T, F>(self, mode: Mode, f: F) -> AppResult<T>
    where
        C: Resolve,
        T: Send + 'static,
        F: FnOnce(&mut TenantTx<'_>, &C) -> DbResult<T> + Send + 'static,
    {
        let who = self.who;
        Ok(self
            .db
            .tenant(self.tid, mode, move |tx| {
                let c = C::resolve(tx, who)?;
                f(tx, &c)
            })
            .await?)
    }
}
