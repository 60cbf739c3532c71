#!/bin/bash
# tests/cli/t_pages.sh - a row records the page size the kernel granted, not the one asked for:
# a THP request granted (where THP is enabled here) and one denied (PR_SET_THP_DISABLE, set by
# tests/vm/without_thp), each checked against the buffer's own smaps, read while the case runs.
# Sourced by run.sh (functions named test_*).

# thp_buffer_kb PID: "SIZE HUGE" in kB (Size, AnonHugePages) of the process's MADV_HUGEPAGE
# mapping once every page of it is resident, as its smaps says; nothing before then.
thp_buffer_kb() {
    awk '/^[0-9a-f]+-[0-9a-f]+ / { size = rss = huge = 0 }
         /^Size:/ { size = $2 }
         /^Rss:/ { rss = $2 }
         /^AnonHugePages:/ { huge = $2 }
         /^VmFlags:/ && / hg( |$)/ && size > 0 && rss == size { print size, huge }' \
        "/proc/$1/smaps" 2>/dev/null | head -n 1
}

thp_offered_here() {
    grep -Eq '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
}

# thp_case_matches_smaps NAME [WRAPPER...]: run an 8 MiB THP cpu case on host memory (through
# WRAPPER), read its buffer's smaps while it runs, and check that the row says what smaps
# says: page_size_bytes the size most of the buffer is on, huge_fraction the share on huge
# pages, and a note for a THP request not honoured in full. Sets huge_kb, size_kb.
thp_case_matches_smaps() {
    local dir=$work/$1 seen="" pid
    shift
    huge_kb=-1 size_kb=0
    "$@" "$DMABENCH" run cpu --heap host --page-size thp --size 8M --kernel read --reps 30 \
        --counters none -q -o "$dir" >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 1000); do
        seen=$(thp_buffer_kb "$pid")
        [ -n "$seen" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    wait "$pid"
    rc=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    expect_rc 0
    [ -n "$seen" ] || {
        fail "never saw the buffer's mapping resident in /proc/$pid/smaps"
        return
    }
    size_kb=${seen% *} huge_kb=${seen#* }
    local base pmd want_page row
    base=$(getconf PAGESIZE)
    pmd=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)
    want_page=$base
    [ $((huge_kb * 2)) -gt "$size_kb" ] && want_page=$pmd
    row=$(csv_columns "$dir/results.csv" status page_kind page_size_bytes huge_fraction note)
    case $row in
    "ok,thp,$want_page,"*) ;;
    *) fail "row '$row': smaps says $huge_kb of $size_kb kB on huge pages, so page $want_page" ;;
    esac
    awk -v row="$row" -v huge="$huge_kb" -v size="$size_kb" 'BEGIN {
        split(row, f, ",")
        d = f[4] - huge / size
        exit !(f[4] != "" && d < 1e-9 && d > -1e-9)
    }' || fail "huge_fraction in '$row' is not $huge_kb/$size_kb kB (smaps)"
    if [ "$huge_kb" -eq 0 ]; then
        grep -q 'THP denied' <<<"$row" || fail "no 'THP denied' note in '$row'"
    elif [ "$huge_kb" -lt "$size_kb" ]; then
        grep -q 'THP partly granted' <<<"$row" || fail "no 'THP partly granted' note in '$row'"
    else
        ! grep -q 'THP' <<<"$row" || fail "a note on THP for a request granted in full: '$row'"
    fi
}

test_thp_denied_row_says_so() {
    if ! thp_offered_here; then
        # THP is [never] here: the case cannot even ask, and says so instead of claiming.
        run run cpu --heap host --page-size thp --size 8M --kernel read --reps 2 --counters none \
            -q -o "$work/thp-never"
        expect_rc 0
        csv_columns "$work/thp-never/results.csv" status | grep -qx skipped ||
            fail "THP is never here, yet the thp case was not skipped"
        return
    fi
    thp_case_matches_smaps thp-denied "$WITHOUT_THP"
    [ "$huge_kb" -eq 0 ] || fail "PR_SET_THP_DISABLE, yet smaps shows $huge_kb kB of THP"
}

test_thp_granted_row_says_huge_pages() {
    if ! thp_offered_here; then
        echo "  (THP is $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) here: no" \
            "granted case to check)"
        return
    fi
    thp_case_matches_smaps thp-granted
    # The row matched smaps either way; say when the kernel kept its huge pages to itself.
    [ "$huge_kb" -eq "$size_kb" ] ||
        echo "  (the kernel granted $huge_kb of $size_kb kB on huge pages: the granted path" \
            "was checked as a partial grant)"
}

test_alloc_prints_the_granted_page_size() {
    if ! thp_offered_here; then
        echo "  (THP is not enabled here: no THP buffer to allocate)"
        return
    fi
    run_program "$WITHOUT_THP" "$DMABENCH" alloc --heap host --size 4M --page-size thp
    expect_rc 0
    expect_out '^heap=host .* page=4KiB granted=4KiB huge=0% align=2MiB .*verify=ok$'
}
