#!/bin/bash
# tests/cli/t_files.sh - issue 15's files: no command writes through a link planted in place of
# any file it writes (by another user, or by root as tar extracting a board's tarball does), nor
# into a hard link's target; a FIFO (or link) in place of a file a command reads fails at once;
# a read-only or full filesystem under plot is an error that leaves no broken plot behind.
# Sourced by run.sh (functions named test_*).

# Every file the readers read, and the plot stems `plot` and `report` write for one set.
FILES_SET=(results.csv samples.csv metadata.csv)
FILES_PLOTS=(bandwidth latency alloc sync pipeline c2c versus)
FILES_RUN=(cpu --heap host --size 64K --kernel read --reps 2 --counters none -q)

# files_setup NAME: $fdir, a fresh directory others may write to (sticky, as /tmp), and
# $victim, a file of root's outside it that a planted link points at.
files_setup() {
    fdir=$work/files-$1
    victim=$work/files-$1.victim
    rm -rf "$fdir"
    mkdir -p "$fdir"
    chmod 755 "$work"
    chmod 1777 "$fdir"
    echo "precious $1" >"$victim"
    chmod 644 "$victim"
}

# files_hows: the ways a link gets there. nobody needs root to become another user.
files_hows() {
    echo root hard
    [ "$(id -u)" -eq 0 ] && echo nobody
}

# files_run_planting HOW "NAME..." ARGS...: plant, in $fdir, a link to $victim named each NAME
# (%p: dmabench's own pid, so its temporary names can be planted too: the shell execs it), HOW:
# root (ln -s as root: a tarball extracted as root), nobody (ln -s as another user), hard (ln);
# then run dmabench ARGS. 10 s at most: a regression fails instead of hanging.
files_run_planting() {
    local how=$1 names=$2
    shift 2
    # shellcheck disable=SC2016 # the inner shell expands them
    run_program env FILES_HOW="$how" FILES_NAMES="$names" FILES_DIR="$fdir" FILES_VICTIM="$victim" \
        timeout 10 bash -c '
        for n in $FILES_NAMES; do
            n=${n//%p/$$}
            case $FILES_HOW in
            root) ln -s "$FILES_VICTIM" "$FILES_DIR/$n" ;;
            hard) ln "$FILES_VICTIM" "$FILES_DIR/$n" ;;
            nobody) setpriv --reuid=65534 --regid=65534 --clear-groups \
                ln -s "$FILES_VICTIM" "$FILES_DIR/$n" ;;
            esac || exit 99
        done
        exec "$@"' files "$DMABENCH" "$@"
}

# files_intact HOW WHAT: the planted link's target is as it was.
files_intact() {
    [ "$(cat "$victim")" = "precious ${fdir##*/files-}" ] || fail "$2 ($1): the planted link's target was written"
}

# files_replaced NAME...: each is now a regular file of its own (the link replaced, not followed).
files_replaced() {
    local n
    for n in "$@"; do
        [ -f "$fdir/$n" ] && [ ! -L "$fdir/$n" ] && [ "$(stat -c %h "$fdir/$n")" -eq 1 ] ||
            fail "$fdir/$n is not a file of its own"
    done
}

# No dmabench temporary (.NAME.PID.N.tmp) is left in $fdir, only the planted ones.
files_no_temporaries() {
    local left
    left=$(find "$fdir" -name '.*.tmp' ! -type l ! -samefile "$victim")
    [ -z "$left" ] || fail "temporaries left: $left"
}

# files_unfinish DIR: make the run in DIR one that stopped before its end (--resume continues it).
files_unfinish() {
    grep -Ev ',(end_time|run_state),' "$1/metadata.csv" >"$1/m" && mv "$1/m" "$1/metadata.csv"
    echo 3,run_state,interrupted >>"$1/metadata.csv"
}

# files_render HOW COMMAND NAME...: links planted (files_run_planting HOW) in a fresh $fdir in
# place of each NAME and of every file of every plot type, then `dmabench COMMAND` of the plot
# sample into it: it works, leaves no temporary, and the links' target is as it was.
files_render() {
    local how=$1 command=$2 names=".dmabench-plot.%p.0.tmp" t
    shift 2
    files_setup "$command-$how"
    for t in "${FILES_PLOTS[@]}"; do names+=" $t.dat $t.png $t.svg"; done
    DMABENCH_PLOT_DIR=$plot_scripts files_run_planting "$how" "$names $*" "$command" \
        "$plot_sample/host" -o "$fdir" -q
    expect_rc 0
    files_intact "$how" "$command"
    files_no_temporaries
}

