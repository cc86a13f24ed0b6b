//! Builds the web front end (`web/`, Vue + Vite) into `$OUT_DIR/web`, which `src/web.rs` compiles
//! into the binary: the one run command and the image serve it with no separate step, and a
//! county intranet without internet access gets every asset from the server.
//!
//! `SHUANGLIAN_WEB_DIST=<dir>` takes an already built `dist/` instead (the container build makes
//! it in a Node stage). Otherwise Node.js ≥ 20 and npm must be on the PATH; `npm ci` runs when
//! `web/node_modules` is missing or older than `package-lock.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest.parent().expect("server/ sits in the repository");
    let web = root.join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("web");
    for p in [
        "src",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "public",
    ] {
        println!("cargo:rerun-if-changed={}", web.join(p).display());
    }
    println!("cargo:rerun-if-env-changed=SHUANGLIAN_WEB_DIST");

    if let Ok(dist) = std::env::var("SHUANGLIAN_WEB_DIST") {
        copy_dir(Path::new(&dist), &out);
        return;
    }
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    let stale = match (mtime(&lock), mtime(&installed)) {
        (Some(l), Some(i)) => i < l,
        _ => true,
    };
    if stale {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .current_dir(&web));
    }
    run(Command::new("npx")
        .args([
            "vite",
            "build",
            "--emptyOutDir",
            "--logLevel",
            "warn",
            "--outDir",
        ])
        .arg(&out)
        .current_dir(&web));
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn run(cmd: &mut Command) {
    let shown = format!("{cmd:?}");
    match cmd.status() {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("building the web front end failed: {shown} exited with {s}"),
        Err(e) => panic!(
            "building the web front end needs Node.js (>= 20) and npm on the PATH ({shown}: {e}); \
             or set SHUANGLIAN_WEB_DIST to a built web/dist"
        ),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("create OUT_DIR/web");
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|e| panic!("SHUANGLIAN_WEB_DIST {}: {e}", from.display()))
    {
        let entry = entry.expect("read SHUANGLIAN_WEB_DIST");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a built asset");
        }
    }
}
