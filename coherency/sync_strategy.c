/* coherency/sync_strategy.c - sync strategies: parsing, checking what applies, carrying out.
 *
 * Everything that decides whether a strategy can run happens once in sync_window_init, with
 * the reason when it cannot; begin and end are then straight-line code, because they are what
 * the sync benchmark times.
 */
#include "sync_strategy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[N_SYNC_KINDS] = {
        [SYNC_NONE] = "none",
        [SYNC_FULL] = "full",
        [SYNC_PARTIAL_IOCTL] = "partial-ioctl",
        [SYNC_PARTIAL_USER] = "partial-user",
        [SYNC_FULL_USER] = "full-user",
};

const char *sync_kind_name(enum sync_kind kind)
{
    return kind < N_SYNC_KINDS ? kind_names[kind] : "?";
}

bool sync_kind_is_user(enum sync_kind kind)
{
    return kind == SYNC_PARTIAL_USER || kind == SYNC_FULL_USER;
}

bool sync_kind_syncs(enum sync_kind kind)
{
    return kind != SYNC_NONE && kind < N_SYNC_KINDS;
}

int sync_strategy_parse(const char *text, struct sync_strategy *out)
{
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    for (int k = 0; k < N_SYNC_KINDS; k++) {
        if (strlen(kind_names[k]) != len || strncmp(text, kind_names[k], len))
            continue;
        struct sync_strategy s = {.kind = (enum sync_kind)k};
        if (colon) {
            if (!sync_kind_is_user(s.kind) || cache_method_parse(colon + 1, &s.method))
                return -EINVAL;
            s.has_method = true;
        }
        *out = s;
        return 0;
    }
    return -EINVAL;
}

void sync_strategy_format(const struct sync_strategy *s, char *out, size_t out_len)
{
    if (s->has_method)
        snprintf(out, out_len, "%s:%s", sync_kind_name(s->kind), cache_method_name(s->method));
    else
        snprintf(out, out_len, "%s", sync_kind_name(s->kind));
}

int sync_dir_parse(const char *text, enum heap_sync_dir *out)
{
    static const struct {
        const char *name;
        enum heap_sync_dir dir;
    } dirs[] = {{"read", HEAP_SYNC_READ}, {"write", HEAP_SYNC_WRITE}, {"rw", HEAP_SYNC_RW}};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (!strcmp(text, dirs[i].name)) {
            *out = dirs[i].dir;
            return 0;
        }
    }
    return -EINVAL;
}

/* The method for one step of a user strategy: the named one if it can do op, else the best. */
static int user_method(const struct sync_strategy *s, enum cache_op op, enum cache_method *out,
                       char *why, size_t why_len)
{
    const char *reason = "";
    char name[48];
    sync_strategy_format(s, name, sizeof(name));
    if (!s->has_method) {
        if (cache_method_best(op, out, &reason) == 0)
            return 0;
        snprintf(why, why_len, "%s: no instruction here does a %s: %s", name, cache_op_name(op),
                 reason);
        return -EOPNOTSUPP;
    }
    if (cache_method_available(s->method, &reason)) {
        snprintf(why, why_len, "%s: %s", name, reason);
        return -EOPNOTSUPP;
    }
    if (!cache_method_does(s->method, op)) {
        if (op == CACHE_OP_CLEAN_INVAL)
            snprintf(why, why_len,
                     "%s: %s only cleans, and a read or rw window must invalidate at begin "
                     "(write-only windows can use it)",
                     name, cache_method_name(s->method));
        else
            snprintf(why, why_len,
                     "%s: %s does not clean to memory, so a device would not see "
                     "the data",
                     name, cache_method_name(s->method));
        return -EOPNOTSUPP;
    }
    *out = s->method;
    return 0;
}

static size_t whole_buffer_lines(const struct heap_buf *buf, size_t line)
{
    return (buf->size + line - 1) / line;
}

/* One partial-sync begin/end pair on the first region: the only way to learn whether the
 * exporter has a range sync (DMA_BUF_IOCTL_SYNC_PARTIAL, or u-dma-buf's sysfs one); the core falls
 * back to a full sync otherwise. */
static int probe_partial_ioctl(struct sync_window *w, char *why, size_t why_len)
{
    size_t off = sync_layout_region(&w->layout, 0);
    int begin = heap_sync_range_begin(w->buf, w->dir, off, w->layout.region);
    int end = begin < 0 ? begin : heap_sync_range_end(w->buf, w->dir, off, w->layout.region);
    if (begin < 0 || end < 0) {
        snprintf(why, why_len, "partial sync probe on %s (%s)", w->buf->heap->info.name,
                 w->buf->heap->info.backend);
        return begin < 0 ? begin : end;
    }
    if (begin == HEAP_SYNC_DONE_FULL || end == HEAP_SYNC_DONE_FULL) {
        snprintf(why, why_len,
                 "%s: the exporter has no DMA_BUF_IOCTL_SYNC_PARTIAL (a vendor ioctl; mainline "
                 "kernels answer ENOTTY), so a partial sync would be a full one",
                 w->buf->heap->info.name);
        return -EOPNOTSUPP;
    }
    return 0;
}

