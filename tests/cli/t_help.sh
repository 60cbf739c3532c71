#!/bin/bash
# tests/cli/t_help.sh - what dmabench says about itself is true: `help COMMAND`, option errors
# that say who speaks, usage lines that list every option, help that names every engine, and bad
# input that exits 2 in every command. Sourced by tests/cli/run.sh.

test_help_command_prints_its_help() {
    for cmd in list alloc run plot report compare export history; do
        run "$cmd" --help
        local want=$out
        run help "$cmd"
        expect_rc 0
        [ "$out" = "$want" ] || fail "'dmabench help $cmd' is not '$cmd --help'"
    done
    run help nosuch
    expect_rc 2
    expect_err "^dmabench: unknown command 'nosuch'"
}

test_help_option_errors_say_dmabench() {
    for cmd in list alloc run plot report compare export history; do
        run "$cmd" --no-such-option
        expect_rc 2
        expect_err "^dmabench: $cmd: unrecognized option '--no-such-option'"
    done
}

# Every long option a command's getopt table takes is in its usage: the usage is the interface.
test_help_alloc_usage_names_every_option() {
    run alloc --help
    local usage
    usage=$(sed -n '/^usage:/,/^$/p' <<<"$out")
    for opt in $(grep -Eo -- '^ +--[a-z-]+' <<<"$out" | tr -d ' '); do
        [ "$opt" = --help ] && continue
        grep -q -- "\[$opt\b\|$opt " <<<"$usage" || fail "alloc's usage lacks $opt"
    done
}

test_help_run_names_every_engine() {
    run list --format csv
    local engines
    engines=$(awk -F, '$1 == "engine" {print $2}' <<<"$out")
    [ -n "$engines" ] || fail "list --format csv names no engine"
    run run --help
    local engine_help
    engine_help=$(sed -n '/--engine LIST/,/^  --[a-z]/p' <<<"$out")
    for e in $engines; do
        grep -qw -- "$e" <<<"$engine_help" || fail "run --help's --engine lacks $e"
    done
}

test_help_run_unknown_heap_is_bad_input() {
    run run cpu --heap nosuch --size 4K -o "$work/unknown-heap"
    expect_rc 2
    expect_err "^dmabench: unknown heap 'nosuch' \(heaps here: .*host"
    [ ! -e "$work/unknown-heap/results.csv" ] || fail "a run was started for a heap that is not here"
}

test_help_every_command_lists_help() {
    for cmd in list alloc run plot report compare export history; do
        run "$cmd" --help
        expect_out -- "^  -h, --help +this text"
    done
}
