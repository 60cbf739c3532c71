#!/bin/bash
# tests/cli/t_reliability.sh - issue 7 end to end: SIGINT/SIGTERM/kill -9 lose nothing and
# --resume gives the straight run's case set; the memory guard; injected faults become error
# rows; the case timeout; planted symlinks, --force and the directory lock; bad options.
# Sourced by run.sh (functions named test_*).

# Small, quick cases on host memory: a few seconds for a whole sweep under ASan.
REL_CPU=(cpu --heap host --size 64K,128K,256K --kernel read,write,copy --reps 8 --counters none)

# rel_start NAME ARGS...: `dmabench run ARGS` in the background, output in $work/NAME.{out,err}.
rel_start() {
    local name=$1
    shift
    "$DMABENCH" run "$@" >"$work/$name.out" 2>"$work/$name.err" &
    rel_pid=$!
}

# rel_wait_for FILE PATTERN: until FILE matches (60 s at most).
rel_wait_for() {
    local i
    for i in $(seq 600); do
        grep -Eq -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "timed out waiting for /$2/ in $1"
    return 1
}

# rel_finish: wait for the background run, its status in $rc and its output in $out / $err.
rel_finish() {
    wait "$rel_pid"
    rc=$?
    out=$(cat "$work/$1.out")
    err=$(cat "$work/$1.err")
}

# What must match between two runs of one sweep: every column but the run id, the statistics
# and mux_ratio (timings), in file order. Host-only runs have no quoted commas before `error`.
rel_case_set() {
    csv_columns "$1/results.csv" case_id bench job heap backend heap_class size_bytes \
        align_bytes page_kind page_size_bytes threads batch kernel node strategy direction \
        region_bytes region_offset_bytes regions lines importers pool_depth frame_format engine \
        cpu peer metric unit better n reps reps_stop status
}

rel_validate() {
    "$VALIDATE" "$@" >"$work/validate.out" 2>&1 || fail "validate_results $*: $(cat "$work/validate.out")"
}

rel_meta() { # DIR KEY: the value of a metadata key, or nothing
    grep -E "^[0-9]+,$2," "$1/metadata.csv" | cut -d, -f3-
}

# A straight run of REL_CPU, made once and compared against by the resume tests.
rel_straight() {
    [ -d "$work/rel-straight" ] && return
    run run "${REL_CPU[@]}" -q -o "$work/rel-straight"
    expect_rc 0
}

test_reliability_sigint_keeps_what_was_measured() {
    # Long cases, so that the signal lands inside one (between two is fine too: checked below).
    rel_start sigint cpu --heap host --size 64K,128K --kernel read,write,copy --reps 40 \
        --counters none -o "$work/rel-int"
    rel_wait_for "$work/sigint.err" '^\[2/6\]' || return
    kill -INT "$rel_pid"
    rel_finish sigint
    expect_rc 130
    expect_err 'stopping after the current sample'
    expect_out "interrupted by SIGINT: resume with dmabench run --resume $work/rel-int"
    [ "$(rel_meta "$work/rel-int" run_state)" = interrupted ] || fail "run_state not interrupted"
    [ "$(rel_meta "$work/rel-int" interrupted_by)" = SIGINT ] || fail "interrupted_by"
    [ -z "$(rel_meta "$work/rel-int" end_time)" ] || fail "an interrupted run has an end_time"
    # Whole files (no truncation allowed), every finished case kept.
    rel_validate "$work/rel-int"
    grep -q 'interrupted (no end_time)' "$work/validate.out" || fail "validator: not interrupted"
    local rows ok
    rows=$(tail -n +2 "$work/rel-int/results.csv" | wc -l)
    ok=$(csv_columns "$work/rel-int/results.csv" status | grep -cx ok)
    [ "$ok" -ge 2 ] && [ "$rows" -lt 6 ] || fail "$ok ok rows of $rows"
    # The case the signal came in: an error row with what it measured and the reason. The
    # signal may land in its samples (n > 0, reps_stop continue) or while it was still sizing
    # its loops (0 repetitions: nothing measured, no statistics).
    if [ "$rows" -gt "$ok" ]; then
        csv_columns "$work/rel-int/results.csv" n reps reps_stop status error | tail -1 |
            grep -qE '^([1-9][0-9]*,[1-9][0-9]*,continue|,0,),error,Interrupted system call: interrupted by signal SIGINT after [0-9]+ repetitions \(--resume runs this case again\)$' ||
            fail "last row: $(tail -1 "$work/rel-int/results.csv")"
    fi
}

