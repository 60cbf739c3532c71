/* plot/plot_gnuplot.c - posix_spawnp of gnuplot in a given directory, its stderr read through
 * a pipe.
 *
 * The pipe is read to its end before waitpid, so a chatty gnuplot cannot fill it and block; the
 * child gets no other descriptor of ours (O_CLOEXEC everywhere).
 */
#include "plot_gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOT_MAX_ARGS 8

extern char **environ;

const char *plot_gnuplot_program(void)
{
    const char *p = getenv("DMABENCH_GNUPLOT");
    return p && *p ? p : "gnuplot";
}

/* Everything the child writes to fd until it closes it; -errno on a read or memory error. */
static int read_all(int fd, char **out)
{
    size_t len = 0, cap = 1024;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (cap - len < 512) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                return -ENOMEM;
            }
            buf = b;
        }
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int ret = -errno;
            free(buf);
            return ret;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

static int spawn(const char *const *argv, int cwd_fd, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int ret = posix_spawn_file_actions_init(&fa);
    if (ret)
        return -ret;
    if (!(ret = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) &&
        !(ret = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) &&
        !(ret = posix_spawn_file_actions_adddup2(&fa, err_fd, 2)) &&
        !(ret = posix_spawn_file_actions_addfchdir_np(&fa, cwd_fd)))
        ret = posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return -ret;
}

int plot_gnuplot_run(const char *script, const char *const *args, size_t n_args, int cwd_fd,
                     char **errors, int *status)
{
    *errors = NULL;
    *status = 0;
    if (n_args > PLOT_MAX_ARGS)
        return -E2BIG;
    /* It runs in cwd_fd: a relative $DMABENCH_GNUPLOT is taken from here first. */
    char program[PATH_MAX];
    const char *name = plot_gnuplot_program();
    if (strchr(name, '/') && name[0] != '/' && realpath(name, program))
        name = program;
    const char *argv[PLOT_MAX_ARGS + 4] = {name, "-c", script};
    for (size_t i = 0; i < n_args; i++)
        argv[3 + i] = args[i];
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    pid_t pid;
    int ret = spawn(argv, cwd_fd, fds[1], &pid);
    close(fds[1]);
    if (ret) {
        close(fds[0]);
        return ret;
    }
    int read_ret = read_all(fds[0], errors);
    close(fds[0]);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            ret = -errno;
            break;
        }
    }
    if (!ret && read_ret)
        ret = read_ret;
    if (!ret && !(WIFEXITED(*status) && WEXITSTATUS(*status) == 0))
        ret = -ECHILD;
    return ret;
}
