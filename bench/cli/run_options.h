/* bench/cli/run_options.h - the options of `dmabench run`, and the jobs they make.
 *
 * Parsed apart from running so that the parser, the jobs it makes and the checks on them can
 * be driven by themselves: by --resume (the run's own command line again) and by the fuzz
 * target over the option parser (tests/fuzz/fuzz_run_options.c).
 */
#ifndef DMABENCH_RUN_OPTIONS_H
#define DMABENCH_RUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "mem_guard.h"
#include "sweep.h"

#define RUN_MAX_OVERRIDES 32
#define RUN_MAX_BENCHES   8
/* A case that runs this long (or 3x its time budget, if longer) is stuck, not slow. */
#define RUN_CASE_TIMEOUT_MIN_S 600.0
#define RUN_CASE_TIMEOUT_MAX_S (7 * 86400.0)

/* What the command line (or, for --resume, the run's own) asks for. */
struct run_opts {
    const char *job_file;
    const char *out_dir;
    const char *benches[RUN_MAX_BENCHES];
    size_t n_benches;
    struct {
        const char *key, *value;
        bool applied; /* to at least one job: an option no job can use is an error */
    } overrides[RUN_MAX_OVERRIDES];
    size_t n_overrides;
    struct cli_heap_opts heap_opts;
    int quiet;
    const char *resume_dir; /* --resume DIR */
    bool force;             /* --force: move an earlier run aside */
    const char *max_mem;    /* --max-mem SIZE|N% (text, for the metadata) */
    struct mem_limit mem_limit;
    double case_timeout_s; /* --case-timeout; 0: the default per job */
};

/* Parse `run`'s arguments (argv[0] is "run") into o, zeroed by the caller. CLI_EXIT_OK, a
 * cli_exit after the message, or -1 after --help printed the usage. */
int run_opts_parse(int argc, char **argv, struct run_opts *o);
/* Whether the run includes the jobs of this benchmark (all, unless benchmarks were named). */
bool run_opts_selects(const struct run_opts *o, const char *bench);
/* The jobs of the run: from -j, else one per named benchmark, else the quick job; each
 * selected one with its benchmark's defaults and then the command line's axis options over
 * them, checked by its benchmark. A cli_exit after the message; *jobs is free()d by the caller
 * either way. */
int run_opts_prepare_jobs(struct run_opts *o, struct job **jobs, size_t *n_jobs);

#endif
