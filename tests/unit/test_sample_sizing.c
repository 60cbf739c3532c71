/* tests/unit/test_sample_sizing.c - sizing a repetition to the floor, with scripted passes.
 *
 * A fake inner loop says how long each pass took, call by call (a cold first pass, a machine
 * that speeds up or slows down, a timed part that is a sliver of the wall time), so that every
 * rule of bench/sample_sizing.c is checked on exact numbers: the warm pass is discarded, the
 * count is re-checked and grown, the wall cap bounds it and says so, short repetitions are noted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"
#include "sample_sizing.h"
#include "timing.h"

#define FLOOR_NS 1e6

/* Pass i runs at per_loop[i] timed ns and wall[i] wall ns a loop (the last entry repeats). */
struct script {
    double per_loop[8], wall[8];
    int n;         /* entries in the arrays */
    int calls;     /* passes run */
    uint64_t last; /* loops of the last pass */
    double max_sized_wall;
    int fail_at; /* call index that fails with -EIO, or -1 */
};

static int scripted_pass(void *ctx, uint64_t loops, struct sizing_pass *out)
{
    struct script *s = ctx;
    int i = s->calls < s->n ? s->calls : s->n - 1;
    if (s->calls++ == s->fail_at)
        return -EIO;
    s->last = loops;
    out->timed_ns = s->per_loop[i] * (double)loops;
    out->wall_ns = (s->wall[i] > 0 ? s->wall[i] : s->per_loop[i]) * (double)loops;
    if (s->calls > 2 && out->wall_ns > s->max_sized_wall)
        s->max_sized_wall = out->wall_ns;
    return 0;
}

static struct sample_sizing sizing(double max_wall_ns)
{
    return (struct sample_sizing){
            .who = "t", .loop_name = "loops", .floor_ns = FLOOR_NS, .max_wall_ns = max_wall_ns};
}

/* The first pass is cold (ten times slower): it is discarded, and the second sizes. */
static void test_cold_pass_is_discarded(void **state)
{
    (void)state;
    struct script s = {.per_loop = {10000, 1000}, .n = 2, .fail_at = -1};
    struct sample_sizing z = sizing(0);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    /* 1.25 ms at 1 us a loop, checked once: it reached the floor. */
    assert_int_equal(z.loops, 1250);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.last, 1250);
    assert_false(z.capped);
    assert_true(sample_sizing_expected_ns(&z) >= FLOOR_NS);
    struct case_facts facts = {0};
    sample_sizing_note_cap(&z, &facts); /* nothing to say */
    assert_string_equal(facts.note, "");
}

/* Loops get quicker once there are many of them: the check falls short, and the count grows
 * from the check's own speed until a pass reaches the floor. */
static void test_short_check_grows_the_count(void **state)
{
    (void)state;
    struct script s = {.per_loop = {1000, 1000, 500, 400}, .n = 4, .fail_at = -1};
    struct sample_sizing z = sizing(0);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    /* 1250 loops at 500 ns: 0.625 ms, short; 2500 at 400 ns: 1 ms, kept. */
    assert_int_equal(s.calls, 4);
    assert_int_equal(s.last, 2500);
    assert_int_equal(z.loops, 2500);
    assert_false(z.capped);
}

/* A slower check still reaches the floor: the count stays (trimming it would leave the
 * undisturbed repetitions short). */
static void test_slow_check_keeps_the_count(void **state)
{
    (void)state;
    struct script s = {.per_loop = {1000, 1000, 2000}, .n = 3, .fail_at = -1};
    struct sample_sizing z = sizing(5 * FLOOR_NS);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    assert_int_equal(z.loops, 1250);
    assert_int_equal(s.calls, 3);
}

/* Quick warm loops (two threads both running), then slow ones: the check runs past the wall
 * cap, and the count is sized again from it. */
static void test_wall_cap_bounds_a_count_from_quick_warm_loops(void **state)
{
    (void)state;
    struct script s = {.per_loop = {10, 10, 1000}, .n = 3, .fail_at = -1};
    struct sample_sizing z = sizing(5 * FLOOR_NS);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    /* 125000 loops at 1 us: 125 ms, past the 5 ms cap; then 1250 loops: 1.25 ms. */
    assert_int_equal(s.calls, 4);
    assert_int_equal(z.loops, 1250);
    assert_false(z.capped);
}

/* The timed part is 0.1% of each loop (sync's begin + end around the CPU's writes): the cap,
 * not the floor, sizes the repetition, and says so. */
static void test_wall_cap_on_a_sliver_of_timed_work(void **state)
{
    (void)state;
    struct script s = {.per_loop = {10}, .wall = {10000}, .n = 1, .fail_at = -1};
    struct sample_sizing z = sizing(5 * FLOOR_NS);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    assert_int_equal(z.loops, 500); /* 5 ms of wall time */
    assert_true(z.capped);
    assert_true(s.max_sized_wall <= 5 * FLOOR_NS);
    assert_true(sample_sizing_expected_ns(&z) < FLOOR_NS);
    assert_true(z.loop_ns == 10 && z.loop_wall_ns == 10000);
    /* A capped repetition is short by design: not counted, not noted again. */
    struct case_facts facts = {0};
    struct sizing_pass rep = {.timed_ns = 5000, .wall_ns = 5e6};
    assert_false(sample_sizing_after(&z, z.loops, &rep, &facts));
    assert_int_equal(z.short_reps, 0);
    assert_string_equal(facts.note, "");
}

