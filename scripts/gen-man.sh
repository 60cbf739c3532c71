#!/bin/sh
# scripts/gen-man.sh - the man page dmabench(1), made from the built binary's own help.
#
#   scripts/gen-man.sh ./dmabench >dmabench.1
# NAME and DESCRIPTION are 'dmabench help', and each command's section is 'dmabench COMMAND
# --help' word for word (kept as it is laid out), so the page and --help cannot disagree;
# tests/install/man-vs-help.sh checks that they list the same options.
set -eu
bin=${1:?usage: $0 DMABENCH}

# roff_text: help text as roff that prints it literally (backslashes, dashes as the minus
# sign an option is typed with, a line starting with a dot or quote is not a request).
roff_text() {
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^[.']/\\\\\&&/"
}

top=$("$bin" help)
version=$("$bin" version)
# "dmabench 0.1.0 - DMA-BUF heap benchmark ..." -> the words after the dash.
summary=$(printf '%s\n' "$top" | sed -n '1s/^[^ ]* [^ ]* - //p')
commands=$(printf '%s\n' "$top" | awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
    on && $1 != "help" && $1 != "version" { print $1 }')

printf '.TH DMABENCH 1 "" "%s" "User Commands"\n' "$version"
printf '.SH NAME\n'
printf 'dmabench \\- %s\n' "$summary" | sed 's/\([^\\]\)-/\1\\-/g'
printf '.SH SYNOPSIS\n'
printf '.B dmabench\n.I COMMAND\n.RI [ OPTIONS ]\n'
printf '.SH DESCRIPTION\n.nf\n'
printf '%s\n' "$top" | sed '1,/^usage:/d' | sed '1{/^$/d}' | roff_text
printf '.fi\n.SH COMMANDS\n'
for command in $commands; do
    printf '.SS "dmabench %s"\n.nf\n' "$command"
    "$bin" "$command" --help | roff_text
    printf '.fi\n'
done
