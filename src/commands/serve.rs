//! `git align serve`: the local review page.

use crate::cli::ServeArgs;
use crate::commands::{Ctx, Outcome};
use crate::error::Result;
use crate::review::ReviewServer;

/// Serves the review page until Ctrl-C; its first line on stdout is the page's address.
pub fn cmd_serve(ctx: &Ctx, args: &ServeArgs) -> Result<Outcome> {
    let server = ReviewServer::bind(&ctx.repo, args.port)?;
    let address = server.address();
    println!("{address}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    ctx.ui
        .hint("open the address above in your browser; Ctrl-C stops the server");
    // Kept until the server stops: the browser reads it when it gets to it.
    let _opened = match args.open {
        true => open_in_browser(ctx, &address),
        false => None,
    };
    server.serve()?;
    ctx.ui.say("review server stopped");
    Ok(Outcome::Finished)
}

/// Opens `address` with `$BROWSER`, else the desktop's opener, through a page of the
/// user's own (mode 0600) that forwards to it: the token never shows in a process's
/// command line, which other users can read. A failure is a warning (the address is
/// printed). Returns the folder of that page.
fn open_in_browser(ctx: &Ctx, address: &str) -> Option<tempfile::TempDir> {
    let opener = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            }
            .to_string()
        });
    let page = match forwarding_page(address) {
        Ok(page) => page,
        Err(e) => {
            ctx.ui.warn(format!(
                "cannot open a browser ({e}); open the address yourself"
            ));
            return None;
        }
    };
    let started = std::process::Command::new(&opener)
        .arg(page.path().join(FORWARD_PAGE))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match started {
        // Reaped when it ends, not left a zombie while the server runs.
        Ok(mut opener) => drop(std::thread::spawn(move || opener.wait())),
        Err(e) => ctx.ui.warn(format!(
            "cannot open a browser with {} ({e}); open the address yourself",
            crate::ui::escape_line(&opener)
        )),
    }
    Some(page)
}

/// The file name of the page that forwards to the review page.
const FORWARD_PAGE: &str = "git-align-review.html";

/// A private folder holding a page that forwards to `address`.
fn forwarding_page(address: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::OpenOptionsExt;
    let folder = tempfile::Builder::new()
        .prefix("git-align-serve")
        .tempdir()?;
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={address}\"><title>git align</title><a href=\"{address}\">git align review</a>\n"
    );
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(folder.path().join(FORWARD_PAGE))?;
    std::io::Write::write_all(&mut file, html.as_bytes())?;
    Ok(folder)
}
