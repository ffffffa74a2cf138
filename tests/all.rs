//! Integration tests: the real binary on real temporary repositories.

mod common;

mod bad_input;
mod browser;
mod conflict;
mod core;
mod crash;
mod differential;
mod exec;
mod field;
mod formats;
mod generated;
mod git_native;
mod kills;
mod landed;
mod merge_classes;
mod messages;
mod pause;
mod queue;
mod review;
mod serve;
mod share;
mod shell;