/* A count sized to the cap runs a little past it as often as not: kept, not sized again. */
static void test_check_a_little_past_the_cap_is_kept(void **state)
{
    (void)state;
    struct script s = {.per_loop = {10}, .wall = {10000, 10000, 15000}, .n = 3, .fail_at = -1};
    struct sample_sizing z = sizing(5 * FLOOR_NS);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    assert_int_equal(s.calls, 3);
    assert_true(s.max_sized_wall == 7.5 * FLOOR_NS); /* 500 loops at 15 us */
    assert_true(z.capped);
    assert_int_equal(z.loops, 333); /* from the check's own speed, for the next ones */
}

/* A memory cap on the count (pipeline's frames) is a cap too. */
static void test_loop_cap(void **state)
{
    (void)state;
    struct script s = {.per_loop = {100}, .n = 1, .fail_at = -1};
    struct sample_sizing z = sizing(0);
    z.max_loops = 1000;
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    assert_int_equal(z.loops, 1000);
    assert_true(z.capped);
    struct case_facts facts = {0};
    sample_sizing_note_cap(&z, &facts);
    assert_string_equal(facts.note, "t: a repetition is capped at 1000 loops, timing about 0.1 "
                                    "ms, short of the 1 ms floor");
}

/* A repetition quicker than the sizing: counted, noted once, the next ones longer. */
static void test_short_repetition_is_noted_and_lengthens_the_next(void **state)
{
    (void)state;
    struct script s = {.per_loop = {1000}, .n = 1, .fail_at = -1};
    struct sample_sizing z = sizing(5 * FLOOR_NS);
    assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), 0);
    assert_int_equal(z.loops, 1250);
    struct case_facts facts = {0};
    struct sizing_pass rep = {.timed_ns = 1250 * 1000.0, .wall_ns = 1250 * 1000.0};
    assert_false(sample_sizing_after(&z, 1250, &rep, &facts)); /* on the floor: fine */
    rep.timed_ns = rep.wall_ns = 1250 * 640.0;                 /* 0.8 ms */
    assert_true(sample_sizing_after(&z, 1250, &rep, &facts));
    assert_int_equal(z.short_reps, 1);
    assert_int_equal(z.loops, 1954); /* 1.25 ms at 640 ns */
    assert_string_equal(facts.note, "t: a repetition timed 0.8 ms, under the 1 ms floor (speed "
                                    "varied); more loops after it");
    /* The second is counted, not noted again; a slower one never takes loops away. */
    rep.timed_ns = rep.wall_ns = 1954 * 500.0 - 1;
    assert_false(sample_sizing_after(&z, 1954, &rep, &facts));
    assert_int_equal(z.short_reps, 2);
    assert_true(z.loops > 1954);
    assert_string_equal(facts.note, "t: a repetition timed 0.8 ms, under the 1 ms floor (speed "
                                    "varied); more loops after it");
    /* Without facts (a benchmark called by a unit test) it is still counted. */
    assert_false(sample_sizing_after(&z, z.loops, &rep, NULL));
    assert_int_equal(z.short_reps, 3);
}

static void test_pass_error_is_returned(void **state)
{
    (void)state;
    for (int at = 0; at < 3; at++) {
        struct script s = {.per_loop = {1000}, .n = 1, .fail_at = at};
        struct sample_sizing z = sizing(0);
        assert_int_equal(sample_sizing_run(&z, 16, scripted_pass, &s), -EIO);
        assert_int_equal(s.calls, at + 1);
    }
}

/* Several findings share one note, "; " apart, and a full note is cut, never overrun. */
static void test_case_facts_note(void **state)
{
    (void)state;
    struct case_facts facts = {0};
    case_facts_note(NULL, "nothing %d", 1);
    case_facts_note(&facts, "first %d", 1);
    assert_string_equal(facts.note, "first 1");
    case_facts_note(&facts, "second");
    assert_string_equal(facts.note, "first 1; second");
    char long_text[sizeof(facts.note) + 100]; /* longer than any note */
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    case_facts_note(&facts, "%s", long_text);
    assert_int_equal(strlen(facts.note), sizeof(facts.note) - 1);
    assert_memory_equal(facts.note, "first 1; second; xxx", 20);
    case_facts_note(&facts, "more");
    assert_int_equal(strlen(facts.note), sizeof(facts.note) - 1);
    assert_null(strstr(facts.note, "more"));
}

int main(void)
{
    timing_init();
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cold_pass_is_discarded),
            cmocka_unit_test(test_short_check_grows_the_count),
            cmocka_unit_test(test_slow_check_keeps_the_count),
            cmocka_unit_test(test_wall_cap_bounds_a_count_from_quick_warm_loops),
            cmocka_unit_test(test_wall_cap_on_a_sliver_of_timed_work),
            cmocka_unit_test(test_check_a_little_past_the_cap_is_kept),
            cmocka_unit_test(test_loop_cap),
            cmocka_unit_test(test_short_repetition_is_noted_and_lengthens_the_next),
            cmocka_unit_test(test_pass_error_is_returned),
            cmocka_unit_test(test_case_facts_note),
    };
    return cmocka_run_group_tests_name("sample_sizing", tests, NULL, NULL);
}
