/* heaps/dmabuf_fdinfo.c - reads what the kernel reports about dma-buf fds.
 *
 * /proc/self/fdinfo/<fd> of a dma-buf carries size, count, exp_name and name: the only
 * independent check that an allocation is what was asked for and that nothing leaked.
 */
#include "dmabuf_fdinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void copy_value(char *dst, size_t dst_len, const char *value, size_t value_len)
{
    if (value_len >= dst_len)
        value_len = dst_len - 1;
    memcpy(dst, value, value_len);
    dst[value_len] = '\0';
}

int dmabuf_fdinfo_parse(const char *text, struct dmabuf_fdinfo *out)
{
    int have_exporter = 0;
    memset(out, 0, sizeof(*out));
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *colon = memchr(line, ':', len);
        if (colon) {
            size_t key_len = (size_t)(colon - line);
            const char *value = colon + 1;
            while (value < line + len && (*value == ' ' || *value == '\t'))
                value++;
            size_t value_len = (size_t)(line + len - value);
            if (key_len == 4 && !memcmp(line, "size", 4))
                out->size = strtoull(value, NULL, 10);
            else if (key_len == 5 && !memcmp(line, "count", 5))
                out->count = strtol(value, NULL, 10);
            else if (key_len == 3 && !memcmp(line, "ino", 3))
                out->ino = strtoul(value, NULL, 10);
            else if (key_len == 8 && !memcmp(line, "exp_name", 8)) {
                copy_value(out->exp_name, sizeof(out->exp_name), value, value_len);
                have_exporter = 1;
            } else if (key_len == 4 && !memcmp(line, "name", 4))
                copy_value(out->name, sizeof(out->name), value, value_len);
        }
        line = end ? end + 1 : NULL;
    }
    return have_exporter ? 0 : -EINVAL;
}

int dmabuf_fdinfo_read(int fd, struct dmabuf_fdinfo *out)
{
    char path[64], text[4096];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    int info_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (info_fd < 0)
        return -errno;
    size_t used = 0;
    while (used < sizeof(text) - 1) {
        ssize_t n = read(info_fd, text + used, sizeof(text) - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;
            close(info_fd);
            return err;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(info_fd);
    text[used] = '\0';
    return dmabuf_fdinfo_parse(text, out);
}

int dmabuf_count_open(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -errno;
    int own_fd = dirfd(dir), count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(entry->d_name, &end, 10);
        if (*end || end == entry->d_name || fd == own_fd)
            continue;
        struct dmabuf_fdinfo info;
        if (dmabuf_fdinfo_read((int)fd, &info) == 0)
            count++;
    }
    closedir(dir);
    return count;
}
