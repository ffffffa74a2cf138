#!/usr/bin/env bash
# Benchmark: git align against git's own ways of doing the same work, on the same
# repositories, in the same run. Prints a Markdown table of medians, ratios, git align's
# peak memory, and whether git align's trees equal git replay's.
#
#   bench/run.sh [WORKLOADS] [RUNS]      e.g. bench/run.sh "10 100 1000 5000 stack20 stack200 ripgrep click" 3
#   PLACES=tmpfs REBASE_MAX=0 PER_STACK=0 bench/run.sh "1000 5000 20000 1000@100000" 3   the scale table
#   EXEC=true FILES=100000 bench/run.sh "20" 3   the --exec check against `git rebase --exec`
#   REF_FORMAT=reftable bench/run.sh "1000 5000" 3   every repository on the reftable ref backend
#   PER_STACK=0 leaves out the git-replay-per-stack column (minutes at 5,000 branches)
#
# Workloads (all made by this repository: bench/mkrepo.rs and tests/data/):
#   N        N topics x 3 commits plus 2 stacks of 5 on a 2,000-file tree (FILES files)
#   N@F      the same on an F-file tree (1000@100000: 1,000 topics, 100,000 files)
#   stackD   one stack of D branches x 3 commits on the same tree
#   NAME     the real topics of tests/data/NAME-topics.bundle; the stacks git rebase
#            stops on are deleted first, so every tool does the same (clean) work
#
# Columns: git align; ONE `git replay --onto main --contained ^old-base <every tip>`
# call piped into one `git update-ref --stdin` (the anchor: the fastest way git itself
# offers); git replay per stack; a `git rebase --update-refs` loop. Each is timed on
# fresh copies, alternating, in PLACES ("disk tmpfs" by default: the folder of
# $TMPDIR, and /dev/shm; the virtual disk's write-back makes loose-object timings swing).
# With EXEC=CMD, git align runs `--exec CMD` and the rebase loop `git rebase --exec CMD`
# (git replay has no such thing: its columns are left empty).
# The rebase loop runs only where the previous workload's took under REBASE_BUDGET
# seconds (default 60), never above REBASE_MAX branches (1000). Workloads above
# SLOW_MIN branches (2000) are timed once.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
workloads=${1:-"10 100 1000"}
runs=${2:-3}
places=${PLACES:-"disk tmpfs"}
rebase_max=${REBASE_MAX:-1000}
rebase_budget=${REBASE_BUDGET:-60}
slow_min=${SLOW_MIN:-2000}
files=${FILES:-2000}
exec_cmd=${EXEC:-}
ref_format=${REF_FORMAT:-files}

cargo build --release --quiet --manifest-path "$here/Cargo.toml" --bin git-align --example mkrepo
export PATH="$here/target/release:$PATH"
mkrepo="$here/target/release/examples/mkrepo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com

roots=("$(mktemp -d)")
[ -d /dev/shm ] && roots+=("$(mktemp -d /dev/shm/align-bench.XXXXXX)")
trap 'rm -rf "${roots[@]}"' EXIT
# folder PLACE -> a new empty folder there (disk: $TMPDIR; tmpfs: /dev/shm)
folder() {
  local root=${roots[0]}
  [ "$1" = tmpfs ] && root=${roots[1]:?no /dev/shm here}
  mktemp -d "$root/XXXXXX"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }

# tops REPO -> the top branch of every stack (a branch no other branch's commits have
# as a parent; of branches at one commit, the last by name), one a line
tops() {
  local repo=$1
  git -C "$repo" for-each-ref --format='%(objectname) %(refname:short)' refs/heads/ |
    grep -v ' main$' | sort -k2 >"$repo.branches"
  git -C "$repo" rev-list --parents --branches --not main old-base |
    cut -s -d' ' -f2- | tr ' ' '\n' | sort -u >"$repo.parents"
  awk 'NR == FNR { parent[$1] = 1; next } !($1 in parent) { top[$1] = $2 } END { for (t in top) print top[t] }' \
    "$repo.parents" "$repo.branches" | sort
  rm -f "$repo.branches" "$repo.parents"
}

# align_with TOOL REPO -> seconds TOOL takes to align every branch of REPO onto main
align_with() {
  local tool=$1 repo=$2 start
  mapfile -t all < <(tops "$repo")
  cd "$repo"
  start=$(now)
  case $tool in
    align) git align --onto main -q ${exec_cmd:+--exec "$exec_cmd"} ;;
    replay1) git replay --onto main --contained ^old-base "${all[@]}" | git update-ref --stdin ;;
    replay)
      for tip in "${all[@]}"; do
        git replay --onto main --contained "old-base..$tip"
      done | awk '!seen[$2]++' | git update-ref --stdin ;;
    rebase)
      git checkout -q --detach main
      for tip in "${all[@]}"; do
        git rebase -q --update-refs ${exec_cmd:+--exec "$exec_cmd"} main "$tip" >/dev/null 2>&1 || git rebase --abort
      done
      git checkout -q main ;;
  esac
  since "$start"
  cd - >/dev/null
}

