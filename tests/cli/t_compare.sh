#!/bin/bash
# tests/cli/t_compare.sh - `dmabench compare` on result sets whose answer is known
# (tests/data/compare, made by make-sets.py there): verdicts, exit codes 0/1/2, every output
# format, board labels, one-sided cases, malformed input named by file and line, and sets of
# schema version 1 still read.
# Sourced by run.sh (functions named test_*).

cmp_data=tests/data/compare

test_compare_help() {
    run compare --help
    expect_rc 0
    expect_out '^usage: dmabench compare BASE NEW'
    expect_out 'table \(default\), md, csv, junit, lava, lava-signal'
    expect_out 'send-to-lava.sh does \(lava-test-case here: not on PATH\)'
    run help
    expect_out '^  compare +compare result sets'
}

test_compare_regression_exits_1() {
    run compare "$cmp_data/base" "$cmp_data/slower"
    expect_rc 1
    expect_out 'size=4KiB;.*kernel=read:c;.* bandwidth +bytes/s +10G +9G +-10\.0% +7\.4e-07 +regression$'
    expect_out '^verdicts: 3 same, 1 regression, 1 base-only, 1 new-only, 1 skipped$'
    expect_out 'size=64KiB;.* 12G +- +- +- +base-only$'
    expect_out 'kernel=copy:c;.* - +5G +- +- +new-only$'
    expect_out '^cpu +system +bandwidth +higher +2 +0\.9566 +-4\.3% +1/0$'
    # The path may name results.csv instead of the directory.
    run compare "$cmp_data/base/results.csv" "$cmp_data/slower/results.csv" --format csv
    expect_rc 1
}

test_compare_noise_and_improvements_exit_0() {
    run compare "$cmp_data/base" "$cmp_data/noisy"
    expect_rc 0
    expect_out 'size=1MiB;.* 8G +7\.2G +-10\.0% +0\.060 +not-significant$'
    run compare "$cmp_data/base" "$cmp_data/faster"
    expect_rc 0
    expect_out '^verdicts: 3 same, 2 improvement, 1 skipped$'
    run compare "$cmp_data/base" "$cmp_data/same"
    expect_rc 0
    # A 10% threshold lets the slowdown pass; a 0.05 alpha cannot be met with p = 0.06.
    run compare "$cmp_data/base" "$cmp_data/slower" --threshold 10%
    expect_rc 0
}

test_compare_failing_case_exits_1() {
    run compare "$cmp_data/base" "$cmp_data/failing"
    expect_rc 1
    expect_out 'alloc_latency +ns +90k +- +- +- +failing$'
    expect_out 'error in new: Cannot allocate memory: the heap has no room'
}

test_compare_boards_are_differences() {
    run compare "$cmp_data/base" "$cmp_data/boardb"
    expect_rc 0
    expect_out '^Test Board A vs Test Board B$'
    expect_out '^case +metric +unit +Test Board A +Test Board B +change +p +verdict$'
    expect_out 'bandwidth +bytes/s +10G +9G +-10\.0% +7\.4e-07 +worse$'
    expect_out 'differences between boards are not'
    ! grep -q 'regression$' <<<"$out" || fail "a board difference called a regression"
}

