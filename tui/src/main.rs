//! `shuanglian-tui`: the operator console.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use shuanglian_tui::app::Model;
use shuanglian_tui::i18n::Lang;
use shuanglian_tui::runtime::{self, Options};

#[derive(Parser)]
#[command(
    name = "shuanglian-tui",
    version,
    about = "双联 Shuanglian operator console"
)]
struct Args {
    /// The API server (also SHUANGLIAN_SERVER).
    #[arg(
        long,
        env = "SHUANGLIAN_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    server: String,
    /// zh (default) or en.
    #[arg(long, default_value = "zh")]
    lang: String,
    /// Keep the session token in this file (created 0600) instead of in memory only.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Prefill the county code on the sign-in screen.
    #[arg(long)]
    tenant: Option<String>,
    /// Prefill the user name on the sign-in screen.
    #[arg(long)]
    user: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(lang) = Lang::parse(&args.lang) else {
        eprintln!("--lang: zh 或 en / zh or en");
        return ExitCode::FAILURE;
    };
    runtime::install_panic_hook();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let model = Model::new(&args.server, lang);
    let opts = Options {
        token_file: args.token_file,
        tenant: args.tenant,
        user: args.user,
    };
    match rt.block_on(runtime::run(model, opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            runtime::restore();
            eprintln!("错误 / error: {e}");
            ExitCode::FAILURE
        }
    }
}
