/* bench/alloc_pressure.c - alloc-pressure's bound, stop rule, fill and note.
 *
 * The bound is worked out once per case from /proc/meminfo and the open-file limit; the fill
 * asks the stop rule before every allocation, so it never holds more than the bound, and a
 * refusal from the heap ends it wherever it comes.
 */
#include "alloc_pressure.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "heap_dev.h"
#include "size_units.h"
#include "timing.h"

static const char *const stop_text[] = {
#define PRESSURE_STOP_TEXT(id, text) [PRESSURE_##id] = text,
        PRESSURE_STOPS(PRESSURE_STOP_TEXT)
#undef PRESSURE_STOP_TEXT
};

void pressure_bound_set(struct pressure_bound *b, const struct mem_limit *limit,
                        const struct mem_info *info, bool cma, bool dmabuf, size_t open_files)
{
    char a[32], c[32];
    bool percent = !limit || !limit->bytes;
    unsigned share = limit && limit->percent ? limit->percent : MEM_GUARD_DEFAULT_PERCENT;
    memset(b, 0, sizeof(*b));
    b->by = PRESSURE_MAX_MEM;
    b->bytes = mem_limit_allowed(limit, info->mem_available);
    const char *pool = "MemAvailable";
    if (cma && info->have_cma && mem_limit_allowed(limit, info->cma_free) < b->bytes) {
        b->bytes = mem_limit_allowed(limit, info->cma_free);
        pool = "CmaFree";
    }
    if (percent)
        snprintf(b->why, sizeof(b->why), "--max-mem %u%% of %s, %s", share, pool,
                 size_format(b->bytes, a, sizeof(a)));
    else
        snprintf(b->why, sizeof(b->why), "--max-mem %s", size_format(b->bytes, a, sizeof(a)));
    /* Whatever --max-mem says, an eighth of the machine stays available to everything else. */
    size_t reserve = info->mem_total / 8;
    size_t room = info->mem_available > reserve ? info->mem_available - reserve : 0;
    if (room < b->bytes) {
        b->bytes = room;
        b->by = PRESSURE_RESERVE;
        snprintf(b->why, sizeof(b->why),
                 "the memory reserve, %s (MemAvailable less an eighth of MemTotal, %s)",
                 size_format(room, a, sizeof(a)), size_format(reserve, c, sizeof(c)));
    }
    b->buffers = PRESSURE_MAX_BUFFERS;
    b->buffers_by = PRESSURE_CAP;
    size_t files = open_files > PRESSURE_SPARE_FILES
                           ? (open_files - PRESSURE_SPARE_FILES) / PRESSURE_FILES_PER_BUFFER
                           : 0;
    if (dmabuf && files < b->buffers) {
        b->buffers = files;
        b->buffers_by = PRESSURE_FILES;
    }
}

enum pressure_stop pressure_next(const struct pressure_bound *b, size_t held, size_t n, size_t size)
{
    if (n >= b->buffers)
        return b->buffers_by;
    if (held > b->bytes || size > b->bytes - held)
        return b->by;
    return PRESSURE_GOING;
}

/* size rounded up to whole base pages: what one buffer takes. */
static size_t page_rounded(size_t size)
{
    size_t page = heap_base_page_size();
    return size % page ? size + (page - size % page) : size;
}

size_t pressure_max_buffers(const struct pressure_bound *b, size_t size)
{
    size_t each = page_rounded(size);
    size_t by_bytes = each ? b->bytes / each : b->buffers;
    return by_bytes < b->buffers ? by_bytes : b->buffers;
}

void pressure_fill(struct heap *heap, const struct heap_alloc_req *req,
                   const struct pressure_bound *b, struct heap_buf **bufs, double *alloc_ns,
                   struct pressure_fill *out)
{
    size_t each = page_rounded(req->size), cap = pressure_max_buffers(b, req->size);
    memset(out, 0, sizeof(*out));
    for (;;) {
        out->stop = pressure_next(b, out->bytes, out->buffers, each);
        if (out->stop == PRESSURE_GOING && out->buffers >= cap)
            out->stop = b->buffers_by; /* the arrays' end: the rule's, by construction */
        if (out->stop != PRESSURE_GOING)
            return;
        uint64_t t0 = timing_now();
        int ret = heap_alloc(heap, req, &bufs[out->buffers]);
        uint64_t t1 = timing_now();
        if (ret) {
            out->stop = PRESSURE_REFUSED;
            out->err = ret;
            return;
        }
        alloc_ns[out->buffers] = timing_ticks_to_ns(t1 - t0);
        out->bytes += bufs[out->buffers]->alloc_size;
        out->buffers++;
    }
}

void pressure_describe(const struct pressure_fill *f, const struct pressure_bound *b, size_t size,
                       char *out, size_t len)
{
    char one[32], held[32];
    size_format(size, one, sizeof(one));
    size_format(f->bytes, held, sizeof(held));
    if (f->stop == PRESSURE_REFUSED) {
        const char *name = strerrorname_np(-f->err);
        snprintf(out, len,
                 "alloc-pressure: the heap refused buffer %zu (%s) with %s (%s) after %zu "
                 "buffer%s, %s held",
                 f->buffers + 1, one, name ? name : "an unnamed errno", strerror(-f->err),
                 f->buffers, f->buffers == 1 ? "" : "s", held);
    } else if (f->stop == PRESSURE_FILES || f->stop == PRESSURE_CAP) {
        snprintf(out, len,
                 "alloc-pressure: stopped at %s of %zu buffers (%s each), %s held; the heap "
                 "never refused",
                 stop_text[f->stop], b->buffers, one, held);
    } else {
        snprintf(out, len,
                 "alloc-pressure: stopped at %s after %zu buffer%s of %s, %s held; the heap "
                 "never refused",
                 b->why, f->buffers, f->buffers == 1 ? "" : "s", one, held);
    }
}
