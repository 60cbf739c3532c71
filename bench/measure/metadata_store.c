/* bench/measure/metadata_store.c - the run metadata's key/value store: set, get, in order.
 *
 * Kept apart from the collectors (metadata.c, metadata_cpu.c, metadata_power.c) so that they all
 * call down into one store and none of them calls back into another collector's file.
 */
#include "metadata.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void metadata_init(struct metadata *md)
{
    md->n = 0;
    md->err = 0;
    md->root = NULL;
}

static struct metadata_entry *find(const struct metadata *md, const char *key)
{
    for (size_t i = 0; i < md->n; i++)
        if (!strcmp(md->entries[i].key, key))
            return (struct metadata_entry *)&md->entries[i];
    return NULL;
}

const char *metadata_get(const struct metadata *md, const char *key)
{
    const struct metadata_entry *e = find(md, key);
    return e ? e->value : NULL;
}

bool metadata_key_is_numeric(const char *key)
{
#define METADATA_IS_KEY(name)      !strcmp(key, #name) ||
#define METADATA_IN_FAMILY(prefix) !strncmp(key, #prefix, strlen(#prefix)) ||
    return METADATA_NUMERIC_KEYS(METADATA_IS_KEY, METADATA_IN_FAMILY) false;
#undef METADATA_IS_KEY
#undef METADATA_IN_FAMILY
}

/* Collectors go on past a lost key and report the first loss at the end. */
static int record(struct metadata *md, int err)
{
    if (!md->err)
        md->err = err;
    return err;
}

int metadata_set(struct metadata *md, const char *key, const char *fmt, ...)
{
    if (!key || !*key)
        return record(md, -EINVAL);
    if (strlen(key) >= METADATA_KEY_MAX)
        return record(md, -ENAMETOOLONG);
    /* Formatted aside first: the arguments may point into the value being replaced. */
    char value[METADATA_VALUE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    if (n < 0)
        value[0] = '\0';
    for (char *c = value; *c; c++)
        if (iscntrl((unsigned char)*c))
            *c = ' ';
    struct metadata_entry *e = find(md, key);
    if (!e) {
        if (md->n == METADATA_MAX)
            return record(md, -ENOSPC);
        e = &md->entries[md->n++];
        snprintf(e->key, sizeof(e->key), "%s", key);
    }
    memcpy(e->value, value, strlen(value) + 1); /* the rest of a large entry stays untouched */
    return 0;
}

int metadata_set_time(struct metadata *md, const char *key)
{
    struct timespec ts;
    struct tm tm;
    char date[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    return metadata_set(md, key, "%s.%03ldZ", date, ts.tv_nsec / 1000000);
}

double metadata_parse_time(const char *text)
{
    struct tm tm = {0};
    const char *rest = text ? strptime(text, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return NAN;
    double frac = 0;
    if (*rest == '.') {
        char *end;
        frac = strtod(rest, &end);
        rest = end;
    }
    return strcmp(rest, "Z") == 0 ? (double)timegm(&tm) + frac : NAN;
}

int metadata_set_prefixed(struct metadata *md, const char *prefix, const char *name,
                          const char *fmt, ...)
{
    char key[METADATA_KEY_MAX + 1], value[METADATA_VALUE_MAX];
    int n = snprintf(key, sizeof(key), "%s_%s", prefix, name);
    /* A cut key could replace another one: refuse it as metadata_set would. */
    if (n < 0 || (size_t)n >= METADATA_KEY_MAX)
        return record(md, -ENAMETOOLONG);
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    return metadata_set(md, key, "%s", n < 0 ? "" : value);
}
