# fish completion for git-align: `git align ...` and `git-align ...`. The candidates
# come from `git align complete`: branch names and globs, revisions for --onto, steps
# for --pause-after, remotes for push and fetch, subcommands and options.
# Install: `git align setup` (it goes to ~/.config/fish/conf.d/, loaded by every fish,
# since `git align` is completed among git's own completions).

# Whether the command line is `git align ...`.
function __git_align_using
    set -l tokens (commandline -opc)
    test "$tokens[1]" = git -a "$tokens[2]" = align
end

function __git_align_complete
    set -l words (commandline -opc)
    if test "$words[1]" = git
        set words $words[3..-1]
    else
        set words $words[2..-1]
    end
    set -l current (commandline -ct)
    set -l candidates (git-align complete -- $words $current 2>/dev/null)
    # fish replaces the whole word: give `--onto=` back to the values of `--onto=...`.
    if string match -q -- '--*=*' $current
        set -l option (string replace -r -- '=.*' '=' $current)
        string replace -r -- '^' $option $candidates
    else
        string join \n -- $candidates
    end
end

complete -c git-align -f -a '(__git_align_complete)'
complete -c git -f -n __git_align_using -a '(__git_align_complete)'