test_reliability_sigterm_then_resume_is_the_straight_run() {
    rel_straight
    rel_start sigterm "${REL_CPU[@]}" -o "$work/rel-term"
    rel_wait_for "$work/sigterm.err" '^\[4/9\]' || return
    kill -TERM "$rel_pid"
    rel_finish sigterm
    expect_rc 143
    [ "$(rel_meta "$work/rel-term" interrupted_by)" = SIGTERM ] || fail "interrupted_by"
    local run_id
    run_id=$(rel_meta "$work/rel-term" run_id)
    run run --resume "$work/rel-term"
    expect_rc 0
    expect_err "run: --resume $work/rel-term: [0-9] of 9 cases done earlier \(kept\)"
    rel_validate "$work/rel-term"
    [ "$(rel_meta "$work/rel-term" run_id)" = "$run_id" ] || fail "the run id changed"
    [ "$(rel_meta "$work/rel-term" run_state)" = complete ] || fail "run_state not complete"
    [ "$(rel_meta "$work/rel-term" resumes)" = 1 ] || fail "resumes"
    [ -n "$(rel_meta "$work/rel-term" end_time)" ] || fail "no end_time"
    [ -z "$(rel_meta "$work/rel-term" interrupted_by)" ] || fail "interrupted_by kept"
    diff <(rel_case_set "$work/rel-straight") <(rel_case_set "$work/rel-term") >"$work/diff" ||
        fail "resumed case set differs from the straight run: $(head -5 "$work/diff")"
    [ "$(wc -l <"$work/rel-term/samples.csv")" -eq "$(wc -l <"$work/rel-straight/samples.csv")" ] ||
        fail "sample counts differ"
    # Resuming a finished run does nothing.
    run run --resume "$work/rel-term"
    expect_rc 0
    expect_out 'is complete: nothing to resume'
}

test_reliability_kill9_validates_and_resumes() {
    rel_straight
    local delay n=0
    for delay in 0.6 1.3 2.1; do
        n=$((n + 1))
        rel_start kill "${REL_CPU[@]}" -q -o "$work/rel-kill$n"
        sleep "$delay"
        kill -9 "$rel_pid"
        rel_finish kill
        [ -e "$work/rel-kill$n/results.csv" ] || continue # killed before the files existed
        rel_validate --allow-truncated "$work/rel-kill$n"
        run run --resume "$work/rel-kill$n" -q
        expect_rc 0
        rel_validate "$work/rel-kill$n"
        diff <(rel_case_set "$work/rel-straight") <(rel_case_set "$work/rel-kill$n") >"$work/diff" ||
            fail "kill -9 after ${delay}s + resume differs: $(head -5 "$work/diff")"
    done
}

# The kill that matters most, made certain: both files cut inside a row, as power loss can.
test_reliability_cut_rows_validate_and_resume() {
    rel_straight
    local d=$work/rel-cut size
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    grep -v -e '^[0-9]*,end_time,' -e '^[0-9]*,run_state,' "$work/rel-straight/metadata.csv" >"$d/metadata.csv"
    size=$(stat -c %s "$d/results.csv")
    truncate -s $((size * 2 / 3)) "$d/results.csv"
    size=$(stat -c %s "$d/samples.csv")
    truncate -s $((size * 2 / 3 + 7)) "$d/samples.csv"
    "$VALIDATE" "$d" >/dev/null 2>&1 && fail "a cut file validates without --allow-truncated"
    rel_validate --allow-truncated "$d"
    grep -q 'truncated last row ignored' "$work/validate.out" || fail "no truncated row seen"
    run run --resume "$d" -q
    expect_rc 0
    rel_validate "$d"
    diff <(rel_case_set "$work/rel-straight") <(rel_case_set "$d") >"$work/diff" ||
        fail "cut + resume differs: $(head -5 "$work/diff")"
}