test_files_plot_writes_through_no_link() {
    local how
    for how in $(files_hows); do
        files_render "$how" plot
        files_replaced bandwidth.dat bandwidth.png bandwidth.svg alloc.dat alloc.png alloc.svg
        expect_png_svg "$fdir/bandwidth" "$fdir/latency" "$fdir/alloc"
    done
}

test_files_report_writes_through_no_link() {
    local how
    for how in $(files_hows); do
        files_render "$how" report report.md report.md.tmp .report.md.%p.0.tmp
        files_replaced report.md bandwidth.png
        grep -q '^# dmabench report$' "$fdir/report.md" || fail "no report in report.md"
    done
}

test_files_run_writes_through_no_link() {
    local how name
    for how in $(files_hows); do
        # In place of a file of the run: refused, as files dmabench did not write.
        for name in "${FILES_SET[@]}"; do
            files_setup "run-$how"
            files_run_planting "$how" "$name" run "${FILES_RUN[@]}" -o "$fdir"
            expect_rc 1
            expect_err 'that dmabench did not write: refusing to touch them'
            files_intact "$how" "run, $name"
        done
        # The lock: a link is never followed, a hard link never written (fs.protected_hardlinks=0
        # lets anyone make one).
        files_setup "run-$how"
        files_run_planting "$how" .dmabench.lock run "${FILES_RUN[@]}" -o "$fdir"
        expect_rc 1
        if [ "$how" = hard ]; then
            expect_err "^dmabench: run: $fdir/\.dmabench\.lock: has 2 names \(a hard link\): refusing to use it; remove it\$"
        else
            expect_err "^dmabench: run: $fdir/\.dmabench\.lock: is a symbolic link: refusing to use it; remove it\$"
        fi
        files_intact "$how" "run, the lock"
        # The run's temporaries: dmabench picks another name.
        files_setup "run-$how"
        files_run_planting "$how" ".metadata.csv.%p.0.tmp .metadata.csv.%p.1.tmp" \
            run "${FILES_RUN[@]}" -o "$fdir"
        expect_rc 0
        files_intact "$how" "run, metadata.csv's temporary"
        files_replaced results.csv samples.csv metadata.csv
        "$VALIDATE" "$fdir" --expect-ok host >/dev/null || fail "the run does not validate"
        # And --resume's, on a run stopped before its end.
        files_unfinish "$fdir"
        files_run_planting "$how" ".results.csv.resume.tmp .samples.csv.resume.tmp \
            .results.csv.%p.0.tmp .samples.csv.%p.0.tmp .metadata.csv.%p.0.tmp" run --resume "$fdir" -q
        expect_rc 0
        files_intact "$how" "run --resume, its temporaries"
        files_replaced results.csv samples.csv metadata.csv
        "$VALIDATE" "$fdir" --expect-ok host >/dev/null || fail "the resumed run does not validate"
    done
}

# files_fifo_set NAME FILE: $fset, a copy of the plot sample with FILE a FIFO nobody writes.
files_fifo_set() {
    fset=$work/files-fifo-$1
    rm -rf "$fset"
    cp -r "$plot_sample/host" "$fset"
    rm -f "$fset/$2"
    mkfifo "$fset/$2"
}

# files_fails_fast WHAT ARGS...: dmabench ARGS fails at once (exit 2) saying what is wrong.
files_fails_fast() {
    local what=$1
    shift
    DMABENCH_PLOT_DIR=$plot_scripts run_program timeout 10 "$DMABENCH" "$@"
    [ "$rc" -ne 124 ] || fail "$*: hangs on $what"
    expect_rc 2
    expect_err "$what: is a FIFO, not a regular file: refusing to read it"
}

