/* tests/unit/test_heap_class.c - heap class from the names seen in the field, and overrides.
 *
 * A wrong guess here mislabels every bandwidth figure of a heap, so each known vendor naming
 * pattern is pinned down.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "heap.h"

static void test_class_from_field_names(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum heap_class klass;
    } cases[] = {
            {"system", HEAP_CLASS_CACHED},
            {"qcom,system", HEAP_CLASS_CACHED},
            {"system-uncached", HEAP_CLASS_UNCACHED},
            {"mtk_mm-uncached", HEAP_CLASS_UNCACHED},
            {"linux,cma-uncached", HEAP_CLASS_UNCACHED},
            {"linux,cma", HEAP_CLASS_CONTIGUOUS},
            {"reserved", HEAP_CLASS_CONTIGUOUS},
            {"default_cma_region", HEAP_CLASS_CONTIGUOUS},
            {"SYSTEM", HEAP_CLASS_CACHED},
            {"secure_display", HEAP_CLASS_UNKNOWN},
            {"mtk_mm", HEAP_CLASS_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (heap_class_from_name(cases[i].name) != cases[i].klass)
            fail_msg("%s: got %s, want %s", cases[i].name,
                     heap_class_name(heap_class_from_name(cases[i].name)),
                     heap_class_name(cases[i].klass));
    }
}

static void test_class_names_round_trip(void **state)
{
    (void)state;
    for (int k = HEAP_CLASS_UNKNOWN; k <= HEAP_CLASS_CONTIGUOUS; k++) {
        enum heap_class parsed;
        assert_int_equal(heap_class_parse(heap_class_name((enum heap_class)k), &parsed), 0);
        assert_int_equal(parsed, k);
    }
    enum heap_class parsed;
    assert_int_equal(heap_class_parse("wc", &parsed), -EINVAL);
    assert_int_equal(heap_class_parse("", &parsed), -EINVAL);
}

static void test_cpu_mapping_follows_class(void **state)
{
    (void)state;
    assert_int_equal(heap_class_cpu_mapping(HEAP_CLASS_CACHED), HEAP_MAPPING_CACHED);
    assert_int_equal(heap_class_cpu_mapping(HEAP_CLASS_CONTIGUOUS), HEAP_MAPPING_CACHED);
    assert_int_equal(heap_class_cpu_mapping(HEAP_CLASS_UNCACHED), HEAP_MAPPING_UNCACHED);
    assert_int_equal(heap_class_cpu_mapping(HEAP_CLASS_UNKNOWN), HEAP_MAPPING_UNKNOWN);
}

static void test_override_parsing(void **state)
{
    (void)state;
    struct heap_class_override o;
    assert_int_equal(heap_class_override_parse("linux,cma=uncached", &o), 0);
    assert_string_equal(o.name, "linux,cma");
    assert_int_equal(o.klass, HEAP_CLASS_UNCACHED);
    assert_int_equal(heap_class_override_parse("=cached", &o), -EINVAL);
    assert_int_equal(heap_class_override_parse("system", &o), -EINVAL);
    assert_int_equal(heap_class_override_parse("system=fast", &o), -EINVAL);
    char long_name[HEAP_NAME_MAX + 16];
    memset(long_name, 'a', sizeof(long_name));
    strcpy(long_name + HEAP_NAME_MAX + 2, "=cached");
    assert_int_equal(heap_class_override_parse(long_name, &o), -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_class_from_field_names),
            cmocka_unit_test(test_class_names_round_trip),
            cmocka_unit_test(test_cpu_mapping_follows_class),
            cmocka_unit_test(test_override_parsing),
    };
    return cmocka_run_group_tests_name("heap_class", tests, NULL, NULL);
}
