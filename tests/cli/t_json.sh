#!/bin/bash
# tests/cli/t_json.sh - `export --format json` and `compare --format json` against their JSON
# Schema (results/dmabench-results.schema.json, Draft 7, Debian's python3-jsonschema) on the
# sample sets and on a run made here; the JSON's numbers against the CSV's; bytes that are not
# UTF-8; bad input; and the README's jq one-liners for Bencher and github-action-benchmark.
# Sourced by run.sh (functions named test_*); noise_copy comes from t_noise.sh.

json_schema=results/dmabench-results.schema.json
# Debian's python3 with its python3-jsonschema, not another python3 first on PATH.
json_python=/usr/bin/python3

# json_validate FILE...: each file is one JSON document (strict UTF-8) valid against the schema.
json_validate() {
    "$json_python" - "$json_schema" "$@" <<'PY' || fail "not valid against $json_schema: $*"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
bad = 0
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    for e in v.iter_errors(doc):
        bad += 1
        print(f"{path}: {list(e.absolute_path)}: {e.message[:300]}")
sys.exit(1 if bad else 0)
PY
}

# json_matches_csv JSON DIR: every row, cell, metadata value and raw sample of the export equals
# what DIR's CSV files say (numbers as the numbers the CSV text parses to).
json_matches_csv() {
    "$json_python" - "$1" "$2" <<'PY' || fail "$1 differs from the CSV of $2"
import csv, json, os, sys
doc, d = json.load(open(sys.argv[1])), sys.argv[2]
rows = list(csv.DictReader(open(f"{d}/results.csv", newline="")))
assert len(doc["results"]) == len(rows), (len(doc["results"]), len(rows))
NUMERIC_TEXT = {"schema_version"}
for r, j in zip(rows, doc["results"]):
    assert set(j) == set(r) | {"line", "samples"}, set(j) ^ set(r)
    for k, text in r.items():
        v = j[k]
        if text == "":
            assert v is None, (k, v)
        elif isinstance(v, str):
            assert v == text, (k, v, text)
        else:
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (k, v)
            assert v == float(text), (k, v, text)
samples = {}
if os.path.exists(f"{d}/samples.csv"):
    for s in csv.DictReader(open(f"{d}/samples.csv", newline="")):
        samples.setdefault((s["case_id"], s["metric"]), []).append(float(s["value"]))
if doc["samples"] == "included":
    for j in doc["results"]:
        assert j["samples"] == samples.get((j["case_id"], j["metric"])), j["case_id"]
    assert any(j["samples"] for j in doc["results"]) == bool(samples)
else:
    assert all(j["samples"] is None for j in doc["results"])
if os.path.exists(f"{d}/metadata.csv"):
    md = {m["key"]: m["value"] for m in csv.DictReader(open(f"{d}/metadata.csv", newline=""))}
    assert list(doc["run"]["metadata"]) == list(md), "metadata keys or their order"
    for k, text in md.items():
        v = doc["run"]["metadata"][k]
        assert v == text or (v is not None and not isinstance(v, str) and v == float(text)) or \
            (v is None and text == "unknown"), (k, v, text)
PY
}

json_export() { # SET [OPTION...] -> $work/export.json
    local set=$1
    shift
    run export "$set" --format json "$@"
    expect_rc 0
    printf '%s\n' "$out" >"$work/export.json"
}

