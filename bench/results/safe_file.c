/* bench/results/safe_file.c - exclusive creation, replacement by rename, private directories
 * and regular-file-only reads, all relative to a directory fd.
 *
 * A temporary's name is .NAME.PID.N.tmp with the first N that O_EXCL (or mkdirat) can take, so
 * whatever someone planted under a predictable name is stepped over, never used.
 */
#include "safe_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAFE_FILE_ATTEMPTS 100

static int fail(char *why, size_t why_len, int e)
{
    snprintf(why, why_len, "%s", strerror(e));
    return -e;
}

static const char *kind_name(mode_t mode)
{
    return S_ISLNK(mode)    ? "a symbolic link"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISDIR(mode)  ? "a directory"
                            : "not a regular file";
}

/* 0 for a regular file, else why not (verb: "read it", "use it; remove it"). */
static int regular_only(const struct stat *st, const char *verb, char *why, size_t why_len)
{
    if (S_ISREG(st->st_mode))
        return 0;
    if (S_ISDIR(st->st_mode))
        return fail(why, why_len, EISDIR);
    if (S_ISLNK(st->st_mode)) {
        snprintf(why, why_len, "is a symbolic link: refusing to %s", verb);
        return -ELOOP;
    }
    snprintf(why, why_len, "is %s, not a regular file: refusing to %s", kind_name(st->st_mode),
             verb);
    return -EINVAL;
}

static int set_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ? -errno : 0;
}

