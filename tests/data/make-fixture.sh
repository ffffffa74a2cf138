#!/usr/bin/env bash
# Make a small test fixture (a git bundle) of real topic branches from a real project's
# history.
#
#   tests/data/make-fixture.sh SOURCE DEST COUNT OLD NEW [TIP]
#   e.g. tests/data/make-fixture.sh ripgrep.bundle tests/data/ripgrep-topics.bundle 90 350 300
#
# SOURCE is a git repository (a path or a bundle). TIP (a commit of SOURCE) defaults
# to its default branch: HEAD, or its first branch when it has no HEAD (name TIP when
# SOURCE is a clone that keeps moving, so the fixture can be made again).
# The commit OLD first-parent steps back from TIP becomes the tag `old-base`, the commit
# NEW steps back (NEW < OLD) becomes `main`. Each of the first COUNT non-merge commits
# after `main` is applied onto `old-base` with a three-way merge against its own parent
# (what a cherry-pick does) and becomes the branch topic/NNNN (NNNN counts the commits,
# so numbers are missing where a commit did not apply there); every third one goes onto
# the topic made just before it instead, so those two branches make a stack.
#
# The result is then trimmed so the bundle stays small: `old-base` becomes a root commit
# with the same tree, and history that reaches behind it through merged side branches
# is cut at `old-base` too (a kept commit's parents from before `old-base` are left out,
# or become `old-base` when nothing else is left; merges keep their other parents). Commit objects are otherwise copied as
# they are (author, committer, dates, message; signatures are dropped since parents
# change), so every tree is unchanged; the script checks that main, old-base and every
# topic have the same tree as before trimming. DEST holds only main, old-base and
# topic/*, and HEAD on main.
#
# Commits made here have pinned identities and dates (committer Bench, the topics'
# authors and author dates from the commits they come from), and packing runs on one
# thread, so the same input makes the same bundle.
set -euo pipefail
[ $# = 5 ] || [ $# = 6 ] || { echo "usage: make-fixture.sh SOURCE DEST COUNT OLD NEW [TIP]" >&2; exit 2; }
src=$1 dest=$2 count=$3 old=$4 new=$5 tip=${6:-}
[ "$new" -lt "$old" ] || { echo "make-fixture: NEW must be less than OLD" >&2; exit 2; }
case $dest in /*) ;; *) dest=$PWD/$dest ;; esac

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_COMMITTER_DATE="@1700000000 +0000"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The topics, on the full history.
git -c init.defaultBranch=main clone -q --bare "$src" "$work/full.git"
cd "$work/full.git"
# A bundle may have no HEAD: then its first branch is the default one.
if [ -n "$tip" ]; then
  tip=$(git rev-parse --verify "$tip^{commit}")
else
  tip=$(git rev-parse -q --verify HEAD^{commit} ||
    git rev-parse "$(git for-each-ref --count=1 --format='%(refname)' refs/heads)^{commit}")
fi
base=$(git rev-parse --verify "$tip~$old^{commit}")
onto=$(git rev-parse --verify "$tip~$new^{commit}")

mapfile -t later < <(git rev-list --no-merges --reverse "$onto..$tip")
k=0 made=0 prev=""
topics=()
for c in "${later[@]:0:$count}"; do
  k=$((k + 1))
  parent=$base
  [ $((k % 3)) = 0 ] && [ -n "$prev" ] && parent=$prev
  tree=$(git merge-tree --write-tree --merge-base="$c^" "$parent" "$c" 2>/dev/null) || { prev=""; continue; }
  tree=${tree%%$'\n'*}
  commit=$(
    GIT_AUTHOR_NAME=$(git log -1 --format=%an "$c") GIT_AUTHOR_EMAIL=$(git log -1 --format=%ae "$c") \
    GIT_AUTHOR_DATE=$(git log -1 --format=%ad --date=raw "$c") \
      git commit-tree "$tree" -p "$parent" -m "$(git log -1 --format=%B "$c")")
  name=$(printf 'topic/%04d' "$k")
  git update-ref "refs/heads/$name" "$commit"
  topics+=("$name")
  made=$((made + 1)) prev=$commit
done
[ "$made" -gt 0 ] || { echo "make-fixture: no commit applied onto old-base" >&2; exit 1; }

# 2. Trim: copy every commit not reachable from old-base, parents first, with parents
# from before old-base cut off (old-base itself stays a parent); old-base becomes a root.
declare -A kept map
while read -r c; do kept[$c]=1; done < <(git rev-list "$onto" "${topics[@]}" "^$base")

# Copy a commit object with new parents (given after it) and without signature headers.
rewrite() {
  local c=$1; shift
  git cat-file commit "$c" |
    awk -v parents="$*" '
      body { print; next }
      /^$/ { body = 1; print; next }
      /^tree / { print; n = split(parents, p, " "); for (i = 1; i <= n; i++) print "parent " p[i]; next }
      /^parent / { next }
      /^(gpgsig|gpgsig-sha256|mergetag) / { skip = 1; next }
      skip && /^ / { next }
      { skip = 0; print }' |
    git hash-object -t commit -w --stdin
}

map[$base]=$(rewrite "$base")
kept[$base]=1
while read -r c; do
  parents=()
  for p in $(git rev-parse "$c^@"); do
    [ -n "${kept[$p]:-}" ] && parents+=("${map[$p]}")
  done
  [ ${#parents[@]} -gt 0 ] || parents=("${map[$base]}")
  map[$c]=$(rewrite "$c" "${parents[@]}")
done < <(git rev-list --topo-order --reverse "$onto" "${topics[@]}" "^$base")

# 3. A fresh repository with only the trimmed refs, checked against the full one.
git init -q --bare -b main "$work/trim.git"
git -c pack.threads=1 push -q "$work/trim.git" \
  "${map[$onto]}:refs/heads/main" "${map[$base]}:refs/tags/old-base" \
  $(for t in "${topics[@]}"; do echo "${map[$(git rev-parse "$t")]}:refs/heads/$t"; done)

for ref in main old-base "${topics[@]}"; do
  case $ref in main) was=$onto ;; old-base) was=$base ;; *) was=$ref ;; esac
  a=$(git rev-parse "$was^{tree}")
  b=$(git -C "$work/trim.git" rev-parse "$ref^{tree}")
  [ "$a" = "$b" ] || { echo "make-fixture: $ref: tree $b after trimming, $a before" >&2; exit 1; }
done
cd "$work/trim.git"
roots=$(git rev-list --max-parents=0 --all)
[ "$roots" = "$(git rev-parse old-base)" ] || { echo "make-fixture: old-base is not the only root" >&2; exit 1; }
[ "$(git rev-list --first-parent --count old-base..main)" = $((old - new)) ] ||
  { echo "make-fixture: main is not $((old - new)) first-parent commits after old-base" >&2; exit 1; }
git fsck --no-dangling --no-progress
rm -f "$dest"
git -c pack.threads=1 bundle create -q "$dest" --all
echo "make-fixture: $dest: $made topic branches from $(basename "$src") ${tip:0:10}, old-base $(git rev-parse --short old-base) (was ${base:0:7}), main $(git rev-parse --short main) (was ${onto:0:7}, $((old - new)) commits later), $(git rev-list --count --all) commits, $(wc -c <"$dest") bytes"
