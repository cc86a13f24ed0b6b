//! The framework ceiling for docs/benchmarks.md: a minimal poem handler returning a constant,
//! on the same runtime and server setup as `shuanglian serve`.
//!
//! cargo run --release -p shuanglian-server --example ceiling -- 127.0.0.1:18090

use poem::listener::TcpListener;
use poem::{Route, Server, get, handler};

#[handler]
fn constant() -> &'static str {
    "{\"status\":\"ok\"}"
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".to_owned());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(Server::new(TcpListener::bind(addr)).run(Route::new().at("/", get(constant))))
}
