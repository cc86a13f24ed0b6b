//! Shell commands: counties, the province preset, two processes on one SQLite file.

use super::*;

#[test]
fn shell_commands_manage_counties_and_never_print_secrets() {
    let dir = workdir();
    let t = run_ok(cmd(&dir).arg("migrate"));
    assert!(t.contains("applied") || t.contains("up to date"), "{t}");
    assert!(run_ok(cmd(&dir).arg("migrate")).contains("up to date"));
    let t = run_ok(cmd(&dir).args(["tenant", "create", "--code", "330523", "--name", "安吉县"]));
    assert!(t.contains("admin.330523"), "{t}");
    assert!(otp(&t).len() >= 16);
    let bad = cmd(&dir)
        .args(["tenant", "create", "--code", "33052", "--name", "安吉县"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("6位数字"),
        "a zh-CN message naming the rule"
    );
    run_ok(cmd(&dir).args([
        "tenant",
        "rename",
        "--code",
        "330523",
        "--name",
        "安吉县（测试）",
    ]));
    run_ok(cmd(&dir).args(["tenant", "suspend", "--code", "330523"]));
    let list = run_ok(cmd(&dir).args(["tenant", "list"]));
    assert!(
        list.contains("330523") && list.contains("suspended") && list.contains("安吉县（测试）"),
        "{list}"
    );
    run_ok(cmd(&dir).args(["tenant", "reactivate", "--code", "330523"]));
    assert!(run_ok(cmd(&dir).args(["tenant", "list"])).contains("active"));
    let cfg = run_ok(
        cmd(&dir)
            .arg("config")
            .env("REDIS_URL", "redis://:hunter2@localhost/"),
    );
    assert!(
        cfg.contains("[REDACTED]") && !cfg.contains("hunter2") && !cfg.contains(KEY),
        "{cfg}"
    );
    let t = run_ok(cmd(&dir).args(["demo-data", "--preset", "small", "--seed", "3"]));
    assert!(
        t.contains("1 counties") && t.contains("1 existing counties skipped"),
        "{t}"
    );
}

#[test]
fn two_processes_starting_on_one_sqlite_file_both_succeed() {
    let dir = workdir();
    let a = cmd(&dir)
        .arg("migrate")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a");
    let b = cmd(&dir)
        .args(["demo-data", "--preset", "small", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("b");
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_province_preset_creates_all_of_zhejiang_deterministically() {
    let dir = workdir();
    let t = run_ok(cmd(&dir).args(["demo-data", "--preset", "province", "--seed", "7"]));
    assert!(t.contains("90 counties"), "{t}");
    let list = run_ok(cmd(&dir).args(["tenant", "list"]));
    assert_eq!(
        list.lines().filter(|l| l.starts_with("33")).count(),
        90,
        "{list}"
    );
    // The same seed elsewhere gives the same accounts.
    let other = workdir();
    let t2 = run_ok(cmd(&other).args(["demo-data", "--preset", "province", "--seed", "7"]));
    assert_eq!(t, t2);
}
