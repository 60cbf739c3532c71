#!/bin/bash
# tests/cli/t_export.sh - `dmabench export` for board farms and CI: LAVA signal lines, names and
# the helper; KCIDB JSON validated against the upstream v5.0 and v5.3 schemas and JUnit XML
# against Jenkins' junit-10.xsd (tests/data/schemas/); the LAVA test definition and example job
# validated by Debian's lava-common.
# Sourced by run.sh (functions named test_*).

# Debian's python3 and its packages (lava-common, python3-jsonschema), not another python3
# that may come first on PATH.
sys_python=/usr/bin/python3

test_export_help_and_usage() {
    run export --help
    expect_rc 0
    expect_out '^usage: dmabench export RESULTS --format lava\|lava-signal\|kcidb\|junit'
    expect_out '\(lava-test-case here: not on PATH\)'
    run export tests/data/compare/base
    expect_rc 2
    expect_err 'needs one result set and --format'
    run export tests/data/compare/base --format yaml
    expect_rc 2
    run export tests/data/compare/base --format kcidb --origin Bad-Origin
    expect_rc 2
    expect_err "--origin 'Bad-Origin'"
    run export tests/data/compare/base --format kcidb --build-id nocolon
    expect_rc 2
    expect_err "build id 'nocolon': KCIDB ids are ORIGIN:ID"
}

test_export_lava() {
    # Off LAVA (no lava-test-case on PATH) the lava format prints the signal lines, as Linaro's
    # send-to-lava.sh does, so that the same test definition runs under test-runner.py.
    run export tests/data/compare/failing --format lava
    expect_rc 0
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.system\.4KiB\.0B\.base\.1\.read_c\.any\.bandwidth RESULT=pass UNITS=bytes/s MEASUREMENT=1\.000833334e\+10>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=cpu\.system\.4KiB\.0B\.base\.1\.read_avx512\.any\.bandwidth RESULT=skip>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=alloc\.system\.1MiB\.0B\.base\.1\.alloc\.any\.alloc_latency RESULT=fail>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-run RESULT=fail>$'
    [ "$(grep -c . <<<"$out")" -eq 7 ] || fail "want 6 cases and the run"
    printf '%s\n' "$out" >"$work/lava-fallback.out"
    run export tests/data/compare/failing --format lava-signal
    [ "$out" = "$(cat "$work/lava-fallback.out")" ] || fail "lava off LAVA is not lava-signal"
    run export tests/data/compare/base --format lava-signal
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=alloc\.system\.4KiB\.0B\.base\.1\.alloc\.any\.alloc_latency RESULT=pass UNITS=ns MEASUREMENT=3000>$'
    expect_out '^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=dmabench-run RESULT=pass>$'
    # A helper that fails is an error of export.
    mkdir -p "$work/false-bin"
    printf '#!/bin/sh\nexit 3\n' >"$work/false-bin/lava-test-case"
    chmod +x "$work/false-bin/lava-test-case"
    PATH="$work/false-bin:$PATH" run export tests/data/compare/base --format lava
    expect_rc 1
    expect_err "export: $work/false-bin/lava-test-case: Input/output error"
}

