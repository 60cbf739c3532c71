/* bench/sample_sizing.h - how many inner loops make a repetition's timed part reach the floor.
 *
 * Sized from a warm pass (a cold first pass overestimates a loop: page faults, cold caches, a
 * clock ramping up), then re-checked with the count it gives until one pass reaches the floor;
 * repetitions that still come out short lengthen the next ones. A wall-clock cap bounds a
 * repetition where the timed part is a sliver of each loop (sync's begin and end around the
 * CPU's own writes), and then the row's note says so instead of the floor being claimed; it
 * also bounds a count sized from warm loops much quicker than the loops of a whole repetition.
 */
#ifndef DMABENCH_SAMPLE_SIZING_H
#define DMABENCH_SAMPLE_SIZING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loops are sized for this many floors, so that a repetition a little faster than the sizing
 * passes still reaches the floor. */
#define SAMPLE_SIZING_MARGIN 1.25
/* Passes with the sized count before the count is taken as it is. */
#define SAMPLE_SIZING_CHECKS 4
/* The default wall-clock cap of one repetition, in floors: past it, more loops cost run time
 * without making the timed part's clock error any smaller than it already is. */
#define SAMPLE_SIZING_WALL_FLOORS 3
/* A check pass up to this many times the cap still fits (a count sized to the cap runs past it
 * about every other time); one further past it was sized from loops much quicker than its own. */
#define SAMPLE_SIZING_WALL_SLACK 2

/* One pass of a benchmark's inner loop, as a repetition runs it. */
struct sizing_pass {
    double timed_ns; /* its timed part: what the repetition's figures are computed from */
    double wall_ns;  /* the loops' wall time, untimed work between the timed parts included;
                      * fixed costs around the loops (starting threads, filling a pool) are not
                      * per loop and are left out: the same as timed_ns when every loop is timed */
};

/* Run loops inner loops as a repetition would and say how long they took. 0 or -errno (the
 * benchmark keeps its own reason in ctx). */
typedef int (*sizing_pass_fn)(void *ctx, uint64_t loops, struct sizing_pass *out);

struct case_facts;

struct sample_sizing {
    /* Set by the caller. */
    const char *who;       /* names the benchmark in notes: "sync", "c2c" */
    const char *loop_name; /* what a loop is, plural: "windows", "round trips" */
    double floor_ns;       /* each repetition's timed part should last this long (min_sample_ns) */
    double max_wall_ns;    /* ... but no repetition runs longer than this; 0: no cap */
    uint64_t max_loops;    /* ... nor more loops than this (memory per loop); 0: no cap */
    /* The result. */
    uint64_t loops;      /* inner loops per repetition */
    double loop_ns;      /* timed ns per loop, in the pass loops was sized from */
    double loop_wall_ns; /* wall ns per loop in that pass */
    bool capped;         /* a cap, not the floor, sized loops: the timed part falls short */
    unsigned short_reps; /* repetitions that timed less than the floor all the same */
};

/* How many repetitions of an operation of about op_ns make one sample at least min_sample_ns
 * long and 1000x the clock resolution; at least 1. op_ns == 0 (the operation was too quick
 * to see) counts as one resolution step; a negative or NAN op_ns gives 1. */
uint64_t sample_sizing_inner_loops(double op_ns, double min_sample_ns);
/* Size z->loops: a warm pass of warm_loops (discarded), a pass of warm_loops to size from, then
 * up to SAMPLE_SIZING_CHECKS passes with the sized count until one times at least the floor
 * (or a cap holds it back) within the wall cap, each other one re-sizing from itself. 0, or the
 * first failing pass's -errno. */
int sample_sizing_run(struct sample_sizing *z, uint64_t warm_loops, sizing_pass_fn pass, void *ctx);
/* Size from a pass of loops loops: the loops that make the floor at its speed (with the
 * margin), within the caps; z->capped when a cap keeps the expected timed part short of it. */
void sample_sizing_fit(struct sample_sizing *z, uint64_t loops, const struct sizing_pass *p);
/* After a repetition of loops loops: one that timed less than the floor although no cap held
 * it back is counted, and the next ones get more loops (never fewer). The first such
 * repetition is noted in facts (NULL: not noted), and then true is returned. */
bool sample_sizing_after(struct sample_sizing *z, uint64_t loops, const struct sizing_pass *p,
                         struct case_facts *facts);
/* When a cap keeps the repetition short of the floor, note in facts what it is and what a
 * repetition then times; nothing otherwise. */
void sample_sizing_note_cap(const struct sample_sizing *z, struct case_facts *facts);
/* What one repetition is expected to time with z->loops, in ns. */
double sample_sizing_expected_ns(const struct sample_sizing *z);

#endif
