/* tests/unit/test_bench_case_heap.c - what a case records about the pages it was granted.
 *
 * A fake backend answers heap_buf_pages with planted grants, so that every outcome a row can
 * state (granted, denied, partly granted, unasked, unreadable, several buffers) is checked
 * against the facts and note bench_case_heap_pages writes; another describes its buffers in its
 * own terms (heap_ops.describe, as a V4L2 frame), which bench_case_heap notes or refuses with.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench.h"
#include "bench_case_heap.h"
#include "heap.h"
#include "heap_dev.h"
#include "heap_pages.h"
#include "size_units.h"

#define MIB (1024u * 1024u)

/* What the fake backend answers to its next .pages calls, in order. */
static struct {
    int ret[4];
    struct heap_pages pages[4];
    int calls;
} planted;

static int fake_probe(struct heap_registry *reg)
{
    (void)reg;
    return 0;
}

static int fake_alloc(struct heap *heap, const struct heap_alloc_req *req, struct heap_buf *buf)
{
    (void)heap;
    buf->alloc_size = (req->size + 4095) / 4096 * 4096;
    buf->page_size = 4096;
    return 0;
}

static void fake_free(struct heap_buf *buf)
{
    (void)buf;
}

static int fake_pages(struct heap_buf *buf, struct heap_pages *out)
{
    (void)buf;
    int i = planted.calls++;
    assert_true(i < 4);
    *out = planted.pages[i];
    return planted.ret[i];
}

static const struct heap_ops fake_ops = {
        .name = "fake",
        .probe = fake_probe,
        .alloc = fake_alloc,
        .free = fake_free,
        .pages = fake_pages,
};

/* A device with frames: up to 1 MiB, each size its own frame. */
static int fake_describe(struct heap *heap, size_t size, char *out, size_t out_len)
{
    (void)heap;
    if (size > MIB) {
        snprintf(out, out_len, "no frame holds %zu B", size);
        return -EOVERFLOW;
    }
    snprintf(out, out_len, "frame of %zu B", size);
    return 0;
}

static const struct heap_ops fake_framed_ops = {
        .name = "fake-framed",
        .probe = fake_probe,
        .alloc = fake_alloc,
        .free = fake_free,
        .describe = fake_describe,
};

static const struct heap_ops fake_blind_ops = {
        .name = "fake-blind",
        .probe = fake_probe,
        .alloc = fake_alloc,
        .free = fake_free,
};

static struct heap_registry *reg;
static struct heap *seeing, *blind, *framed;

static int setup(void **state)
{
    (void)state;
    memset(&planted, 0, sizeof(planted));
    if (heap_registry_open(&reg, NULL, 0) != 0)
        return -1;
    struct heap_info info = {.name = "fake", .available = true, .is_dmabuf = true};
    info.page_sizes[0] = (struct heap_page_size){HEAP_PAGES_BASE, 4096, -1};
    info.page_sizes[1] = (struct heap_page_size){HEAP_PAGES_THP, 2 * MIB, -1};
    info.page_sizes[2] = (struct heap_page_size){HEAP_PAGES_HUGETLB, 2 * MIB, 8};
    info.n_page_sizes = 3;
    seeing = heap_registry_add(reg, &fake_ops, &info);
    strcpy(info.name, "fake-blind");
    blind = heap_registry_add(reg, &fake_blind_ops, &info);
    strcpy(info.name, "fake-framed");
    framed = heap_registry_add(reg, &fake_framed_ops, &info);
    return seeing && blind && framed ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    heap_registry_close(reg, NULL);
    return 0;
}

static struct heap_pages grant(size_t page, double huge)
{
    return (struct heap_pages){.page_size = page,
                               .huge_page_size = huge > 0 ? 2 * MIB : 0,
                               .huge_fraction = huge,
                               .resident_fraction = 1};
}