# A kill between making a temporary and renaming it leaves .NAME.PID.N.tmp behind: the resume
# removes those of a process that is gone (files and gnuplot's private directories), and never
# a live process's (another command writing in the same directory).
test_reliability_resume_removes_dead_temporaries() {
    rel_straight
    local d=$work/rel-leftovers gone=2147483646
    kill -0 "$gone" 2>/dev/null && fail "pid $gone exists here: the test needs one that does not"
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    grep -v -e '^[0-9]*,end_time,' -e '^[0-9]*,run_state,' "$work/rel-straight/metadata.csv" >"$d/metadata.csv"
    echo half >"$d/.results.csv.$gone.0.tmp"
    mkdir "$d/.plot.$gone.1.tmp" && echo x >"$d/.plot.$gone.1.tmp/out.svg"
    echo live >"$d/.report.md.$$.0.tmp"
    echo mine >"$d/.notes.$gone.tmp" # not a temporary's name: no N
    run run --resume "$d"
    expect_rc 0
    expect_out "removed 2 temporary files the interrupted run left in $d"
    [ ! -e "$d/.results.csv.$gone.0.tmp" ] || fail "a dead run's temporary file is still there"
    [ ! -e "$d/.plot.$gone.1.tmp" ] || fail "a dead run's private directory is still there"
    [ -e "$d/.report.md.$$.0.tmp" ] || fail "a live process's temporary was removed"
    [ -e "$d/.notes.$gone.tmp" ] || fail "a file not named as a temporary was removed"
    rm -f "$d/.report.md.$$.0.tmp" "$d/.notes.$gone.tmp"
    rel_validate "$d"
}

# A case whose results rows are all there but whose samples are not (a kill between the two
# files, or a disk that kept one further than the other) is not done: --resume runs it again.
test_reliability_resume_reruns_a_case_missing_samples() {
    rel_straight
    local d=$work/rel-samples victim
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    grep -v -e '^[0-9]*,end_time,' -e '^[0-9]*,run_state,' "$work/rel-straight/metadata.csv" >"$d/metadata.csv"
    victim=$(csv_columns "$d/results.csv" case_id | sed -n 4p)
    # Its last sample goes; every results row stays.
    awk -F, -v id="$victim" '$3 == id { last = NR } { line[NR] = $0 }
        END { for (i = 1; i <= NR; i++) if (i != last) print line[i] }' \
        "$work/rel-straight/samples.csv" >"$d/samples.csv"
    "$VALIDATE" "$d" >/dev/null 2>&1 && fail "a set with a missing sample validates"
    run run --resume "$d"
    expect_rc 0
    expect_err "run: --resume $d: 8 of 9 cases done earlier \(kept\), 1 to run"
    expect_err "run: --resume $d: 8 of 9 cases done earlier \(kept\), 1 to run"
    rel_validate "$d"
    # The case that ran again is the last in the files now.
    diff <(rel_case_set "$work/rel-straight" | sort) <(rel_case_set "$d" | sort) >"$work/diff" ||
        fail "resume with a missing sample differs: $(head -5 "$work/diff")"
}

test_reliability_resume_refusals() {
    run run --resume "$work/no-such-run"
    expect_rc 1
    expect_err "--resume: $work/no-such-run: 'no-such-run': No such file or directory"
    run run --resume "$work/x" -j quick
    expect_rc 2
    expect_err "--resume DIR continues the run with the options it started with .*: drop -j"
    run run --resume "$work/x" --force
    expect_rc 2
    expect_err 'drop --force'
    run run --resume "$work/x" cpu
    expect_rc 2
    expect_err 'drop cpu'
    run run --resume "$work/x" --size 4K
    expect_rc 2
    expect_err 'drop --size'
    # A run another dmabench is writing.
    rel_start busy "${REL_CPU[@]}" -o "$work/rel-busy"
    rel_wait_for "$work/busy.err" '^\[1/9\]' || return
    run run --resume "$work/rel-busy"
    expect_rc 1
    expect_err "$work/rel-busy is in use by another dmabench \(pid $rel_pid\)"
    kill -INT "$rel_pid"
    rel_finish busy
    expect_rc 130
    # A run started on a CPU with other features (so other kernels ran) is not resumed here.
    cp "$work/rel-busy/metadata.csv" "$work/rel-busy-metadata.csv"
    sed -i 's/^\([0-9]*\),cpu_flags,.*/\1,cpu_flags,sse2/' "$work/rel-busy/metadata.csv"
    run run --resume "$work/rel-busy"
    expect_rc 1
    expect_err "started with cpu_flags 'sse2', this is '[^']+': a run is resumed on the machine and build it started on"
    cp "$work/rel-busy-metadata.csv" "$work/rel-busy/metadata.csv"
    # A run made with other options (another sweep) is not silently mixed in.
    sed -i 's/^\([0-9]*\),argv,.*/\1,argv,"cpu,--heap,host,--size,64K,--kernel,read,--reps,8,--counters,none"/' \
        "$work/rel-busy/metadata.csv"
    run run --resume "$work/rel-busy"
    expect_rc 1
    expect_err "results.csv:[0-9]+: case 'cpu:heap=host;size=64KiB;.*kernel=write.*' is not in this run's sweep"
}

