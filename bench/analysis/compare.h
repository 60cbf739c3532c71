/* bench/analysis/compare.h - result sets joined on the case key, with a verdict per case and
 * summaries.
 *
 * BASE and one or more NEW sets are joined on (case_id, metric): case_id holds every parameter,
 * so that is the whole case key. A change is a regression only when the median moved beyond the
 * threshold in the metric's worse direction AND the raw samples differ significantly (Mann-
 * Whitney U). Between two boards the same test reports differences, never regressions: decided
 * for each NEW input against BASE, so a third set from another board changes nothing about a
 * regression between two runs of one board. A regression or newly failing case in which either
 * run was disturbed (run_noise.h, judged among the inputs of its board) is inconclusive: no
 * evidence either way, so no failure. Counter rows (perf::...) are judged the same way
 * and likewise give differences: they explain a change rather than measure one, so they never
 * decide the exit status. Cases found in one set only are kept. Builds data, never prints
 * (compare_format.c renders it).
 */
#ifndef DMABENCH_COMPARE_H
#define DMABENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "compare_samples.h"
#include "history.h"
#include "mann_whitney.h"
#include "result_set.h"

#define COMPARE_ALPHA_DEFAULT       0.05
#define COMPARE_THRESHOLD_DEFAULT   0.05
#define COMPARE_MIN_SAMPLES_DEFAULT 9 /* fewer a side: the test has little power */
#define COMPARE_LABEL_MAX           64

enum compare_verdict {
    VERDICT_SAME,            /* the medians are within the threshold */
    VERDICT_NOT_SIGNIFICANT, /* beyond the threshold, but the samples do not tell them apart */
    VERDICT_REGRESSION,      /* worse beyond the threshold, and significant (run vs run) */
    VERDICT_IMPROVEMENT,     /* better beyond the threshold, and significant (run vs run) */
    VERDICT_WORSE,           /* as regression, between boards or of a counter: a difference */
    VERDICT_BETTER,          /* as improvement, between boards or of a counter */
    VERDICT_UNTESTED,        /* ok on both sides, but a side has no raw samples to test */
    VERDICT_BASE_ONLY,       /* the case is in BASE only */
    VERDICT_NEW_ONLY,        /* the case is in NEW only */
    VERDICT_SKIPPED,         /* skipped on a side (it does not apply there) */
    VERDICT_ERROR,           /* failed on a side, and not a run that newly fails */
    VERDICT_FAILING,         /* ok in BASE, error in NEW (run vs run, not a counter): fails like
                              * a regression */
    VERDICT_INCONCLUSIVE,    /* a regression or failing case, but a run was disturbed */
    N_VERDICTS
};

/* One input: a result set and its raw samples, loaded by the caller. */
struct compare_input {
    struct result_set *set;
    struct sample_index *samples;
};

struct compare_opts {
    double alpha;       /* significance level, (0, 1) */
    double threshold;   /* relative change that matters, 0.05 = 5% */
    size_t min_samples; /* warn below this many samples a side */
};

/* A case as one input has it. */
struct compare_side {
    const struct result_row *row;        /* NULL: not in this input */
    const struct sample_series *samples; /* NULL: samples.csv has none */
    double median;                       /* from results.csv; NAN when empty */
    size_t n;                            /* raw samples found */
};

/* A case in one NEW input against BASE. */
struct compare_cell {
    double ratio;          /* NEW median / BASE median (INFINITY from 0); NAN unless both ok */
    bool tested;           /* test holds a Mann-Whitney result */
    struct mw_result test; /* p-value on the raw samples */
    bool few_samples;      /* a side has fewer than min_samples samples */
    enum compare_verdict verdict;
    enum compare_verdict judged; /* inconclusive: the verdict the samples gave (regression,
                                  * failing); else the same as verdict */
};

struct compare_case {
    const char *case_id, *metric, *bench, *heap, *unit; /* from the first input that has it */
    bool higher_better;
    bool counter; /* a counter (results_unit_is_counter): left out of summaries and verdict */
    struct compare_side *side; /* one per input */
    struct compare_cell *cell; /* cell[i - 1]: input i against BASE (input 0) */
};

/* Geometric mean of NEW/BASE over the measured cases of one benchmark, heap and metric. */
struct compare_group {
    const char *bench, *heap, *metric, *unit;
    bool higher_better;
    size_t input; /* the NEW input */
    size_t cases;
    double geomean;
    size_t worse, better; /* verdicts regression / worse, improvement / better */
};

struct compare_report {
    const struct compare_input *inputs;
    size_t n_inputs;
    char (*labels)[COMPARE_LABEL_MAX]; /* per input: board names, or base / new / new2 ... */
    struct compare_opts opts;
    bool boards;       /* the inputs come from more than one board: labelled by board */
    bool *other_board; /* per input: another board than BASE's, so its verdicts against BASE
                        * are differences (worse, better), never regressions */
    bool *disturbed;   /* per input: run_noise_judge among its board's inputs */
    char (*noise)[HISTORY_REASON_MAX]; /* per input: why disturbed, "" when not */
    struct compare_case *cases;
    size_t n_cases;
    struct compare_group *groups;
    size_t n_groups;
    size_t count[N_VERDICTS]; /* over every cell */
    size_t few_samples;       /* tested cells with few samples */
};

/* Join n >= 2 inputs (kept alive by the caller), input 0 being BASE. 0, or -errno with one line
 * in err: -EBADMSG when a set has a case and metric twice ("DIR/results.csv:9: case ... metric
 * ... again (first on line 4)") or lacks the better column; -EINVAL for bad options; -ENOMEM. */
int compare_build(const struct compare_input *inputs, size_t n, const struct compare_opts *opts,
                  struct compare_report **out, char *err, size_t err_len);
void compare_report_free(struct compare_report *r);
/* A regression or a newly failing case: what makes `compare` exit 1. */
bool compare_failed(const struct compare_report *r);
/* Cells of NEW input `input` that are inconclusive. */
size_t compare_inconclusive(const struct compare_report *r, size_t input);
/* Why BASE against input is inconclusive: "new: load 3.10 on 2 CPUs", "base: ...; new: ...";
 * "" when neither run was disturbed. */
void compare_noise_reason(const struct compare_report *r, size_t input, char *out, size_t len);
/* "same", "not-significant", "regression", "improvement", "worse", "better", "untested",
 * "base-only", "new-only", "skipped", "error", "failing", "inconclusive". */
const char *compare_verdict_name(enum compare_verdict v);
/* exp(mean(log x)) over n positive finite values; NAN when n is 0 or one is not. */
double compare_geomean(const double *x, size_t n);

#endif
