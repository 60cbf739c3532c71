/* bench/results/output_dir.c - safe creation, locking, inspection and set-aside of run directories.
 *
 * The walk follows the kernel's protected_symlinks idea: in a directory others can write to,
 * a link is only trusted when its owner is root or us. Everything after the walk is relative
 * to the directory fd, so a rename of a parent during the run cannot redirect our writes.
 */
#include "output_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_read.h"
#include "safe_file.h"

#define OUTPUT_DIR_MAX_METADATA (1 << 20)

static const char *const run_files[] = {"results.csv", "samples.csv", "metadata.csv"};
#define N_RUN_FILES (sizeof(run_files) / sizeof(run_files[0]))

static int open_dir_at(int at, const char *name, bool follow)
{
    return openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
}

/* One component: open it without following, create it, or follow a trusted link. */
static int step(int at, const char *name, bool last, bool create, const char *path, char *err,
                size_t err_len)
{
    int fd = open_dir_at(at, name, false);
    if (fd < 0 && errno == ENOENT && create) {
        if (mkdirat(at, name, 0755) != 0 && errno != EEXIST) {
            int e = errno;
            snprintf(err, err_len, "%s: cannot create '%s': %s", path, name, strerror(e));
            return -e;
        }
        fd = open_dir_at(at, name, false); /* whatever is there now: never followed */
    }
    if (fd >= 0)
        return fd;
    int e = errno;
    struct stat st;
    if ((e == ELOOP || e == ENOTDIR) && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
        if (last) {
            snprintf(err, err_len, "%s: is a symbolic link: refusing to write through it", path);
            return -ELOOP;
        }
        if (st.st_uid != 0 && st.st_uid != geteuid()) {
            snprintf(err, err_len,
                     "%s: '%s' is a symbolic link owned by uid %u, not by root or this user: "
                     "refusing to follow it",
                     path, name, (unsigned)st.st_uid);
            return -ELOOP;
        }
        if ((fd = open_dir_at(at, name, true)) >= 0)
            return fd;
        e = errno;
    }
    snprintf(err, err_len, "%s: '%s': %s", path, name, strerror(e));
    return -e;
}

int output_dir_open(const char *path, bool create, int *dirfd, char *err, size_t err_len)
{
    char buf[4096];
    *dirfd = -1;
    if (!path || !*path) {
        snprintf(err, err_len, "empty directory name");
        return -EINVAL;
    }
    if (strlen(path) >= sizeof(buf)) {
        snprintf(err, err_len, "%.64s...: %s", path, strerror(ENAMETOOLONG));
        return -ENAMETOOLONG;
    }
    snprintf(buf, sizeof(buf), "%s", path);
    int at = path[0] == '/' ? open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                            : open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (at < 0) {
        int e = errno;
        snprintf(err, err_len, "%s: %s", path, strerror(e));
        return -e;
    }
    /* Components first, so the walk knows which one is the run directory itself. */
    char *names[512];
    size_t n = 0;
    for (char *rest = buf, *name; (name = strsep(&rest, "/"));) {
        if (!*name || !strcmp(name, "."))
            continue;
        if (n == sizeof(names) / sizeof(names[0])) {
            close(at);
            snprintf(err, err_len, "%.64s...: %s", path, strerror(ENAMETOOLONG));
            return -ENAMETOOLONG;
        }
        names[n++] = name;
    }
    for (size_t i = 0; i < n; i++) {
        int fd = step(at, names[i], i + 1 == n, create, path, err, err_len);
        close(at);
        if (fd < 0)
            return fd;
        at = fd;
    }
    *dirfd = at;
    return 0;
}

int output_dir_lock(int dirfd, const char *path, int *lockfd, char *err, size_t err_len)
{
    int fd;
    bool owned;
    char why[256];
    int ret = safe_file_open_shared(dirfd, OUTPUT_DIR_LOCK_NAME, &fd, &owned, why, sizeof(why));
    if (ret) {
        snprintf(err, err_len, "%s/%s: %s", path, OUTPUT_DIR_LOCK_NAME, why);
        return ret;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        if (e == EWOULDBLOCK) {
            snprintf(err, err_len, "%s is in use by another dmabench (pid %s): choose another -o",
                     path, pid[0] ? pid : "unknown");
            return -EBUSY;
        }
        snprintf(err, err_len, "%s/%s: %s", path, OUTPUT_DIR_LOCK_NAME, strerror(e));
        return -e;
    }
    /* The pid is only a hint for the message above; never write into someone else's file. */
    if (owned && ftruncate(fd, 0) == 0) {
        char pid[32];
        int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
        if (pwrite(fd, pid, (size_t)n, 0) != n) {
            /* The lock holds without the hint. */
        }
    }
    *lockfd = fd;
    return 0;
}