# lava_sets DIR: the plot sample's every benchmark with its heap "system" renamed to the longest
# heap name of DESIGN's list (DIR/cma: linux,cma-uncached) or to a 63-character vendor name
# (DIR/vendor: a dma-heap name is at most 63 bytes and a NUL); DIR/vendor-later is a later run
# of that, with other numbers and its rows in another order.
lava_sets() {
    "$sys_python" - tests/data/plot-sample/board-b "$1" <<'PY'
import csv, os, shutil, sys
src, dest = sys.argv[1:3]
vendor = "vendor,secure-video-protected-carveout-heap-uncached-region-001"
assert len(vendor) == 63, len(vendor)
for run, heap, later in (("cma", "linux,cma-uncached", False), ("vendor", vendor, False),
                         ("vendor-later", vendor, True)):
    os.makedirs(f"{dest}/{run}")
    shutil.copy(f"{src}/metadata.csv", f"{dest}/{run}/metadata.csv")
    rows = list(csv.reader(open(f"{src}/results.csv", newline="")))
    head, body = rows[0], rows[1:]
    cid, col, median = head.index("case_id"), head.index("heap"), head.index("median")
    for r in body:
        if r[col] == "system":
            r[col] = heap
            r[cid] = r[cid].replace("heap=system;", f"heap={heap};")
        if later and r[median]:
            r[median] = str(float(r[median]) * 1.5)
    if later:
        body.reverse()
    with open(f"{dest}/{run}/results.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([head] + body)
PY
}

test_export_lava_names_fit() {
    lava_sets "$work/lava-names" || fail "lava_sets"
    for set in cma vendor vendor-later; do
        run export "$work/lava-names/$set" --format lava-signal
        expect_rc 0
        printf '%s\n' "$out" >"$work/lava-$set.out"
    done
    "$sys_python" - "$work/lava-names" "$work" <<'PY' || fail "LAVA names: $(head -3 "$work/lava-vendor.out")"
import csv, re, sys
sets, work = sys.argv[1:3]
def cases(name):
    names, notes = [], {}
    for line in open(f"{work}/lava-{name}.out"):
        m = re.match(r"^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=(\S+) RESULT=", line)
        if m:
            names.append(m.group(1))
        m = re.match(r"^dmabench: (\S+) is (\S+) (\S+)$", line)
        if m:
            notes[m.group(1)] = (m.group(2), m.group(3))
    rows = list(csv.DictReader(open(f"{sets}/{name}/results.csv", newline="")))
    assert len(names) == len(rows) + 1, (name, len(names), len(rows))
    assert all(len(n) <= 100 for n in names), max(names, key=len)
    assert len(set(names)) == len(names), "two cases share a name"
    return names, notes, rows
cma, cma_notes, _ = cases("cma")
vendor, notes, rows = cases("vendor")
later, _, _ = cases("vendor-later")
# linux,cma-uncached: every name fits whole and reads as the case.
assert not cma_notes, cma_notes
assert "sync.linux_cma-uncached.4MiB.0B.base.any.partial-user.write.256KiB.0B.1.dirty.1.sync_cost_per_mib" in cma
# The 63-character heap: cut names, 100 characters at most, the heap shortened so that the
# parameters still read, a hash at the end, and a note naming the whole case.
cut = [n for n in vendor if re.search(r"-[0-9a-f]{12}$", n)]
assert cut and set(notes) == set(cut), set(notes) ^ set(cut)
assert any(n.startswith("sync.vendor_secure-") and n.endswith(".partial-user.write.4KiB.0B.1.dirty.1.sync_cost-" + n[-12:])
           for n in cut), [n for n in cut if n.startswith("sync.")][:3]
for n in cut:
    case, metric = notes[n]
    assert any(r["case_id"] == case and r["metric"] == metric for r in rows), (n, case)
# Stable: a later run, with other numbers and its rows in another order, gives the same names.
assert sorted(vendor) == sorted(later)
PY
}

test_export_lava_signal_parsers() {
    # Every line reads right for LAVA's dispatcher (<LAVA_SIGNAL_(\S+) ([^>]+)>, each parameter
    # exactly one KEY=VALUE) and for test-runner.py (a line starting <LAVA_SIGNAL_TESTCASE
    # TEST_CASE_ID=, a float MEASUREMENT); a case note is neither.
    lava_sets "$work/lava-parse" || fail "lava_sets"
    run export "$work/lava-parse/vendor" --format lava
    expect_rc 0
    printf '%s\n' "$out" >"$work/lava-parse.out"
    "$sys_python" - "$work/lava-parse.out" <<'PY' || fail "signal lines: $(head -3 "$work/lava-parse.out")"
import re, sys
signals = 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.search(r"<LAVA_SIGNAL_(\S+) ([^>]+)>", line)
    if line.startswith("dmabench: "):
        assert not m and "<" not in line and ">" not in line, line
        continue
    assert m and m.group(1) == "TESTCASE" and m.end() == len(line), line
    params = dict(p.split("=") for p in m.group(2).split())
    assert all(len(p.split("=")) == 2 for p in m.group(2).split()), line
    assert set(params) <= {"TEST_CASE_ID", "RESULT", "UNITS", "MEASUREMENT"}, line
    assert params["RESULT"] in ("pass", "fail", "skip"), line
    if "MEASUREMENT" in params:
        float(params["MEASUREMENT"])
        assert params["UNITS"], line
    assert re.match(r"<(|LAVA_SIGNAL_TESTCASE )TEST_CASE_ID=.*", line), line
    signals += 1
assert signals > 100, signals
PY
}

# kcidb_valid FILE: FILE validates against both upstream KCIDB schemas, v5.0 and v5.3 (the
# newest), with Debian's python3-jsonschema, as kcidb-io does it (Draft 7).
kcidb_valid() {
    "$sys_python" - "$1" "$schemas/kcidb-v5.0.schema.json" "$schemas/kcidb-v5.3.schema.json" <<'PY' ||
import json, sys, jsonschema
data = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    v = jsonschema.Draft7Validator(json.load(open(path)), format_checker=jsonschema.FormatChecker())
    errors = list(v.iter_errors(data))
    for e in errors:
        print(path, list(e.absolute_path), e.message)
    assert not errors
PY
        fail "$1 does not validate against KCIDB v5.0 and v5.3"
}

test_export_kcidb_validates() {
    run export tests/data/compare/failing --format kcidb --kernel-tree mainline \
        --kernel-commit 0123456789ABCDEF0123456789abcdef01234567
    expect_rc 0
    printf '%s\n' "$out" >"$work/kcidb.json"
    kcidb_valid "$work/kcidb.json"
    "$sys_python" - "$work/kcidb.json" <<'PY' || fail "KCIDB JSON: not what was expected"
import json, sys
data = json.load(open(sys.argv[1]))
assert data["version"] == {"major": 5, "minor": 0}
tests = {t["path"]: t for t in data["tests"]}
assert len(data["tests"]) == 7, len(data["tests"])
# The checkout carries the kernel's tree and commit (lower case, as KCIDB wants it).
co = data["checkouts"][0]
assert co["tree_name"] == "mainline", co
assert co["git_commit_hash"] == "0123456789abcdef0123456789abcdef01234567", co
root = tests["dmabench"]
assert root["status"] == "FAIL" and root["duration"] == 100.5, root
# The environment in full once, on the run's test; a case's test has only the compatible
# strings dashboards group by.
assert root["environment"]["misc"]["cpu_model"] == "Test CPU x4", root["environment"]
assert root["environment"]["compatible"] == ["test,board", "test,soc"]
cases = [t for t in data["tests"] if t["path"] != "dmabench"]
assert all(t["environment"] == {"compatible": ["test,board", "test,soc"]} for t in cases)
bw = tests["dmabench.cpu.system.4KiB.0B.base.1.read_c.any.bandwidth"]
assert bw["status"] == "DONE", bw
assert bw["number"] == {"value": 10008333340.0, "unit": "B/s", "prefix": "metric"}, bw
# Statistics are numbers; the case's time is its repetitions' timed work.
m = bw["misc"]
assert m["n"] == 12 and m["median"] == 10008333340 and m["ci_low"] == 9950000000, m
assert isinstance(m["p99"], (int, float)) and m["status"] == "ok" and m["better"] == "higher", m
assert bw["duration"] == 0.12, bw
lat = tests["dmabench.alloc.system.4KiB.0B.base.1.alloc.any.alloc_latency"]
assert lat["number"]["unit"] == "s" and abs(lat["number"]["value"] - 3.0025e-06) < 1e-15, lat
assert lat["misc"]["median"] == 3002.5, lat["misc"]
assert tests["dmabench.alloc.system.1MiB.0B.base.1.alloc.any.alloc_latency"]["status"] == "FAIL"
assert tests["dmabench.cpu.system.4KiB.0B.base.1.read_avx512.any.bandwidth"]["status"] == "SKIP"
assert data["builds"][0]["architecture"] == "aarch64"
assert all(t["build_id"] == data["builds"][0]["id"] for t in data["tests"])
PY
    # The schemas are not a rubber stamp: a broken document fails them.
    sed 's/"DONE"/"DONE_"/' "$work/kcidb.json" >"$work/kcidb-bad.json"
    ! "$sys_python" -c 'import json, sys, jsonschema
jsonschema.Draft7Validator(json.load(open(sys.argv[2]))).validate(json.load(open(sys.argv[1])))' \
        "$work/kcidb-bad.json" "$schemas/kcidb-v5.3.schema.json" 2>/dev/null ||
        fail "an unknown status passed the schema"
    # Attached to a build KCIDB has: only tests, no checkout or build of our own.
    run export tests/data/compare/base --format kcidb --origin mylab --build-id kernelci:abc123
    expect_rc 0
    printf '%s\n' "$out" >"$work/kcidb2.json"
    kcidb_valid "$work/kcidb2.json"
    "$sys_python" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert "builds" not in d and "checkouts" not in d
assert all(t["build_id"] == "kernelci:abc123" and t["origin"] == "mylab" for t in d["tests"])
assert all(t["id"].startswith("mylab:") for t in d["tests"])' \
        "$work/kcidb2.json" || fail "kcidb --build-id"
    # A tree and commit describe our own checkout: not with --build-id; a commit is 40 digits.
    run export tests/data/compare/base --format kcidb --build-id kernelci:abc123 --kernel-tree next
    expect_rc 2
    expect_err 'not with --build-id'
    run export tests/data/compare/base --format kcidb --kernel-commit abc123
    expect_rc 2
    expect_err "kernel commit 'abc123': KCIDB wants the full 40-digit hash"
}

test_export_kcidb_commit_from_release() {
    # A kernel built with CONFIG_LOCALVERSION_AUTO names its commit in its release: the
    # checkout's git_commit_name, and its hash when all 40 digits are there.
    local sha=0123456789abcdef0123456789abcdef01234567
    for release in "6.12.0-rc1-00042-g$sha" "6.12.0-rc1-00042-g0123456789ab-dirty" "6.12.9-test"; do
        rm -rf "$work/release"
        cp -r tests/data/compare/base "$work/release"
        sed -i "s/^3,kernel_release,.*/3,kernel_release,$release/" "$work/release/metadata.csv"
        run export "$work/release" --format kcidb
        expect_rc 0
        printf '%s\n' "$out" >"$work/release.json"
        kcidb_valid "$work/release.json"
        "$sys_python" - "$work/release.json" "$release" "$sha" <<'PY' || fail "release $release"
import json, sys
co = json.load(open(sys.argv[1]))["checkouts"][0]
release, sha = sys.argv[2:4]
if release.startswith("6.12.9"):
    assert "git_commit_name" not in co and "git_commit_hash" not in co, co
else:
    assert co["git_commit_name"] == release, co
    assert co.get("git_commit_hash") == (sha if sha in release else None), co
PY
    done
}

schemas=tests/data/schemas

# junit_valid FILE: FILE is UTF-8 and valid against Jenkins' junit-10.xsd.
junit_valid() {
    "$sys_python" -c 'import sys; open(sys.argv[1], encoding="utf-8", errors="strict").read()' "$1" ||
        fail "$1 is not UTF-8"
    xmllint --noout --schema "$schemas/junit-10.xsd" "$1" 2>"$work/xmllint.err" ||
        fail "$1 does not validate: $(head -5 "$work/xmllint.err")"
}

test_export_junit() {
    run export tests/data/compare/failing --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/run-junit.xml"
    junit_valid "$work/run-junit.xml"
    "$sys_python" - "$work/run-junit.xml" <<'PY' || fail "junit: not the XML expected"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("name") == "dmabench run 20260106T000000Z on Test Board A", suite.attrib
assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "1", "1")
# The run's wall time (metadata start_time to end_time), its host, its properties.
assert suite.get("time") == "100.500" and suite.get("hostname") == "failing", suite.attrib
props = {p.get("name"): p.get("value") for p in suite.find("properties")}
assert props["board"] == "Test Board A" and props["kernel"] == "6.12.9-test", props
assert props["dmabench_version"] == "0.1" and props["run_id"] == "20260106T000000Z", props
# A case's time: its repetitions' timed work (samples.csv duration_ns, once per repetition).
cases = {c.get("name"): c for c in suite.iter("testcase")}
bw = cases["cpu:heap=system;size=4KiB;align=0B;page-size=base;threads=1;kernel=read:c;node=any bandwidth"]
assert bw.get("time") == "0.120", bw.attrib
f = [c for c in suite if c.find("failure") is not None][0]
assert "Cannot allocate memory" in f.find("failure").get("message")
PY
    # Too few samples for an interval: the text says so, no empty "[, ]".
    run export tests/data/compare/few --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/few-junit.xml"
    junit_valid "$work/few-junit.xml"
    ! grep -q '\[, \]' "$work/few-junit.xml" || fail "an empty interval: $(grep '\[, \]' "$work/few-junit.xml")"
    expect_out 'no CI of the median \(too few samples\)'
    # Without samples.csv the cases have no time, and the rest is the same.
    mkdir -p "$work/no-samples"
    cp tests/data/compare/failing/results.csv tests/data/compare/failing/metadata.csv "$work/no-samples/"
    run export "$work/no-samples" --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/no-samples.xml"
    junit_valid "$work/no-samples.xml"
    ! grep -q '<testcase [^>]*time=' "$work/no-samples.xml" || fail "a case time without samples"
}

