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
    if args.open {
        open_in_browser(ctx, &address);
    }
    server.serve()?;
    ctx.ui.say("review server stopped");
    Ok(Outcome::Finished)
}

/// Opens `address` with `$BROWSER`, else the desktop's opener; a failure is a warning
/// (the address is printed).
fn open_in_browser(ctx: &Ctx, address: &str) {
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
    let started = std::process::Command::new(&opener)
        .arg(address)
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
}