test_compare_formats() {
    run compare "$cmp_data/base" "$cmp_data/slower" --format md
    expect_rc 1
    expect_out '^## base vs new$'
    expect_out '^\| case \| metric \| unit \| base \| new \| change \| p \| verdict \|$'
    expect_out '^\|---\|---\|---\|---:\|---:\|---:\|---:\|---\|$'
    run compare "$cmp_data/base" "$cmp_data/slower" --format csv
    expect_rc 1
    [ "$(head -1 <<<"$out")" = "base,new,case_id,bench,heap,metric,unit,better,base_status,new_status,base_n,new_n,base_median,new_median,ratio,change_pct,p_value,test,few_samples,verdict" ] ||
        fail "csv header"
    expect_out '^base,new,cpu:heap=system;size=4KiB;.*,bandwidth,bytes/s,higher,ok,ok,12,12,9999999998,9000000000,0\.9000000002,-9\.999999982,7\.396023011e-07,exact,no,regression$'
    [ "$(grep -c . <<<"$out")" -eq 8 ] || fail "csv: want a header and 7 cases"
    run compare "$cmp_data/base" "$cmp_data/slower" --format junit
    expect_rc 1
    printf '%s\n' "$out" >"$work/junit.xml"
    xmllint --noout --schema tests/data/schemas/junit-10.xsd "$work/junit.xml" 2>"$work/xmllint.err" ||
        fail "junit.xml against junit-10.xsd: $(head -3 "$work/xmllint.err")"
    python3 - "$work/junit.xml" <<'PY' || fail "junit: not the XML expected"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("tests") == "7" and suite.get("failures") == "1", suite.attrib
assert suite.get("skipped") == "3", suite.attrib
# The NEW run's wall time, host and properties, and BASE's as base_*; a case's time is NEW's.
assert suite.get("time") == "100.500" and suite.get("hostname") == "slower", suite.attrib
props = {p.get("name"): p.get("value") for p in suite.find("properties")}
assert props["run_id"] == "20260103T000000Z" and props["base_run_id"] == "20260101T000000Z", props
assert props["board"] == "Test Board A" and props["kernel"] == "6.12.9-test", props
assert props["dmabench_version"] == "0.1" and props["base_dmabench_version"] == "0.1", props
assert all(c.get("time") for c in suite.iter("testcase") if c.find("skipped") is None)
failed = [c for c in suite if c.find("failure") is not None]
assert len(failed) == 1 and "kernel=read:c" in failed[0].get("name"), failed
assert failed[0].find("failure").get("message").startswith("regression: median 10G -> 9G")
PY
}

test_compare_lava_lines_and_helper() {
    run compare "$cmp_data/base" "$cmp_data/slower" --format lava
    expect_rc 1
    # Off LAVA (no lava-test-case on PATH): the signal lines, as send-to-lava.sh prints them.
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.system\.4KiB\.0B\.base\.1\.read_c\.any\.bandwidth RESULT=fail UNITS=% MEASUREMENT=-9\.999999982>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.system\.64KiB\.0B\.base\.1\.read_c\.any\.bandwidth RESULT=skip>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-compare RESULT=fail>$'
    printf '%s\n' "$out" >"$work/compare-lava.out"
    run compare "$cmp_data/base" "$cmp_data/slower" --format lava-signal
    [ "$out" = "$(cat "$work/compare-lava.out")" ] || fail "lava off LAVA is not lava-signal"

    run compare "$cmp_data/base" "$cmp_data/faster" --format lava-signal
    expect_rc 0
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.system\.4KiB\.0B\.base\.1\.read_c\.any\.bandwidth RESULT=pass UNITS=% MEASUREMENT=10\.00000002>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-compare RESULT=pass>$'
    # Inside a LAVA test shell the helper is on PATH and is run instead, once per result.
    mkdir -p "$work/lava-bin"
    printf '#!/bin/sh\necho "$*" >>"%s"\n' "$work/lava-calls" >"$work/lava-bin/lava-test-case"
    chmod +x "$work/lava-bin/lava-test-case"
    rm -f "$work/lava-calls"
    PATH="$work/lava-bin:$PATH" run compare "$cmp_data/base" "$cmp_data/slower" --format lava
    expect_rc 1
    [ "$(wc -l <"$work/lava-calls")" -eq 8 ] || fail "helper called $(wc -l <"$work/lava-calls") times, want 8"
    grep -qx 'cpu.system.4KiB.0B.base.1.read_c.any.bandwidth --result fail --measurement -9.999999982 --units %' \
        "$work/lava-calls" || fail "helper arguments: $(head -2 "$work/lava-calls")"
    [ -z "$out" ] || fail "lines printed although the helper ran"
}

test_compare_few_samples_warn() {
    run compare "$cmp_data/base" "$cmp_data/few"
    expect_rc 1
    expect_out '0\.001\* +regression$'
    expect_out '^warning: 1 comparison \(p marked \*\) has fewer than 9 samples on a side'
    run compare "$cmp_data/base" "$cmp_data/few" --format csv
    expect_err '^dmabench: compare: warning: 1 comparison has fewer than 9 samples on a side'
}

