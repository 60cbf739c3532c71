/* tests/unit/test_flag_tally.c - counting flagged cases by their main reason, as the run summary
 * and the report print them, and the summary's "flagged" line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench_fixture.h"
#include "flag_tally.h"
#include "run_summary.h"

static void test_label_is_the_first_reason(void **state)
{
    (void)state;
    char label[48];
    flag_reason_label("run-queue wait: 23% of the case; involuntary context switches: 41 in 1 s",
                      label, sizeof(label));
    assert_string_equal(label, "run-queue wait");
    flag_reason_label("steal ; other", label, sizeof(label));
    assert_string_equal(label, "steal");
    flag_reason_label("no colon at all", label, sizeof(label));
    assert_string_equal(label, "no colon at all");
}

static void test_tally_counts_and_orders(void **state)
{
    (void)state;
    struct flag_tally t;
    memset(&t, 0, sizeof(t));
    char text[256];
    flag_tally_format(&t, text, sizeof(text));
    assert_string_equal(text, "");
    flag_tally_add(&t, "");
    flag_tally_add(&t, NULL);
    assert_int_equal(t.flagged, 0);
    flag_tally_add(&t, "steal: 2%");
    flag_tally_add(&t, "run-queue wait: 3% of the case");
    flag_tally_add(&t, "run-queue wait: 50% of the case; steal: 1.2%");
    flag_tally_add(&t, "steal: 1.5%");
    flag_tally_add(&t, "run-queue wait: 9% of the case");
    assert_int_equal(t.flagged, 5);
    flag_tally_format(&t, text, sizeof(text));
    assert_string_equal(text, "run-queue wait 3, steal 2");
}

static void test_tally_keeps_the_rest_as_other(void **state)
{
    (void)state;
    struct flag_tally t;
    memset(&t, 0, sizeof(t));
    char flag[32], text[512];
    for (int i = 0; i < FLAG_TALLY_REASONS + 3; i++) {
        snprintf(flag, sizeof(flag), "reason %c: x", 'a' + i);
        flag_tally_add(&t, flag);
    }
    flag_tally_add(&t, "reason a: y");
    assert_int_equal(t.flagged, FLAG_TALLY_REASONS + 4);
    flag_tally_format(&t, text, sizeof(text));
    assert_true(strncmp(text, "other 3, reason a 2, reason b 1", 31) == 0);
}

static void test_summary_line(void **state)
{
    (void)state;
    struct run_summary *s = calloc(1, sizeof(*s));
    struct fixture_case *k = calloc(1, sizeof(*k));
    struct case_result *r = calloc(1, sizeof(*r));
    assert_non_null(s);
    assert_non_null(k);
    assert_non_null(r);
    bench_fixture_case(k, "coherency", bench_coherency.axes, AXIS_HEAP, "host", AXIS_KERNEL,
                       "false-sharing", -1);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    run_summary_add(s, &k->c, r);
    run_summary_print(s, out);
    fflush(out);
    assert_non_null(strstr(text, "\nflagged: 0 disturbed, 0 implausible\n"));
    snprintf(r->disturbed, sizeof(r->disturbed), "run-queue wait: 23%% of the case");
    run_summary_add(s, &k->c, r);
    r->disturbed[0] = '\0';
    snprintf(r->implausible, sizeof(r->implausible), "false-sharing cost below 1x: 0.821x");
    run_summary_add(s, &k->c, r);
    rewind(out);
    run_summary_print(s, out);
    fflush(out);
    assert_non_null(strstr(text, "\nflagged: 1 disturbed (run-queue wait 1), 1 implausible "
                                 "(false-sharing cost below 1x 1): the rows say why "
                                 "(results.csv disturbed, implausible)\n"));
    fclose(out);
    free(text);
    run_summary_free(s);
    free(s);
    free(k);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_label_is_the_first_reason),
            cmocka_unit_test(test_tally_counts_and_orders),
            cmocka_unit_test(test_tally_keeps_the_rest_as_other),
            cmocka_unit_test(test_summary_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
