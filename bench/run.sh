#!/usr/bin/env bash
# Benchmark: git align against the git replay loop and the git rebase loop on the same
# repositories (../shared/bench). Prints a Markdown table of medians, ratios, git align's
# peak memory, and whether git align's trees equal git replay's.
#
#   bench/run.sh [WORKLOADS] [RUNS]      e.g. bench/run.sh "10 100 1000 5000 stack20 stack200 ripgrep" 3
#
# A number N is N topics x 3 commits plus 2 stacks of 5 on a 2,000-file tree; stackD is
# one stack of D branches x 3 commits on the same tree; ripgrep is the real topics of
# realtopics.sh. The rebase loop runs only where the previous workload's rebase loop
# took under REBASE_BUDGET seconds (default 60), and never above REBASE_MAX branches.
# Workloads above SLOW_MIN branches (default 2000) are timed once.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_BENCH:-$here/../shared/bench}
workloads=${1:-"10 100 1000"}
runs=${2:-3}
rebase_max=${REBASE_MAX:-1000}
rebase_budget=${REBASE_BUDGET:-60}
slow_min=${SLOW_MIN:-2000}

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
export PATH="$here/target/release:$PATH"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_tool TOOL REPO RUNS -> median seconds over RUNS fresh copies; the last copy is
# left at $work/done-TOOL
time_tool() {
  local tool=$1 repo=$2 n=$3 i
  for i in $(seq "$n"); do
    rm -rf "$work/done-$tool"
    cp -a "$repo" "$work/done-$tool"
    bash "$shared/align-with.sh" "$tool" "$work/done-$tool" 2>/dev/null
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

# trees REPO -> every branch with its tree
trees() { git -C "$1" for-each-ref --format='%(refname) %(tree)' refs/heads/; }

# pad_stack_names REPO: stack/0/7 -> stack/0/007, so that align-with.sh, which takes the
# last name in sorted order as a stack's top, finds the top of stacks deeper than 10
pad_stack_names() {
  git -C "$1" for-each-ref --format='%(refname) %(objectname)' 'refs/heads/stack/' |
    awk '{ n = split($1, p, "/"); to = sprintf("%s/%03d", substr($1, 1, length($1) - length(p[n]) - 1), p[n])
           if (to != $1) printf "create %s %s\ndelete %s %s\n", to, $2, $1, $2 }' |
    git -C "$1" update-ref --stdin
}

# make_repo WORKLOAD DIR -> the number of branches
make_repo() {
  case $1 in
    ripgrep)
      bash "$shared/realtopics.sh" "$shared/data/ripgrep.bundle" "$2" >/dev/null 2>&1 ;;
    stack*)
      python3 "$shared/mkrepo.py" "$2" --branches 0 --commits 3 --files 2000 --stacks 1 --depth "${1#stack}" >/dev/null
      pad_stack_names "$2" ;;
    *)
      python3 "$shared/mkrepo.py" "$2" --branches "$1" --commits 3 --files 2000 --stacks 2 --depth 5 >/dev/null ;;
  esac
  git -C "$2" for-each-ref --format='%(refname)' refs/heads/ | grep -vcx refs/heads/main
}

ratio() { [ "$2" = "-" ] && echo "-" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "| workload | branches | git align | git replay loop | git rebase loop | align / replay | align / rebase | align peak RSS | trees = replay's |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|:---:|"
last_rebase=0
for w in $workloads; do
  repo="$work/repo-$w"
  branches=$(make_repo "$w" "$repo")
  n=$runs
  [ "$branches" -gt "$slow_min" ] && n=1
  align=$(time_tool align "$repo" "$n")
  replay=$(time_tool replay "$repo" "$n")
  rebase="-"
  if [ "$branches" -le "$rebase_max" ] &&
     awk -v t="$last_rebase" -v b="$rebase_budget" 'BEGIN { exit !(t < b) }'; then
    rebase=$(time_tool rebase "$repo" "$n")
    last_rebase=$rebase
  fi
  same=$([ "$(trees "$work/done-align")" = "$(trees "$work/done-replay")" ] && echo yes || echo NO)
  peak=$(peak_kib "$repo")
  mib=$([ "$peak" = "-" ] && echo "-" || awk -v k="$peak" 'BEGIN { printf "%.0f MiB", k / 1024 }')
  echo "| $w | $branches | ${align} s | ${replay} s | ${rebase} s | $(ratio "$align" "$replay") | $(ratio "$align" "$rebase") | $mib | $same |"
  rm -rf "$repo" "$work"/done-*
done
