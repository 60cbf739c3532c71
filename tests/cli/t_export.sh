#!/bin/bash
# tests/cli/t_export.sh - `dmabench export` for board farms and CI: LAVA lines and the helper,
# KCIDB JSON validated against the v5 schema (tests/data/kcidb-v5.0-subset.schema.json), JUnit,
# and the LAVA test definition and example job validated by Debian's lava-common.
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

test_export_kcidb_validates() {
    run export tests/data/compare/failing --format kcidb
    expect_rc 0
    printf '%s\n' "$out" >"$work/kcidb.json"
    "$sys_python" - "$work/kcidb.json" tests/data/kcidb-v5.0-subset.schema.json <<'PY' ||
import json, sys, jsonschema
data, schema = (json.load(open(p)) for p in sys.argv[1:3])
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
errors = list(v.iter_errors(data))
for e in errors:
    print("kcidb:", list(e.absolute_path), e.message)
assert not errors
assert data["version"] == {"major": 5, "minor": 0}
tests = {t["path"]: t for t in data["tests"]}
assert len(data["tests"]) == 7, len(data["tests"])
root = tests["dmabench"]
assert root["status"] == "FAIL" and root["duration"] == 100.5, root
bw = tests["dmabench.cpu.system.4KiB.0B.base.1.read_c.any.bandwidth"]
assert bw["status"] == "DONE", bw
assert bw["number"] == {"value": 10008333340.0, "unit": "B/s", "prefix": "metric"}, bw
assert bw["environment"]["compatible"] == ["test,board", "test,soc"], bw
lat = tests["dmabench.alloc.system.4KiB.0B.base.1.alloc.any.alloc_latency"]
assert lat["number"]["unit"] == "s" and abs(lat["number"]["value"] - 3.0025e-06) < 1e-15, lat
assert tests["dmabench.alloc.system.1MiB.0B.base.1.alloc.any.alloc_latency"]["status"] == "FAIL"
assert tests["dmabench.cpu.system.4KiB.0B.base.1.read_avx512.any.bandwidth"]["status"] == "SKIP"
assert data["builds"][0]["architecture"] == "aarch64"
assert all(t["build_id"] == data["builds"][0]["id"] for t in data["tests"])
PY
        fail "KCIDB JSON does not validate"
    # The schema is not a rubber stamp: a broken document fails it.
    sed 's/"DONE"/"DONE_"/' "$work/kcidb.json" >"$work/kcidb-bad.json"
    ! "$sys_python" -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
        "$work/kcidb-bad.json" tests/data/kcidb-v5.0-subset.schema.json 2>/dev/null ||
        fail "an unknown status passed the schema"
    # Attached to a build KCIDB has: only tests, no checkout or build of our own.
    run export tests/data/compare/base --format kcidb --origin mylab --build-id kernelci:abc123
    expect_rc 0
    printf '%s\n' "$out" >"$work/kcidb2.json"
    "$sys_python" -c 'import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.validate(d, json.load(open(sys.argv[2])))
assert "builds" not in d and "checkouts" not in d
assert all(t["build_id"] == "kernelci:abc123" and t["origin"] == "mylab" for t in d["tests"])
assert all(t["id"].startswith("mylab:") for t in d["tests"])' \
        "$work/kcidb2.json" tests/data/kcidb-v5.0-subset.schema.json || fail "kcidb --build-id"
}

test_export_junit() {
    run export tests/data/compare/failing --format junit
    expect_rc 0
    printf '%s\n' "$out" >"$work/run-junit.xml"
    python3 - "$work/run-junit.xml" <<'PY' || fail "junit: not the XML expected"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("name") == "dmabench run 20260106T000000Z on Test Board A", suite.attrib
assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "1", "1")
f = [c for c in suite if c.find("failure") is not None][0]
assert "Cannot allocate memory" in f.find("failure").get("message")
PY
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