/* Allocate n buffers of size from heap with page kind, plant the grants, record them. */
static struct case_facts record(struct heap *heap, enum heap_page_kind kind, size_t size, size_t n,
                                const char *note_before)
{
    struct case_facts facts = {.huge_fraction = NAN};
    snprintf(facts.note, sizeof(facts.note), "%s", note_before);
    struct bench_env env = {.facts = &facts};
    struct heap_alloc_req req = {.size = size, .page_kind = kind, .numa_node = HEAP_NODE_ANY};
    if (kind == HEAP_PAGES_HUGETLB)
        req.page_size = 2 * MIB;
    struct heap_buf *bufs[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(heap_alloc(heap, &req, &bufs[i]), 0);
    bench_case_heap_pages(&env, &req, bufs, 3); /* the NULL slots are skipped */
    for (size_t i = 0; i < n; i++)
        heap_free(bufs[i]);
    return facts;
}

static void thp_granted_says_2m_and_no_note(void **state)
{
    (void)state;
    planted.pages[0] = grant(2 * MIB, 1);
    struct case_facts f = record(seeing, HEAP_PAGES_THP, 8 * MIB, 1, "");
    assert_int_equal(f.page_size, 2 * MIB);
    assert_true(f.huge_fraction == 1.0);
    assert_string_equal(f.note, "");
}

static void thp_denied_says_so(void **state)
{
    (void)state;
    planted.pages[0] = grant(4096, 0);
    struct case_facts f = record(seeing, HEAP_PAGES_THP, 8 * MIB, 1, "");
    assert_int_equal(f.page_size, heap_base_page_size());
    assert_true(f.huge_fraction == 0.0);
    assert_string_equal(f.note, "THP denied: no huge page behind the buffer");
    /* A buffer below one huge page could never have had one: the note says why. */
    planted.pages[1] = grant(4096, 0);
    f = record(seeing, HEAP_PAGES_THP, 64 * 1024, 1, "");
    char want[96], pmd[32];
    snprintf(want, sizeof(want), "THP denied: the buffer is smaller than one %s page",
             size_format(heap_pages_pmd_size(), pmd, sizeof(pmd)));
    assert_string_equal(f.note, want);
}

static void two_buffers_weigh_by_size(void **state)
{
    (void)state;
    /* copy's source on huge pages, its destination not: half and half is no claim. */
    planted.pages[0] = grant(2 * MIB, 1);
    planted.pages[1] = grant(4096, 0);
    struct case_facts f = record(seeing, HEAP_PAGES_THP, 8 * MIB, 2, "");
    assert_int_equal(planted.calls, 2);
    assert_int_equal(f.page_size, heap_base_page_size());
    assert_true(f.huge_fraction == 0.5);
    assert_string_equal(f.note, "THP partly granted: 50% on 2 MiB pages");
}

static void huge_pages_unasked_are_noted(void **state)
{
    (void)state;
    planted.pages[0] = grant(2 * MIB, 0.75);
    struct case_facts f = record(seeing, HEAP_PAGES_BASE, 8 * MIB, 1, "short samples");
    assert_int_equal(f.page_size, 2 * MIB);
    assert_true(f.huge_fraction == 0.75);
    /* After what the bench noted before, not over it. */
    assert_string_equal(f.note, "short samples; huge pages unasked: 75% on 2 MiB pages");
}

static void hugetlb_short_of_huge_pages_is_noted(void **state)
{
    (void)state;
    planted.pages[0] = grant(2 * MIB, 1);
    struct case_facts f = record(seeing, HEAP_PAGES_HUGETLB, 4 * MIB, 1, "");
    assert_int_equal(f.page_size, 2 * MIB);
    assert_string_equal(f.note, "");
    planted.pages[1] = grant(2 * MIB, 0.75);
    f = record(seeing, HEAP_PAGES_HUGETLB, 8 * MIB, 1, "");
    assert_string_equal(f.note, "hugetlb: only 75% on huge pages");
}

static void unreadable_pages_leave_the_request(void **state)
{
    (void)state;
    /* A heap that cannot see its pages: nothing recorded, and a huge request says so. */
    struct case_facts f = record(blind, HEAP_PAGES_THP, 8 * MIB, 1, "");
    assert_int_equal(f.page_size, 0);
    assert_true(isnan(f.huge_fraction));
    assert_string_equal(f.note,
                        "page size not read back: this heap's pages are not visible to user space");
    f = record(blind, HEAP_PAGES_BASE, 8 * MIB, 1, "");
    assert_string_equal(f.note, "");
    /* One buffer of two unreadable: no half answer. */
    planted.pages[0] = grant(2 * MIB, 1);
    planted.ret[1] = -ENODATA;
    f = record(seeing, HEAP_PAGES_HUGETLB, 4 * MIB, 2, "");
    assert_int_equal(f.page_size, 0);
    assert_true(isnan(f.huge_fraction));
    assert_string_equal(f.note, "page size not read back: no page behind the buffer yet");
}

static void no_facts_no_reading(void **state)
{
    (void)state;
    struct bench_env env = {.facts = NULL};
    struct heap_alloc_req req = {.size = 4096, .numa_node = HEAP_NODE_ANY};
    struct heap_buf *buf = NULL;
    assert_int_equal(heap_alloc(seeing, &req, &buf), 0);
    bench_case_heap_pages(&env, &req, &buf, 1);
    assert_int_equal(planted.calls, 0);
    heap_free(buf);
}

/* bench_case_heap on a case of heap name and size bytes: its result, the note and the reason. */
static int resolve(const char *name, size_t bytes, struct case_facts *facts, char *reason,
                   size_t reason_len)
{
    struct sweep_value heap_value = {.bytes = 0}, size_value = {.bytes = bytes};
    snprintf(heap_value.text, sizeof(heap_value.text), "%s", name);
    snprintf(size_value.text, sizeof(size_value.text), "%zu", bytes);
    struct bench_case c = {.axes = 0};
    c.value[AXIS_HEAP] = &heap_value;
    c.value[AXIS_SIZE] = &size_value;
    struct bench_env env = {.registry = reg, .facts = facts};
    struct heap *heap;
    struct heap_alloc_req req;
    reason[0] = '\0';
    int ret = bench_case_heap(&c, &env, &heap, &req, reason, reason_len);
    if (!ret)
        assert_int_equal(req.size, bytes);
    return ret;
}

static void a_heap_in_its_own_terms_is_noted_or_refuses(void **state)
{
    (void)state;
    struct case_facts facts = {.note = "samples short"};
    char reason[128];
    assert_int_equal(resolve("fake-framed", 65536, &facts, reason, sizeof(reason)), 0);
    assert_string_equal(facts.note, "samples short; frame of 65536 B");
    assert_string_equal(reason, "");
    /* A size no frame holds is the case's error, with the heap's reason. */
    memset(&facts, 0, sizeof(facts));
    assert_int_equal(resolve("fake-framed", 2 * MIB, &facts, reason, sizeof(reason)), -EOVERFLOW);
    assert_string_equal(reason, "no frame holds 2097152 B");
    /* A heap without its own terms adds nothing. */
    assert_int_equal(resolve("fake", 65536, &facts, reason, sizeof(reason)), 0);
    assert_string_equal(facts.note, "");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
            T(thp_granted_says_2m_and_no_note),
            T(thp_denied_says_so),
            T(two_buffers_weigh_by_size),
            T(huge_pages_unasked_are_noted),
            T(hugetlb_short_of_huge_pages_is_noted),
            T(unreadable_pages_leave_the_request),
            T(no_facts_no_reading),
            T(a_heap_in_its_own_terms_is_noted_or_refuses),
    };
#undef T
    return cmocka_run_group_tests_name("bench_case_heap", tests, NULL, NULL);
}
