# bash completion for git-align: `git align ...` through git's own completion (which
# loads this file as the completion of git-align) and `git-align ...`. The candidates
# come from `git align complete`: branch names and globs, revisions for --onto, steps
# for --pause-after, remotes for push and fetch, subcommands and options.
# Install: `git align setup`, or source this file from ~/.bashrc.

# The words after `git align` up to the cursor, then the one being completed.
__git_align_candidates ()
{
	git-align complete -- "$@" 2>/dev/null
}

# Called by git's completion for `git align` (words, cword, cur and __git_cmd_idx set).
_git_align ()
{
	local first=$((${__git_cmd_idx:-1} + 1))
	local IFS=$'\n'
	case "$cur" in
	--*=*)
		__gitcomp_nl "$(__git_align_candidates "${words[@]:first:cword-first}" "$cur")" "" "${cur#*=}"
		;;
	*)
		__gitcomp_nl "$(__git_align_candidates "${words[@]:first:cword-first}" "$cur")"
		;;
	esac
}

# `git-align ...` typed as a command of its own.
_git_align_command ()
{
	local cur words cword
	if declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n =: cur words cword
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
	fi
	local IFS=$'\n'
	COMPREPLY=($(__git_align_candidates "${words[@]:1:cword-1}" "$cur"))
}

complete -o bashdefault -o default -o nospace -F _git_align_command git-align 2>/dev/null ||
	complete -o default -o nospace -F _git_align_command git-align