test_export_junit_invalid_utf8() {
    # A heap name with bytes that are not UTF-8 (a board can name its heaps anything) and a
    # control character in an error text: the XML is still UTF-8 and valid, the bytes become
    # U+FFFD.
    mkdir -p "$work/badutf8"
    cp tests/data/compare/base/samples.csv tests/data/compare/base/metadata.csv "$work/badutf8/"
    sed -e 's/heap=system;/heap=sys\xff\xfetem\xc3;/' -e 's/,system,/,sys\xff\xfetem\xc3,/' \
        tests/data/compare/base/results.csv >"$work/badutf8/results.csv"
    sed -i 's/heap=sys\xff\xfetem\xc3;/heap=sys\xff\xfetem\xc3;/' "$work/badutf8/samples.csv"
    grep -q $'sys\xff' "$work/badutf8/results.csv" || fail "the fixture has no bad bytes"
    run export "$work/badutf8" --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/badutf8.xml"
    junit_valid "$work/badutf8.xml"
    grep -q $'dmabench\.cpu\.sys\xef\xbf\xbd\xef\xbf\xbdtem\xef\xbf\xbd"' "$work/badutf8.xml" ||
        fail "no U+FFFD for the bad bytes: $(grep -m1 classname "$work/badutf8.xml")"
    run compare "$work/badutf8" "$work/badutf8" --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/badutf8-compare.xml"
    junit_valid "$work/badutf8-compare.xml"
}