int sync_window_init(struct sync_window *w, struct heap_buf *buf, void *map,
                     const struct sync_strategy *s, enum heap_sync_dir dir,
                     const struct sync_layout *layout, char *why, size_t why_len)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->map = map;
    w->strategy = *s;
    w->dir = dir;
    w->layout = *layout;
    int ret = sync_layout_check(layout, why, why_len);
    if (ret)
        return ret;
    /* The exporter's sync: a dma-buf's ioctls, or a driver's own (u-dma-buf syncs through sysfs
     * and is no dma-buf). Only host memory has neither. */
    bool ioctl = s->kind == SYNC_FULL || s->kind == SYNC_PARTIAL_IOCTL;
    if (ioctl && !heap_has_sync(buf->heap)) {
        snprintf(why, why_len, "%s: %s memory is not a dma-buf, so there is no DMA_BUF_IOCTL_SYNC",
                 sync_kind_name(s->kind), buf->heap->info.name);
        return -EOPNOTSUPP;
    }
    if (s->kind == SYNC_PARTIAL_IOCTL)
        return probe_partial_ioctl(w, why, why_len);
    if (!sync_kind_is_user(s->kind))
        return 0;
    if (!map) {
        snprintf(why, why_len, "%s needs a CPU mapping", sync_kind_name(s->kind));
        return -EINVAL;
    }
    w->begin_maint = dir != HEAP_SYNC_WRITE;
    if (w->begin_maint && (ret = user_method(s, CACHE_OP_CLEAN_INVAL, &w->begin_m, why, why_len)))
        return ret;
    if ((ret = user_method(s, CACHE_OP_CLEAN, &w->end_m, why, why_len)))
        return ret;
    size_t lines = s->kind == SYNC_FULL_USER ? whole_buffer_lines(buf, layout->line)
                                             : sync_layout_lines(layout);
    w->lines_per_sync = lines * (w->begin_maint ? 2 : 1);
    return 0;
}

void sync_window_describe(const struct sync_window *w, char *out, size_t out_len)
{
    enum sync_kind kind = w->strategy.kind;
    if (!sync_kind_is_user(kind))
        snprintf(out, out_len, "%s", sync_kind_name(kind));
    else if (w->begin_maint && w->begin_m != w->end_m)
        snprintf(out, out_len, "%s:%s+%s", sync_kind_name(kind), cache_method_name(w->begin_m),
                 cache_method_name(w->end_m));
    else
        snprintf(out, out_len, "%s:%s", sync_kind_name(kind), cache_method_name(w->end_m));
}

/* User maintenance of the window's lines with one method and one barrier at the end. */
static void user_maintain(const struct sync_window *w, enum cache_method m)
{
    if (w->strategy.kind == SYNC_FULL_USER) {
        cache_maint_lines(m, w->map, w->buf->size);
    } else {
        for (size_t k = 0; k < w->layout.count; k++)
            cache_maint_lines(m, w->map + sync_layout_region(&w->layout, k), w->layout.region);
    }
    cache_maint_fence(m);
}

static int partial_ioctls(struct sync_window *w, bool begin)
{
    for (size_t k = 0; k < w->layout.count; k++) {
        size_t off = sync_layout_region(&w->layout, k);
        int ret = begin ? heap_sync_range_begin(w->buf, w->dir, off, w->layout.region)
                        : heap_sync_range_end(w->buf, w->dir, off, w->layout.region);
        w->ioctls++;
        if (ret < 0)
            return ret;
    }
    return 0;
}

int sync_window_begin(struct sync_window *w)
{
    switch (w->strategy.kind) {
    case SYNC_FULL:
        w->ioctls++;
        return heap_sync_begin(w->buf, w->dir);
    case SYNC_PARTIAL_IOCTL:
        return partial_ioctls(w, true);
    case SYNC_PARTIAL_USER:
    case SYNC_FULL_USER:
        if (w->begin_maint)
            user_maintain(w, w->begin_m);
        return 0;
    default:
        return 0;
    }
}

int sync_window_end(struct sync_window *w)
{
    switch (w->strategy.kind) {
    case SYNC_FULL:
        w->ioctls++;
        return heap_sync_end(w->buf, w->dir);
    case SYNC_PARTIAL_IOCTL:
        return partial_ioctls(w, false);
    case SYNC_PARTIAL_USER:
    case SYNC_FULL_USER:
        user_maintain(w, w->end_m);
        return 0;
    default:
        return 0;
    }
}

size_t sync_window_bytes(const struct sync_window *w)
{
    switch (w->strategy.kind) {
    case SYNC_FULL:
    case SYNC_FULL_USER:
        return w->buf->size;
    case SYNC_PARTIAL_IOCTL:
    case SYNC_PARTIAL_USER:
        return sync_layout_bytes(&w->layout);
    default:
        return w->layout.region * w->layout.count;
    }
}
