/* bench/mem_guard.c - per-case peak memory against the limit (bench/mem_limit.h), and the refusal
 * message.
 *
 * The shape of a case is its benchmark's to say (bench_def.buffers_held), because they differ:
 * alloc holds a whole batch, cpu one buffer (two for copy) that its threads share, pipeline a
 * source and a copy per frame of its pool. Cases run one after another and free everything in
 * between, so the sweep's peak is its largest case, not the sum.
 */
#include "mem_guard.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "heap_dev.h"
#include "size_units.h"

size_t mem_guard_case_bytes(const struct bench_case *c, char *how, size_t how_len)
{
    const struct sweep_value *size = c->value[AXIS_SIZE], *page = c->value[AXIS_PAGE_SIZE];
    const struct sweep_value *batch = c->value[AXIS_BATCH], *threads = c->value[AXIS_THREADS];
    const struct sweep_value *frame = c->value[AXIS_FORMAT];
    const struct bench_def *b = bench_find(c->job->bench);
    long n_batch = batch ? batch->number : 1, n_threads = threads ? threads->number : 1;
    size_t extra = 0, buffers, one_buffer, total;
    char held[64];
    bool wraps = false;
    if (b && b->buffers_held) {
        buffers = b->buffers_held(c, &extra, held, sizeof(held));
    } else {
        wraps = __builtin_mul_overflow((size_t)n_batch, (size_t)n_threads, &buffers) ||
                __builtin_mul_overflow(buffers, (size_t)2, &buffers);
        snprintf(held, sizeof(held), " x batch %ld x threads %ld x 2", n_batch, n_threads);
    }
    /* A benchmark that moves frames holds buffers of one frame each. */
    size_t bytes = size ? size->bytes : frame ? frame->bytes : 0;
    size_t granule = page && page->page_kind == HEAP_PAGES_HUGETLB && page->bytes
                             ? page->bytes
                             : heap_base_page_size();
    char one[32], more[32];
    if (__builtin_add_overflow(bytes, extra, &one_buffer)) {
        /* Where the start offset wraps the buffer around: say both parts. */
        snprintf(how, how_len, "%s + %s%s", size_format(bytes, one, sizeof(one)),
                 size_format(extra, more, sizeof(more)), held);
        return SIZE_MAX;
    }
    if (one_buffer % granule)
        wraps = wraps ||
                __builtin_add_overflow(one_buffer, granule - one_buffer % granule, &one_buffer);
    size_format(one_buffer, one, sizeof(one));
    snprintf(how, how_len, "%s%s", one, held);
    if (wraps || __builtin_mul_overflow(one_buffer, buffers, &total))
        return SIZE_MAX;
    return total;
}

static void note_peak(struct mem_peak *p, size_t bytes, const struct bench_case *c, const char *how)
{
    if (bytes <= p->bytes)
        return;
    p->bytes = bytes;
    const struct bench_def *b = bench_find(c->job->bench);
    p->lower = b ? b->smaller_with : NULL;
    snprintf(p->case_id, sizeof(p->case_id), "%s", c->id);
    snprintf(p->how, sizeof(p->how), "%s", how);
}

void mem_guard_add(struct mem_guard *g, const struct bench_case *c, const struct heap *heap)
{
    char how[160];
    size_t bytes = mem_guard_case_bytes(c, how, sizeof(how));
    note_peak(&g->ram, bytes, c, how);
    if (mem_guard_heap_is_cma(heap))
        note_peak(&g->cma, bytes, c, how);
}

static int refuse(const struct mem_guard *g, const struct mem_peak *p, const char *pool,
                  size_t free_bytes, const struct mem_limit *limit, size_t mem_total,
                  size_t allowed, char *err, size_t err_len)
{
    const char *lower = g->lower ? g->lower : p->lower ? p->lower : "--size or --batch";
    char need[32], free_text[32], allowed_text[32], suggest[32], ram[32];
    if (p->bytes == SIZE_MAX) {
        snprintf(err, err_len,
                 "more than the address space: %s: %s does not fit in %zu bits; lower %s",
                 p->case_id, p->how, sizeof(size_t) * 8, lower);
        return -EOVERFLOW;
    }
    size_format(p->bytes, need, sizeof(need));
    size_format(free_bytes, free_text, sizeof(free_text));
    size_format(allowed, allowed_text, sizeof(allowed_text));
    size_format_compact(p->bytes, suggest, sizeof(suggest));
    /* No --max-mem can make room the machine does not have: never suggest one. */
    if (mem_total && p->bytes > mem_total)
        snprintf(err, err_len,
                 "up to %s at once (%s: %s), more than the %s of RAM this machine has "
                 "(MemTotal); lower %s",
                 need, p->case_id, p->how, size_format(mem_total, ram, sizeof(ram)), lower);
    else if (limit->bytes)
        snprintf(err, err_len,
                 "up to %s at once (%s: %s), more than --max-mem %s; lower %s, or raise "
                 "--max-mem",
                 need, p->case_id, p->how, allowed_text, lower);
    else
        snprintf(err, err_len,
                 "up to %s at once (%s: %s), more than %u%% of %s (%s of %s free); lower %s, "
                 "or allow it with --max-mem %s",
                 need, p->case_id, p->how, limit->percent, pool, allowed_text, free_text, lower,
                 suggest);
    return -E2BIG;
}

int mem_guard_check(const struct mem_guard *g, const struct mem_info *info,
                    const struct mem_limit *limit, char *err, size_t err_len)
{
    unsigned percent = limit->percent ? limit->percent : MEM_GUARD_DEFAULT_PERCENT;
    struct mem_limit effective = {.percent = percent, .bytes = limit->bytes};
    size_t allowed = mem_limit_allowed(limit, info->mem_available);
    /* A case that wraps around is refused whatever the limit (--max-mem 16E included). */
    if (g->ram.bytes > allowed || g->ram.bytes == SIZE_MAX)
        return refuse(g, &g->ram, "MemAvailable", info->mem_available, &effective, info->mem_total,
                      allowed, err, err_len);
    /* A kernel without CMA has no CmaTotal: a "cma" heap there is something else. */
    if (g->cma.bytes && info->have_cma) {
        allowed = mem_limit_allowed(limit, info->cma_free);
        if (g->cma.bytes > allowed)
            return refuse(g, &g->cma, "CmaFree", info->cma_free, &effective, info->mem_total,
                          allowed, err, err_len);
    }
    return 0;
}
