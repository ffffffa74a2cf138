#!/usr/bin/env bash
# What pausing and checkpointing cost, on a generated repository of N topics x 3 commits
# plus 2 stacks of 5 on a 2,000-file tree (bench/mkrepo.rs):
#  - checkpoints: count, total time, share of the whole run, slowest one, state.json size
#    (from `git align -v`), for a plain run;
#  - SIGINT to exit: run i is interrupted DELAY + i/2 seconds after it started (choose
#    N and DELAY so that the signals fall inside the run: a 5,000-branch run takes a few
#    seconds); time from the signal to the process's exit (it writes a checkpoint first).
#
#   DELAY=0.5 bench/pause.sh [N] [RUNS]      e.g. DELAY=0.5 bench/pause.sh 5000 5
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
runs=${2:-5}
delay=${DELAY:-1.5}

cargo build --release --quiet --manifest-path "$here/Cargo.toml" --bin git-align --example mkrepo
bin="$here/target/release/git-align"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/target/release/examples/mkrepo" "$work/repo" --topics "$n" --commits 3 --files 2000 --stacks 2 --depth 5 >/dev/null

echo "## checkpoints of a plain run ($n topics)"
for i in $(seq "$runs"); do
  rm -rf "$work/copy" && cp -a "$work/repo" "$work/copy"
  (cd "$work/copy" && "$bin" --onto main -v | grep '^checkpoints:')
done

echo "## SIGINT to exit ($n topics)"
for i in $(seq 0 $((runs - 1))); do
  rm -rf "$work/copy" && cp -a "$work/repo" "$work/copy"
  python3 - "$bin" "$work/copy" "$(awk -v d="$delay" -v i="$i" 'BEGIN { print d + i / 2 }')" <<'EOF'
import signal, subprocess, sys, time
binary, repo, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
child = subprocess.Popen([binary, "--onto", "main", "-q"], cwd=repo,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(delay)
sent = time.monotonic()
child.send_signal(signal.SIGINT)
code = child.wait()
print(f"signal at {delay:.1f} s: exit {code} after {(time.monotonic() - sent) * 1000:.1f} ms")
EOF
done
