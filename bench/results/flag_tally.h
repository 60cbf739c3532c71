/* bench/results/flag_tally.h - how many cases or rows were flagged disturbed or implausible, and
 * why.
 *
 * A flag's text is "label: value; label: value ..." (bench/measure/case_disturbance.h,
 * bench/measure/plausibility.h); its first label is the main reason. The run summary and the report
 * both count by it, so they name the same reasons.
 */
#ifndef DMABENCH_FLAG_TALLY_H
#define DMABENCH_FLAG_TALLY_H

#include <stddef.h>

#define FLAG_TALLY_REASONS 8 /* distinct reasons kept; the rest count as "other" */

struct flag_tally {
    unsigned flagged; /* cases (or rows) with a flag */
    size_t n;
    struct {
        char label[48];
        unsigned count;
    } reasons[FLAG_TALLY_REASONS + 1]; /* the last one: "other" */
};

/* Count one flag text; "" counts nothing. */
void flag_tally_add(struct flag_tally *t, const char *flag);
/* The indices of t->reasons, most frequent first (ties in the order first seen); returns t->n. */
size_t flag_tally_order(const struct flag_tally *t, size_t order[FLAG_TALLY_REASONS + 1]);
/* "run-queue wait 4, steal 1": the reasons, most frequent first; "" when nothing is flagged. */
void flag_tally_format(const struct flag_tally *t, char *out, size_t out_len);
/* The main reason of a flag text: its text before the first ':' or ';'. */
void flag_reason_label(const char *flag, char *label, size_t label_len);

#endif
