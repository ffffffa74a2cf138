#!/usr/bin/env bash
# Benchmark: git align against the git replay loop and the git rebase loop on the same
# generated repositories (../shared/bench). Prints a Markdown table of medians and ratios.
#
#   bench/run.sh [SIZES] [RUNS]      e.g. bench/run.sh "100 1000" 3
#
# Each size is a repository of N topics x 3 commits plus 2 stacks of 5 on a 2,000-file
# tree. The rebase loop runs only up to REBASE_MAX branches (default 1000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_BENCH:-$here/../shared/bench}
sizes=${1:-"100 1000"}
runs=${2:-3}
rebase_max=${REBASE_MAX:-1000}

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
export PATH="$here/target/release:$PATH"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_tool TOOL REPO -> median seconds over $runs fresh copies
time_tool() {
  local tool=$1 repo=$2 i
  for i in $(seq "$runs"); do
    rm -rf "$work/copy"
    cp -a "$repo" "$work/copy"
    bash "$shared/align-with.sh" "$tool" "$work/copy" 2>/dev/null
  done | median
}

# peak_kib REPO -> peak resident memory of one git align run
peak_kib() {
  rm -rf "$work/copy"
  cp -a "$1" "$work/copy"
  if [ -x /usr/bin/time ]; then
    (cd "$work/copy" && /usr/bin/time -f %M git-align --onto main -q 2>&1 >/dev/null | tail -1)
  else
    echo "-"
  fi
}

echo "| branches | git align | git replay loop | git rebase loop | align / replay | align / rebase | align peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $sizes; do
  repo="$work/repo-$n"
  python3 "$shared/mkrepo.py" "$repo" --branches "$n" --commits 3 --files 2000 --stacks 2 --depth 5 >/dev/null
  align=$(time_tool align "$repo")
  replay=$(time_tool replay "$repo")
  if [ "$n" -le "$rebase_max" ]; then rebase=$(time_tool rebase "$repo"); else rebase="-"; fi
  peak=$(peak_kib "$repo")
  ratio() { [ "$2" = "-" ] && echo "-" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
  mib=$([ "$peak" = "-" ] && echo "-" || awk -v k="$peak" 'BEGIN { printf "%.0f MiB", k / 1024 }')
  echo "| $n | ${align} s | ${replay} s | ${rebase} s | $(ratio "$align" "$replay") | $(ratio "$align" "$rebase") | $mib |"
done