int safe_file_create(int dirfd, const char *name, FILE **f)
{
    *f = NULL;
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    if (!(*f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlinkat(dirfd, name, 0);
        return -e;
    }
    return 0;
}

/* The first free .STEM.PID.N.tmp in dirfd, taken by make (which fails with EEXIST when it is
 * not free). The result of make, or -errno. */
static int take_fresh_name(int dirfd, const char *stem, char *name, size_t name_len,
                           int (*make)(int dirfd, const char *name))
{
    for (int n = 0; n < SAFE_FILE_ATTEMPTS; n++) {
        if ((size_t)snprintf(name, name_len, ".%s.%ld.%d.tmp", stem, (long)getpid(), n) >= name_len)
            return -ENAMETOOLONG;
        int ret = make(dirfd, name);
        if (ret != -EEXIST)
            return ret;
    }
    return -EEXIST;
}

static int make_file(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

static int make_dir(int dirfd, const char *name)
{
    return mkdirat(dirfd, name, 0700) == 0 ? 0 : -errno;
}

int safe_file_begin(struct safe_file_update *u, int dirfd, const char *name)
{
    memset(u, 0, sizeof(*u));
    u->dirfd = dirfd;
    if ((size_t)snprintf(u->name, sizeof(u->name), "%s", name) >= sizeof(u->name))
        return -ENAMETOOLONG;
    int fd = take_fresh_name(dirfd, name, u->tmp, sizeof(u->tmp), make_file);
    if (fd < 0)
        return fd;
    if (!(u->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlinkat(dirfd, u->tmp, 0);
        return -e;
    }
    return 0;
}

int safe_file_sync_dir(int dirfd)
{
    /* Some filesystems (vfat on a board's SD card) cannot fsync a directory: not an error. */
    if (fsync(dirfd) != 0 && errno != EINVAL && errno != EROFS)
        return -errno;
    return 0;
}

int safe_file_flush(FILE *f)
{
    if (fflush(f) != 0)
        return -errno;
    if (ferror(f))
        return -EIO;
    return fdatasync(fileno(f)) == 0 || errno == EINVAL ? 0 : -errno;
}

int safe_file_commit(struct safe_file_update *u, bool keep)
{
    int ret = safe_file_flush(u->f);
    if (!ret && !keep) {
        FILE *f = u->f;
        u->f = NULL;
        if (fclose(f) != 0)
            ret = -errno;
    }
    if (!ret && renameat(u->dirfd, u->tmp, u->dirfd, u->name) != 0)
        ret = -errno;
    if (ret) {
        safe_file_abort(u);
        return ret;
    }
    u->tmp[0] = '\0'; /* it is name now */
    return safe_file_sync_dir(u->dirfd);
}

void safe_file_abort(struct safe_file_update *u)
{
    if (u->f)
        fclose(u->f);
    u->f = NULL;
    if (u->tmp[0])
        unlinkat(u->dirfd, u->tmp, 0);
    u->tmp[0] = '\0';
}

int safe_file_private_dir(int dirfd, const char *stem, char *name, size_t name_len, int *subfd)
{
    *subfd = -1;
    int ret = take_fresh_name(dirfd, stem, name, name_len, make_dir);
    if (ret)
        return ret;
    *subfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (*subfd < 0) {
        ret = -errno;
        unlinkat(dirfd, name, AT_REMOVEDIR);
    }
    return ret;
}

void safe_file_private_dir_remove(int dirfd, const char *name, int subfd)
{
    int listfd = subfd >= 0 ? fcntl(subfd, F_DUPFD_CLOEXEC, 3) : -1;
    DIR *d = listfd >= 0 ? fdopendir(listfd) : NULL;
    if (!d && listfd >= 0)
        close(listfd);
    if (d)
        rewinddir(d); /* the dup shares subfd's offset */
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlinkat(subfd, e->d_name, 0);
    if (d)
        closedir(d);
    if (subfd >= 0)
        close(subfd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

int safe_file_move(int subfd, const char *from, int dirfd, const char *to)
{
    char why[128];
    int fd, ret = safe_file_open_read(subfd, from, false, &fd, why, sizeof(why));
    if (ret)
        return ret;
    struct stat st;
    if (fstat(fd, &st) != 0)
        ret = -errno;
    else if (st.st_nlink != 1)
        ret = -EINVAL;
    else if (fdatasync(fd) != 0 && errno != EINVAL)
        ret = -errno;
    close(fd);
    if (!ret && renameat(subfd, from, dirfd, to) != 0)
        ret = -errno;
    return ret;
}

int safe_file_open_read(int dirfd, const char *path, bool follow, int *fd, char *why,
                        size_t why_len)
{
    struct stat st;
    *fd = -1;
    /* Before opening: opening a device can do things (a watchdog starts counting). */
    if (fstatat(dirfd, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
        return fail(why, why_len, errno);
    int ret = regular_only(&st, "read it", why, why_len);
    if (ret)
        return ret;
    int f = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (f < 0)
        return fail(why, why_len, errno);
    /* After: the name may have been given to something else in between. */
    if (fstat(f, &st) != 0 || (ret = set_blocking(f)))
        ret = fail(why, why_len, ret ? -ret : errno);
    else
        ret = regular_only(&st, "read it", why, why_len);
    if (ret) {
        close(f);
        return ret;
    }
    *fd = f;
    return 0;
}

int safe_file_fopen_read(int dirfd, const char *path, bool follow, FILE **f, char *why,
                         size_t why_len)
{
    int fd, ret = safe_file_open_read(dirfd, path, follow, &fd, why, why_len);
    *f = NULL;
    if (ret)
        return ret;
    if (!(*f = fdopen(fd, "re"))) {
        ret = fail(why, why_len, errno);
        close(fd);
    }
    return ret;
}

/* A shared file is a regular file with one name. */
static int shared_only(const struct stat *st, char *why, size_t why_len)
{
    int ret = regular_only(st, "use it; remove it", why, why_len);
    if (!ret && st->st_nlink != 1) {
        snprintf(why, why_len, "has %lu names (a hard link): refusing to use it; remove it",
                 (unsigned long)st->st_nlink);
        ret = -EMLINK;
    }
    return ret;
}

int safe_file_open_shared(int dirfd, const char *name, int *fd, bool *owned, char *why,
                          size_t why_len)
{
    struct stat st;
    int ret = 0;
    *fd = -1;
    *owned = false;
    for (int attempt = 0; attempt < SAFE_FILE_ATTEMPTS && *fd < 0; attempt++) {
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if ((ret = shared_only(&st, why, why_len)))
                return ret;
            *fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        } else if (errno == ENOENT) {
            *fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        }
        /* Gone, or made, between the look and the open: look again. */
        if (*fd < 0 && errno != ENOENT && errno != EEXIST)
            return fail(why, why_len, errno);
    }
    if (*fd < 0)
        return fail(why, why_len, EAGAIN);
    if (fstat(*fd, &st) != 0 || (ret = set_blocking(*fd)))
        ret = fail(why, why_len, ret ? -ret : errno);
    else
        ret = shared_only(&st, why, why_len);
    if (ret) {
        close(*fd);
        *fd = -1;
        return ret;
    }
    *owned = st.st_uid == geteuid();
    return 0;
}