# time_tools REPO RUNS PLACE TOOL... -> "TOOL SECONDS" per tool: the median over RUNS
# fresh copies in PLACE, the tools taking turns; each tool's last copy is left at
# $done/TOOL
time_tools() {
  local repo=$1 n=$2 place=$3 dir i tool
  shift 3
  dir=$(folder "$place")
  for i in $(seq "$n"); do
    for tool in "$@"; do
      rm -rf "$dir/$tool"
      cp -a "$repo" "$dir/$tool"
      echo "$tool $(align_with "$tool" "$dir/$tool")" >>"$dir/times"
    done
  done
  for tool in "$@"; do
    echo "$tool $(awk -v t="$tool" '$1 == t { print $2 }' "$dir/times" | median)"
    mv "$dir/$tool" "$done/$tool"
  done
  rm -rf "$dir"
}

# peak_kib REPO -> peak resident memory of one git align run
peak_kib() {
  local dir
  dir=$(folder disk)
  cp -a "$1" "$dir/copy"
  if [ -x /usr/bin/time ]; then
    (cd "$dir/copy" && /usr/bin/time -f %M git-align --onto main -q 2>&1 >/dev/null | tail -1)
  else
    echo "-"
  fi
}

# trees REPO -> every branch with its tree
trees() { git -C "$1" for-each-ref --format='%(refname) %(tree)' refs/heads/; }

# clean_subset REPO: deletes the stacks git replay stops on
clean_subset() {
  local tip
  for tip in $(tops "$1"); do
    git -C "$1" replay --onto main --contained "old-base..$tip" >/dev/null 2>&1 && continue
    git -C "$1" for-each-ref --format='%(refname)' --merged "$tip" refs/heads/ |
      grep -vx refs/heads/main | xargs -n1 git -C "$1" update-ref -d
  done
}

# make_repo WORKLOAD DIR -> the number of branches
make_repo() {
  case $1 in
    stack*) "$mkrepo" "$2" --topics 0 --commits 3 --files "$files" --stacks 1 --depth "${1#stack}" >/dev/null ;;
    *@*) "$mkrepo" "$2" --topics "${1%@*}" --commits 3 --files "${1#*@}" --stacks 2 --depth 5 >/dev/null ;;
    *[!0-9]*)
      git -c init.defaultBranch=main clone -q -b main "$here/tests/data/$1-topics.bundle" "$2"
      git -C "$2" for-each-ref --format='create refs/heads/%(refname:lstrip=3) %(objectname)' refs/remotes/origin/ |
        grep -v -e ' refs/heads/HEAD ' -e ' refs/heads/main ' | git -C "$2" update-ref --stdin
      git -C "$2" remote remove origin
      clean_subset "$2" ;;
    *) "$mkrepo" "$2" --topics "$1" --commits 3 --files "$files" --stacks 2 --depth 5 >/dev/null ;;
  esac
  if [ "$ref_format" != files ]; then
    # git 2.47 migrates refs but not reflogs: the fresh repository's are dropped first.
    rm -rf "$(git -C "$2" rev-parse --absolute-git-dir)/logs"
    git -C "$2" refs migrate --ref-format="$ref_format" >/dev/null
  fi
  git -C "$2" for-each-ref --format='%(refname)' refs/heads/ | grep -vcx refs/heads/main
}

ratio() { [ "$2" = "-" ] && echo "-" || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "| workload | where | branches | git align | one git replay call | git replay per stack | git rebase loop | align / replay (one call) | align / rebase | align peak RSS | trees = replay's |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
last_rebase=0
for w in $workloads; do
  repo="$(folder disk)/repo"
  branches=$(make_repo "$w" "$repo")
  n=$runs
  [ "$branches" -gt "$slow_min" ] && n=1
  peak=$(peak_kib "$repo")
  mib=$([ "$peak" = "-" ] && echo "-" || awk -v k="$peak" 'BEGIN { printf "%.0f MiB", k / 1024 }')
  for place in $places; do
    done=$(folder disk)
    tools="align replay1 replay"
    [ "${PER_STACK:-1}" = 0 ] && tools="align replay1"
    [ -n "$exec_cmd" ] && tools="align"
    if [ "$branches" -le "$rebase_max" ] &&
       awk -v t="$last_rebase" -v b="$rebase_budget" 'BEGIN { exit !(t < b) }'; then
      tools="$tools rebase"
    fi
    time_tools "$repo" "$n" "$place" $tools >"$done/medians"
    seconds() { awk -v t="$1" '$1 == t { print $2 }' "$done/medians" | grep . || echo -; }
    align=$(seconds align) replay1=$(seconds replay1) replay=$(seconds replay) rebase=$(seconds rebase)
    [ "$rebase" = "-" ] || last_rebase=$rebase
    same=-
    [ -d "$done/replay1" ] && same=$([ "$(trees "$done/align")" = "$(trees "$done/replay1")" ] && echo yes || echo NO)
    echo "| $w | $place | $branches | ${align} s | ${replay1} s | ${replay} s | ${rebase} s | $(ratio "$align" "$replay1") | $(ratio "$align" "$rebase") | $mib | $same |"
    rm -rf "$done"
  done
  rm -rf "$(dirname "$repo")"
done
