/* tests/unit/test_size_units.c - size parsing (4K, 1M, 2G ...) and printing with units.
 *
 * Every size a user types goes through size_parse, so its edge cases (suffix spellings,
 * overflow, garbage) are pinned down here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "size_units.h"

static size_t parsed(const char *text)
{
    size_t value = 12345;
    assert_int_equal(size_parse(text, &value), 0);
    return value;
}

static void test_plain_and_suffixed_sizes(void **state)
{
    (void)state;
    assert_int_equal(parsed("0"), 0);
    assert_int_equal(parsed("4096"), 4096);
    assert_int_equal(parsed("5000B"), 5000); /* what size_format_compact prints reads back */
    assert_int_equal(parsed("0B"), 0);
    assert_int_equal(parsed("4K"), 4096);
    assert_int_equal(parsed("4k"), 4096);
    assert_int_equal(parsed("4KiB"), 4096);
    assert_int_equal(parsed("4KB"), 4096);
    assert_int_equal(parsed("1M"), 1048576);
    assert_int_equal(parsed("2G"), 2147483648ull);
    assert_int_equal(parsed("1T"), 1ull << 40);
}

static void test_rejects_what_is_not_a_size(void **state)
{
    (void)state;
    const char *bad[] = {"", "K", "-4K", " 4K", "4 K", "4Q", "4KK", "4Kx", "0x10", "1.5M", "4Ki"};
    size_t value;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(size_parse(bad[i], &value), -EINVAL);
    assert_int_equal(size_parse(NULL, &value), -EINVAL);
}

static void test_overflow_is_an_error_not_a_wrap(void **state)
{
    (void)state;
    size_t value;
    assert_int_equal(size_parse("99999999999999999999999", &value), -ERANGE);
    assert_int_equal(size_parse("16777216T", &value), -ERANGE); /* 2^64 */
    assert_int_equal(size_parse("16777215T", &value), 0);
}

static void test_format_picks_the_unit(void **state)
{
    (void)state;
    char out[32];
    assert_string_equal(size_format(4096, out, sizeof(out)), "4 KiB");
    assert_string_equal(size_format(5000, out, sizeof(out)), "4.9 KiB");
    assert_string_equal(size_format(1000, out, sizeof(out)), "1000 B");
    assert_string_equal(size_format(3u << 20, out, sizeof(out)), "3 MiB");
    assert_string_equal(size_format((size_t)3 << 29, out, sizeof(out)), "1.5 GiB");
    assert_string_equal(size_format_compact(2u << 20, out, sizeof(out)), "2MiB");
    assert_string_equal(size_format_compact(5000, out, sizeof(out)), "5000B");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_plain_and_suffixed_sizes),
            cmocka_unit_test(test_rejects_what_is_not_a_size),
            cmocka_unit_test(test_overflow_is_an_error_not_a_wrap),
            cmocka_unit_test(test_format_picks_the_unit),
    };
    return cmocka_run_group_tests_name("size_units", tests, NULL, NULL);
}
