//! The crate graph keeps the layers of docs/architecture.md: a crate may depend only on crates of
//! lower layers. The layers are read from the document's own table, so the picture and the
//! check cannot drift apart; the dependencies come from `cargo metadata`. And every build
//! resolves the same features, so the README's command and tests/run compile nothing twice.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The feature-unification crate (crates/workspace-hack): no code, below every layer.
const HACK: &str = "workspace-hack";

/// `crate name → layer` from the rows of the table under "## Crates" in docs/architecture.md:
/// `| 3 | `shuanglian-register` | … |` (layer 0 at the bottom).
fn documented_layers() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(format!("{ROOT}/docs/architecture.md")).expect("doc");
    let section = doc
        .split("\n## Crates")
        .nth(1)
        .expect("docs/architecture.md has a `## Crates` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut layers = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let (Ok(layer), Some(name)) = (
            cells[1].parse::<u32>(),
            cells[2].strip_prefix('`').and_then(|c| c.strip_suffix('`')),
        ) else {
            continue;
        };
        layers.insert(name.to_owned(), layer);
    }
    layers
}

/// `package → its dependencies inside the workspace` (normal and build dependencies; dev
/// dependencies may reach anywhere, tests sit above everything).
fn workspace_graph() -> BTreeMap<String, Vec<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(ROOT)
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let packages = meta["packages"].as_array().expect("packages");
    let names: Vec<String> = packages
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .filter_map(|d| d["name"].as_str())
                .filter(|d| names.iter().any(|n| n == d))
                .map(str::to_owned)
                .collect();
            (p["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

#[test]
fn every_crate_depends_only_on_crates_below_it() {
    let layers = documented_layers();
    assert!(
        layers.len() >= 6,
        "the `## Crates` table lists too few crates: {layers:?}"
    );
    let graph = workspace_graph();
    let mut wrong = Vec::new();
    for (package, deps) in &graph {
        // The console and the black-box tests are clients, outside the server's layers.
        if package == "shuanglian-tui" || package == "shuanglian-tests" {
            continue;
        }
        if package == HACK {
            if !deps.is_empty() {
                wrong.push(format!(
                    "{HACK} must depend on no workspace crate: {deps:?}"
                ));
            }
            continue;
        }
        let Some(own) = layers.get(package) else {
            wrong.push(format!(
                "{package} is not in docs/architecture.md's crate table"
            ));
            continue;
        };
        for dep in deps.iter().filter(|d| *d != HACK) {
            match layers.get(dep) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!(
                    "{package} (layer {own}) depends on {dep} (layer {l}): only lower layers may be used"
                )),
                None => wrong.push(format!("{package} depends on {dep}, which has no layer")),
            }
        }
    }
    for documented in layers.keys() {
        if !graph.contains_key(documented) {
            wrong.push(format!(
                "{documented} is documented but not a workspace crate"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_console_is_a_client_of_the_public_api_only() {
    let graph = workspace_graph();
    let tui = graph.get("shuanglian-tui").expect("the console crate");
    assert!(
        tui.iter().all(|d| !d.starts_with("shuanglian")),
        "shuanglian-tui must not depend on server crates: {tui:?}"
    );
}

/// `package → its feature sets` as Cargo resolves them when building `args` (a crate built both
/// for build scripts and for the target may have two).
fn resolved_features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "--prefix",
            "none",
            "--no-dedupe",
        ])
        .args(["--format", "{p}|{f}"])
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut features = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((package, f)) = line.split_once('|') else {
            continue;
        };
        // `name v1.2.3 (path)`: the path part only marks workspace crates.
        let package = package.split(" (").next().unwrap_or(package).trim();
        features
            .entry(package.to_owned())
            .or_insert_with(BTreeSet::new)
            .insert(f.trim().to_owned());
    }
    features
}

/// Building one package (the README's `cargo run -p shuanglian-server`, or the console alone)
/// turns on the same features of every crate as building the workspace with its tests
/// (tests/run): otherwise each differing crate and all ours above it compile twice. The cure for
/// a failure is a line in crates/workspace-hack/Cargo.toml.
#[test]
fn every_build_resolves_the_same_features() {
    let workspace = resolved_features(&["--workspace", "--edges", "normal,build,dev"]);
    assert!(
        workspace.len() > 100,
        "cargo tree listed too few crates: {workspace:?}"
    );
    let mut wrong = Vec::new();
    for package in ["shuanglian-server", "shuanglian-tui"] {
        let alone = resolved_features(&["--package", package, "--edges", "normal,build"]);
        assert!(
            alone.contains_key(&format!("{package} v0.1.0")),
            "{alone:?}"
        );
        for (name, f) in &alone {
            match workspace.get(name) {
                // The crate is compiled for the workspace with these features already (a crate
                // built for the host and the target appears twice there).
                Some(w) if w.is_superset(f) => {}
                w => wrong.push(format!(
                    "{name}: building {package} alone turns on {f:?}, the workspace {w:?}"
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
