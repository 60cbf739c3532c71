# tests/cli/t_docs.sh - the developer guide names only files that exist: docs/HACKING.md says
# which files a new heap backend, engine, benchmark or sweep axis touches, and a guide that
# points at moved files would send the next developer astray.

test_hacking_names_existing_files() {
    local doc=docs/HACKING.md missing=0 n=0 path
    [ -f "$doc" ] || { fail "no $doc"; return; }
    # Paths as the guide writes them: a folder of the tree, then a file name with an extension
    # (NAME stands for the new file and is not looked up).
    for path in $(grep -oE '(bench|heaps|coherency|workloads|clock|plot|tests|results|docs)/[A-Za-z0-9_./-]*\.(c|h|sh|md|py|ini)' "$doc" | sort -u); do
        case $path in *NAME*) continue ;; esac
        n=$((n + 1))
        [ -e "$path" ] || { fail "$doc names $path, which does not exist"; missing=1; }
    done
    [ "$n" -ge 20 ] || fail "$doc names only $n files: the pattern no longer finds them"
    # The lists it sends a developer to are the X-macro lists the code expands.
    grep -q 'define HEAP_BACKENDS(X)' heaps/heap_backends.h || fail "HEAP_BACKENDS moved"
    grep -q 'define ENGINE_BACKENDS(X)' workloads/engine_backends.h || fail "ENGINE_BACKENDS moved"
    grep -q 'define BENCHES(X)' bench/bench_list.h || fail "BENCHES moved"
    grep -q 'define SWEEP_AXES(AXIS, COLUMN)' bench/job/sweep_axes.h || fail "SWEEP_AXES moved"
    grep -q 'define RESULTS_COLUMNS(' bench/results/results_columns.h || fail "RESULTS_COLUMNS moved"
    return $missing
}