test_export_schemas_are_upstream() {
    # tests/data/schemas/ holds the consumers' schemas unchanged: where the shared copy is here,
    # they are the same bytes (DMABENCH_SHARED_SCHEMAS names another place for that folder).
    local shared=${DMABENCH_SHARED_SCHEMAS:-../shared/schemas} f
    [ -d "$shared" ] || return 0
    for f in junit-10.xsd kcidb-v5.0.schema.json kcidb-v5.3.schema.json; do
        cmp -s "$shared/$f" "$schemas/$f" || fail "$schemas/$f differs from $shared/$f"
    done
}

test_lava_definitions_validate() {
    # LAVA's own checkers from Debian's lava-common: the test definition schema, and
    # lava-schema.py (strict) for the example job.
    "$sys_python" -c 'import sys, yaml
from lava_common.schemas.test.testdef import validate
validate(yaml.safe_load(open(sys.argv[1])))' lava/dmabench.yaml || fail "lava/dmabench.yaml"
    "$sys_python" /usr/share/lava-common/lava-schema.py job --strict lava/job-example.yaml \
        >"$work/lava-schema.out" || fail "lava/job-example.yaml: $(cat "$work/lava-schema.out")"
    # The example job reserves CMA for the linux,cma heap through the job context.
    "$sys_python" -c 'import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
assert job["context"]["extra_kernel_args"].startswith("cma="), job.get("context")' \
        lava/job-example.yaml || fail "lava/job-example.yaml reserves no CMA"
    # And it does reject: a test definition without a name, a job with an unknown boot method.
    ! "$sys_python" -c 'import sys, yaml
from lava_common.schemas.test.testdef import validate
d = yaml.safe_load(open(sys.argv[1])); del d["metadata"]["name"]; validate(d)' \
        lava/dmabench.yaml 2>/dev/null || fail "a nameless test definition passed"
    sed 's/method: u-boot/method: u-boots/' lava/job-example.yaml >"$work/bad-job.yaml"
    ! "$sys_python" /usr/share/lava-common/lava-schema.py job --strict "$work/bad-job.yaml" \
        >/dev/null || fail "an unknown boot method passed"
}

test_lava_collect_round_trip() {
    # What lava/run.sh prints on the console, inside a log, comes back as a result set.
    mkdir -p "$work/pack"
    tar -C tests/data/compare/base -czf "$work/pack/r.tgz" results.csv samples.csv metadata.csv
    { echo "boot noise"; echo DMABENCH-RESULTS-BEGIN; base64 "$work/pack/r.tgz"
      echo DMABENCH-RESULTS-END; echo "more noise"; } >"$work/job.log"
    lava/collect.sh "$work/job.log" "$work/collected" >"$work/collect.out" || fail "collect.sh"
    [ "$(cat "$work/collect.out")" = "$work/collected/Test_Board_A/20260101T000000Z" ] ||
        fail "collected to $(cat "$work/collect.out")"
    run compare tests/data/compare/base "$work/collected/Test_Board_A/20260101T000000Z"
    expect_rc 0
    expect_out '^verdicts: 5 same, 1 skipped$'
}
