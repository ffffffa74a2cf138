//! `git align setup`: installs the man page and the completion for the user's shell in
//! the user's own folders (where `man`, `git help` and the shells look), and with
//! `--hooks` the shipped hooks in this repository. Run again, it changes nothing.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use crate::cli::{HooksAction, HooksArgs, SetupArgs};
use crate::commands::{cmd_hooks, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::ui::Ui;

/// The man page, as committed under `man/` (a test keeps it current with `--help`).
const MAN_PAGE: &str = include_str!("../../man/git-align.1");

/// A file to put in place.
struct Install {
    /// What it is, for the messages.
    what: String,
    path: PathBuf,
    content: String,
    /// What to tell once it is there.
    note: Option<String>,
}

/// Installs what is missing or out of date, saying for each what it did.
pub fn cmd_setup(args: &SetupArgs, ui: Ui) -> Result<Outcome> {
    let home = Home::from_env()?;
    let mut installs = vec![man_page(&home)?];
    let shell = args.shell.or_else(shell_from_env);
    match shell.and_then(|shell| completion(&home, shell)) {
        Some(install) => installs.push(install),
        None => ui.say(format!(
            "completion: none installed for {}; 'git align completions SHELL' prints a script",
            shell.map_or("this shell (set --shell)".into(), |s| s.to_string())
        )),
    }
    for install in &installs {
        put_in_place(install, args.dry_run, ui)?;
    }
    if args.hooks {
        let repo = Repo::discover()?;
        if args.dry_run {
            let dir = crate::rewrite::hooks_dir(&repo)?;
            ui.say(format!(
                "hooks: would install pre-push and post-merge in {}",
                dir.display()
            ));
        } else {
            let ctx = Ctx::new(repo, ui);
            let action = HooksAction::Install { force: false };
            cmd_hooks(&ctx, &HooksArgs { action })?;
        }
    }
    Ok(Outcome::Finished)
}

/// Writes `install` unless it is there already with the same content.
fn put_in_place(install: &Install, dry_run: bool, ui: Ui) -> Result<()> {
    let Install {
        what, path, note, ..
    } = install;
    let existing = std::fs::read_to_string(path).ok();
    if existing.as_deref() == Some(install.content.as_str()) {
        ui.say(format!("{what}: up to date ({})", path.display()));
        return Ok(());
    }
    let verb = if existing.is_some() {
        "updated"
    } else {
        "installed"
    };
    if dry_run {
        ui.say(format!("{what}: would be {verb} at {}", path.display()));
        return Ok(());
    }
    let folder = path.parent().expect("an install path has a folder");
    std::fs::create_dir_all(folder)
        .map_err(|e| Error::io(format!("cannot create {}", folder.display()), e))?;
    std::fs::write(path, &install.content)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    ui.say(format!("{what}: {verb} {}", path.display()));
    if let Some(note) = note {
        ui.say(format!("  {note}"));
    }
    Ok(())
}

/// The user's folders, as the XDG base directory rules name them.
struct Home {
    home: PathBuf,
    data: PathBuf,
    config: PathBuf,
}

impl Home {
    fn from_env() -> Result<Home> {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .ok_or_else(|| {
                Error::Usage("HOME is not set to a folder: nowhere to install".into())
            })?;
        let xdg = |name: &str, default: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(default))
        };
        Ok(Home {
            data: xdg("XDG_DATA_HOME", ".local/share"),
            config: xdg("XDG_CONFIG_HOME", ".config"),
            home,
        })
    }
}

/// The man page: beside the binary when it lives in the user's folders (`man` looks in
/// `../share/man` of each folder of PATH, so `~/.cargo/bin` finds `~/.cargo/share/man`),
/// else in the user's data folder.
fn man_page(home: &Home) -> Result<Install> {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().and_then(Path::parent).map(Path::to_path_buf))
        .filter(|prefix| prefix.starts_with(&home.home))
        .map(|prefix| prefix.join("share/man"));
    let root = beside_binary.unwrap_or_else(|| home.data.join("man"));
    Ok(Install {
        what: "man page".into(),
        path: root.join("man1/git-align.1"),
        content: MAN_PAGE.into(),
        note: Some(format!(
            "'git align --help' and 'man git-align' show it (if man does not find it, add {} to MANPATH)",
            root.display()
        )),
    })
}

/// The completion for `shell`, where that shell loads completions from by itself.
fn completion(home: &Home, shell: Shell) -> Option<Install> {
    let (path, note) = match shell {
        Shell::Bash => {
            let dir = std::env::var_os("BASH_COMPLETION_USER_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| home.data.join("bash-completion"));
            (
                dir.join("completions/git-align"),
                "bash-completion loads it for 'git align' and 'git-align' in new shells".into(),
            )
        }
        Shell::Zsh => {
            let dir = home.data.join("zsh/site-functions");
            let note = format!(
                "zsh loads it once that folder is in $fpath: in ~/.zshrc, before compinit, fpath=({} $fpath)",
                dir.display()
            );
            (dir.join("_git-align"), note)
        }
        // conf.d, not completions/: fish would load the latter only for `git-align`,
        // while `git align` is completed among git's own completions.
        Shell::Fish => (
            home.config.join("fish/conf.d/git-align.fish"),
            "fish loads it for 'git align' and 'git-align' in new shells".into(),
        ),
        _ => return None,
    };
    Some(Install {
        what: format!("{shell} completion"),
        path,
        content: super::completions::completion_script(shell),
        note: Some(note),
    })
}

/// The shell named by `$SHELL`.
fn shell_from_env() -> Option<Shell> {
    let shell = std::env::var_os("SHELL")?;
    let name = Path::new(&shell).file_name()?.to_str()?;
    clap::ValueEnum::from_str(name, true).ok()
}
