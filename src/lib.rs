//! git-align: re-align many branches and stacks onto an updated base, as one run that
//! can be paused, resumed, shared through a remote and cancelled exactly.
//!
//! Layers: [`plan`] decides (pure), [`replay`] and [`run`] carry it out, [`state`] holds
//! and persists progress on `refs/align/state`, [`git`] is the only place that talks to
//! libgit2, [`commands`] and [`cli`] are the thin command line.

pub mod cli;
pub mod commands;
pub mod complete;
pub mod crashpoint;
pub mod error;
pub mod exec;
pub mod git;
pub mod here;
pub mod lock;
pub mod plan;
pub mod predict;
pub mod replay;
pub mod review;
pub mod rewrite;
pub mod run;
pub mod share;
pub mod signals;
pub mod state;
pub mod time;
pub mod trust;
pub mod ui;
