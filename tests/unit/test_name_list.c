/* tests/unit/test_name_list.c - finding a name in a fixed list and saying the list in words. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "compare_format.h"
#include "export.h"
#include "history_format.h"
#include "name_list.h"

static const char *const three[] = {"table", "md", "json"};

static void test_find(void **state)
{
    (void)state;
    assert_int_equal(name_list_find(three, 3, "table"), 0);
    assert_int_equal(name_list_find(three, 3, "json"), 2);
    assert_int_equal(name_list_find(three, 3, "jsn"), -EINVAL);
    assert_int_equal(name_list_find(three, 3, ""), -EINVAL);
    assert_int_equal(name_list_find(three, 2, "json"), -EINVAL); /* only the first n */
}

static void test_join(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(name_list_join(three, 3, out, sizeof(out)), "table, md or json");
    assert_string_equal(name_list_join(three, 2, out, sizeof(out)), "table or md");
    assert_string_equal(name_list_join(three, 1, out, sizeof(out)), "table");
    assert_string_equal(name_list_join(three, 0, out, sizeof(out)), "");
    char small[8];
    assert_string_equal(name_list_join(three, 3, small, sizeof(small)), "table, "); /* cut */
}

/* Every format a command parses is one its message names, and the other way round. */
static void test_format_lists_parse_their_names(void **state)
{
    (void)state;
    char out[128];
    assert_string_equal(name_list_join(compare_format_names, N_COMPARE_FORMATS, out, sizeof(out)),
                        "table, md, csv, junit, lava, lava-signal or json");
    assert_string_equal(name_list_join(export_format_names, N_EXPORT_FORMATS, out, sizeof(out)),
                        "lava, lava-signal, kcidb, junit or json");
    assert_string_equal(name_list_join(history_format_names, N_HISTORY_FORMATS, out, sizeof(out)),
                        "table, md, csv, junit, lava-signal or json");
    for (int i = 0; i < N_COMPARE_FORMATS; i++) {
        enum compare_format f;
        assert_int_equal(compare_format_parse(compare_format_names[i], &f), 0);
        assert_int_equal(f, i);
    }
    for (int i = 0; i < N_EXPORT_FORMATS; i++) {
        enum export_format f;
        assert_int_equal(export_format_parse(export_format_names[i], &f), 0);
        assert_int_equal(f, i);
    }
    for (int i = 0; i < N_HISTORY_FORMATS; i++) {
        enum history_format f;
        assert_int_equal(history_format_parse(history_format_names[i], &f), 0);
        assert_int_equal(f, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_find),
            cmocka_unit_test(test_join),
            cmocka_unit_test(test_format_lists_parse_their_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