test_reliability_memory_guard() {
    printf 'MemTotal: 1000000 kB\nMemAvailable: 100000 kB\nCmaTotal: 65536 kB\nCmaFree: 16384 kB\n' \
        >"$work/meminfo"
    DMABENCH_MEMINFO=$work/meminfo run run alloc --heap host --size 4K,32M --batch 1,4 \
        --kernel alloc --reps 1 --counters none -q -o "$work/rel-mem"
    expect_rc 2
    expect_err 'the sweep needs up to 128 MiB at once \(alloc:heap=host;size=32MiB;.*batch=4;.*: 32 MiB x batch 4\), more than 50% of MemAvailable \(48.8 MiB of 97.7 MiB free\); lower --size or --batch, or allow it with --max-mem 128MiB'
    expect_one_line_err
    [ ! -e "$work/rel-mem" ] || fail "output created for a refused sweep"
    DMABENCH_MEMINFO=$work/meminfo run run alloc --heap host --size 4K,32M --batch 1,4 \
        --kernel alloc --reps 1 --counters none -q -o "$work/rel-mem" --max-mem 128M
    expect_rc 0
    # cpu copy holds two buffers.
    DMABENCH_MEMINFO=$work/meminfo run run cpu --heap host --size 32M --kernel copy --reps 1 \
        --counters none -q -o "$work/rel-mem2"
    expect_rc 2
    expect_err '64 MiB at once .*32 MiB x 2 \(copy\)'
    DMABENCH_MEMINFO=$work/meminfo run run cpu --heap host --size 32M --kernel copy --reps 1 \
        --counters none -q -o "$work/rel-mem2" --max-mem 70%
    expect_rc 0
    # A contiguous heap is held to CmaFree as well.
    DMABENCH_MEMINFO=$work/meminfo run run alloc --heap host --heap-class host=contiguous \
        --size 16M --batch 1 --kernel alloc --reps 1 --counters none -q -o "$work/rel-mem3"
    expect_rc 2
    expect_err 'more than 50% of CmaFree \(8 MiB of 16 MiB free\)'
    # The real machine: a terabyte sweep is refused before anything is allocated.
    run run alloc --heap host --size 1T --batch 1 --kernel alloc -q -o "$work/rel-mem4"
    expect_rc 2
    expect_err 'the sweep needs up to 1 TiB at once'
    run run alloc --heap host --max-mem 0 -o "$work/rel-mem4"
    expect_rc 2
    expect_err "--max-mem '0': expected a size"
    run run alloc --heap host --max-mem 101% -o "$work/rel-mem4"
    expect_rc 2
}

# rel_fault SPEC BENCH-ARGS...: a run with DMABENCH_FAULT=SPEC that must complete: every case
# has its rows, the file is valid, nothing leaked, exit 1 (error rows).
rel_fault() {
    local spec=$1
    shift
    rm -rf "$work/rel-fault"
    DMABENCH_FAULT=$spec run run "$@" --counters none -q -o "$work/rel-fault"
    expect_rc 1
    rel_validate "$work/rel-fault"
    ! grep -q 'leaked' "$work/rel-fault/results.csv" || fail "$spec: a leak was reported"
    [ "$(rel_meta "$work/rel-fault" run_state)" = complete ] || fail "$spec: run not complete"
}

