/* tests/unit/test_report_flags.c - the report's "Flagged rows" section on planted result sets:
 * counts by reason, the cases it cites, a clean set, and a set from before the columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_set.h"
#include "report_flags.h"
#include "result_fixture.h"

/* A result set of header and rows (one per line), under a fresh directory: its path. */
static const char *plant(const char *header, const char *rows)
{
    char text[2048];
    snprintf(text, sizeof(text), "%s\n%s", header, rows);
    return result_fixture_plant(text);
}

static char *section_of(const struct result_set *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(report_flags(f, s), 0);
    fclose(f);
    return text;
}

static void expect_in(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("the section lacks: %s\n--- it is:\n%s", want, text);
}

#define HEADER_3 "schema_version,case_id,bench,heap,metric,unit,median,status,disturbed,implausible"

static void test_flagged_rows_by_reason(void **state)
{
    (void)state;
    const char *dir = plant(
            HEADER_3,
            "3,cpu:a,cpu,host,bandwidth,bytes/s,1,ok,run-queue wait: 40% of the case; load: 3,\n"
            "3,cpu:a,cpu,host,perf::task-clock,ns/byte,1,ok,run-queue wait: 40% of the case,\n"
            "3,cpu:b,cpu,host,bandwidth,bytes/s,1,ok,steal: 3%,\n"
            "3,cpu:c,cpu,host,bandwidth,bytes/s,1,ok,run-queue wait: 2% of the case,\n"
            "3,cpu:d,cpu,host,bandwidth,bytes/s,1,ok,,\n"
            "3,coh:e,coherency,host,false_sharing_cost,ratio,0.8,ok,,false-sharing cost below "
            "1x: 0.8x\n");
    struct result_set *s = result_fixture_load(dir);
    size_t disturbed, implausible;
    assert_int_equal(report_flagged_rows(s, &disturbed, &implausible), 5);
    assert_int_equal(disturbed, 4);
    assert_int_equal(implausible, 1);
    char *text = section_of(s);
    expect_in(text, "### Flagged rows\n\n4 of 6 rows (3 cases) were measured while the "
                    "machine was disturbed and 1 (1 case) break a physical rule");
    /* Each case cited once, in the order of the file, with the line it is on. */
    expect_in(text, "| disturbed | run-queue wait | 3 | `cpu:a` (line 2), `cpu:c` (line 5) |\n");
    expect_in(text, "| disturbed | steal | 1 | `cpu:b` (line 4) |\n");
    expect_in(text, "| implausible | false-sharing cost below 1x | 1 | `coh:e` (line 7) |\n");
    assert_true(strstr(text, "run-queue wait |") < strstr(text, "steal |"));
    free(text);
    result_set_free(s);
    result_fixture_unplant(dir);
}

static void test_clean_and_old_sets(void **state)
{
    (void)state;
    const char *dir = plant(HEADER_3, "3,cpu:a,cpu,host,bandwidth,bytes/s,1,ok,,\n");
    struct result_set *s = result_fixture_load(dir);
    char *text = section_of(s);
    expect_in(text, "No row was flagged");
    free(text);
    result_set_free(s);
    result_fixture_unplant(dir);
    dir = plant("schema_version,case_id,bench,heap,metric,unit,median,status",
                "2,cpu:a,cpu,host,bandwidth,bytes/s,1,ok\n");
    s = result_fixture_load(dir);
    size_t disturbed = 9, implausible = 9;
    assert_int_equal(report_flagged_rows(s, &disturbed, &implausible), 0);
    assert_int_equal(disturbed + implausible, 0);
    text = section_of(s);
    expect_in(text, "no `disturbed` and `implausible` columns (results schema 1 or 2)");
    free(text);
    result_set_free(s);
    result_fixture_unplant(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_flagged_rows_by_reason),
            cmocka_unit_test(test_clean_and_old_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
