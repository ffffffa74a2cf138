//! `git align --dry-run [--json]`: the plan, and what the run would make of each branch,
//! predicted in memory without writing anything to the repository.

use crate::commands::{Ctx, Outcome};
use crate::error::Result;
use crate::git::ConflictedPath;
use crate::plan::{self, AlignPlan};
use crate::predict::{Prediction, Predictor};
use crate::state::{Resolution, Strategy};
use crate::ui::escape_line;

/// Prints the plan with each branch's prediction (as JSON with `json`). Exits 0 whatever
/// it predicts. The repository must write nothing (`Repo::write_nothing`).
pub fn print_prediction(
    ctx: &Ctx,
    plan: &AlignPlan,
    strategy: Strategy,
    resolutions: &[Resolution],
    json: bool,
) -> Result<Outcome> {
    let committer = ctx.repo.committer()?;
    let resolver = |conflict: &ConflictedPath| Resolution::recorded(resolutions, conflict);
    let predictions = Predictor {
        repo: &ctx.repo,
        plan,
        strategy,
        committer: &committer,
        resolver: &resolver,
    }
    .predict()?;
    if json {
        println!("{}", as_json(plan, strategy, &predictions));
        return Ok(Outcome::Finished);
    }
    let described = plan::describe(plan, strategy);
    let mut lines = described.lines();
    if let Some(header) = lines.next() {
        ctx.ui.say(header);
    }
    for (line, prediction) in lines.zip(&predictions) {
        ctx.ui.say(format!("{line}{}", suffix(prediction)));
    }
    ctx.ui.say(summary(&predictions));
    Ok(Outcome::Finished)
}

/// What follows a branch's plan line.
fn suffix(prediction: &Prediction) -> String {
    match prediction {
        Prediction::Clean | Prediction::Skipped { .. } | Prediction::Landed { .. } => String::new(),
        Prediction::Waits { on } => format!("  waits for {}", escape_line(on)),
        Prediction::Conflict { files, culprit } => {
            let mut text = format!("  CONFLICT in {}", escape_line(&files.join(", ")));
            if let Some(culprit) = culprit {
                text.push_str(&format!(
                    " (with {} \"{}\")",
                    culprit.commit.short(),
                    escape_line(&culprit.subject)
                ));
            }
            text
        }
    }
}

fn summary(predictions: &[Prediction]) -> String {
    let count = |wanted: fn(&Prediction) -> bool| predictions.iter().filter(|p| wanted(p)).count();
    format!(
        "prediction: {} clean, {} conflicting, {} waiting for a conflicting branch{}",
        count(|p| matches!(p, Prediction::Clean)),
        count(|p| matches!(p, Prediction::Conflict { .. })),
        count(|p| matches!(p, Prediction::Waits { .. })),
        match count(|p| matches!(p, Prediction::Landed { .. })) {
            0 => String::new(),
            landed => format!(", {landed} landed"),
        }
    )
}

fn as_json(plan: &AlignPlan, strategy: Strategy, predictions: &[Prediction]) -> String {
    let branches: Vec<serde_json::Value> = plan
        .branches
        .iter()
        .zip(predictions)
        .map(|(branch, prediction)| {
            let mut value = serde_json::to_value(prediction).expect("a prediction serialises");
            value["name"] = branch.name.clone().into();
            value["parent"] = branch
                .parent
                .clone()
                .unwrap_or(plan.onto.name.clone())
                .into();
            value["commits"] = branch.commits.len().into();
            value["upstream"] = branch.upstream.len().into();
            value
        })
        .collect();
    let value = serde_json::json!({
        "onto": {"name": plan.onto.name, "oid": plan.onto.oid},
        "strategy": match strategy { Strategy::Rebase => "rebase", Strategy::Merge => "merge" },
        "branches": branches,
    });
    serde_json::to_string_pretty(&value).expect("json serialises")
}
