//! Persistence of the run state: each checkpoint is a commit on `refs/align/state` whose
//! tree holds `state.json` and whose first parent is the previous checkpoint. Every update
//! is a compare-and-swap against the checkpoint this process last saw.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::{BranchState, State, SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::git::{BranchName, Identity, Oid, RefUpdate, Repo};

/// The ref whose history is the run's audit trail.
pub const STATE_REF: &str = "refs/align/state";
/// Under this prefix, one ref per run (`refs/align/runs/<run id>`) keeps every original
/// and rewritten tip of that run reachable.
pub const KEEP_PREFIX: &str = "refs/align/runs/";
/// Where an earlier git-align kept the tips of its run (let go by the next start).
const LEGACY_KEEP_REF: &str = "refs/align/keep";

/// The ref that keeps the objects of run `run_id` reachable.
pub fn keep_ref(run_id: &str) -> String {
    format!("{KEEP_PREFIX}{run_id}")
}
/// The file in a checkpoint's tree that holds the run (all but its branches).
const STATE_FILE: &str = "state.json";
/// The folder in a checkpoint's tree whose files hold the branches, in order.
const BRANCHES_DIR: &str = "branches";
/// Branches per file in `branches/`.
const BRANCHES_PER_FILE: usize = 64;
/// The largest `state.json` this binary accepts.
const MAX_STATE_BYTES: usize = 256 << 20;

/// One checkpoint read back from history.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The checkpoint commit.
    pub commit: Oid,
    /// Its message's first line.
    pub message: String,
    /// When it was written (seconds since the epoch).
    pub time: i64,
    /// The state it holds.
    pub state: State,
}

/// What writing checkpoints has cost this process (shown with `-v`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckpointCost {
    /// Checkpoints written.
    pub count: u32,
    /// Time spent writing checkpoints and keep commits.
    pub total: Duration,
    /// The slowest checkpoint.
    pub largest: Duration,
    /// Size of the last state written (state.json and the branch files).
    pub last_bytes: usize,
    /// Time spent writing the run's other new objects (the replayed commits), which
    /// each checkpoint first puts on disk.
    pub packing: Duration,
}

/// Reads and writes checkpoints, remembering the last one seen for compare-and-swap.
pub struct Store<'r> {
    repo: &'r Repo,
    /// Writes the checkpoints' own objects straight to disk.
    writer: Repo,
    head: Option<Oid>,
    /// The run whose keep ref this store last read or wrote, and where that ref is.
    keep: Option<(String, Option<Oid>)>,
    cost: CheckpointCost,
    /// The `branches/` files of the last checkpoint written: content and blob.
    chunks: Vec<(Vec<u8>, Oid)>,
    /// Whether checkpoints go into the pack of the run's new objects (see
    /// [`Store::pack_checkpoints`]).
    packed: bool,
}

