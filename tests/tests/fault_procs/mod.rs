//! Processes the fault tests start, stop and kill: a private PostgreSQL cluster, a private
//! Redis, and the real server binary.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use shuanglian_tests::{TempDir, TestApp};

/// A TCP port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub fn temp_dir(tag: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("sl-{tag}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL program; as the `postgres` OS user when we are root (initdb and postgres
/// refuse to run as root), the way tests/run does.
pub fn pg_cmd(bin: &std::path::Path, prog: &str) -> Command {
    let exe = bin.join(prog);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

/// The PostgreSQL binaries: `SHUANGLIAN_TEST_PGBIN` (tests/run exports it), else the newest
/// under /usr/lib/postgresql.
pub fn pg_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SHUANGLIAN_TEST_PGBIN") {
        return p.into();
    }
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL installed under /usr/lib/postgresql (or set SHUANGLIAN_TEST_PGBIN)")
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    dirs.sort();
    dirs.pop().expect("a PostgreSQL version").1
}

/// A PostgreSQL cluster of this test alone, so that it can be stopped and started again.
pub struct PrivatePg {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    _dir: TempDir,
}

impl PrivatePg {
    pub fn start() -> PrivatePg {
        let bin = pg_bin();
        let dir = temp_dir("pg");
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:"])
                .arg(&dir.0)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the private cluster's directory");
        }
        let data = dir.0.join("data");
        // Trust on the Unix socket in the private directory and on 127.0.0.1: the cluster lives
        // for one test, holds test data only and listens on a random port.
        let out = pg_cmd(&bin, "initdb")
            .current_dir(&dir.0)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .args(["--locale=C.UTF-8", "--no-sync"])
            .output()
            .expect("run initdb");
        assert!(out.status.success(), "initdb: {out:?}");
        let pg = PrivatePg {
            bin,
            data,
            port: free_port(),
            _dir: dir,
        };
        pg.up();
        pg.psql(&[
            "CREATE ROLE shuanglian_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB",
            "CREATE ROLE shuanglian_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
            "CREATE DATABASE shuanglian OWNER shuanglian_owner",
        ]);
        pg
    }

    /// Runs statements as the superuser, each in its own transaction.
    pub fn psql(&self, statements: &[&str]) {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ]);
        for s in statements {
            cmd.args(["-c", s]);
        }
        let out = cmd.output().expect("psql");
        assert!(out.status.success(), "psql: {out:?}");
    }

    pub fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self._dir.0.display()
        );
        let out = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self._dir.0.join("pg.log"))
            .args(["-w", "-o", &opts, "start"])
            .output()
            .expect("pg_ctl start");
        assert!(out.status.success(), "pg_ctl start: {out:?}");
    }

    /// Stops the cluster the hard way: every backend is killed, the next start recovers from
    /// the write-ahead log, as after a crash.
    pub fn down(&self) {
        let out = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output()
            .expect("pg_ctl stop");
        assert!(out.status.success(), "pg_ctl stop: {out:?}");
    }

    pub fn url(&self, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/shuanglian", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// A Redis of this test alone, with an append-only file so that sessions outlive a restart.
pub struct PrivateRedis {
    port: u16,
    child: Option<Child>,
    dir: TempDir,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let mut r = PrivateRedis {
            port: free_port(),
            child: None,
            dir: temp_dir("redis"),
        };
        r.up();
        r
    }

    pub fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir.0)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        self.child = Some(child);
        wait_for(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.down();
    }
}

pub fn wait_for(limit: Duration, mut ok: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ok() {
        assert!(t0.elapsed() < limit, "gave up after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real server binary.
pub fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SHUANGLIAN_BIN") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let p = target.join("debug/shuanglian");
    assert!(
        p.exists(),
        "{} is missing: `cargo build -p shuanglian-server --bin shuanglian` (tests/run does)",
        p.display()
    );
    p
}

/// `shuanglian serve` as a child process on the database, store and master key of a test app
/// (whose own in-process server has been stopped).
pub struct Server {
    child: Child,
    pub base: String,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(app: &TestApp) -> Server {
        let s = &app.settings;
        let mut cmd = Command::new(server_binary());
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", s.database.url.expose_secret())
            .env("SHUANGLIAN_DATABASE__APP_ROLE", &s.database.app_role)
            .env("SHUANGLIAN_MASTER_KEY", app.state.master_key.to_b64())
            .env("SHUANGLIAN_REDIS__KEY_PREFIX", &s.redis.key_prefix)
            .env("SHUANGLIAN_AUTH__SIGNIN_RATE_PER_MINUTE", "100000")
            .env("SHUANGLIAN_SERVER__SHUTDOWN_GRACE_SECS", "20")
            .env("SHUANGLIAN_LOG_FORMAT", "json")
            .env_remove("REDIS_URL")
            .env_remove("SHUANGLIAN_MIGRATION_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(r) = &s.redis.url {
            cmd.env("REDIS_URL", r.expose_secret());
        }
        let mut child = cmd.spawn().expect("start the server binary");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        // Both streams are drained for the life of the process, so it never blocks on a pipe.
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        for (stream, tx) in [
            (Box::new(stdout) as Box<dyn std::io::Read + Send>, Some(tx)),
            (Box::new(stderr), None),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let (Some(tx), Some(i)) = (&tx, line.find("listening on http://")) {
                        let url = line[i + "listening on ".len()..]
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        let _ = tx.send(url);
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let base = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!("server did not start: {:?}", log.lock().expect("log"));
            }
        };
        Server { child, base, log }
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig}");
    }

    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let t0 = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                return st;
            }
            assert!(t0.elapsed() < limit, "server still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
