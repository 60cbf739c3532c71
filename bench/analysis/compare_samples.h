/* bench/analysis/compare_samples.h - a result set's raw samples (samples.csv), found by case and
 * metric.
 *
 * `compare` tests raw repetitions, not summaries: this reads DIR/samples.csv (columns found by
 * name) into one array per (case_id, metric). Errors name the file and line. Never prints.
 */
#ifndef DMABENCH_COMPARE_SAMPLES_H
#define DMABENCH_COMPARE_SAMPLES_H

#include <stddef.h>

struct sample_series {
    char *case_id, *metric; /* one allocation, at case_id */
    double *values;
    size_t n, cap;
    unsigned long line; /* of the first sample, in samples.csv */
    /* How long its repetitions' timed work lasted: duration_ns once per repetition (rep),
     * summed; NAN when samples.csv has no duration_ns (schema versions 1 and 2). */
    double duration_ns;
};

struct sample_index {
    char *path;                   /* DIR/samples.csv, for messages */
    struct sample_series *series; /* sorted by case_id, then metric */
    size_t n;
    unsigned long truncated_line; /* a cut last row (a killed run) was ignored: its line */
};

/* Read DIR/samples.csv. 0, or -errno with one line in err: -ENOENT (no samples.csv: compare
 * needs the raw samples), -EBADMSG ("DIR/samples.csv:7: value 'x' is not a number", malformed
 * CSV, a missing column), -ENOMEM. */
int sample_index_load(struct sample_index **out, const char *dir, char *err, size_t err_len);
/* The samples of a case's metric, or NULL when samples.csv has none. */
const struct sample_series *sample_index_find(const struct sample_index *idx, const char *case_id,
                                              const char *metric);
void sample_index_free(struct sample_index *idx);

#endif
