/* tests/unit/test_safe_file.c - the one way dmabench creates, replaces and reads files: nothing
 * planted (a link, a hard link, a FIFO) is written through, truncated or blocked on, and a
 * failed replacement leaves the old file and no temporary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"

struct dir {
    char path[64];
    int fd;
};

static int dir_setup(void **state)
{
    struct dir *d = calloc(1, sizeof(*d));
    snprintf(d->path, sizeof(d->path), "/tmp/dmabench-safe-file-XXXXXX");
    if (!d || !mkdtemp(d->path) || (d->fd = open(d->path, O_RDONLY | O_DIRECTORY)) < 0)
        return -1;
    *state = d;
    return 0;
}

static int dir_teardown(void **state)
{
    struct dir *d = *state;
    char cmd[128];
    close(d->fd);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", d->path);
    int ret = system(cmd);
    free(d);
    return ret;
}

static void put(int dirfd, const char *name, const char *text)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static const char *get(int dirfd, const char *name)
{
    static char buf[256];
    int fd = openat(dirfd, name, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n >= 0 ? buf : NULL;
}

/* The entries of the directory besides . and .., so a left temporary shows. */
static int entries(int dirfd)
{
    DIR *d = fdopendir(dup(dirfd));
    int n = 0;
    if (d)
        rewinddir(d); /* the dup shares the offset of an earlier listing */
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void test_create_never_overwrites(void **state)
{
    struct dir *d = *state;
    FILE *f;
    put(d->fd, "victim", "precious");
    assert_int_equal(symlinkat("victim", d->fd, "link"), 0);
    assert_int_equal(safe_file_create(d->fd, "link", &f), -EEXIST);
    assert_int_equal(safe_file_create(d->fd, "victim", &f), -EEXIST);
    assert_int_equal(safe_file_create(d->fd, "new", &f), 0);
    fputs("fresh", f);
    fclose(f);
    assert_string_equal(get(d->fd, "new"), "fresh");
    assert_string_equal(get(d->fd, "victim"), "precious");
}

static void test_replace_takes_the_name_not_the_target(void **state)
{
    struct dir *d = *state;
    struct safe_file_update u;
    put(d->fd, "victim", "precious");
    assert_int_equal(symlinkat("victim", d->fd, "soft"), 0);
    assert_int_equal(linkat(d->fd, "victim", d->fd, "hard", 0), 0);
    /* The temporary's first name planted: the next one is taken. */
    char planted[64];
    snprintf(planted, sizeof(planted), ".soft.%ld.0.tmp", (long)getpid());
    assert_int_equal(symlinkat("victim", d->fd, planted), 0);
    const char *names[] = {"soft", "hard"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(safe_file_begin(&u, d->fd, names[i]), 0);
        assert_string_not_equal(u.tmp, planted);
        fputs("new", u.f);
        assert_int_equal(safe_file_commit(&u, false), 0);
        struct stat st;
        assert_int_equal(fstatat(d->fd, names[i], &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode) && st.st_nlink == 1);
        assert_string_equal(get(d->fd, names[i]), "new");
    }
    assert_string_equal(get(d->fd, "victim"), "precious");
    assert_int_equal(entries(d->fd), 4); /* victim, soft, hard, the planted link */
}

static void test_commit_keeps_the_file_open_and_abort_leaves_the_old(void **state)
{
    struct dir *d = *state;
    struct safe_file_update u;
    put(d->fd, "data", "old");
    assert_int_equal(safe_file_begin(&u, d->fd, "data"), 0);
    fputs("half", u.f);
    safe_file_abort(&u);
    assert_string_equal(get(d->fd, "data"), "old");
    assert_int_equal(entries(d->fd), 1);
    assert_int_equal(safe_file_begin(&u, d->fd, "data"), 0);
    fputs("one", u.f);
    assert_int_equal(safe_file_commit(&u, true), 0);
    fputs(",two", u.f); /* still the file, now called data */
    fclose(u.f);
    assert_string_equal(get(d->fd, "data"), "one,two");
    assert_int_equal(entries(d->fd), 1);
}

static void test_private_dir_and_move(void **state)
{
    struct dir *d = *state;
    char name[64];
    int sub;
    put(d->fd, "victim", "precious");
    assert_int_equal(symlinkat("victim", d->fd, "plot.png"), 0);
    assert_int_equal(safe_file_private_dir(d->fd, "plots", name, sizeof(name), &sub), 0);
    struct stat st;
    assert_int_equal(fstat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    put(sub, "plot.png", "drawn");
    put(sub, "left.svg", "never moved");
    assert_int_equal(linkat(sub, "left.svg", sub, "second-name", 0), 0);
    assert_int_equal(safe_file_move(sub, "second-name", d->fd, "x"), -EINVAL); /* two names */
    assert_int_equal(safe_file_move(sub, "plot.png", d->fd, "plot.png"), 0);
    assert_string_equal(get(d->fd, "plot.png"), "drawn");
    assert_string_equal(get(d->fd, "victim"), "precious");
    safe_file_private_dir_remove(d->fd, name, sub);
    assert_int_equal(fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW), -1);
    assert_int_equal(entries(d->fd), 2);
}

static void test_reads_only_regular_files_without_blocking(void **state)
{
    struct dir *d = *state;
    char why[128];
    int fd;
    put(d->fd, "results.csv", "a,b\n");
    assert_int_equal(symlinkat("results.csv", d->fd, "link.csv"), 0);
    assert_int_equal(mkfifoat(d->fd, "fifo.csv", 0600), 0);
    assert_int_equal(safe_file_open_read(d->fd, "fifo.csv", false, &fd, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "is a FIFO, not a regular file: refusing to read it");
    assert_int_equal(safe_file_open_read(d->fd, "link.csv", false, &fd, why, sizeof(why)), -ELOOP);
    assert_string_equal(why, "is a symbolic link: refusing to read it");
    assert_int_equal(safe_file_open_read(AT_FDCWD, "/dev/null", false, &fd, why, sizeof(why)),
                     -EINVAL);
    assert_string_equal(why, "is a character device, not a regular file: refusing to read it");
    assert_int_equal(safe_file_open_read(d->fd, ".", false, &fd, why, sizeof(why)), -EISDIR);
    assert_int_equal(safe_file_open_read(d->fd, "none", false, &fd, why, sizeof(why)), -ENOENT);
    assert_int_equal(safe_file_open_read(d->fd, "link.csv", true, &fd, why, sizeof(why)), 0);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    FILE *f;
    assert_int_equal(safe_file_fopen_read(d->fd, "results.csv", false, &f, why, sizeof(why)), 0);
    char line[16];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "a,b\n");
    fclose(f);
}

static void test_shared_file_is_one_regular_file(void **state)
{
    struct dir *d = *state;
    char why[128];
    int fd;
    bool owned;
    assert_int_equal(safe_file_open_shared(d->fd, "lock", &fd, &owned, why, sizeof(why)), 0);
    assert_true(owned);
    close(fd);
    assert_int_equal(safe_file_open_shared(d->fd, "lock", &fd, &owned, why, sizeof(why)), 0);
    close(fd);
    put(d->fd, "victim", "precious");
    assert_int_equal(linkat(d->fd, "victim", d->fd, "hard", 0), 0);
    assert_int_equal(safe_file_open_shared(d->fd, "hard", &fd, &owned, why, sizeof(why)), -EMLINK);
    assert_string_equal(why, "has 2 names (a hard link): refusing to use it; remove it");
    assert_int_equal(symlinkat("victim", d->fd, "soft"), 0);
    assert_int_equal(safe_file_open_shared(d->fd, "soft", &fd, &owned, why, sizeof(why)), -ELOOP);
    assert_int_equal(mkfifoat(d->fd, "fifo", 0600), 0);
    assert_int_equal(safe_file_open_shared(d->fd, "fifo", &fd, &owned, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "is a FIFO, not a regular file: refusing to use it; remove it");
    assert_string_equal(get(d->fd, "victim"), "precious");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_create_never_overwrites, dir_setup, dir_teardown),
            cmocka_unit_test_setup_teardown(test_replace_takes_the_name_not_the_target, dir_setup,
                                            dir_teardown),
            cmocka_unit_test_setup_teardown(
                    test_commit_keeps_the_file_open_and_abort_leaves_the_old, dir_setup,
                    dir_teardown),
            cmocka_unit_test_setup_teardown(test_private_dir_and_move, dir_setup, dir_teardown),
            cmocka_unit_test_setup_teardown(test_reads_only_regular_files_without_blocking,
                                            dir_setup, dir_teardown),
            cmocka_unit_test_setup_teardown(test_shared_file_is_one_regular_file, dir_setup,
                                            dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