void output_dir_unlock(int lockfd)
{
    if (lockfd >= 0)
        close(lockfd); /* drops the flock; the file stays so no one locks a deleted inode */
}

int output_dir_map(int dirfd, const char *name, const void **data, size_t *len, char *why,
                   size_t why_len)
{
    static const char empty[1];
    int fd, ret = safe_file_open_read(dirfd, name, false, &fd, why, why_len);
    if (ret)
        return ret;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ret = -errno;
        snprintf(why, why_len, "%s", strerror(-ret));
        close(fd);
        return ret;
    }
    *len = (size_t)st.st_size;
    *data = empty;
    if (*len) {
        void *p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ret = -errno;
            snprintf(why, why_len, "%s", strerror(-ret));
            close(fd);
            return ret;
        }
        *data = p;
    }
    close(fd);
    return 0;
}

void output_dir_unmap(const void *data, size_t len)
{
    if (len)
        munmap((void *)data, len);
}

/* Whether DIR/name starts with header, the first line dmabench writes into it. */
static bool has_header(int dirfd, const char *name, const char *header)
{
    const void *data;
    size_t len;
    char why[128];
    if (output_dir_map(dirfd, name, &data, &len, why, sizeof(why)))
        return false;
    size_t n = strlen(header);
    bool ours = len >= n && !memcmp(data, header, n);
    output_dir_unmap(data, len);
    return ours;
}

static void read_run_id(int dirfd, char *run_id, size_t run_id_len)
{
    snprintf(run_id, run_id_len, "unknown");
    const void *data;
    size_t len;
    char why[128];
    if (output_dir_map(dirfd, "metadata.csv", &data, &len, why, sizeof(why)))
        return;
    struct csv_reader *r;
    struct csv_row row;
    if (len <= OUTPUT_DIR_MAX_METADATA && csv_reader_open_mem(&r, "metadata.csv", data, len) == 0) {
        while (csv_reader_next(r, &row) == 1)
            if (row.n == 3 && !strcmp(row.fields[1], "run_id") && row.fields[2][0])
                snprintf(run_id, run_id_len, "%s", row.fields[2]);
        csv_reader_close(r);
    }
    output_dir_unmap(data, len);
}

int output_dir_inspect(int dirfd, enum output_dir_kind *kind, char *run_id, size_t run_id_len)
{
    static const char *const headers[N_RUN_FILES] = {"schema_version,run_id,case_id,",
                                                     "schema_version,run_id,case_id,",
                                                     "schema_version,key,value\n"};
    size_t present = 0, ours = 0;
    for (size_t i = 0; i < N_RUN_FILES; i++) {
        struct stat st;
        if (fstatat(dirfd, run_files[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT)
                return -errno;
            continue;
        }
        present++;
        /* A file killed before its header reached the disk is empty: still ours. */
        if (S_ISREG(st.st_mode) && (st.st_size == 0 || has_header(dirfd, run_files[i], headers[i])))
            ours++;
    }
    *kind = !present ? OUTPUT_DIR_EMPTY : ours == present ? OUTPUT_DIR_RUN : OUTPUT_DIR_FOREIGN;
    snprintf(run_id, run_id_len, "unknown");
    if (*kind == OUTPUT_DIR_RUN)
        read_run_id(dirfd, run_id, run_id_len);
    return 0;
}

int output_dir_move_aside(int dirfd, const char *run_id, char *moved_to, size_t moved_to_len)
{
    char id[64];
    snprintf(id, sizeof(id), "%s", run_id);
    for (char *p = id; *p; p++) /* it becomes a file name: nothing but [A-Za-z0-9._-] */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '_';
    int ret = -EEXIST;
    for (int i = 1; i < 100 && ret == -EEXIST; i++) {
        if (i == 1)
            snprintf(moved_to, moved_to_len, "previous-%s", id);
        else
            snprintf(moved_to, moved_to_len, "previous-%s-%d", id, i);
        ret = mkdirat(dirfd, moved_to, 0755) == 0 ? 0 : -errno;
    }
    if (ret)
        return ret;
    int sub = open_dir_at(dirfd, moved_to, false);
    if (sub < 0)
        return -errno;
    for (size_t i = 0; i < N_RUN_FILES && !ret; i++)
        if (renameat(dirfd, run_files[i], sub, run_files[i]) != 0 && errno != ENOENT)
            ret = -errno;
    if (!ret && fsync(sub) != 0)
        ret = -errno;
    close(sub);
    return ret ? ret : output_dir_sync(dirfd);
}

int output_dir_sync(int dirfd)
{
    return safe_file_sync_dir(dirfd);
}
