/* bench/run_summary.c - folds case results into the per-heap summary table.
 *
 * Which case fills which column is its benchmark's rule (bench_def.heap_summary). Only medians
 * of cases that succeeded count; a heap with no figure for a column shows "-" rather than a
 * zero that could be read as a measurement.
 */
#include "run_summary.h"

#include <math.h>
#include <string.h>

#include "run_tables.h"

static struct heap_summary *summary_for(struct run_summary *s, const char *heap)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->heaps[i].heap, heap))
            return &s->heaps[i];
    if (s->n == SUMMARY_MAX_HEAPS)
        return NULL;
    struct heap_summary *h = &s->heaps[s->n++];
    memset(h, 0, sizeof(*h));
    snprintf(h->heap, sizeof(h->heap), "%s", heap);
    for (int i = 0; i < 2; i++)
        h->alloc_p50[i] = h->alloc_p99[i] = NAN;
    h->latency_ns = NAN;
    return h;
}

static void note_short(struct short_cases *sc, const char *id)
{
    if (sc->n < SUMMARY_SHORT_IDS)
        snprintf(sc->id[sc->n], sizeof(sc->id[sc->n]), "%s", id);
    sc->n++;
}

void run_summary_add(struct run_summary *s, const struct bench_case *c, const struct case_result *r)
{
    s->cases++;
    flag_tally_add(&s->disturbed, r->disturbed);
    flag_tally_add(&s->implausible, r->implausible);
    if (r->reps && r->stop == REPS_STOP_MAX)
        note_short(&s->capped, c->id);
    else if (r->reps && r->stop == REPS_STOP_BUDGET)
        note_short(&s->budget, c->id);
    if (r->status == CASE_OK)
        s->ok++;
    else if (r->status == CASE_SKIPPED)
        s->skipped++;
    else
        s->errors++;
    /* Out of memory only loses a table line: the CSV has every row. */
    run_tables_add(&s->tables, c, r);
    const struct bench_def *b = bench_find(c->job->bench);
    struct heap_summary *h =
            b && b->heap_summary ? summary_for(s, c->value[AXIS_HEAP]->text) : NULL;
    if (!h || r->status != CASE_OK)
        return;
    s->any_heap_figure = true;
    b->heap_summary(h, c, r);
}

void run_summary_free(struct run_summary *s)
{
    run_tables_free(s->tables);
    s->tables = NULL;
}

static void cell(FILE *out, double value, double scale, int decimals)
{
    char text[32] = "-";
    if (!isnan(value) && value > 0)
        snprintf(text, sizeof(text), "%.*f", decimals, value / scale);
    fprintf(out, " %10s", text);
}

static void print_heap_table(const struct run_summary *s, FILE *out)
{
    fprintf(out, "%-16s %10s %10s %10s %10s %10s %10s %10s %10s\n", "heap", "read", "write", "copy",
            "latency", "alloc 4K", "4K p99", "alloc 1M", "1M p99");
    fprintf(out, "%-16s %10s %10s %10s %10s %10s %10s %10s %10s\n", "", "GB/s", "GB/s", "GB/s",
            "ns", "us p50", "us", "us p50", "us");
    for (size_t i = 0; i < s->n; i++) {
        const struct heap_summary *h = &s->heaps[i];
        fprintf(out, "%-16s", h->heap);
        cell(out, h->read, 1e9, 2);
        cell(out, h->write, 1e9, 2);
        cell(out, h->copy, 1e9, 2);
        cell(out, h->latency_ns, 1, 1);
        for (int k = 0; k < 2; k++) {
            cell(out, h->alloc_p50[k], 1e3, 2);
            cell(out, h->alloc_p99[k], 1e3, 2);
        }
        fputc('\n', out);
    }
    fprintf(out, "(GB = 10^9 bytes; copy counts bytes copied once; latency: random pointer chase "
                 "at the largest size)\n");
}

static void print_short(const struct short_cases *sc, const char *what, FILE *out)
{
    if (!sc->n)
        return;
    fprintf(out, "%u case%s %s:", sc->n, sc->n == 1 ? "" : "s", what);
    for (unsigned i = 0; i < sc->n && i < SUMMARY_SHORT_IDS; i++)
        fprintf(out, "%s %s", i ? "," : "", sc->id[i]);
    fprintf(out, "%s\n", sc->n > SUMMARY_SHORT_IDS ? ", ... (results.csv has them all)" : "");
}

/* "flagged: 2 disturbed (run-queue wait 2), 0 implausible": cases whose rows carry a flag. */
static void print_flagged(const struct run_summary *s, FILE *out)
{
    const struct flag_tally *tally[] = {&s->disturbed, &s->implausible};
    const char *const names[] = {"disturbed", "implausible"};
    fprintf(out, "flagged");
    for (size_t i = 0; i < 2; i++) {
        char why[256];
        flag_tally_format(tally[i], why, sizeof(why));
        fprintf(out, "%s %u %s%s%s%s", i ? "," : ":", tally[i]->flagged, names[i],
                why[0] ? " (" : "", why, why[0] ? ")" : "");
    }
    fprintf(out, "%s\n",
            s->disturbed.flagged || s->implausible.flagged
                    ? ": the rows say why (results.csv disturbed, implausible)"
                    : "");
}

void run_summary_print(const struct run_summary *s, FILE *out)
{
    /* A run of other benchmarks only would print a table of dashes. */
    if (s->any_heap_figure || !s->tables)
        print_heap_table(s, out);
    run_tables_print(s->tables, out);
    fprintf(out, "cases: %u, ok %u, skipped %u, errors %u\n", s->cases, s->ok, s->skipped,
            s->errors);
    print_flagged(s, out);
    print_short(&s->capped,
                "did not converge (--reps auto: the repetition cap came before a 95% CI of the "
                "median within the target; reps_stop max)",
                out);
    print_short(&s->budget,
                "stopped by the time budget (reps_stop budget: fewer repetitions than asked, or "
                "with --reps auto not converged)",
                out);
}