test_files_fifo_inputs_fail_fast() {
    local f format
    for f in "${FILES_SET[@]}"; do
        files_fifo_set "$f" "$f"
        # compare and export --format json read the samples too.
        files_fails_fast "$fset/$f" export "$fset" --format json
        if [ "$f" = samples.csv ]; then
            files_fails_fast "$fset/$f" compare "$fset" "$plot_sample/host" --format json
            continue
        fi
        files_fails_fast "$fset/$f" compare "$fset" "$plot_sample/host"
        files_fails_fast "$fset/$f" plot "$fset" -o "$work/files-fifo-plots"
        files_fails_fast "$fset/$f" report "$fset" -o "$work/files-fifo-report" --no-plots
        files_fails_fast "$fset/$f" export "$fset" --format junit
    done
    # --resume reads its run the same way, and run a job file.
    mkfifo "$work/files-fifo.ini"
    files_fails_fast "$work/files-fifo.ini" run -j "$work/files-fifo.ini" -o "$work/files-never"
    [ ! -e "$work/files-never" ] || fail "run made its directory for a job file it cannot read"
    for f in results.csv metadata.csv; do
        rm -rf "$work/files-fifo-run"
        run run "${FILES_RUN[@]}" -o "$work/files-fifo-run"
        files_unfinish "$work/files-fifo-run"
        rm "$work/files-fifo-run/$f"
        mkfifo "$work/files-fifo-run/$f"
        run_program timeout 10 "$DMABENCH" run --resume "$work/files-fifo-run"
        [ "$rc" -ne 124 ] || fail "run --resume hangs on a FIFO $f"
        expect_rc 1
        expect_err "$work/files-fifo-run/$f: is a FIFO, not a regular file: refusing to read it"
    done
    # A link in place of results.csv is not read either (a board's tarball keeps links).
    files_fifo_set link results.csv
    rm "$fset/results.csv"
    ln -s "$plot_sample/host/results.csv" "$fset/results.csv"
    for format in junit json; do
        run_program timeout 10 "$DMABENCH" export "$fset" --format "$format"
        expect_rc 2
        expect_err "$fset/results.csv: is a symbolic link: refusing to read it"
    done
    # And a link in place of samples.csv, which export --format json reads.
    files_fifo_set link-samples samples.csv
    rm "$fset/samples.csv"
    ln -s "$plot_sample/host/samples.csv" "$fset/samples.csv"
    run_program timeout 10 "$DMABENCH" export "$fset" --format json
    expect_rc 2
    expect_err "$fset/samples.csv: is a symbolic link: refusing to read it"
}

# Where plot cannot write, it says so, exits 1, claims no plot made, and leaves every plot that
# was there as it was.
test_files_plot_read_only_or_full() {
    [ "$(id -u)" -eq 0 ] || return 0 # nobody is needed to meet a directory it cannot write
    files_setup plot-ro
    chmod 755 "$fdir"
    DMABENCH_PLOT_DIR=$plot_scripts run plot "$plot_sample/host" -o "$fdir" -q --type alloc
    expect_rc 0
    cp "$fdir/alloc.png" "$work/files-alloc.png"
    local before
    before=$(ls -la --time-style=+%s.%N "$fdir")
    chmod 755 "$plot_scripts" # nobody reads the scripts
    run_program setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
        env DMABENCH_PLOT_DIR="$plot_scripts" "$DMABENCH" plot "$plot_sample/host" -o "$fdir" \
        --type alloc
    expect_rc 1
    expect_err "^dmabench: plot: $fdir: .*Permission denied\$"
    ! grep -q 'alloc\.png' <<<"$out" || fail "a plot that was not made is listed as made"
    [ "$(ls -la --time-style=+%s.%N "$fdir")" = "$before" ] || fail "the directory changed"
    # A full filesystem (here the file size limit, which fails writes the same way): gnuplot
    # does not notice that its PNG was cut, dmabench does.
    # shellcheck disable=SC2016 # the inner shell expands them
    run_program bash -c 'trap "" XFSZ; ulimit -f 24; exec env DMABENCH_PLOT_DIR="$1" "$2" plot \
        "$3" -o "$4" --type alloc' files "$plot_scripts" "$DMABENCH" "$plot_sample/host" "$fdir"
    expect_rc 1
    expect_err '^dmabench: plot: alloc failed: gnuplot left alloc\.png cut short \(is the disk full\?\)$'
    expect_out '^plots: 0 made, 0 skipped, 1 failed'
    cmp -s "$fdir/alloc.png" "$work/files-alloc.png" || fail "the earlier alloc.png was replaced"
    files_no_temporaries
    [ -z "$(find "$fdir" -name '.dmabench-plot.*')" ] || fail "plot's temporary directory left"
}
