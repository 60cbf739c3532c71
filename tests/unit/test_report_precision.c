/* tests/unit/test_report_precision.c - the report's "Precision" section on planted result sets:
 * rows grouped by benchmark and metric, cpu bandwidth split by pass length, the median and the
 * worst cv, what is left out (counters, skipped rows, single samples), and old sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result_set.h"
#include "report_precision.h"
#include "result_fixture.h"

#define HEADER "schema_version,case_id,bench,heap,size_bytes,metric,unit,n,median,cv,status\n"

static char *section_of(const char *text)
{
    const char *dir = result_fixture_plant(text);
    struct result_set *s = result_fixture_load(dir);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(report_precision(f, s), 0);
    assert_int_equal(fclose(f), 0);
    result_set_free(s);
    result_fixture_unplant(dir);
    return out;
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("the section lacks: %s\nit is:\n%s", want, text);
}

static void test_groups_medians_and_the_worst_row(void **state)
{
    (void)state;
    /* 1 MiB at 10 GB/s: a pass of 0.1 ms; 64 MiB at 10 GB/s: 6.7 ms. */
    char *text = section_of(HEADER "3,cpu:a,cpu,host,1048576,bandwidth,bytes/s,5,1e10,0.004,ok\n"
                                   "3,cpu:b,cpu,host,1048576,bandwidth,bytes/s,5,1e10,0.02,ok\n"
                                   "3,cpu:c,cpu,host,1048576,bandwidth,bytes/s,5,1e10,0.006,ok\n"
                                   "3,cpu:d,cpu,host,67108864,bandwidth,bytes/s,5,1e10,0.009,ok\n"
                                   "3,cpu:e,cpu,host,67108864,bandwidth,bytes/s,5,1e10,0.011,ok\n"
                                   "3,cpu:f,cpu,host,67108864,latency,ns,5,100,0.03,ok\n"
                                   "3,cpu:f,cpu,host,67108864,perf::task-clock,ns/byte,5,1,0.5,ok\n"
                                   "3,cpu:g,cpu,host,67108864,latency,ns,1,100,,ok\n"
                                   "3,cpu:h,cpu,host,67108864,bandwidth,bytes/s,,,,skipped\n"
                                   "3,sync:a,sync,host,4194304,sync_cost,ns,5,900,0.002,ok\n");
    expect_in(text, "### Precision\n");
    /* Three short-pass rows: median 0.6%, worst 2% (cpu:b on line 3), one above 1%. */
    expect_in(text, "| cpu | bandwidth, pass < 1 ms | 3 | 0.6% | 2.00% | 1 | `cpu:b` (line 3) |");
    /* Two long-pass rows: the median of an even count is the middle pair's mean. */
    expect_in(text, "| cpu | bandwidth, pass >= 1 ms | 2 | 1% | 1.10% | 1 | `cpu:e` (line 6) |");
    /* The counter, the single sample and the skipped row are left out. */
    expect_in(text, "| cpu | latency | 1 | 3.00% | 3.00% | 1 | `cpu:f` (line 7) |");
    expect_in(text, "| sync | sync_cost | 1 | 0.2% | 0.2% | 0 | `sync:a` (line 11) |");
    assert_null(strstr(text, "task-clock"));
    free(text);
}

static void test_nothing_to_say(void **state)
{
    (void)state;
    char *text = section_of(HEADER "3,cpu:g,cpu,host,4096,latency,ns,1,100,,ok\n");
    expect_in(text, "No measured row has two samples or more");
    free(text);
    text = section_of("schema_version,case_id,bench,heap,metric,unit,median,status\n"
                      "1,cpu:a,cpu,host,bandwidth,bytes/s,1e9,ok\n");
    expect_in(text, "This set has no `cv` column.");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_groups_medians_and_the_worst_row),
            cmocka_unit_test(test_nothing_to_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
