/* tests/unit/test_fdinfo_csv.c - reading dma-buf fdinfo and writing CSV fields.
 *
 * fdinfo is how dmabench checks the kernel's view of a buffer (size, exporter, name) and
 * counts leaks; CSV quoting decides whether "linux,cma" survives a round trip.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "csv_write.h"
#include "dmabuf_fdinfo.h"
#include "resource_snapshot.h"

static void test_parse_kernel_fdinfo(void **state)
{
    (void)state;
    /* As printed by a 6.12 kernel for a named system-heap buffer. */
    const char *text = "pos:\t0\nflags:\t02000002\nmnt_id:\t16\nino:\t1234\nsize:\t1048576\n"
                       "count:\t1\nexp_name:\tsystem\nname:\tcamera-pool\n";
    struct dmabuf_fdinfo info;
    assert_int_equal(dmabuf_fdinfo_parse(text, &info), 0);
    assert_int_equal(info.size, 1048576);
    assert_int_equal(info.count, 1);
    assert_int_equal(info.ino, 1234);
    assert_string_equal(info.exp_name, "system");
    assert_string_equal(info.name, "camera-pool");
}

static void test_parse_unnamed_and_non_dmabuf(void **state)
{
    (void)state;
    struct dmabuf_fdinfo info;
    assert_int_equal(dmabuf_fdinfo_parse("size:\t4096\ncount:\t2\nexp_name:\tudmabuf\n", &info), 0);
    assert_string_equal(info.name, "");
    assert_int_equal(info.count, 2);
    /* A regular file's fdinfo has no exporter. */
    assert_int_equal(dmabuf_fdinfo_parse("pos:\t0\nflags:\t0100002\nmnt_id:\t20\n", &info),
                     -EINVAL);
}

static void test_real_fds_are_not_dmabufs(void **state)
{
    (void)state;
    struct dmabuf_fdinfo info;
    int fd = open("/proc/self/status", O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(dmabuf_fdinfo_read(fd, &info), -EINVAL);
    assert_int_equal(dmabuf_fdinfo_read(999999, &info), -ENOENT);
    assert_int_equal(dmabuf_count_open(), 0);

    struct resource_snapshot before, after;
    assert_int_equal(resource_snapshot_take(&before), 0);
    close(fd);
    assert_int_equal(resource_snapshot_take(&after), 0);
    assert_int_equal(after.fds, before.fds - 1);
    assert_false(resource_snapshot_grew(&before, &after));
    assert_true(resource_snapshot_grew(&after, &before));
}

static char *csv_of(const char *const *fields, size_t n)
{
    static char buffer[256];
    FILE *f = fmemopen(buffer, sizeof(buffer), "w");
    assert_non_null(f);
    assert_int_equal(csv_write_row(f, fields, n), 0);
    fclose(f);
    return buffer;
}

static void test_csv_quotes_only_when_needed(void **state)
{
    (void)state;
    const char *plain[] = {"system", "4096", NULL, "ok"};
    assert_string_equal(csv_of(plain, 4), "system,4096,,ok\n");
    const char *tricky[] = {"linux,cma", "say \"hi\"", "two\nlines"};
    assert_string_equal(csv_of(tricky, 3), "\"linux,cma\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_kernel_fdinfo),
            cmocka_unit_test(test_parse_unnamed_and_non_dmabuf),
            cmocka_unit_test(test_real_fds_are_not_dmabufs),
            cmocka_unit_test(test_csv_quotes_only_when_needed),
    };
    return cmocka_run_group_tests_name("fdinfo_csv", tests, NULL, NULL);
}
