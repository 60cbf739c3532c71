/* bench/measure/metadata_read.c - file and directory reads under md->root for the metadata
 * collectors.
 *
 * A board lacks what another has (cpufreq, thermal zones, a device tree): every reader here
 * says "not there" instead of failing, and the collectors turn that into "unknown" or "none".
 */
#include "metadata_read.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *metadata_open_at(const char *root, const char *path)
{
    char full[PATH_MAX];
    int n = snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
    if (n < 0 || (size_t)n >= sizeof(full))
        return NULL;
    return fopen(full, "re");
}

FILE *metadata_open(const struct metadata *md, const char *path)
{
    return metadata_open_at(md->root, path);
}

ssize_t metadata_read_raw(const struct metadata *md, const char *path, char *buf, size_t len)
{
    FILE *f = metadata_open(md, path);
    if (!f)
        return -1;
    size_t got = fread(buf, 1, len - 1, f);
    int failed = ferror(f);
    fclose(f);
    buf[got] = '\0';
    return failed ? -1 : (ssize_t)got;
}

void metadata_append(char *out, size_t len, size_t *used, const char *fmt, ...)
{
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + *used, len - *used, fmt, ap);
    va_end(ap);
    if (w > 0)
        *used = *used + (size_t)w < len ? *used + (size_t)w : len - 1;
}

char *metadata_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

char *metadata_read_line(const struct metadata *md, const char *path, char *buf, size_t len)
{
    if (metadata_read_raw(md, path, buf, len) < 0)
        return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    char *line = metadata_trim(buf);
    return *line ? line : NULL;
}

/* N of "PREFIX<N>", or -1 for any other name ("policy", "policy1x", "cpufreq"). */
static int numbered(const char *name, const char *prefix)
{
    size_t len = strlen(prefix);
    char *end;
    if (strncmp(name, prefix, len) || !isdigit((unsigned char)name[len]))
        return -1;
    long n = strtol(name + len, &end, 10);
    return *end || n > INT_MAX ? -1 : (int)n;
}

static int compare_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t metadata_list_numbered(const struct metadata *md, const char *dir, const char *prefix,
                              int *out, size_t max)
{
    char path[PATH_MAX];
    int len = snprintf(path, sizeof(path), "%s%s", md->root ? md->root : "", dir);
    if (len < 0 || (size_t)len >= sizeof(path))
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < max) {
        int k = numbered(de->d_name, prefix);
        if (k >= 0)
            out[n++] = k;
    }
    closedir(d);
    qsort(out, n, sizeof(out[0]), compare_int);
    return n;
}