test_reliability_injected_faults_are_error_rows() {
    local alloc=(alloc --heap host --size 4K,64K --batch 4 --kernel alloc,alloc-touch --reps 3)
    # Each case's setup first allocates one untimed batch (4 buffers) to check they are zeroed:
    # the 7th allocation is the 3rd timed one of the first case.
    rel_fault alloc:7:ENOMEM "${alloc[@]}"
    grep -q 'size=4KiB;.*kernel=alloc;.*,error,Cannot allocate memory: buffer 3 of 4: alloc failed' \
        "$work/rel-fault/results.csv" || fail "ENOMEM row"
    [ "$(csv_columns "$work/rel-fault/results.csv" status | grep -cx ok)" -eq 9 ] || fail "the other 3 cases not ok"
    rel_fault alloc:1+:EBUSY "${alloc[@]}"
    [ "$(grep -c ',error,"\?Device or resource busy: buffer 1 of 4: alloc' "$work/rel-fault/results.csv")" -eq 12 ] ||
        fail "EBUSY (CMA exhausted) rows: every case"
    rel_fault alloc:6:EINTR "${alloc[@]}"
    grep -q ',error,Interrupted system call: buffer 2 of 4: alloc failed' \
        "$work/rel-fault/results.csv" || fail "EINTR row"
    # An injected EINTR is a result, not a stop: the run went on.
    [ "$(tail -n +2 "$work/rel-fault/results.csv" | wc -l)" -eq 12 ] || fail "EINTR stopped the run"
    # The zeroed check maps each buffer of the untimed batches (4 of case 1, 4 of case 2), so
    # the 10th map is the 2nd timed one of alloc-touch.
    rel_fault mmap:10:EBUSY "${alloc[@]}"
    grep -q 'kernel=alloc-touch;.*,error,"Device or resource busy: buffer 2 of 4: alloc, map or first touch failed"' \
        "$work/rel-fault/results.csv" || fail "mmap EBUSY row"
    # A fresh buffer that is not zeroed leaks another user's data: an error row naming the byte.
    rel_fault dirty:1:100 "${alloc[@]}"
    grep -q ',error,"\?Input/output error: buffer [1-4] of 4 from heap host was not zeroed: first non-zero byte at offset 100' \
        "$work/rel-fault/results.csv" || fail "dirty buffer row"
    [ "$(csv_columns "$work/rel-fault/results.csv" status | grep -cx ok)" -eq 9 ] || fail "dirty: the other 3 cases not ok"
    local cpu=(cpu --heap host --size 64K --kernel read,copy --reps 2)
    rel_fault sync:1:EINTR "${cpu[@]}"
    grep -q 'kernel=read;.*,error,Interrupted system call: sync start of 65536 B on host' \
        "$work/rel-fault/results.csv" || fail "sync EINTR row"
    rel_fault alloc:2:ENOMEM,mmap:3:EIO "${cpu[@]}"
    grep -q 'kernel=copy;.*,error,Cannot allocate memory: alloc of 65536 B on host' \
        "$work/rel-fault/results.csv" || fail "cpu copy: second buffer's alloc"
    rel_fault mmap:1:EIO "${cpu[@]}"
    grep -q 'kernel=read;.*,error,Input/output error: mmap of 65536 B on host' \
        "$work/rel-fault/results.csv" || fail "mmap EIO row"
    DMABENCH_FAULT=alloc:x:ENOMEM run run "${alloc[@]}" -o "$work/rel-never"
    expect_rc 2
    expect_err "DMABENCH_FAULT: alloc: 'x' is not a call number"
    [ ! -e "$work/rel-never" ] || fail "output created with a bad fault spec"
}

test_reliability_case_timeout() {
    run run cpu --heap host --size 64K,128K --kernel read --reps 100000 --time-budget 1000 \
        --case-timeout 0.3 --counters none -q -o "$work/rel-timeout"
    expect_rc 1
    [ "$(grep -c ',error,Timer expired: case timeout of 0.3 s exceeded after [0-9]* repetitions,' \
        "$work/rel-timeout/results.csv")" -eq 2 ] || fail "both cases abandoned by the timeout"
    rel_validate "$work/rel-timeout"
    local bad
    for bad in 0 -1 abc 1e99 ''; do
        run run cpu --case-timeout "$bad" -o "$work/never"
        expect_rc 2
    done
    expect_err '--case-timeout'
}

test_reliability_no_planted_symlink_is_followed() {
    local base=$work/rel-links
    mkdir -p "$base/target" "$base/sticky" "$base/mine"
    chmod 1777 "$base/sticky"
    chmod 755 "$work" "$base" "$base/target"
    local args=(cpu --heap host --size 64K --kernel read --reps 1 --counters none -q)
    # The run directory itself a link: refused.
    ln -s "$base/target" "$base/link"
    run run "${args[@]}" -o "$base/link"
    expect_rc 1
    expect_err "cannot create $base/link: is a symbolic link: refusing to write through it"
    # A link planted by another user in a shared sticky directory (as in /tmp): refused.
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$base/target" "$base/sticky/evil"
        run run "${args[@]}" -o "$base/sticky/evil/run"
        expect_rc 1
        expect_err "'evil' is a symbolic link owned by uid 65534, not by root or this user"
    fi
    [ -z "$(ls -A "$base/target")" ] || fail "something was written through a link"
    # Links in place of the files: not followed, not overwritten.
    echo secret >"$base/secret"
    ln -s "$base/secret" "$base/mine/results.csv"
    run run "${args[@]}" -o "$base/mine"
    expect_rc 1
    expect_err "holds results.csv, samples.csv or metadata.csv that dmabench did not write"
    rm "$base/mine/results.csv" "$base/mine/.dmabench.lock"
    ln -s "$base/secret" "$base/mine/.dmabench.lock"
    run run "${args[@]}" -o "$base/mine"
    expect_rc 1
    expect_err "\.dmabench\.lock: is a symbolic link: refusing to use it; remove it"
    [ "$(cat "$base/secret")" = secret ] || fail "the link's target was written"
    rm "$base/mine/.dmabench.lock"
    # A link of our own higher up is fine (results on another disk).
    ln -s "$base/target" "$base/ours"
    run run "${args[@]}" -o "$base/ours/run"
    expect_rc 0
    rel_validate "$base/target/run"
}

test_reliability_force_moves_the_old_run_aside() {
    local args=(cpu --heap host --size 64K --kernel read --reps 2 --counters none -q)
    run run "${args[@]}" -o "$work/rel-force"
    expect_rc 0
    local old_id
    old_id=$(rel_meta "$work/rel-force" run_id)
    run run "${args[@]}" -o "$work/rel-force"
    expect_rc 1
    expect_err 'File exists \(an earlier run is there: choose another -o\); --resume DIR continues it, --force moves it aside'
    run run "${args[@]}" -o "$work/rel-force" --force
    expect_rc 0
    rel_validate "$work/rel-force"
    rel_validate "$work/rel-force/previous-$old_id"
    # Files dmabench did not write are never touched, --force or not.
    mkdir -p "$work/rel-foreign"
    echo 'name,value' >"$work/rel-foreign/results.csv"
    run run "${args[@]}" -o "$work/rel-foreign" --force
    expect_rc 1
    expect_err 'that dmabench did not write: refusing to touch them, even with --force'
    [ "$(cat "$work/rel-foreign/results.csv")" = 'name,value' ] || fail "foreign file changed"
}

test_reliability_concurrent_runs() {
    local args=(cpu --heap host --size 64K,128K --kernel read --reps 10 --counters none -q)
    # Two directories at once: both succeed.
    "$DMABENCH" run "${args[@]}" -o "$work/rel-conc-a" >/dev/null 2>"$work/conc-a.err" &
    local a=$!
    "$DMABENCH" run "${args[@]}" -o "$work/rel-conc-b" >/dev/null 2>"$work/conc-b.err"
    local rb=$?
    wait $a
    local ra=$?
    [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || fail "two directories: exit codes $ra and $rb"
    rel_validate "$work/rel-conc-a"
    rel_validate "$work/rel-conc-b"
    # The same directory: the second refuses while the first runs, and the first is whole. The
    # first runs long enough (2 s a case) to be still running when its first case is reported.
    rel_start conc cpu --heap host --size 64K,128K --kernel read --reps 200 --counters none \
        -o "$work/rel-conc-same"
    rel_wait_for "$work/conc.err" '^\[1/2\]' || return
    run run "${args[@]}" -o "$work/rel-conc-same"
    expect_rc 1
    expect_err "rel-conc-same is in use by another dmabench \(pid $rel_pid\): choose another -o"
    rel_finish conc
    expect_rc 0
    rel_validate "$work/rel-conc-same"
    # Two default directories started in the same second get two run ids.
    mkdir -p "$work/rel-conc-default"
    (cd "$work/rel-conc-default" && "$DMABENCH" run "${args[@]}" >/dev/null 2>&1) &
    a=$!
    (cd "$work/rel-conc-default" && "$DMABENCH" run "${args[@]}" >/dev/null 2>&1)
    rb=$?
    wait $a
    ra=$?
    [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || fail "default directories: exit codes $ra and $rb"
    [ "$(ls "$work/rel-conc-default"/results/*/ | wc -l)" -eq 2 ] || fail "not two run directories"
}

test_reliability_bad_options_explained() {
    run run cpu -o ''
    expect_rc 2
    expect_err '-o: empty value'
    run run cpu -o "$work/a" -o "$work/b"
    expect_rc 2
    expect_err '-o given twice'
    run run -j quick -j full
    expect_rc 2
    expect_err '-j given twice'
    run run cpu --size 4K --size 8K
    expect_rc 2
    expect_err '--size given twice \(give one list: --size A,B\)'
    run run alloc --heap host --align 3
    expect_rc 2
    expect_err "align: 3B is not a power of two \(alloc aligns the mapping of each buffer\)"
    expect_one_line_err
    run run cpu --max-mem 1G --max-mem 2G
    expect_rc 2
    expect_err '--max-mem given twice'
    run alloc --heap host --size 4K --size 8K
    expect_rc 2
    expect_err '--size given twice'
    run list --format csv --format table
    expect_rc 2
    expect_err '--format given twice'
}

test_reliability_alloc_memory_guard() {
    printf 'MemTotal: 1000000 kB\nMemAvailable: 100000 kB\n' >"$work/meminfo-alloc"
    DMABENCH_MEMINFO=$work/meminfo-alloc run alloc --heap host --size 16M --count 4
    expect_rc 2
    expect_err 'alloc: the buffers need up to 64 MiB at once \(heap host: 16 MiB x count 4\), more than 50% of MemAvailable .*; lower --size or --count, or allow it with --max-mem 64MiB'
    DMABENCH_MEMINFO=$work/meminfo-alloc run alloc --heap host --size 16M --count 4 --max-mem 64M
    expect_rc 0
    [ "$(grep -c 'verify=ok' <<<"$out")" -eq 4 ] || fail "four buffers verified"
}

# The summary after --resume is the whole run's: the cases kept from before count in its heap
# table and grids, not only the cases run now.
test_reliability_resume_summary_is_the_whole_run() {
    rel_straight
    local d=$work/rel-summary want
    cp -r "$work/rel-straight" "$d"
    rm -f "$d/.dmabench.lock"
    grep -v -e '^[0-9]*,end_time,' -e '^[0-9]*,run_state,' "$work/rel-straight/metadata.csv" >"$d/metadata.csv"
    # Keep the read cases only: write and copy run again.
    awk -F, 'NR == 1 || $3 ~ /kernel=read/' "$work/rel-straight/results.csv" >"$d/results.csv"
    awk -F, 'NR == 1 || $3 ~ /kernel=read/' "$work/rel-straight/samples.csv" >"$d/samples.csv"
    want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) C[$i] = i; next }
        $C["metric"] == "bandwidth" && $C["median"] > m { m = $C["median"] }
        END { printf "%.2f", m / 1e9 }' "$d/results.csv")
    run run --resume "$d" -q
    expect_rc 0
    expect_out "^host +$want +[0-9.]+ +[0-9.]+ "
    expect_out "^cases: 9, ok 9, skipped 0, errors 0$"
    ! grep -q 'run after --resume' <<<"$out" || fail "the summary still covers this session only"
}
