/* bench/analysis/history_find.c - walks the paths `history` is given for result sets.
 *
 * A directory holding a results.csv is a set; any other directory is searched, one level at a
 * time through openat(O_NOFOLLOW) on the directory already open, so a link planted in a tree
 * cannot lead the walk out of it, and a swapped component is never followed.
 */
#include "history_find.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void history_warnf(const struct history_warn *w, const char *fmt, ...)
{
    if (!w || !w->fn)
        return;
    char message[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    w->fn(w->ctx, message);
}

struct finder {
    const struct history_warn *w;
    char **dirs;
    size_t n, cap;
};

static int add_set(struct finder *f, const char *path)
{
    if (f->n == f->cap) {
        size_t cap2 = f->cap ? 2 * f->cap : 64;
        char **dirs = realloc(f->dirs, cap2 * sizeof(*dirs));
        if (!dirs)
            return -ENOMEM;
        f->dirs = dirs;
        f->cap = cap2;
    }
    if (!(f->dirs[f->n] = strdup(path)))
        return -ENOMEM;
    f->n++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory, but for "." and ".." and hidden ones (a private directory that
 * gnuplot wrote in, an editor's files), sorted. */
static int list_names(int dirfd, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    int fd = dup(dirfd);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int ret = -errno;
        close(fd);
        return ret;
    }
    size_t cap = 0;
    int ret = 0;
    struct dirent *e;
    while (!ret && (errno = 0, e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            size_t cap2 = cap ? 2 * cap : 32;
            char **grown = realloc(*names, cap2 * sizeof(*grown));
            if (!grown) {
                ret = -ENOMEM;
                break;
            }
            *names = grown;
            cap = cap2;
        }
        if (!((*names)[*n] = strdup(e->d_name)))
            ret = -ENOMEM;
        else
            (*n)++;
    }
    if (!ret && errno)
        ret = -errno;
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof(**names), compare_names);
    return ret;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int walk(struct finder *f, int dirfd, const char *path, unsigned depth);

/* One entry of a directory being walked: a directory is walked, a link to one is named and
 * left alone, anything else is no set. */
static int walk_entry(struct finder *f, int dirfd, const char *path, const char *name,
                      unsigned depth)
{
    char *sub;
    if (asprintf(&sub, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", name) < 0)
        return -ENOMEM;
    struct stat st, target;
    int ret = 0;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        history_warnf(f->w, "%s: %s: skipped", sub, strerror(errno));
    } else if (S_ISLNK(st.st_mode)) {
        if (fstatat(dirfd, name, &target, 0) == 0 && S_ISDIR(target.st_mode))
            history_warnf(f->w, "%s: a symbolic link to a directory, not followed", sub);
    } else if (S_ISDIR(st.st_mode)) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            history_warnf(f->w, "%s: %s: skipped", sub, strerror(errno));
        } else {
            ret = walk(f, fd, sub, depth + 1);
            close(fd);
        }
    }
    free(sub);
    return ret;
}

static int walk(struct finder *f, int dirfd, const char *path, unsigned depth)
{
    struct stat st;
    if (fstatat(dirfd, "results.csv", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISREG(st.st_mode))
            return add_set(f, path);
        history_warnf(f->w, "%s/results.csv: not a regular file (a link, FIFO or device): skipped",
                      path);
        return 0;
    }
    if (depth >= HISTORY_FIND_DEPTH) {
        history_warnf(f->w, "%s: more than %d directories deep, not searched", path,
                      HISTORY_FIND_DEPTH);
        return 0;
    }
    char **names;
    size_t n;
    int ret = list_names(dirfd, &names, &n);
    if (ret == -ENOMEM) {
        free_names(names, n);
        return ret;
    }
    if (ret) {
        history_warnf(f->w, "%s: %s: skipped", path, strerror(-ret));
        ret = 0;
    }
    for (size_t i = 0; !ret && i < n; i++)
        ret = walk_entry(f, dirfd, path, names[i], depth);
    free_names(names, n);
    return ret;
}

/* A path the user named: followed even when it is a link (they chose it). */
static int find_in(struct finder *f, const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int ret = -errno;
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return ret;
    }
    if (!S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(path, '/');
        if (!S_ISREG(st.st_mode) || strcmp(slash ? slash + 1 : path, "results.csv") != 0) {
            snprintf(err, err_len,
                     "%s: not a result set (a run's directory or its results.csv) nor a "
                     "directory of them",
                     path);
            return -ENOTDIR;
        }
        char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
        if (!dir)
            return -ENOMEM;
        int ret = add_set(f, *dir ? dir : "/");
        free(dir);
        return ret;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int ret = -errno;
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return ret;
    }
    int ret = walk(f, fd, path, 0);
    close(fd);
    return ret;
}

int history_find_sets(const char *const *paths, size_t n_paths, const struct history_warn *w,
                      char ***dirs, size_t *n_dirs, char *err, size_t err_len)
{
    struct finder f = {.w = w};
    int ret = 0;
    err[0] = '\0';
    for (size_t i = 0; !ret && i < n_paths; i++)
        ret = find_in(&f, paths[i], err, err_len);
    if (ret) {
        if (ret == -ENOMEM && !*err)
            snprintf(err, err_len, "out of memory");
        history_found_free(f.dirs, f.n);
        return ret;
    }
    *dirs = f.dirs;
    *n_dirs = f.n;
    return 0;
}

void history_found_free(char **dirs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
}
