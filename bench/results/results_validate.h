/* bench/results/results_validate.h - is a results directory what the writer promises
 * (results/README.md)?
 *
 * Checks results.csv, samples.csv and metadata.csv against the writer's own column lists and
 * the schema's rules, so a test (host or VM) can prove a real run's output is whole and sane
 * before anyone plots or compares it. Reads through csv_read; never prints.
 */
#ifndef DMABENCH_RESULTS_VALIDATE_H
#define DMABENCH_RESULTS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

struct results_validation {
    /* In, set by the caller. A run killed mid-write (kill -9, a board reset) leaves a partial
     * last row and a last case with only some of its samples: with allow_truncated, the
     * partial row is ignored (truncated says so) and the last case of results.csv and of
     * samples.csv may be incomplete. Everything before them must still be valid. */
    bool allow_truncated;

    /* Out: what the files hold (results rows by status, counter rows included). */
    size_t rows;  /* results.csv data rows */
    size_t cases; /* distinct case ids among them */
    size_t ok, skipped, errors;
    size_t samples;       /* samples.csv data rows */
    size_t metadata_keys; /* metadata.csv rows */
    bool truncated;       /* a partial last row was ignored (only with allow_truncated) */
    bool interrupted;     /* metadata.csv has no end_time: the run did not finish */
};

/* Validate DIR/{results,samples,metadata}.csv. The inputs of *out are kept, the outputs reset
 * and filled as far as the check got. 0 when valid; otherwise err holds one line naming the
 * file and line ("DIR/results.csv:12: min 5 > max 3") and the return is -EBADMSG (content),
 * -EPIPE (a truncated last row without allow_truncated), -ENOENT or another -errno (a file
 * that cannot be read), or -ENOMEM. */
int results_validate_dir(const char *dir, struct results_validation *out, char *err,
                         size_t err_len);

/* Whether a verdict is one results/README.md's "Verdicts" lists ("" included: no verdict). */
bool results_verdict_known(const char *verdict);
/* Whether a verdict says a check did not hold: "fail" (user-space maintenance left stale lines)
 * or "sync-ineffective" (the exporter's sync did). compare calls a case that newly says one
 * failing, export a failed test; "needs-sync" describes a heap and fails nothing. Every reader
 * asks here. */
bool results_verdict_fails(const char *verdict);

/* Whether a results row's unit is a counter's: a counter unit (bench/measure/counters.h: "events",
 * "ns") per a benchmark's work unit ("byte", "buffer", "sync", "frame", "probe"), as
 * "events/byte" or "ns/buffer"; "ns/MiB" is a benchmark's own. Counter rows may be skipped
 * where other metrics must be ok (no PMU is not a failure), and the post-run tools leave them
 * out of summaries: every reader asks here. */
bool results_unit_is_counter(const char *unit);

#endif
