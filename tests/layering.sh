#!/bin/sh
# tests/layering.sh - the layering the layout promises, checked on the sources and their objects.
#
#   tests/layering.sh OBJDIR DIR...   check DIR/*.c and DIR/*.h, and their objects under OBJDIR
#   tests/layering.sh --self-test     plant one break of each rule in a small tree, expect it caught
#
# Layers, bottom up: clock/; heaps/, coherency/ and workloads/; bench/ (all of it) and plot/.
# A file includes headers, and its object uses symbols, of its own layer or below it, so a lower
# layer can be read, tested and reused without the harness. No files include each other, or
# call each other, in a loop of any length: two files that need each other are one job split in
# two, or a shared piece that belongs below both. `make layering` (part of `make check`) runs
# the self-test, then this on every source folder. Needs nm (NM=...), tsort and awk.
set -eu

NM=${NM:-nm}

# The one list of layers: each top-level source folder and its height. A source folder that is
# not here fails the check, so a new one has to be placed.
LAYERS='clock 0
heaps 1
coherency 1
workloads 1
bench 2
plot 2'

# loops EDGES: the loops tsort finds in "FROM TO" lines, one per line, members space-separated.
loops() {
    tsort "$1" 2>&1 >/dev/null | awk '
        /input contains a loop:$/ { if (m != "") print m; m = ""; next }
        /^tsort: / { sub(/^tsort: /, ""); m = m (m == "" ? "" : " ") $0; next }
        { print "tsort: " $0 > "/dev/stderr"; failed = 1 }
        END { if (m != "") print m; exit failed }' | sort -u
}

