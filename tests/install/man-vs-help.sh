#!/bin/bash
# tests/install/man-vs-help.sh - do the man page and --help list the same options?
#
#   tests/install/man-vs-help.sh dmabench.1[.gz] DMABENCH
# Renders the page as man does (groff) and reads, per command, every -x and --option it
# names, against the same read of 'DMABENCH help' and 'DMABENCH COMMAND --help'. Prints
# "COMMAND: N options" for each, or each option one side lacks; exits 1 on any difference.
set -euo pipefail
page=${1:?usage: $0 MANPAGE DMABENCH} bin=${2:?usage: $0 MANPAGE DMABENCH}

# options: every option named in the text on stdin, one a line, sorted.
options() {
    grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u || true
}

# The rendered page as "COMMAND<TAB>line": DESCRIPTION is "dmabench", .SS "dmabench CMD" is CMD.
rendered=$(if [[ $page == *.gz ]]; then zcat "$page"; else cat "$page"; fi |
    groff -man -Tascii -P-cbou 2>/dev/null | awk '
        /^[A-Z]/ { section = ($1 == "DESCRIPTION") ? "dmabench" : ""; next }
        /^   dmabench [a-z]+ *$/ { section = $2; next }
        section != "" { print section "\t" $0 }')
man_section() { awk -F'\t' -v s="$1" '$1 == s { print substr($0, length(s) + 2) }' <<<"$rendered"; }

top=$("$bin" help)
commands=$(awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
    on && $1 != "help" && $1 != "version" { print $1 }' <<<"$top")
man_commands=$(cut -f1 <<<"$rendered" | grep -vx dmabench | sort -u)
differ=0
if [ "$(sort <<<"$commands")" != "$man_commands" ]; then
    echo "commands: --help has $(tr '\n' ' ' <<<"$commands"), the man page $(tr '\n' ' ' <<<"$man_commands")"
    differ=1
fi
for command in dmabench $commands; do
    if [ "$command" = dmabench ]; then help=$top; else help=$("$bin" "$command" --help); fi
    from_help=$(options <<<"$help")
    from_man=$(man_section "$command" | options)
    only_help=$(comm -23 <(echo "$from_help") <(echo "$from_man"))
    only_man=$(comm -13 <(echo "$from_help") <(echo "$from_man"))
    for o in $only_help; do echo "$command: $o only in --help" && differ=1; done
    for o in $only_man; do echo "$command: $o only in the man page" && differ=1; done
    echo "$command: $(grep -c . <<<"$from_help") options"
done
exit $differ
