//! The terminal and the event loop: keys arrive from a reader thread, API calls run as tokio
//! tasks, and both come back as messages; the loop only updates and draws, so the screen
//! never waits on the network. The terminal is restored on exit and on panic.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use tokio::sync::mpsc;

use crate::api::sse;
use crate::app::{Call, Cmd, Model, Msg, execute as run_call, update};
use crate::view::view;

pub struct Options {
    pub token_file: Option<PathBuf>,
    pub tenant: Option<String>,
    pub user: Option<String>,
}

/// Puts the terminal back as it was: main screen, cooked mode, no bracketed paste.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen
    );
    let _ = std::io::stdout().flush();
}

/// Restores the terminal before the panic message is printed, so it is readable.
pub fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
    }));
}

/// Writes the token readable by its owner only (0600), created that way so it is never
/// briefly readable by others.
pub fn save_token(path: &PathBuf, token: &str) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(token.as_bytes())
}

pub async fn run(mut model: Model, opts: Options) -> anyhow_free::Result {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    // Keys from a plain thread: crossterm's read blocks.
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                match event::read() {
                    Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => {
                        if tx.send(Msg::Key(k)).is_err() {
                            return;
                        }
                    }
                    Ok(Event::Paste(p)) => {
                        if tx.send(Msg::Paste(p)).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {
                        // Resize and the like: a tick redraws.
                        if tx.send(Msg::Tick).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
    }
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut t = tokio::time::interval(Duration::from_millis(150));
            loop {
                t.tick().await;
                if tx.send(Msg::Tick).is_err() {
                    return;
                }
            }
        });
    }

    if let Some(t) = &opts.tenant {
        model.signin.form.fields[1].value = t.clone();
    }
    if let Some(u) = &opts.user {
        model.signin.form.fields[2].value = u.clone();
        model.signin.form.focus = 3;
    }
    let mut cmds = Vec::new();
    // A saved token: go straight in if it still works.
    if let Some(p) = &opts.token_file
        && let Ok(t) = std::fs::read_to_string(p)
        && !t.trim().is_empty()
    {
        model.token = Some(t.trim().to_owned());
        model.client = model.client.with_token(model.token.clone());
        model.pending += 1;
        cmds.push(Cmd::Call(Call::Me));
    }

    enable_raw_mode().map_err(|e| e.to_string())?;
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste
    )
    .map_err(|e| e.to_string())?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(|e| e.to_string())?;
    let mut live: Option<tokio::task::JoinHandle<()>> = None;

    loop {
        for c in cmds.drain(..) {
            match c {
                Cmd::Quit => model.quit = true,
                Cmd::Call(call) => spawn_call(&model, call, Duration::ZERO, &tx),
                Cmd::Retry(call, after) => spawn_call(&model, call, after, &tx),
                Cmd::Subscribe => {
                    if let Some(h) = live.take() {
                        h.abort();
                    }
                    let (ftx, mut frx) = mpsc::channel(64);
                    let client = model.client.clone();
                    let tx2 = tx.clone();
                    live = Some(tokio::spawn(async move {
                        let follow = tokio::spawn(sse::follow(client, ftx));
                        while let Some(feed) = frx.recv().await {
                            if tx2.send(Msg::Live(feed)).is_err() {
                                break;
                            }
                        }
                        follow.abort();
                    }));
                }
                Cmd::SaveToken(t) => {
                    if let Some(p) = &opts.token_file
                        && let Err(e) = save_token(p, &t)
                    {
                        model.error = Some(format!("{}: {e}", p.display()));
                    }
                }
                Cmd::ForgetToken => {
                    if let Some(h) = live.take() {
                        h.abort();
                    }
                    if let Some(p) = &opts.token_file {
                        let _ = std::fs::remove_file(p);
                    }
                }
            }
        }
        if model.quit {
            break;
        }
        terminal
            .draw(|f| view(&model, f))
            .map_err(|e| e.to_string())?;
        let Some(msg) = rx.recv().await else { break };
        // The sign-in form names the server: calls go there.
        if let Msg::Key(_) = &msg
            && model.stage != crate::app::Stage::Main
        {
            let server = model.signin.form.value(0);
            if !server.is_empty() && server != model.server {
                model.server = server.clone();
                model.client = crate::api::Client::new(&server).with_token(model.token.clone());
            }
        }
        cmds = update(&mut model, msg);
        // Drain whatever else is queued before drawing again.
        while let Ok(msg) = rx.try_recv() {
            let more = update(&mut model, msg);
            cmds.extend(more);
        }
    }
    if let Some(h) = live.take() {
        h.abort();
    }
    restore();
    Ok(())
}

fn spawn_call(model: &Model, call: Call, after: Duration, tx: &mpsc::UnboundedSender<Msg>) {
    let client = model.client.with_token(model.token.clone());
    let tx = tx.clone();
    tokio::spawn(async move {
        if !after.is_zero() {
            tokio::time::sleep(after).await;
        }
        let result = run_call(&client, &call).await;
        let _ = tx.send(Msg::Reply(call, result));
    });
}

/// Errors out of the runtime are shown as text; no error crate is pulled in for this.
pub mod anyhow_free {
    pub type Result = std::result::Result<(), String>;
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn the_token_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let p = std::env::temp_dir().join(format!("sltui-token-{}", std::process::id()));
        std::fs::write(&p, "old").expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        super::save_token(&p, "sl_tok").expect("save");
        let mode = std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "sl_tok");
        let _ = std::fs::remove_file(&p);
    }
}
