/* bench/measure/metadata_per_cpu.c - groups per-CPU (per-policy, per-zone) values into one metadata
 * cell.
 *
 * Equal values share one group with their indexes as ranges, so a machine whose CPUs all agree
 * gets one short entry whatever its size, and one that differs shows where.
 */
#include "metadata_per_cpu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata_read.h"

#define ETC "..."

void per_cpu_values_init(struct per_cpu_values *l)
{
    *l = (struct per_cpu_values){0};
}

int per_cpu_values_add(struct per_cpu_values *l, int index, const char *value)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct per_cpu_value *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->lost = true;
            return -ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].index = index;
    snprintf(l->v[l->n].value, sizeof(l->v[l->n].value), "%s", value);
    l->n++;
    return 0;
}

static int by_index(const void *a, const void *b)
{
    int x = ((const struct per_cpu_value *)a)->index, y = ((const struct per_cpu_value *)b)->index;
    return (x > y) - (x < y);
}

/* Append text to out[*used..len) when it fits whole with room for ";" ETC after it. */
static bool append(char *out, size_t len, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used + n + strlen(";" ETC) >= len)
        return false;
    memcpy(out + *used, text, n + 1);
    *used += n;
    return true;
}

static bool same_group(const struct per_cpu_value *v, const bool *done, size_t k, size_t first)
{
    return !done[k] && !strcmp(v[k].value, v[first].value);
}

/* "PREFIX0-3,6=VALUE" for v[first] and every later entry with its value, which are marked
 * done; v is sorted by index. */
static void format_group(const struct per_cpu_value *v, size_t n, size_t first, bool *done,
                         const char *prefix, char *entry, size_t len)
{
    size_t used = 0;
    metadata_append(entry, len, &used, "%s", prefix);
    for (size_t k = first; k < n; k++) {
        if (!same_group(v, done, k, first))
            continue;
        int start = v[k].index, end = start;
        done[k] = true;
        for (size_t j = k + 1; j < n; j++) {
            if (!same_group(v, done, j, first))
                continue;
            if (v[j].index != end + 1)
                break;
            end = v[j].index;
            done[j] = true;
        }
        const char *comma = k == first ? "" : ",";
        if (end > start)
            metadata_append(entry, len, &used, "%s%d-%d", comma, start, end);
        else
            metadata_append(entry, len, &used, "%s%d", comma, start);
    }
    metadata_append(entry, len, &used, "=%s", v[first].value);
}

void per_cpu_values_format(struct per_cpu_values *l, const char *prefix, char *out, size_t len)
{
    size_t used = 0;
    if (!len)
        return;
    out[0] = '\0';
    if (!l->n) {
        if (l->lost)
            snprintf(out, len, ETC);
        return;
    }
    bool *done = calloc(l->n, sizeof(*done));
    if (!done) {
        snprintf(out, len, ETC);
        return;
    }
    qsort(l->v, l->n, sizeof(l->v[0]), by_index);
    bool complete = true;
    char entry[1024];
    for (size_t i = 0; i < l->n && complete; i++) {
        if (done[i])
            continue;
        entry[0] = ';';
        format_group(l->v, l->n, i, done, prefix, entry + 1, sizeof(entry) - 1);
        complete = append(out, len, &used, used ? entry : entry + 1);
    }
    if (!complete || l->lost) /* groups left out, or values lost before */
        snprintf(out + used, len - used, "%s%s", used ? ";" : "", ETC);
    free(done);
}

void per_cpu_values_free(struct per_cpu_values *l)
{
    free(l->v);
    per_cpu_values_init(l);
}
