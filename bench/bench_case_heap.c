/* bench/bench_case_heap.c - resolves a case's heap and allocation request, and records the
 * pages the kernel granted for it.
 *
 * A heap the case names but this machine lacks, or cannot open, is an error row with the
 * heap's own reason, never a silent skip. A page size asked for is recorded as granted only
 * once it was read back.
 */
#include "bench_case_heap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "heap_dev.h"
#include "heap_pages.h"
#include "size_units.h"

int bench_case_heap(const struct bench_case *c, const struct bench_env *env, struct heap **heap,
                    struct heap_alloc_req *req, char *reason, size_t reason_len)
{
    const char *name = c->value[AXIS_HEAP]->text;
    *heap = heap_registry_find(env->registry, name);
    if (!*heap) {
        snprintf(reason, reason_len, "no heap named '%s' on this machine", name);
        return -ENODEV;
    }
    if (!(*heap)->info.available) {
        snprintf(reason, reason_len, "%s", (*heap)->info.reason);
        return (*heap)->info.unavailable_err ? (*heap)->info.unavailable_err : -ENODEV;
    }
    memset(req, 0, sizeof(*req));
    /* Benchmarks that move frames have no size axis: a buffer holds one frame. */
    const struct sweep_value *size = c->value[AXIS_SIZE], *frame = c->value[AXIS_FORMAT];
    req->size = size ? size->bytes : frame ? frame->bytes : 0;
    const struct sweep_value *page = c->value[AXIS_PAGE_SIZE];
    req->page_kind = page ? page->page_kind : HEAP_PAGES_BASE;
    req->page_size = page && page->page_kind == HEAP_PAGES_HUGETLB ? page->bytes : 0;
    const struct sweep_value *node = c->value[AXIS_NODE];
    if (node && node->number >= 0) {
        req->bind_node = true;
        req->numa_node = (int)node->number;
    }
    /* What the buffers really are where the heap's device has its own terms (a V4L2 frame),
     * or why a buffer of this size cannot be one. */
    char described[sizeof(env->facts->note) / 2];
    int ret = req->size ? heap_describe(*heap, req->size, described, sizeof(described)) : 0;
    if (ret && ret != -EOPNOTSUPP) {
        snprintf(reason, reason_len, "%s", described);
        return ret;
    }
    if (req->size && !ret)
        case_facts_note(env->facts, "%s", described);
    return 0;
}

static const char *unread_reason(int err)
{
    switch (-err) {
    case EOPNOTSUPP:
        return "this heap's pages are not visible to user space";
    case ENODATA:
        return "no page behind the buffer yet";
    case ERANGE:
        return "its mapping holds other memory too";
    default:
        return strerror(-err);
    }
}

void bench_case_heap_pages(const struct bench_env *env, const struct heap_alloc_req *req,
                           struct heap_buf *const *bufs, size_t n)
{
    struct case_facts *facts = env->facts;
    if (!facts)
        return;
    double bytes = 0, huge = 0, base = 0;
    size_t huge_size = 0, largest = 0;
    for (size_t i = 0; i < n; i++) {
        struct heap_pages p;
        if (!bufs[i])
            continue;
        int ret = heap_buf_pages(bufs[i], &p);
        if (ret) {
            /* A base page request claims no more than the base page: nothing to qualify. */
            if (req->page_kind != HEAP_PAGES_BASE)
                case_facts_note(facts, "page size not read back: %s", unread_reason(ret));
            return;
        }
        double size = (double)bufs[i]->alloc_size;
        if (bufs[i]->alloc_size > largest)
            largest = bufs[i]->alloc_size;
        bytes += size;
        huge += p.huge_fraction * size;
        base += (p.resident_fraction - p.huge_fraction) * size;
        if (p.huge_page_size > huge_size)
            huge_size = p.huge_page_size;
    }
    if (bytes == 0)
        return;
    double fraction = huge / bytes;
    facts->huge_fraction = fraction;
    facts->page_size = huge > base ? huge_size : heap_base_page_size();
    char size[32];
    size_format(huge_size, size, sizeof(size));
    double percent = 100 * fraction;
    size_t pmd = heap_pages_pmd_size();
    if (req->page_kind == HEAP_PAGES_THP && fraction == 0 && largest < pmd)
        case_facts_note(facts, "THP denied: the buffer is smaller than one %s page",
                        size_format(pmd, size, sizeof(size)));
    else if (req->page_kind == HEAP_PAGES_THP && fraction == 0)
        case_facts_note(facts, "THP denied: no huge page behind the buffer");
    else if (req->page_kind == HEAP_PAGES_THP && fraction < 1)
        case_facts_note(facts, "THP partly granted: %.4g%% on %s pages", percent, size);
    else if (req->page_kind == HEAP_PAGES_HUGETLB && fraction < 1)
        case_facts_note(facts, "hugetlb: only %.4g%% on huge pages", percent);
    else if (req->page_kind == HEAP_PAGES_BASE && fraction > 0)
        case_facts_note(facts, "huge pages unasked: %.4g%% on %s pages", percent, size);
}
