//! Writes a synthetic repository for the benchmark (the generator the tests use):
//!
//!   cargo run --release --example mkrepo -- DIR [--topics N] [--commits N] [--files N]
//!       [--history N] [--advance N] [--stacks N] [--depth N] [--shared PERCENT]
//!       [--conflicts N] [--upstream N] [--renames N] [--seed N]
//!
//! Prints the number of branches besides `main`.

#[path = "../tests/common/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut opts = synth::Synth::default();
    while let Some(arg) = args.next() {
        let Some(name) = arg.strip_prefix("--") else {
            dir = Some(PathBuf::from(arg));
            continue;
        };
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("--{name} needs a value")));
        let number: u64 = value
            .parse()
            .unwrap_or_else(|_| usage(&format!("--{name} takes a number, not {value:?}")));
        let n = number as usize;
        match name {
            "topics" => opts.topics = n,
            "commits" => opts.commits = n,
            "files" => opts.files = n,
            "history" => opts.history = n,
            "advance" => opts.advance = n,
            "stacks" => opts.stacks = n,
            "depth" => opts.depth = n,
            "shared" => opts.shared_percent = number as u32,
            "conflicts" => opts.conflicts = n,
            "upstream" => opts.upstream = n,
            "renames" => opts.renames = n,
            "seed" => opts.seed = number,
            _ => usage(&format!("unknown option --{name}")),
        }
    }
    let dir = dir.unwrap_or_else(|| usage("the folder to write is missing"));
    match opts.write(&dir, &|| Command::new("git")) {
        Ok(branches) => println!("{branches}"),
        Err(e) => {
            eprintln!("mkrepo: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("mkrepo: {problem}\nusage: mkrepo DIR [--topics N] [--commits N] [--files N] [--history N] [--advance N] [--stacks N] [--depth N] [--shared PERCENT] [--conflicts N] [--upstream N] [--renames N] [--seed N]");
    std::process::exit(2);
}
