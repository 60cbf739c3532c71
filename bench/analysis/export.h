/* bench/analysis/export.h - one run's results for board farms and CI: LAVA, KCIDB (KernelCI),
 * JUnit; and as JSON (results_json.h).
 *
 * Every results.csv row becomes one test case: a measurement with its median and unit when it
 * ran (LAVA pass, KCIDB DONE), skipped with the reason, or failed with the error; plus one
 * verdict for the whole run that fails when any case failed. Never prints but to the FILE (or
 * the lava-test-case helper) it is given.
 */
#ifndef DMABENCH_EXPORT_H
#define DMABENCH_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare_samples.h"
#include "export_junit.h"
#include "export_lava.h"
#include "result_set.h"

#define KCIDB_ORIGIN_DEFAULT "dmabench"
#define KCIDB_VERSION_MAJOR  5
#define KCIDB_VERSION_MINOR  0

enum export_format {
    EXPORT_LAVA,
    EXPORT_LAVA_SIGNAL,
    EXPORT_KCIDB,
    EXPORT_JUNIT,
    EXPORT_JSON,
    N_EXPORT_FORMATS
};

struct kcidb_opts {
    const char *origin; /* the submitting CI system's name, [a-z0-9_]+ */
    /* A build KCIDB already has (the lab's kernel build, "kernelci:..."): the tests attach to
     * it. NULL: the running kernel is described as a checkout and build of this origin. */
    const char *build_id;
    /* The kernel's tree (tree_name: mainline, net-next ...) and commit (40 hex digits) when
     * known: the checkout's; without a commit, one the kernel release names in full is used
     * (CONFIG_LOCALVERSION_AUTO). Not with build_id. NULL: not known. */
    const char *kernel_tree, *kernel_commit;
    const struct sample_index *samples; /* the cases' durations; NULL: none */
};

/* The formats' names, by enum export_format: "lava", "lava-signal", "kcidb", "junit", "json". */
extern const char *const export_format_names[N_EXPORT_FORMATS];
/* One of export_format_names: 0, or -EINVAL. */
int export_format_parse(const char *name, enum export_format *out);
/* lava-test-case per row, then "dmabench-run". 0 or the sink's -errno. */
int export_lava(const struct result_set *s, const struct lava_sink *lava);
/* One <testsuite> for the run: its wall time, host and properties; a case's time from its
 * samples (NULL: none known). 0 or -EIO. */
int export_junit(const struct result_set *s, const struct sample_index *samples, FILE *out);

#define EXPORT_RUN_PROPERTIES 8
/* A run's JUnit properties (board, kernel, dmabench version, its git sha, the run id ...), each
 * name after prefix (may be NULL); values the metadata does not know are left out. How many. */
size_t export_run_properties(const struct result_set *s, const char *prefix,
                             struct junit_property *out, size_t max);
/* The run's wall time, start_time to end_time, in seconds; NAN when not known. */
double export_run_seconds(const struct result_set *s);
/* A JUnit suite for the run (zeroed, then its wall time, start time and host where known): the
 * caller adds the name, counts and properties. */
void export_run_suite(const struct result_set *s, struct junit_suite *suite);
/* How long a case's repetitions' timed work lasted, in seconds; NAN when samples is NULL or
 * has no duration for it. */
double export_case_seconds(const struct sample_index *samples, const char *case_id,
                           const char *metric);
/* KCIDB I/O schema v5.0 JSON (checkouts, builds, tests; valid under every v5 schema up to
 * v5.3). 0, or -errno with a reason in err: -EINVAL (origin, build id, kernel tree or commit
 * not of KCIDB's form, or tree and commit with a build id), -ENOMEM, -EIO. */
int export_kcidb(const struct result_set *s, const struct kcidb_opts *o, FILE *out, char *err,
                 size_t err_len);
/* Whether origin matches KCIDB's ^[a-z0-9_]+$. */
bool kcidb_origin_valid(const char *origin);

#endif