impl<'r> Store<'r> {
    /// Opens the store at the repository's current checkpoint.
    pub fn open(repo: &'r Repo) -> Result<Store<'r>> {
        Ok(Store {
            repo,
            writer: repo.unbuffered()?,
            head: repo.ref_target(STATE_REF)?,
            keep: None,
            cost: CheckpointCost::default(),
            chunks: Vec::new(),
            packed: false,
        })
    }

    /// With `on`, a checkpoint's objects join the pack that carries the run's new
    /// objects to disk (written at every checkpoint anyway) instead of being written as
    /// loose files, one per object. For runs whose checkpoints come with replayed
    /// branches (plain runs); a run that checkpoints at every step keeps them loose,
    /// so that it does not leave a pack per step.
    pub fn pack_checkpoints(&mut self, on: bool) {
        self.packed = on;
    }

    /// Where checkpoint objects are written.
    fn objects(&self) -> &Repo {
        match self.packed {
            true => self.repo,
            false => &self.writer,
        }
    }

    /// What the checkpoints written through this store cost.
    pub fn cost(&self) -> CheckpointCost {
        self.cost
    }

    /// The state at the current checkpoint, if there is one.
    pub fn load(&self) -> Result<Option<State>> {
        match self.head {
            Some(commit) => Ok(Some(read_state(self.repo, commit)?)),
            None => Ok(None),
        }
    }

    /// The checkpoint commit this store last saw.
    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// Writes a checkpoint and moves `refs/align/state` to it if it is still where this
    /// store last saw it.
    pub fn save(&mut self, state: &State, event: &str) -> Result<Oid> {
        if !self.packed {
            self.flush_pending_objects()?;
        }
        let packing_before = self.cost.packing;
        let started = Instant::now();
        let json = to_json(&state.header())?;
        let header = self.objects().write_blob(&json)?;
        let chunks = self.write_branch_chunks(state)?;
        let tree = self
            .objects()
            .write_tree(&[(STATE_FILE, header)], &[(BRANCHES_DIR, chunks)])?;
        let tool = Identity::tool()?;
        let message = format!("align {}: {event}\n", state.run_id);
        let parents: Vec<Oid> = self.head.into_iter().collect();
        let commit = self
            .objects()
            .create_commit(tree, &parents, &tool, &tool, &message)?;
        if self.packed {
            // One pack: the run's new objects (written now in any case) and this checkpoint.
            self.flush_pending_objects()?;
        }
        let reflog = format!("align: checkpoint {}", state.run_id);
        crate::crashpoint::point();
        let update = self
            .repo
            .update_ref(STATE_REF, commit, self.head, &reflog)?;
        crate::crashpoint::point();
        let spent = started.elapsed() - (self.cost.packing - packing_before);
        self.cost.count += 1;
        self.cost.total += spent;
        self.cost.largest = self.cost.largest.max(spent);
        self.cost.last_bytes = json.len() + self.chunks.iter().map(|c| c.0.len()).sum::<usize>();
        match update {
            RefUpdate::Done => {
                self.head = Some(commit);
                Ok(commit)
            }
            RefUpdate::Moved { .. } => Err(Error::LostRace),
        }
    }

    /// Puts the objects made since the last checkpoint on disk, timed apart from the
    /// checkpoint itself.
    fn flush_pending_objects(&mut self) -> Result<()> {
        let started = Instant::now();
        self.repo.flush_objects()?;
        self.cost.packing += started.elapsed();
        Ok(())
    }

    /// Writes the `branches/` folder, reusing the blob of every chunk that did not change
    /// since this store's last checkpoint, so a checkpoint costs what changed, not what
    /// the run holds.
    fn write_branch_chunks(&mut self, state: &State) -> Result<Oid> {
        let mut entries = Vec::new();
        for (index, branches) in state.branches.chunks(BRANCHES_PER_FILE).enumerate() {
            let json = to_json(&branches)?;
            let reused = self
                .chunks
                .get(index)
                .filter(|(bytes, _)| *bytes == json)
                .map(|(_, oid)| *oid);
            let oid = match reused {
                Some(oid) => oid,
                None => self.objects().write_blob(&json)?,
            };
            if index < self.chunks.len() {
                self.chunks[index] = (json, oid);
            } else {
                self.chunks.push((json, oid));
            }
            entries.push((chunk_name(index), oid));
        }
        self.chunks.truncate(entries.len());
        let files: Vec<(&str, Oid)> = entries.iter().map(|(n, o)| (n.as_str(), *o)).collect();
        self.objects().write_tree(&files, &[])
    }

    /// Where the keep ref of `run_id` is (read once, then remembered).
    fn keep_tip(&mut self, run_id: &str) -> Result<Option<Oid>> {
        match &self.keep {
            Some((run, tip)) if run == run_id => Ok(*tip),
            _ => {
                let tip = self.repo.ref_target(&keep_ref(run_id))?;
                self.keep = Some((run_id.to_string(), tip));
                Ok(tip)
            }
        }
    }

    /// Keeps `tips` reachable from the keep ref of run `run_id`: a chain of commits with
    /// an empty tree whose first parent is the previous link and whose other parents
    /// are the tips, so the ref only ever moves forward.
    pub fn keep(&mut self, run_id: &str, tips: &[Oid]) -> Result<()> {
        let previous = self.keep_tip(run_id)?;
        let mut seen = HashSet::new();
        let parents: Vec<Oid> = previous
            .into_iter()
            .chain(tips.iter().copied())
            .filter(|oid| seen.insert(*oid))
            .collect();
        if parents.is_empty() || (parents.len() == 1 && previous.is_some()) {
            return Ok(());
        }
        self.flush_pending_objects()?;
        let started = Instant::now();
        let tree = self.writer.write_tree(&[], &[])?;
        let tool = Identity::tool()?;
        let commit = self.writer.create_commit(
            tree,
            &parents,
            &tool,
            &tool,
            "align: keep objects of the run\n",
        )?;
        let result = self.move_keep(run_id, commit, previous, "align: keep");
        self.cost.total += started.elapsed();
        result
    }

    /// Moves the keep ref of `run_id` from `previous` to `commit` (compare-and-swap).
    fn move_keep(
        &mut self,
        run_id: &str,
        commit: Oid,
        previous: Option<Oid>,
        why: &str,
    ) -> Result<()> {
        match self
            .repo
            .update_ref(&keep_ref(run_id), commit, previous, why)?
        {
            RefUpdate::Done => {
                self.keep = Some((run_id.to_string(), Some(commit)));
                Ok(())
            }
            RefUpdate::Moved { .. } => Err(Error::LostRace),
        }
    }

    /// Takes the keep chain `theirs` of run `run_id` fetched from elsewhere: the keep
    /// ref moves there when it holds all ours does, or else gets a link holding both.
    pub fn adopt_keep(&mut self, run_id: &str, theirs: Oid) -> Result<()> {
        if !self.repo.is_commit(theirs) {
            return Err(Error::CorruptState(format!(
                "the fetched {} is not a commit",
                keep_ref(run_id)
            )));
        }
        let ours = self.keep_tip(run_id)?;
        match ours {
            Some(ours) if ours == theirs => Ok(()),
            Some(ours) if !self.repo.is_ancestor(ours, theirs)? => self.keep(run_id, &[theirs]),
            _ => self.move_keep(run_id, theirs, ours, "align: keep (fetched)"),
        }
    }

    /// Lets go of the keep refs of every run but `run_id` (after a new run's first
    /// checkpoint: only the newest run can be continued, cancelled or undone).
    pub fn release_other_runs(&self, run_id: &str) -> Result<()> {
        let current = keep_ref(run_id);
        let mut stale = self.repo.refs_matching(&format!("{KEEP_PREFIX}*"))?;
        stale.push(LEGACY_KEEP_REF.to_string());
        for refname in stale.iter().filter(|r| **r != current) {
            self.repo.delete_ref(refname)?;
        }
        Ok(())
    }

    /// The newest checkpoint whose state reads and validates, with that state, following
    /// first parents from the current one.
    pub fn last_readable(&self) -> Result<Option<(Oid, State)>> {
        let mut next = self.head;
        while let Some(commit) = next {
            if let Ok(state) = read_state(self.repo, commit) {
                return Ok(Some((commit, state)));
            }
            next = self.repo.commit_meta(commit)?.parents.first().copied();
        }
        Ok(None)
    }

    /// Every checkpoint, newest first, following first parents.
    pub fn history(&self) -> Result<Vec<Checkpoint>> {
        let mut out = Vec::new();
        let mut next = self.head;
        while let Some(commit) = next {
            let meta = self.repo.commit_meta(commit)?;
            // An unreadable checkpoint (one `git align recover` stepped over) is left out.
            if let Ok(state) = read_state(self.repo, commit) {
                out.push(Checkpoint {
                    commit,
                    message: self.repo.commit_summary(commit)?,
                    time: self.repo.commit_time(commit)?,
                    state,
                });
            }
            next = meta.parents.first().copied();
        }
        Ok(out)
    }
}

/// The run a checkpoint's commit message names (`align <run id>: <event>`, as
/// [`Store::save`] writes it), read without its state.
pub fn run_of_message(message: &str) -> Option<&str> {
    message.strip_prefix("align ")?.split(':').next()
}

/// Reads and validates the state held by a checkpoint commit: `state.json`, then the
/// branches of `branches/*.json` (arrays, in file-name order) after any it lists itself.
pub fn read_state(repo: &Repo, commit: Oid) -> Result<State> {
    let header = repo
        .read_file_in_commit(commit, STATE_FILE, MAX_STATE_BYTES)
        .map_err(unreadable)?
        .ok_or_else(|| {
            Error::CorruptState(format!("checkpoint {} has no {STATE_FILE}", commit.short()))
        })?;
    let chunks = repo
        .read_dir_in_commit(commit, BRANCHES_DIR, MAX_STATE_BYTES - header.len())
        .map_err(unreadable)?;
    let mut state = parse_state(&header)?;
    for (name, bytes) in chunks {
        let branches: Vec<BranchState> = serde_json::from_slice(&bytes)
            .map_err(|e| Error::CorruptState(format!("{name}: {e}")))?;
        state.branches.extend(branches);
    }
    validate(&state)?;
    Ok(state)
}

/// A checkpoint file that is not what a checkpoint holds makes the state unreadable.
fn unreadable(error: Error) -> Error {
    match error {
        Error::BadObject(what) => Error::CorruptState(what),
        other => other,
    }
}

/// Parses `state.json` (checking its schema version) without validating it.
pub fn parse_state(bytes: &[u8]) -> Result<State> {
    if bytes.len() > MAX_STATE_BYTES {
        return Err(Error::CorruptState(format!(
            "{STATE_FILE} is {} bytes, larger than allowed",
            bytes.len()
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::CorruptState(format!("{STATE_FILE}: {e}")))?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| Error::CorruptState(format!("{STATE_FILE} has no schema_version")))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema(version));
    }
    serde_json::from_value(value).map_err(|e| Error::CorruptState(format!("{STATE_FILE}: {e}")))
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::CorruptState(e.to_string()))
}