test_compare_bad_input_exits_2() {
    run compare "$cmp_data/base"
    expect_rc 2
    expect_err 'compare: needs BASE and NEW'
    expect_one_line_err
    run compare "$cmp_data/base" "$cmp_data/slower" --format xml
    expect_rc 2
    expect_err "--format 'xml': expected table, md, csv, junit, lava, lava-signal or json"
    run compare "$cmp_data/base" "$cmp_data/slower" --alpha 2
    expect_rc 2
    run compare "$cmp_data/base" "$cmp_data/slower" --threshold five
    expect_rc 2
    expect_err "--threshold 'five': expected a number"
    run compare "$cmp_data/base" "$work/nowhere"
    expect_rc 2
    expect_err "nowhere: No such file or directory"
    expect_one_line_err
}

test_compare_malformed_csv_names_file_and_line() {
    cp -r "$cmp_data/slower" "$work/bad"
    # A quote inside an unquoted field on line 4 of results.csv.
    sed -i '4s/,dma-heap,/,dma"heap,/' "$work/bad/results.csv"
    run compare "$cmp_data/base" "$work/bad"
    expect_rc 2
    expect_err "^dmabench: compare: $work/bad/results.csv:4: malformed quoting"
    expect_one_line_err
    cp "$cmp_data/slower/results.csv" "$work/bad/results.csv"
    sed -i -E '7s/,[0-9.e+]*(,[0-9.e+]*)$/,fast\1/' "$work/bad/samples.csv"
    run compare "$cmp_data/base" "$work/bad"
    expect_rc 2
    expect_err "^dmabench: compare: $work/bad/samples.csv:7: value 'fast' is not a finite number$"
    cp "$cmp_data/slower/samples.csv" "$work/bad/samples.csv"
    sed -i '3s/,12,/,twelve,/' "$work/bad/results.csv"
    run compare "$cmp_data/base" "$work/bad"
    expect_rc 2
    expect_err "$work/bad/results.csv:3: n 'twelve' is not a number"
    cp "$cmp_data/slower/results.csv" "$work/bad/results.csv"
    rm "$work/bad/samples.csv"
    run compare "$cmp_data/base" "$work/bad"
    expect_rc 2
    expect_err "$work/bad/samples.csv: No such file or directory"
}

# The shipped sets are what `dmabench run` writes today (v1-base apart): valid to the validator
# of new runs, with the writer's header.
test_compare_sets_are_valid_runs() {
    local d header
    for d in "$cmp_data"/*/; do
        d=${d%/}
        [ "${d##*/}" = v1-base ] && continue
        "$VALIDATE" "$d" >/dev/null || fail "$d does not validate"
    done
    header=$(head -1 "$cmp_data/v1-base/results.csv")
    [ "$(tr , '\n' <<<"$header" | grep -c .)" -eq 36 ] || fail "v1-base: not the 36 columns of schema 1"
    grep -q '^1,' "$cmp_data/v1-base/results.csv" || fail "v1-base: not schema version 1"
}

# The shipped sets are what make-sets.py writes, so its column list is the writer's too (the
# sets validate, above).
test_compare_sets_are_made_by_make_sets() {
    python3 "$cmp_data/make-sets.py" "$work/sets" || fail "make-sets.py failed"
    diff -r -x make-sets.py "$cmp_data" "$work/sets" >&2 || fail "the shipped sets are not make-sets.py's"
}

# A set written by schema version 1 is still read: compared with the same run in version 3,
# nothing differs, and export reads it too.
test_compare_reads_schema_1() {
    run compare "$cmp_data/v1-base" "$cmp_data/base"
    expect_rc 0
    expect_out '^verdicts: 5 same, 1 skipped$'
    expect_out 'size=4KiB;.*kernel=read:c;.* bandwidth +bytes/s +10G +10G +\+0\.0% +1\.000 +same$'
    run compare "$cmp_data/v1-base" "$cmp_data/slower"
    expect_rc 1
    expect_out '^verdicts: 3 same, 1 regression, 1 base-only, 1 new-only, 1 skipped$'
    run export "$cmp_data/v1-base" --format lava
    expect_rc 0
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=alloc\.system\.4KiB\.0B\.base\.1\.alloc\.any\.alloc_latency RESULT=pass UNITS=ns MEASUREMENT=3000>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-run RESULT=pass>$'
    # A version this dmabench does not know is refused, naming those it reads.
    cp -r "$cmp_data/base" "$work/v9"
    sed -i "2s/^3,/9,/" "$work/v9/results.csv"
    run compare "$cmp_data/base" "$work/v9"
    expect_rc 2
    expect_err "^dmabench: compare: $work/v9/results.csv:2: schema_version '9': this dmabench reads versions 1 to 3\$"
}
