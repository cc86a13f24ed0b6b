//! Storage: one diesel code path over SQLite (embedded default) and PostgreSQL (production).
//!
//! Tenant rows are reachable only through [`TenantTx`], which [`Db`] builds inside a
//! transaction for one tenant; on PostgreSQL it also sets `app.tenant_id` for that transaction
//! so the row-level-security policies apply. Platform rows (tenants, provinces, platform users)
//! go through [`PlatformTx`].

pub mod migrate;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::error::AppError;
use crate::tenant::TenantId;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// A multi-row INSERT. `MultiConnection` cannot express one (the dialects differ in how a
/// batch is written), so this dispatches the same statement to the concrete backend.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::AnyConnection::Sqlite(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
            $crate::db::AnyConnection::Postgresql(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub use crate::error::{DbError, DbResult};

/// Opens connections for the backend named by the URL scheme. (diesel's own
/// `MultiConnection::establish` tries each backend in turn and hides the real error.)
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            backend: Backend::from_url(url),
        }
    }

    pub fn sqlite_path(url: &str) -> &str {
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ManagerError;

    fn connect(&self) -> Result<AnyConnection, ManagerError> {
        match self.backend {
            Backend::Postgres => Ok(AnyConnection::Postgresql(diesel::PgConnection::establish(
                &self.url,
            )?)),
            Backend::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(Self::sqlite_path(&self.url))?;
                // busy_timeout first: switching to WAL takes a lock that another process (a
                // second server, `shuanglian migrate`) may hold for a moment. WAL for concurrent
                // readers; FULL so an acknowledged commit survives a power cut.
                c.batch_execute("PRAGMA busy_timeout = 5000;")?;
                // The WAL switch can be refused without waiting (SQLite's deadlock avoidance)
                // while another process migrates a fresh file: retry briefly.
                retry_busy(|| {
                    c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
                })?;
                Ok(AnyConnection::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ManagerError> {
        conn.batch_execute("SELECT 1").map_err(Into::into)
    }

    /// A connection goes back into the pool only when it is idle: not handed back by a panicking
    /// thread, not inside a transaction (a transaction left open would swallow every later
    /// write as a savepoint that never commits), and not in a failed transaction state.
    ///
    /// A connection whose work failed in the database is asked `SELECT 1` here, on its way
    /// back: that is when a dead one (the server restarted) shows itself. Checking every
    /// connection as it is handed out instead cost every request a round trip (issue 18).
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking()
            || diesel::r2d2::R2D2Connection::is_broken(conn)
            || (CHECK_ON_RETURN.replace(false) && self.is_valid(conn).is_err())
    }
}

thread_local! {
    /// Set by `Db::blocking` when the work on the connection it is about to hand back failed
    /// in the database; read (and cleared) by `Manager::has_broken` in the same thread.
    static CHECK_ON_RETURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A caller waited `database.pool_timeout_secs` in one of `Db`'s queues and is answered 503
/// `database_busy`; counted in `db.pool.timeouts`.
fn busy(waited_for: &'static str) -> DbError {
    tracing::warn!(waited_for, "database pool exhausted");
    crate::telemetry::pool_timeout();
    DbError::Busy
}

/// Rolls back whatever a panicking task left open, so that locks (SQLite's write lock, PostgreSQL
/// row locks) are released now rather than when the pool drops the connection. The pool still
/// discards the connection: `is_broken` sees the transaction manager's depth.
fn abandon(conn: &mut AnyConnection) {
    // Outside a transaction this fails harmlessly ("no transaction is active").
    let _ = conn.batch_execute("ROLLBACK");
}

/// Retries an SQLite operation that failed with "database is locked" for up to 10 s. Only for
/// start-up work (pragmas, migrations) where another process may briefly hold the file.
pub fn retry_busy<T, E: std::fmt::Display>(mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match f() {
            Err(e)
                if std::time::Instant::now() < deadline
                    && e.to_string().contains("database is locked") =>
            {
                std::thread::sleep(Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

type Pool = r2d2::Pool<Manager>;

/// The database handle: a pool plus the rules for opening transactions.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite allows one writer; serialising writers in-process turns lock contention into a
    /// short queue instead of SQLITE_BUSY errors.
    write_lock: Arc<parking_lot::Mutex<()>>,
    /// How long a caller waits for a connection, and on SQLite for the writer's turn.
    timeout: Duration,
    /// A first-come-first-served queue in front of the pool, one permit per connection it may
    /// hand out (on SQLite one connection is kept for the writer, which queues on
    /// `write_lock` instead). r2d2 wakes its waiters in no particular order, so under a burst
    /// an unlucky request could wait out the whole timeout while later ones were served; and
    /// the wait is now asynchronous, not a parked blocking thread per request.
    slots: Arc<tokio::sync::Semaphore>,
    /// Fault injection for the panic-safety tests (see [`Db::inject_panic_once`]).
    inject_panic: Arc<std::sync::atomic::AtomicBool>,
}

/// Whether a transaction writes (SQLite serialises those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
}

impl Db {
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> DbResult<Db> {
        let backend = Backend::from_url(url);
        if backend == Backend::Sqlite {
            let path = std::path::Path::new(Manager::sqlite_path(url));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbError::Join(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            // Validated on return after a database error instead (Manager::has_broken).
            .test_on_check_out(false)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .build(Manager::new(url))?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(parking_lot::Mutex::new(())),
            timeout,
            slots: Arc::new(tokio::sync::Semaphore::new(if backend == Backend::Sqlite
                && pool_size > 1
            {
                pool_size - 1
            } else {
                pool_size
            } as usize)),
            inject_panic: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }

    /// Runs blocking database work off the async executor.
    async fn blocking<T, F>(&self, mode: Mode, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> DbResult<T> + Send + 'static,
    {
        let db = self.clone();
        let sqlite_writer = mode == Mode::Write && self.backend == Backend::Sqlite;
        let permit = if sqlite_writer {
            None
        } else {
            match tokio::time::timeout(self.timeout, self.slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => Some(permit),
                _ => return Err(busy("a turn in the queue")),
            }
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            // SQLite's writer turn is taken before a connection: writers queued for it then
            // hold no pooled connection, so a burst of writes cannot starve the readers (under
            // load, writers waiting with a connection in hand emptied the pool and reads failed
            // with 503 `database_busy`).
            let _guard = if sqlite_writer {
                let Some(guard) = db.write_lock.try_lock_for(db.timeout) else {
                    return Err(busy("the SQLite writer's turn"));
                };
                Some(guard)
            } else {
                None
            };
            let mut conn = db.pool.get().map_err(|e| {
                // No connection at all means the database cannot be reached (503
                // `database_unavailable`); otherwise every connection was busy.
                if db.pool.state().connections == 0 {
                    tracing::warn!(error = %e, "database unreachable");
                    DbError::Pool(e)
                } else {
                    busy("a connection")
                }
            })?;
            // A panic must not leave a transaction open on a pooled connection: catch it here,
            // roll back, and let the pool discard the connection (`has_broken`).
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut conn))) {
                Ok(r) => {
                    if matches!(r, Err(DbError::Query(_))) {
                        CHECK_ON_RETURN.set(true);
                    }
                    drop(conn);
                    r
                }
                Err(_) => {
                    abandon(&mut conn);
                    crate::telemetry::db_task_panicked();
                    Err(DbError::Panicked)
                }
            }
        })
        .await
        .map_err(|e| DbError::Join(e.to_string()))?
    }

    /// A transaction on tenant data. The tenant must be active; on PostgreSQL `app.tenant_id`
    /// is set for this transaction only (`set_config(…, true)`), so a pooled connection never
    /// carries a tenant into the next request.
    pub async fn tenant<T, F>(&self, tenant: TenantId, mode: Mode, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut TenantTx<'_>) -> DbResult<T> + Send + 'static,
    {
        let self_inject = self.inject_panic.clone();
        self.blocking(mode, move |conn| {
            let work = move |tx: &mut TenantTx<'_>| {
                let r = f(tx);
                if self_inject.swap(false, std::sync::atomic::Ordering::SeqCst) {
                    panic!("fault injected by Db::inject_panic_once");
                }
                r
            };
            if let AnyConnection::Postgresql(_) = conn {
                return tenant_transaction_pg(conn, tenant, work);
            }
            conn.transaction(|conn| work(&mut TenantTx::enter_active_sqlite(conn, tenant)?))
        })
        .await
    }

    /// Test hook, not reachable from any route: the next tenant transaction panics after its
    /// work has run and before it commits, as a bug in a handler or repository would.
    #[doc(hidden)]
    pub fn inject_panic_once(&self) {
        self.inject_panic
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// A transaction on platform data (tenants, provinces, platform users).
    pub async fn platform<T, F>(&self, mode: Mode, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut PlatformTx<'_>) -> DbResult<T> + Send + 'static,
    {
        self.blocking(mode, move |conn| {
            conn.transaction(|conn| f(&mut PlatformTx { conn }))
        })
        .await
    }

    /// Readiness probe.
    pub async fn ping(&self) -> DbResult<()> {
        self.blocking(Mode::Read, |c| {
            c.batch_execute("SELECT 1").map_err(Into::into)
        })
        .await
    }
}

/// A tenant transaction on PostgreSQL whose `BEGIN`, tenant bind and active check travel in one
/// round trip (`shuanglian_enter_tenant`, migration 000103): every tenant request starts here,
/// and a round trip is a sleep and a wake of the blocking thread that carries it (issue 18).
/// Commit and rollback are diesel's, so its transaction state stays right.
fn tenant_transaction_pg<T>(
    conn: &mut AnyConnection,
    tenant: TenantId,
    work: impl FnOnce(&mut TenantTx<'_>) -> DbResult<T>,
) -> DbResult<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Tm = <AnyConnection as Connection>::TransactionManager;
    let AnyConnection::Postgresql(pg) = conn else {
        unreachable!("called for PostgreSQL connections only")
    };
    // A TenantId is a hyphenated UUID (`TenantId::parse`): nothing in it needs quoting, and
    // the literal cannot leave the string.
    debug_assert!(
        tenant
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'-')
    );
    let begin = format!(
        "BEGIN; SELECT shuanglian_enter_tenant('{}')",
        tenant.as_str()
    );
    if let Err(e) = AnsiTransactionManager::begin_transaction_sql(pg, &begin) {
        // BEGIN went through and the check failed: the server holds a failed transaction that
        // diesel does not know about. End it before the connection goes back.
        let _ = pg.batch_execute("ROLLBACK");
        return Err(match &e {
            diesel::result::Error::DatabaseError(_, info)
                if info.message() == "shuanglian:tenant_suspended" =>
            {
                AppError::tenant_suspended().into()
            }
            diesel::result::Error::DatabaseError(_, info)
                if info.message() == "shuanglian:tenant_unknown" =>
            {
                AppError::unauthenticated().into()
            }
            _ => e.into(),
        });
    }
    match work(&mut TenantTx { conn, tenant }) {
        Ok(v) => {
            Tm::commit_transaction(conn)?;
            Ok(v)
        }
        Err(e) => match Tm::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// A transaction scoped to one tenant. The only way to reach tenant rows: domain queries take
/// `&mut TenantTx` and filter by [`TenantTx::tenant_id`].
pub struct TenantTx<'c> {
    conn: &'c mut AnyConnection,
    tenant: TenantId,
}

impl<'c> TenantTx<'c> {
    fn enter(conn: &'c mut AnyConnection, tenant: TenantId) -> DbResult<Self> {
        if let AnyConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)")
                .bind::<Text, _>(tenant.as_str())
                .execute(pg)?;
        }
        Ok(TenantTx { conn, tenant })
    }

    /// Checks that the tenant is active, on SQLite (PostgreSQL does it in `BEGIN`'s round trip,
    /// [`tenant_transaction_pg`]).
    fn enter_active_sqlite(conn: &'c mut AnyConnection, tenant: TenantId) -> DbResult<Self> {
        use schema::tenants::dsl as t;
        let status: Option<String> = t::tenants
            .filter(t::id.eq(tenant.as_str()))
            .select(t::status)
            .first(conn)
            .optional()?;
        match status.as_deref() {
            Some("active") => Ok(TenantTx { conn, tenant }),
            Some(_) => Err(AppError::tenant_suspended().into()),
            None => Err(AppError::unauthenticated().into()),
        }
    }

    pub fn tenant_id(&self) -> &TenantId {
        &self.tenant
    }

    /// The tenant id as bound in queries.
    pub fn tid(&self) -> &str {
        self.tenant.as_str()
    }

    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }
}

/// A transaction on platform tables. Entering a tenant from here (onboarding) is explicit.
pub struct PlatformTx<'c> {
    conn: &'c mut AnyConnection,
}

impl PlatformTx<'_> {
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// Switches this same transaction to one tenant's rows (e.g. to create a new county's
    /// first admin), without the active-status check.
    pub fn enter_tenant(&mut self, tenant: TenantId) -> DbResult<TenantTx<'_>> {
        TenantTx::enter(self.conn, tenant)
    }
}