fn chunk_name(index: usize) -> String {
    format!("{index:04}.json")
}

/// The longest `--exec` command a state may hold.
const MAX_EXEC_BYTES: usize = 64 << 10;
/// The longest free text (pause content, notes, feedback) a state may hold.
const MAX_TEXT_BYTES: usize = 1 << 20;
/// The longest name (run id, base name, path) a state may hold.
const MAX_NAME_BYTES: usize = 4096;

/// Checks what a forged or damaged state (a fetched one is untrusted input) could abuse:
/// names that become refs or paths, duplicates, parents outside the run, oversized text.
fn validate(state: &State) -> Result<()> {
    let bad = |what: String| Err(Error::CorruptState(what));
    if !is_safe_run_id(&state.run_id) {
        return bad(format!("bad run id {:?}", clip(&state.run_id)));
    }
    check_line("onto.name", &state.onto.name, MAX_NAME_BYTES)?;
    check_text(
        "options.exec",
        state.options.exec.as_deref().unwrap_or(""),
        MAX_EXEC_BYTES,
    )?;
    check_text(
        "pause_content",
        state.pause_content.as_deref().unwrap_or(""),
        MAX_TEXT_BYTES,
    )?;
    check_line(
        "paused_at",
        state.paused_at.as_deref().unwrap_or(""),
        MAX_NAME_BYTES,
    )?;
    check_line(
        "worktree",
        state.worktree.as_deref().unwrap_or(""),
        MAX_NAME_BYTES,
    )?;
    if !matches!(state.restoring_verb(), None | Some("cancel" | "undo")) {
        return bad("restoring names neither cancel nor undo".into());
    }
    for (key, source) in &state.options.sources {
        check_line("options.sources", key, MAX_NAME_BYTES)?;
        check_line("options.sources", source, MAX_NAME_BYTES)?;
    }
    if let Some(branch) = &state.head.branch {
        if !is_safe_branch_name(branch) {
            return bad(format!("bad head branch name {:?}", clip(branch)));
        }
    }
    let mut names = HashSet::new();
    for branch in &state.branches {
        if !is_safe_branch_name(&branch.name) {
            return bad(format!("bad branch name {:?}", clip(&branch.name)));
        }
        if !names.insert(branch.name.as_str()) {
            return bad(format!("branch {:?} listed twice", branch.name));
        }
        check_line("note", branch.note.as_deref().unwrap_or(""), MAX_TEXT_BYTES)?;
        for path in branch.conflict.iter().flat_map(|c| &c.paths) {
            check_path(&path.path)?;
        }
    }
    for branch in &state.branches {
        let parent_known = if branch.stacked {
            names.contains(branch.parent.as_str())
        } else {
            branch.parent == state.onto.name
        };
        if !parent_known {
            return bad(format!(
                "branch {:?} sits on {:?}, which is neither the base nor a branch of the run",
                branch.name,
                clip(&branch.parent)
            ));
        }
    }
    if let Some(current) = &state.current {
        if !names.contains(current.as_str()) {
            return bad(format!(
                "current branch {:?} is not in the run",
                clip(current)
            ));
        }
    }
    for decision in &state.decisions {
        check_line("decision", &decision.decision, MAX_NAME_BYTES)?;
        check_line("decision step", &decision.step, MAX_NAME_BYTES)?;
        check_line("decision time", &decision.at, MAX_NAME_BYTES)?;
        if let Some(branch) = &decision.branch {
            if !names.contains(branch.as_str()) {
                return bad(format!(
                    "decision on {:?}, which is not in the run",
                    clip(branch)
                ));
            }
        }
        check_text(
            "feedback",
            decision.feedback.as_deref().unwrap_or(""),
            MAX_TEXT_BYTES,
        )?;
    }
    for resolution in &state.resolutions {
        check_path(&resolution.conflict.path)?;
    }
    Ok(())
}