test_json_export_sample_sets() {
    local set
    for set in tests/data/plot-sample/* tests/data/compare/*; do
        [ -d "$set" ] || continue
        json_export "$set"
        json_validate "$work/export.json"
        json_matches_csv "$work/export.json" "$set"
    done
    # What each set says about its samples: board-b has no samples.csv; --no-samples leaves
    # them out without reading samples.csv at all.
    json_export tests/data/plot-sample/board-b
    grep -q '^ "samples": "absent",$' "$work/export.json" || fail "board-b: samples not absent"
    json_export tests/data/plot-sample/host --no-samples
    grep -q '^ "samples": "left-out",$' "$work/export.json" || fail "--no-samples: not left-out"
    json_validate "$work/export.json"
    json_matches_csv "$work/export.json" tests/data/plot-sample/host
    json_export tests/data/plot-sample/host
    grep -q '^ "samples": "included",$' "$work/export.json" || fail "host: samples not included"
    # Types by column and key, not by how the text looks: counts are integers, statistics
    # numbers, metadata's numeric keys numbers and the rest text.
    "$json_python" - "$work/export.json" <<'PY' || fail "types of the host export"
import json, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d["results"] if r["bench"] == "cpu"][0]
assert d["schema_version"] == 1 and d["kind"] == "results", d["kind"]
assert r["schema_version"] == 3 and type(r["size_bytes"]) is int and type(r["threads"]) is int, r
assert type(r["median"]) is float and r["batch"] is None and r["status"] == "ok", r
m = d["run"]["metadata"]
assert m["cpu_cores"] == 2 and m["page_size"] == 4096 and m["before_loadavg_1"] == 2.95, m
assert m["before_cpu_steal"] == 37 and m["steal_percent"] == 0.0, m
assert m["git_sha"] == "6daf3bd42531" and m["board"] == "unknown" and m["cases"] == "24 ok, 0 skipped, 0 errors"
assert d["run"]["run_id"] == "20261205T194554Z" and d["run"]["board"] == "vm", d["run"]
PY
    # The schema is not a rubber stamp: a number as text, an unknown verdict, a missing field
    # each fail it.
    json_export tests/data/compare/failing
    json_compare tests/data/compare/base tests/data/compare/slower
    "$json_python" - "$json_schema" "$work/export.json" "$work/compare.json" <<'PY' ||
import copy, json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
exp, cmp = (json.load(open(p)) for p in sys.argv[2:4])
assert v.is_valid(exp) and v.is_valid(cmp)
def broken(doc, change):
    d = copy.deepcopy(doc)
    change(d)
    return not v.is_valid(d)
assert broken(exp, lambda d: d["results"][0].update(median="1.0e10"))
assert broken(exp, lambda d: d["results"][0].update(size_bytes=4096.5))
assert broken(exp, lambda d: d["results"][0].pop("samples"))
assert broken(exp, lambda d: d["run"]["metadata"].update(hostname=3))
assert broken(exp, lambda d: d.update(schema_version=2))
assert broken(cmp, lambda d: d["cases"][0]["cells"][0].update(verdict="regresion"))
assert broken(cmp, lambda d: d["comparisons"][0]["counts"].pop("inconclusive"))
assert broken(cmp, lambda d: d.update(exit_status=2))
PY
        fail "the schema let a broken document pass"
}

# A run made here, with every column this dmabench writes: the schema knows each of them with
# its type, and the export matches the CSV.
test_json_export_run_made_here() {
    local dir=$work/json-run
    run run cpu alloc --heap host --size 16K --reps 9 --counters none -q -o "$dir"
    expect_rc 0
    json_export "$dir"
    json_validate "$work/export.json"
    json_matches_csv "$work/export.json" "$dir"
    "$json_python" - "$json_schema" "$dir/results.csv" "$work/export.json" <<'PY' ||
import csv, json, sys
schema, header = json.load(open(sys.argv[1])), next(csv.reader(open(sys.argv[2])))
doc = json.load(open(sys.argv[3]))
props = schema["definitions"]["result_row"]["properties"]
assert list(props) == header + ["line", "samples"], set(props) ^ set(header)
# Every numeric column of this version is a number in the schema, every text column a string.
for row in doc["results"]:
    for k, v in row.items():
        if v is None or k == "samples":
            continue
        if "enum" in props[k]:
            assert v in props[k]["enum"], (k, v)
            continue
        want = props[k]["type"]
        want = want if isinstance(want, list) else [want]
        got = "string" if isinstance(v, str) else "integer" if isinstance(v, int) else "number"
        assert got in want or (got == "integer" and "number" in want), (k, v, want)
# The metadata of a real run: its numeric keys are numbers.
md = doc["run"]["metadata"]
for k in ("cpu_pus", "page_size", "min_sample_ns", "timing_resolution_ns", "cpus_used",
          "before_loadavg_1", "after_cpu_total", "steal_percent"):
    assert isinstance(md[k], (int, float)), (k, md[k])
assert isinstance(md["run_id"], str) and isinstance(md["git_sha"], str)
assert all(r["samples"] and len(r["samples"]) >= 9 for r in doc["results"] if r["status"] == "ok")
PY
        fail "the schema's result_row is not this dmabench's header"
}

# compare_json BASE NEW... -> $work/compare.json, with compare's exit code in $rc.
json_compare() {
    run compare "$@" --format json
    printf '%s\n' "$out" >"$work/compare.json"
}

# The JSON of compare carries the same numbers and verdicts as its CSV, and the same exit code.
json_compare_matches_csv() {
    local want_rc=$rc
    run compare "$@" --format csv
    [ "$rc" -eq "$want_rc" ] || fail "json exit $want_rc, csv exit $rc"
    printf '%s\n' "$out" >"$work/compare.csv"
    "$json_python" - "$work/compare.json" "$work/compare.csv" "$want_rc" <<'PY' ||
import csv, json, math, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert d["exit_status"] == int(sys.argv[3]) and d["failed"] == (sys.argv[3] == "1")
labels = [i["label"] for i in d["inputs"]]
cells = [(c, cell) for cell_i in range(len(d["comparisons"])) for c in d["cases"]
         for cell in [c["cells"][cell_i]]]
assert len(cells) == len(rows), (len(cells), len(rows))
def same(json_value, text):
    if text == "":
        return json_value is None
    if text == "inf":
        return json_value is None  # JSON has no infinity: null, as documented
    return json_value is not None and math.isclose(json_value, float(text), rel_tol=1e-9)
for (c, cell), r in zip(cells, rows):
    base, new = c["sides"][0], c["sides"][cell["new"]]
    assert (labels[0], labels[cell["new"]]) == (r["base"], r["new"])
    assert (c["case_id"], c["metric"], c["unit"], c["better"]) == \
        (r["case_id"], r["metric"], r["unit"], r["better"])
    assert cell["verdict"] == r["verdict"], (cell["verdict"], r["verdict"])
    assert same(base and base["median"], r["base_median"]) and same(new and new["median"], r["new_median"])
    assert same(cell["ratio"], r["ratio"]) and same(cell["change_pct"], r["change_pct"])
    assert same(cell["p_value"], r["p_value"]) and (cell["test"] or "") == r["test"]
    assert (base["n_samples"] if base else "") == (int(r["base_n"]) if r["base_n"] else "")
counts = {}
for r in rows:
    counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
assert {k: v for k, v in d["counts"].items() if v} == counts, (d["counts"], counts)
PY
        fail "compare JSON differs from its CSV: $*"
}

test_json_compare_sets() {
    local pair
    for pair in base:slower base:faster base:same base:few base:failing base:boardb \
        v1-base:base base:noisy; do
        json_compare "tests/data/compare/${pair%%:*}" "tests/data/compare/${pair##*:}"
        json_validate "$work/compare.json"
        json_compare_matches_csv "tests/data/compare/${pair%%:*}" "tests/data/compare/${pair##*:}"
    done
    # Three inputs, one of another board: one comparison each, labelled by board.
    json_compare tests/data/compare/base tests/data/compare/slower tests/data/compare/boardb
    expect_rc 1
    json_validate "$work/compare.json"
    json_compare_matches_csv tests/data/compare/base tests/data/compare/slower tests/data/compare/boardb
    "$json_python" - "$work/compare.json" <<'PY' || fail "three inputs"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["boards"] and [i["role"] for i in d["inputs"]] == ["base", "new", "new"]
assert [c["differences_only"] for c in d["comparisons"]] == [False, True]
assert d["comparisons"][0]["counts"]["regression"] == 1
assert d["comparisons"][1]["counts"]["regression"] == 0
assert all(len(c["sides"]) == 3 and len(c["cells"]) == 2 for c in d["cases"])
g = d["comparisons"][0]["groups"][0]
assert (g["bench"], g["metric"], g["cases"], g["worse_cases"]) == ("cpu", "bandwidth", 2, 1), g
assert abs(g["geomean"] - 0.9566) < 1e-4, g
PY
    # Only the regression decides: slower exits 1, and says so in the document.
    json_compare tests/data/compare/base tests/data/compare/slower
    expect_rc 1
    grep -q '^ "exit_status": 1$' "$work/compare.json" || fail "exit_status of a regression"
}

# A disturbed run: the regression is inconclusive, with the samples' verdict and the reason.
test_json_compare_inconclusive() {
    local base new
    base=$(noise_copy json-nd-base)
    new=$(noise_copy json-nd-new scale:bandwidth:0.25 meta:after_loadavg_1=3.50 meta:cpus_used=2)
    json_compare "$base" "$new"
    expect_rc 0
    json_validate "$work/compare.json"
    json_compare_matches_csv "$base" "$new"
    "$json_python" - "$work/compare.json" <<'PY' || fail "inconclusive in JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == 0 and not d["failed"]
new = d["inputs"][1]
assert new["disturbed"] and new["noise_reason"].startswith("load 3.50 on 2 CPUs"), new
assert not d["inputs"][0]["disturbed"] and d["inputs"][0]["noise_reason"] is None
c = d["comparisons"][0]
assert c["inconclusive_reason"].startswith("new: load 3.50 on 2 CPUs"), c
cells = [k["cells"][0] for k in d["cases"] if k["metric"] == "bandwidth"]
assert cells and all(x["verdict"] == "inconclusive" and x["judged"] == "regression" for x in cells)
assert c["counts"]["inconclusive"] == len(cells) and c["counts"]["regression"] == 0
assert new["run"]["metadata"]["after_loadavg_1"] == 3.5 and new["run"]["metadata"]["cpus_used"] == 2
PY
}

# A board names its own heaps: bytes that are not UTF-8 still make valid JSON, in both commands.
test_json_invalid_utf8_heap_name() {
    local set=$work/json-latin1 f
    rm -rf "$set"
    cp -r tests/data/compare/base "$set"
    for f in results.csv samples.csv; do
        sed -i 's/system/sys\xfftem-\xc3\xa9/g' "$set/$f"
    done
    grep -q $'sys\xfftem' "$set/results.csv" || fail "the planted byte is not there"
    json_export "$set"
    json_validate "$work/export.json"
    # The bad byte is U+FFFD, the good UTF-8 beside it is kept (not turned into '?' with it).
    grep -q $'"heap": "sys\xef\xbf\xbdtem-\xc3\xa9"' "$work/export.json" ||
        fail "heap name not kept with U+FFFD: $(grep -m1 '"heap"' "$work/export.json")"
    json_compare "$set" "$set"
    expect_rc 0
    json_validate "$work/compare.json"
    grep -q $'"heap": "sys\xef\xbf\xbdtem-\xc3\xa9"' "$work/compare.json" ||
        fail "compare: heap name not kept"
}

test_json_bad_input_exits_2() {
    run export "$work/no-such-set" --format json
    expect_rc 2
    expect_err "export: $work/no-such-set: No such file or directory"
    run export tests/data/compare/base --format jsn
    expect_rc 2
    expect_err "expected lava, lava-signal, kcidb, junit or json"
    run compare tests/data/compare/base tests/data/compare/slower --format jsn
    expect_rc 2
    expect_err "expected table, md, csv, junit, lava, lava-signal or json"
    local set=$work/json-bad
    rm -rf "$set"
    cp -r tests/data/compare/base "$set"
    "$json_python" - "$set/results.csv" <<'PY' || fail "planting a bad median"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
rows[2][rows[0].index("median")] = "x"
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
PY
    run export "$set" --format json
    expect_rc 2
    expect_err "$set/results.csv:3: median 'x' is not a number"
    [ -z "$out" ] || fail "bad input still printed a document"
    # A samples.csv that is not one: exit 2 naming it, unless the samples are left out.
    cp tests/data/compare/base/results.csv "$set/results.csv"
    sed -i '2s/,[^,]*,\([^,]*\)$/,x,\1/' "$set/samples.csv"
    run export "$set" --format json
    expect_rc 2
    expect_err "$set/samples.csv:2: value 'x' is not a finite number"
    run export "$set" --format json --no-samples
    expect_rc 0
    run compare "$set" tests/data/compare/base --format json
    expect_rc 2
    run export tests/data/compare/base --format json --no-samples --no-samples
    expect_rc 2
    run export tests/data/compare/base --format junit --no-samples
    expect_rc 2
    expect_err 'export: --no-samples: only --format json writes the raw samples$'
    expect_one_line_err
}

test_json_help() {
    run export --help
    expect_rc 0
    expect_out '^usage: dmabench export RESULTS --format lava\|lava-signal\|kcidb\|junit\|json$'
    expect_out -- '--no-samples +json: leave the raw samples out'
    run compare --help
    expect_out 'table \(default\), md, csv, junit, lava, lava-signal, json$'
}

# The README's one-liners for Bencher (BMF) and github-action-benchmark, run as written, give
# what those tools read: BMF as its published JSON Schema (Draft 7) has it, and the action's
# customSmallerIsBetter / customBiggerIsBetter arrays of {name, unit, value}.
test_json_dashboard_one_liners() {
    local lines
    lines=$(grep -E '^dmabench export RESULTS --format json .*\| jq ' README.md)
    [ "$(grep -c . <<<"$lines")" -eq 3 ] || fail "README: want 3 jq one-liners, found: $lines"
    (cd "$work" && while IFS= read -r line; do
        line=${line/#dmabench/\"\$DMABENCH\"}
        line=${line/RESULTS/\"\$set\"}
        DMABENCH=$DMABENCH set=$OLDPWD/tests/data/plot-sample/host bash -o pipefail -c "$line" ||
            exit 1
    done <<<"$lines") || fail "a README one-liner failed"
    "$json_python" - "$work" tests/data/plot-sample/host <<'PY' || fail "dashboard JSON"
import csv, json, sys, jsonschema
w, d = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open(f"{d}/results.csv")) if r["status"] == "ok" and r["median"]]
# Bencher Metric Format: {benchmark: {measure: {value, lower_value?, upper_value?}}}.
bmf_schema = {"$schema": "http://json-schema.org/draft-07/schema", "type": "object",
    "patternProperties": {".+": {"type": "object", "patternProperties": {".+": {
        "type": "object", "properties": {"value": {"type": "number"},
        "lower_value": {"type": "number"}, "upper_value": {"type": "number"}},
        "required": ["value"]}}}}}
bmf = json.load(open(f"{w}/bmf.json"))
jsonschema.Draft7Validator(bmf_schema).validate(bmf)
assert sum(len(m) for m in bmf.values()) == len(rows) > 0
for r in rows:
    m = bmf[r["case_id"]][r["metric"]]
    assert m["value"] == float(r["median"]), (m, r["median"])
    assert m.get("lower_value") == (float(r["ci_low"]) if r["ci_low"] else None)
for better, name in (("lower", "smaller"), ("higher", "bigger")):
    got = json.load(open(f"{w}/{name}.json"))
    want = [r for r in rows if r["better"] == better]
    assert isinstance(got, list) and len(got) == len(want), (name, len(got), len(want))
    for g, r in zip(got, want):
        assert g["name"] == f'{r["case_id"]} {r["metric"]}' and g["unit"] == r["unit"], g
        assert g["value"] == float(r["median"]) and isinstance(g.get("extra", ""), str), g
PY
}

# A document that could not be written is a failure (exit 1), never a silent cut.
test_json_unwritable_output_exits_1() {
    "$DMABENCH" export tests/data/compare/base --format json >/dev/full 2>"$work/err"
    rc=$?
    err=$(cat "$work/err")
    expect_rc 1
    expect_err '^dmabench: export: stdout: Input/output error$'
    "$DMABENCH" compare tests/data/compare/base tests/data/compare/same --format json \
        >/dev/full 2>"$work/err"
    rc=$?
    err=$(cat "$work/err")
    expect_rc 1
    expect_err '^dmabench: compare: writing the report: Input/output error$'
}