# check WORK OBJDIR DIR...: prints what breaks the layering; fails if anything does.
check() {
    work=$1
    objdir=$2
    shift 2
    for dir in "$@"; do
        for f in "$dir"/*.c "$dir"/*.h; do
            if [ -e "$f" ]; then printf '%s\n' "$f"; fi
        done
    done >"$work/files"
    : >"$work/problems"

    # Every source folder has a layer, and a header name means one file (the -I folders let a
    # file name its headers by their base names).
    awk -v layers="$LAYERS" '
        BEGIN { n = split(layers, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], p, " "); h[p[1]] } }
        { top = $1; sub(/\/.*/, "", top) }
        !(top in h) && !(top in told) { told[top]; print "layering: " top "/ has no layer in tests/layering.sh" }
        /\.h$/ { b = $1; sub(/.*\//, "", b); if (b in seen) print "layering: two headers named " b ": " seen[b] " and " $1; seen[b] = $1 }
    ' "$work/files" >>"$work/problems"

    # "FILE HEADER" for every #include "..." of one of these headers, found by its base name.
    # shellcheck disable=SC2016 # an awk program
    xargs awk '/^[ \t]*#[ \t]*include[ \t]*"/ { n = $0; sub(/^[^"]*"/, "", n); sub(/".*/, "", n); print FILENAME, n }' \
        <"$work/files" >"$work/includes_named"
    awk 'NR == FNR { b = $1; sub(/.*\//, "", b); path[b] = $1; next }
        { b = $2; sub(/.*\//, "", b); if ((b in path) && path[b] != $1) print $1, path[b] }' \
        "$work/files" "$work/includes_named" >"$work/includes"

    # "USER SYMBOL DEFINER" for every symbol one object uses and another defines, by source name.
    sed -n 's/\.c$//p' "$work/files" | while read -r base; do
        if [ -e "$objdir/$base.o" ]; then
            printf '%s\n' "$objdir/$base.o"
        else
            echo "layering: no $objdir/$base.o to read (build it first)" >>"$work/problems"
        fi
    done >"$work/objects"
    if [ -s "$work/objects" ]; then
        xargs "$NM" -P -A -g --defined-only <"$work/objects" >"$work/defined"
        xargs "$NM" -P -A -u <"$work/objects" >"$work/undefined"
    else
        : >"$work/defined"
        : >"$work/undefined"
    fi
    awk -v objdir="$objdir/" '
        function source(o) { sub(/:$/, "", o); if (index(o, objdir) == 1) o = substr(o, length(objdir) + 1); sub(/\.o$/, ".c", o); return o }
        NR == FNR { def[$2] = source($1); next }
        ($2 in def) && def[$2] != source($1) { print source($1), $2, def[$2] }
    ' "$work/defined" "$work/undefined" >"$work/uses"

    # Nothing reaches up: includes and symbols go to the same layer or a lower one.
    awk -v layers="$LAYERS" '
        BEGIN { n = split(layers, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], p, " "); h[p[1]] = p[2] } }
        function top(f) { sub(/\/.*/, "", f); return f }
        function above(from, to) { return (top(from) in h) && (top(to) in h) && h[top(to)] > h[top(from)] }
        FILENAME ~ /includes$/ && above($1, $2) { print "layering: " $1 " includes " $2 ", from " top($2) "/, a layer above " top($1) "/" }
        FILENAME ~ /uses$/ && above($1, $3) { print "layering: " $1 " uses " $2 ", defined in " $3 ", a layer above " top($1) "/" }
    ' "$work/includes" "$work/uses" >>"$work/problems"

    # No loops, of includes or of calls.
    loops "$work/includes" | while read -r members; do
        echo "layering: these files include each other in a loop: $members"
    done >>"$work/problems"
    awk '{ print $1, $3 }' "$work/uses" | sort -u >"$work/calls"
    loops "$work/calls" | while read -r members; do
        echo "layering: these files call each other in a loop: $members"
        # What each uses from the next, so the piece to move is in the message.
        awk -v members=" $members " '
            index(members, " " $1 " ") && index(members, " " $3 " ") { used[$1 " uses from " $3] = used[$1 " uses from " $3] " " $2 }
            END { for (k in used) print "    " k ":" used[k] }' "$work/uses" | sort
    done >>"$work/problems"

    if [ -s "$work/problems" ]; then
        cat "$work/problems"
        return 1
    fi
    echo "layering: clean ($(wc -l <"$work/files") files, $(wc -l <"$work/includes") includes, $(wc -l <"$work/calls") links between files)"
}

# --- the self-test: each rule must catch its own break, and a clean tree must pass ------------

# plant TREE FILE 'TEXT' ...: write each FILE under TREE.
plant() {
    tree=$1
    shift
    while [ $# -ge 2 ]; do
        mkdir -p "$tree/$(dirname "$1")"
        printf '%s\n' "$2" >"$tree/$1"
        shift 2
    done
}

# expect TREE 'WANTED TEXT' (empty: expect a pass) - build TREE's objects, check it.
expect() {
    tree=$1
    wanted=$2
    # The tree's folders, one per line: split on purpose below, as the Makefile's SRC_DIRS.
    dirs=$(cd "$tree" && find . -name '*.[ch]' | sed 's|^\./||; s|/[^/]*$||' | sort -u)
    # shellcheck disable=SC2086 # one -I per folder
    includes=$(printf -- '-I%s ' $dirs)
    (cd "$tree" && find . -name '*.c' | while read -r c; do
        mkdir -p "obj/$(dirname "$c")"
        # shellcheck disable=SC2086 # the -I options, split on purpose
        ${CC:-cc} -c $includes "$c" -o "obj/${c%.c}.o"
    done)
    mkdir -p "$tree.work"
    # shellcheck disable=SC2086 # one argument per folder
    if out=$(cd "$tree" && check "../$(basename "$tree").work" obj $dirs 2>&1); then
        status=0
    else
        status=1
    fi
    if [ -z "$wanted" ] && [ $status -eq 0 ]; then
        return 0
    fi
    if [ -n "$wanted" ] && [ $status -ne 0 ] && printf '%s\n' "$out" | grep -qF -- "$wanted"; then
        return 0
    fi
    echo "layering self-test: $(basename "$tree"): wanted ${wanted:-a pass}, got (exit $status):" >&2
    printf '%s\n' "$out" >&2
    return 1
}

self_test() {
    t=$(mktemp -d)
    trap 'rm -rf "$t"' EXIT
    plant "$t/clean" clock/tick.h 'int tick(void);' clock/tick.c 'int tick(void) { return 1; }' \
        heaps/h.h 'int h(void);' heaps/h.c '#include "h.h"
#include "tick.h"
int h(void) { return tick(); }' \
        bench/b.c '#include "h.h"
int b(void);
int b(void) { return h(); }'
    expect "$t/clean" ''

    plant "$t/include_up" bench/b.h 'int b(void);' heaps/h.c '#include "b.h"
int h(void);
int h(void) { return 0; }'
    expect "$t/include_up" 'heaps/h.c includes bench/b.h, from bench/, a layer above heaps/'

    plant "$t/call_up" bench/b.c 'int b(void);
int b(void) { return 0; }' coherency/c.c 'int b(void);
int c(void);
int c(void) { return b(); }'
    expect "$t/call_up" 'coherency/c.c uses b, defined in bench/b.c'

    plant "$t/clock_low" clock/tick.c 'int h(void);
int tick(void);
int tick(void) { return h(); }' heaps/h.c 'int h(void);
int h(void) { return 0; }'
    expect "$t/clock_low" 'clock/tick.c uses h, defined in heaps/h.c'

    plant "$t/include_loop" workloads/x.h '#pragma once
#include "y.h"' workloads/y.h '#pragma once
#include "x.h"' \
        workloads/w.c '#include "x.h"'
    expect "$t/include_loop" 'these files include each other in a loop: '

    plant "$t/call_pair" bench/p.c 'int p(void), q(void);
int p(void) { return q(); }' bench/q.c 'int p(void), q(void);
int q(void) { return 0 * p(); }'
    expect "$t/call_pair" 'bench/p.c uses from bench/q.c: q'

    plant "$t/call_ring" heaps/a.c 'int a(void), b(void);
int a(void) { return b(); }' heaps/b.c 'int b(void), c(void);
int b(void) { return c(); }' heaps/c.c 'int c(void), a(void);
int c(void) { return a(); }'
    expect "$t/call_ring" 'call each other in a loop: '

    plant "$t/no_layer" lib/l.c 'int l(void);
int l(void) { return 0; }'
    expect "$t/no_layer" 'lib/ has no layer'
    echo "layering self-test: every rule caught its break, the clean tree passed"
}

if [ "${1:-}" = --self-test ]; then
    self_test
    exit
fi
if [ $# -lt 2 ]; then
    echo "usage: $0 OBJDIR DIR... | --self-test" >&2
    exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check "$work" "$@"