/// Refuses text longer than `limit` bytes, or with control characters other than
/// newlines and tabs.
fn check_text(field: &str, text: &str, limit: usize) -> Result<()> {
    if text.len() > limit {
        return Err(Error::CorruptState(format!(
            "{field} is {} bytes, larger than the {limit} allowed",
            text.len()
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::CorruptState(format!(
            "{field} holds control characters"
        )));
    }
    Ok(())
}

/// Refuses text meant for one line that is longer than `limit` bytes or holds any
/// control character (a newline would forge a line of output).
fn check_line(field: &str, text: &str, limit: usize) -> Result<()> {
    check_text(field, text, limit)?;
    if text.contains(['\n', '\t']) {
        return Err(Error::CorruptState(format!(
            "{field} holds control characters"
        )));
    }
    Ok(())
}

/// A conflict path must stay inside a work tree: relative, no `..`, no `.git`.
fn check_path(path: &str) -> Result<()> {
    check_text("conflict path", path, MAX_NAME_BYTES)?;
    let escapes = path.is_empty()
        || path.starts_with('/')
        || path
            .split('/')
            .any(|part| matches!(part, "" | "." | "..") || part.eq_ignore_ascii_case(".git"));
    if escapes {
        return Err(Error::CorruptState(format!(
            "bad conflict path {:?}",
            clip(path)
        )));
    }
    Ok(())
}

/// Run ids are short and made of letters, digits, `-`, `_` and `.`.
fn is_safe_run_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The start of a long text, for messages.
fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Whether `name` is a branch name git accepts under `refs/heads/`.
pub fn is_safe_branch_name(name: &str) -> bool {
    name.len() <= 1024 && BranchName::new(name).is_valid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{BranchStatus, Head, Onto, Options, Strategy};

    fn state_with(branches: usize, base: Oid) -> State {
        let onto = Onto {
            name: "main".into(),
            oid: base,
        };
        let head = Head {
            branch: None,
            oid: None,
        };
        let branches = (0..branches)
            .map(|i| BranchState::pending(&format!("topic/{i:04}"), "main", false, base))
            .collect();
        State::started(
            "test".into(),
            onto,
            Strategy::Rebase,
            Options::default(),
            head,
            branches,
        )
    }

    fn chunk_blobs(repo: &Repo, commit: Oid) -> Vec<Vec<u8>> {
        repo.read_dir_in_commit(commit, BRANCHES_DIR, MAX_STATE_BYTES)
            .unwrap()
            .into_iter()
            .map(|(_, bytes)| bytes)
            .collect()
    }

    #[test]
    fn a_checkpoint_rewrites_only_the_branch_files_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path()).unwrap();
        let base = repo.write_blob(b"stand-in object").unwrap();
        let mut store = Store::open(&repo).unwrap();
        let mut state = state_with(3 * BRANCHES_PER_FILE + 5, base);
        let first = store.save(&state, "start").unwrap();
        assert_eq!(read_state(&repo, first).unwrap(), state);

        state.branches[BRANCHES_PER_FILE + 1].status = BranchStatus::Aligned;
        let second = store.save(&state, "one branch").unwrap();
        assert_eq!(read_state(&repo, second).unwrap(), state);
        let (before, after) = (chunk_blobs(&repo, first), chunk_blobs(&repo, second));
        assert_eq!(before.len(), 4);
        let changed: Vec<usize> = (0..4).filter(|i| before[*i] != after[*i]).collect();
        assert_eq!(changed, [1]);
    }
}
