/* bench/cli/cmd_alloc.c - `dmabench alloc`: allocate, map, write, sync, read back and free buffers
 * from one heap, and check the kernel agrees with what was asked.
 *
 * A bring-up smoke test for a heap before any benchmark: it proves the whole path (allocator,
 * mapping, DMA_BUF_IOCTL_SYNC, fdinfo, debug name) and leaves nothing behind, or says why not.
 */
#include <errno.h>
#include <getopt.h>
#include <numa.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dmabuf_fdinfo.h"
#include "heap.h"
#include "heap_by_path.h"
#include "heap_dev.h"
#include "heap_zeroed.h"
#include "mem_guard.h"
#include "resource_snapshot.h"
#include "size_units.h"

#define ALLOC_MAX_COUNT 4096

struct alloc_opts {
    const char *heap_name;
    char heap_of_path[64]; /* --heap BACKEND:/dev/PATH: the heap's name */
    const char *debug_name;
    struct heap_alloc_req req;
    long count;
    struct cli_heap_opts heap_opts;
    struct mem_limit mem_limit; /* --max-mem; zero: half of what is free */
};

static void alloc_usage(FILE *out)
{
    fprintf(out,
            "usage: dmabench alloc --heap NAME --size SIZE [--align SIZE] [--page-size P]\n"
            "                      [--node N] [--count N] [--name TEXT] [--max-mem SIZE|N%%]\n"
            "                      [--heap-class NAME=CLASS]\n"
            "\n"
            "Allocates COUNT buffers of SIZE from one heap, checks each is all zeros (a byte of\n"
            "old data is a leak: zeroed=no names the first), maps each, writes a pattern inside\n"
            "sync begin/end (write), reads it back inside sync begin/end (read), sets the debug\n"
            "name and checks size, exporter and name in /proc/self/fdinfo, then frees all and\n"
            "checks that no fd, mapping or dma-buf was left behind. One line per buffer, with the\n"
            "page size asked for (page=) and the one the kernel granted (granted=, huge= the "
            "share\n"
            "on huge pages; unknown where the heap's pages are not visible to user space).\n"
            "A heap whose device makes buffers in its own terms says what each one is in\n"
            "format= (v4l2: the pixel format, WxH and sizeimage of the frame).\n"
            "\n"
            "  --heap NAME         a heap from 'dmabench list' (or BACKEND:NAME), or a\n"
            "                      device's heap by path: BACKEND:/dev/PATH[:QUEUE]\n"
            "  --size SIZE         bytes, or with a K/M/G/T suffix (binary): 4K, 1M, 2G\n"
            "  --align SIZE        alignment of the CPU mapping, a power of two (default: page)\n"
            "  --page-size P       base, thp, or a hugetlb size such as 2M or 1G (default base)\n"
            "  --node N            NUMA node for the backing pages (default: no binding)\n"
            "  --count N           buffers held at once, 1 to %d (default 1)\n"
            "  --name TEXT         debug name set with DMA_BUF_SET_NAME_B (default dmabench)\n"
            "  --max-mem SIZE|N%%   memory the buffers may hold at once (default 50%% of\n"
            "                      MemAvailable, and of CmaFree for contiguous heaps)\n"
            "  --heap-class NAME=CLASS   override a heap's class (cached, uncached, contiguous)\n"
            "  -h, --help          this text\n"
            "\n"
            "Exit status: 0 all buffers verified, 1 an allocation or check failed or a buffer was\n"
            "not zeroed, 2 bad usage.\n",
            ALLOC_MAX_COUNT);
}

static int parse_alloc_opts(int argc, char **argv, struct alloc_opts *o)
{
    static const struct option options[] = {
            {"heap", required_argument, NULL, 'H'},
            {"size", required_argument, NULL, 's'},
            {"align", required_argument, NULL, 'a'},
            {"page-size", required_argument, NULL, 'p'},
            {"node", required_argument, NULL, 'n'},
            {"count", required_argument, NULL, 'c'},
            {"name", required_argument, NULL, 'N'},
            {"heap-class", required_argument, NULL, 'C'},
            {"max-mem", required_argument, NULL, 'M'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    int opt, ret = CLI_EXIT_OK, have_size = 0;
    long node;
    bool seen[128] = {false};
    while (ret == CLI_EXIT_OK && (opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        /* Every option but --heap-class once: a second --size would silently win. */
        if (opt > 0 && opt < 128 && opt != 'C' && opt != 'h' && opt != '?' && seen[opt]) {
            for (const struct option *p = options; p->name; p++)
                if (p->val == opt)
                    cli_error("alloc: --%s given twice", p->name);
            return CLI_EXIT_USAGE;
        }
        if (opt > 0 && opt < 128)
            seen[opt] = true;
        switch (opt) {
        case 'H':
            o->heap_name = optarg;
            if (heap_by_path_is_path(optarg)) {
                char why[256];
                if (heap_by_path_name(optarg, o->heap_of_path, sizeof(o->heap_of_path), why,
                                      sizeof(why))) {
                    cli_error("alloc: --heap %s: %s", optarg, why);
                    return CLI_EXIT_USAGE;
                }
                o->heap_name = o->heap_of_path;
            }
            break;
        case 's':
            ret = cli_parse_size("--size", optarg, 0, &o->req.size);
            have_size = 1;
            break;
        case 'a':
            ret = cli_parse_size("--align", optarg, 0, &o->req.align);
            if (ret == CLI_EXIT_OK && (o->req.align & (o->req.align - 1))) {
                cli_error("--align %s: must be a power of two", optarg);
                ret = CLI_EXIT_USAGE;
            }
            break;
        case 'p':
            ret = cli_parse_page_size(optarg, &o->req.page_kind, &o->req.page_size);
            break;
        case 'n':
            ret = cli_parse_uint("--node", optarg, 0, 1023, &node);
            o->req.numa_node = (int)node;
            o->req.bind_node = true;
            break;
        case 'c':
            ret = cli_parse_uint("--count", optarg, 1, ALLOC_MAX_COUNT, &o->count);
            break;
        case 'N':
            o->debug_name = optarg;
            break;
        case 'C':
            ret = cli_add_class_override(&o->heap_opts, optarg);
            break;
        case 'M':
            if (mem_limit_parse(optarg, &o->mem_limit)) {
                cli_error("--max-mem '%s': expected a size (4G, 512M) or a share of the free "
                          "memory from 1%% to 100%%",
                          optarg);
                ret = CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            alloc_usage(stdout);
            return -1;
        default:
            alloc_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (ret != CLI_EXIT_OK)
        return ret;
    if (optind < argc) {
        cli_error("alloc: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (!o->heap_name || !have_size) {
        cli_error("alloc: --heap and --size are required (see 'dmabench alloc --help')");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Why an allocation failed, in the words a board engineer needs next. */
static void explain_alloc_error(struct heap *heap, const struct heap_alloc_req *req, int err,
                                char *out, size_t out_len)
{
    char size[32], described[HEAP_REASON_MAX];
    out[0] = '\0';
    if (!heap->info.available)
        snprintf(out, out_len, " (%s)", heap->info.reason);
    else if (err == -EFBIG)
        snprintf(out, out_len, " (the largest buffer this heap accepts is %s)",
                 size_format(heap->info.max_size, size, sizeof(size)));
    else if (err == -ENOMEM && req->size > heap_mem_total())
        snprintf(out, out_len, " (more than the %s of RAM in this machine)",
                 size_format(heap_mem_total(), size, sizeof(size)));
    else if (err == -EOPNOTSUPP && req->bind_node &&
             heap_page_size_offered(&heap->info, req->page_kind, req->page_size))
        snprintf(out, out_len,
                 " (this heap's exporter places its pages itself: --node works "
                 "with udmabuf and host memory)");
    else if (err == -EOPNOTSUPP)
        snprintf(out, out_len, " (page size %s is not offered by this heap; see 'dmabench list')",
                 req->page_kind == HEAP_PAGES_THP
                         ? "thp"
                         : size_format(req->page_size, size, sizeof(size)));
    else if (err == -ENOMEM && req->page_kind == HEAP_PAGES_HUGETLB)
        snprintf(out, out_len, " (not enough free %s hugetlb pages: see /proc/sys/vm/nr_hugepages)",
                 size_format(req->page_size, size, sizeof(size)));
    else if (heap_describe(heap, req->size, described, sizeof(described)) == err)
        snprintf(out, out_len, " (%s)", described); /* the heap's device says why: a V4L2 frame */
    else if (err == -EINVAL && req->bind_node)
        snprintf(out, out_len, " (NUMA node %d: this machine has nodes 0..%d)", req->numa_node,
                 numa_available() < 0 ? 0 : numa_max_node());
}

static void fill_pattern(uint64_t *words, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        words[i] = seed ^ (i * 0x9e3779b97f4a7c15ull);
}

static size_t first_mismatch(const uint64_t *words, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (words[i] != (seed ^ (i * 0x9e3779b97f4a7c15ull)))
            return i;
    return n;
}

/* Map, write inside a write sync, read back inside a read sync. Returns 0 or -errno, with
 * the failing step in *step. */
static int write_and_verify(struct heap_buf *buf, uint64_t seed, const char **step)
{
    void *addr;
    int ret = heap_mmap(buf, &addr);
    if (ret) {
        *step = "mmap";
        return ret;
    }
    size_t words = buf->size / sizeof(uint64_t);
    if ((ret = heap_sync_begin(buf, HEAP_SYNC_WRITE)) != 0) {
        *step = "sync start (write)";
    } else {
        fill_pattern(addr, words, seed);
        if ((ret = heap_sync_end(buf, HEAP_SYNC_WRITE)) != 0)
            *step = "sync end (write)";
    }
    if (!ret && (ret = heap_sync_begin(buf, HEAP_SYNC_READ)) != 0)
        *step = "sync start (read)";
    if (!ret) {
        if (first_mismatch(addr, words, seed) != words) {
            *step = "read back";
            ret = -EIO;
        }
        int end = heap_sync_end(buf, HEAP_SYNC_READ);
        if (!ret && end) {
            *step = "sync end (read)";
            ret = end;
        }
    }
    heap_munmap(buf, addr);
    return ret;
}

/* For dma-bufs: set the debug name and check size, exporter and name as the kernel reports. */
static int check_fdinfo(struct heap_buf *buf, const char *debug_name, struct dmabuf_fdinfo *info,
                        const char **step)
{
    int ret = heap_set_name(buf, debug_name);
    if (ret) {
        *step = "set name";
        return ret;
    }
    if ((ret = dmabuf_fdinfo_read(buf->fd, info)) != 0) {
        *step = "read fdinfo";
        return ret;
    }
    if (info->size != buf->alloc_size) {
        *step = "fdinfo size differs from the allocation";
        return -EIO;
    }
    if (strcmp(info->name, debug_name)) {
        *step = "fdinfo name differs from the one set";
        return -EIO;
    }
    return 0;
}

/* COUNT buffers held at once must leave the board its memory (bench/mem_guard.h). */
static int check_memory(const struct alloc_opts *o, const struct heap *heap)
{
    struct mem_guard g = {.lower = "--size or --count"};
    struct mem_info info;
    char one[32], err[512];
    size_t page = o->req.page_kind == HEAP_PAGES_HUGETLB && o->req.page_size
                          ? o->req.page_size
                          : heap_base_page_size();
    size_t size = o->req.size, count = (size_t)o->count;
    /* A buffer larger than the machine, or pages the heap does not offer: the core refuses
     * those before allocating anything, and says why in its own words. */
    if (size > heap_mem_total() ||
        !heap_page_size_offered(&heap->info, o->req.page_kind, o->req.page_size))
        return CLI_EXIT_OK;
    if (size % page && size < SIZE_MAX - page)
        size += page - size % page;
    g.ram.bytes = size > SIZE_MAX / count ? SIZE_MAX : size * count;
    snprintf(g.ram.case_id, sizeof(g.ram.case_id), "heap %s", heap->info.name);
    snprintf(g.ram.how, sizeof(g.ram.how), "%s x count %ld", size_format(size, one, sizeof(one)),
             o->count);
    if (mem_guard_heap_is_cma(heap))
        g.cma = g.ram;
    int ret = mem_info_read(&info);
    if (ret && !o->mem_limit.bytes) {
        cli_error("alloc: cannot read MemAvailable from /proc/meminfo (%s): give the memory the "
                  "buffers may hold with --max-mem SIZE",
                  strerror(-ret));
        return CLI_EXIT_USAGE;
    }
    if (mem_limit_check_machine(&o->mem_limit, &info, err, sizeof(err))) {
        cli_error("alloc: %s", err);
        return CLI_EXIT_USAGE;
    }
    if (mem_guard_check(&g, &info, &o->mem_limit, err, sizeof(err))) {
        cli_error("alloc: the buffers need %s", err);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* page= is what was asked for; zeroed= whether the fresh buffer was all zeros; granted= the page
 * size most of the buffer is on and huge= its share on huge pages, as the kernel reports them after
 * the pattern touched every page, or granted=unknown where that cannot be read (dma-heap and ION
 * pages are not visible). */
static void print_buffer(struct heap_buf *buf, const struct dmabuf_fdinfo *info, size_t nonzero)
{
    const struct heap_info *hi = &buf->heap->info;
    char page[32], align[32], granted[64] = "unknown";
    struct heap_pages pages;
    if (heap_buf_pages(buf, &pages) == 0) {
        char size[32];
        snprintf(granted, sizeof(granted), "%s huge=%.4g%%",
                 size_format_compact(pages.page_size, size, sizeof(size)),
                 100 * pages.huge_fraction);
    }
    printf("heap=%s backend=%s class=%s size=%zuB allocated=%zuB page=%s granted=%s align=%s node=",
           hi->name, hi->backend, heap_class_name(hi->klass), buf->size, buf->alloc_size,
           size_format_compact(buf->page_size, page, sizeof(page)), granted,
           size_format_compact(buf->align, align, sizeof(align)));
    if (buf->numa_node == HEAP_NODE_ANY)
        printf("any");
    else
        printf("%d", buf->numa_node);
    if (hi->is_dmabuf)
        printf(" dmabuf=yes exp_name=%s name=%s", info->exp_name, info->name);
    else
        printf(" dmabuf=no");
    char described[256];
    if (heap_describe(buf->heap, buf->size, described, sizeof(described)) == 0)
        printf(" format=\"%s\"", described);
    if (nonzero < buf->alloc_size)
        printf(" zeroed=no (first non-zero byte at offset %zu)", nonzero);
    else
        printf(" zeroed=yes");
    printf(" verify=ok\n");
}

static int run_alloc(const struct alloc_opts *o, struct heap_registry *reg)
{
    struct heap *heap = cli_find_heap(reg, o->heap_name);
    if (!heap)
        return CLI_EXIT_USAGE;
    int guard = check_memory(o, heap);
    if (guard != CLI_EXIT_OK)
        return guard;
    struct heap_buf **bufs = calloc((size_t)o->count, sizeof(*bufs));
    if (!bufs) {
        cli_error("alloc: out of memory");
        return CLI_EXIT_FAILURE;
    }
    int status = CLI_EXIT_OK;
    bool leaked_data = false;
    char size[32];
    size_format(o->req.size, size, sizeof(size));
    for (long i = 0; i < o->count && status == CLI_EXIT_OK; i++) {
        const char *step = "alloc";
        struct dmabuf_fdinfo info = {0};
        size_t nonzero = 0;
        int ret = heap_alloc(heap, &o->req, &bufs[i]);
        /* Before anything writes to it: what the heap handed out, as it handed it out. */
        if (!ret && (ret = heap_buf_first_nonzero(bufs[i], &nonzero)) != 0)
            step = "zeroed check";
        if (!ret)
            ret = write_and_verify(bufs[i], (uint64_t)i + 1, &step);
        if (!ret && heap->info.is_dmabuf)
            ret = check_fdinfo(bufs[i], o->debug_name, &info, &step);
        if (ret) {
            char why[HEAP_REASON_MAX + 64] = "";
            if (!strcmp(step, "alloc"))
                explain_alloc_error(heap, &o->req, ret, why, sizeof(why));
            cli_error("heap %s (%s): %s of %s (buffer %ld of %ld): %s%s", heap->info.name,
                      heap->info.backend, step, size, i + 1, o->count, strerror(-ret), why);
            status = CLI_EXIT_FAILURE;
            break;
        }
        print_buffer(bufs[i], &info, nonzero);
        /* A leak is a failure, but the other buffers still say whether they leak too. */
        if (nonzero < bufs[i]->alloc_size) {
            cli_error("heap %s (%s): buffer %ld of %ld was not zeroed: first non-zero byte at "
                      "offset %zu of %zu B (an information leak)",
                      heap->info.name, heap->info.backend, i + 1, o->count, nonzero,
                      bufs[i]->alloc_size);
            leaked_data = true;
        }
    }
    if (leaked_data && status == CLI_EXIT_OK)
        status = CLI_EXIT_FAILURE;
    for (long i = 0; i < o->count; i++)
        heap_free(bufs[i]);
    free(bufs);
    return status;
}

int cmd_alloc(int argc, char **argv)
{
    struct alloc_opts o = {
            .debug_name = "dmabench",
            .count = 1,
    };
    int ret = parse_alloc_opts(argc, argv, &o);
    if (ret)
        return ret < 0 ? CLI_EXIT_OK : ret;
    struct resource_snapshot before, after;
    int have_snapshot = resource_snapshot_take(&before) == 0;
    struct heap_registry *reg;
    if ((ret = cli_open_registry(&o.heap_opts, &reg)) != CLI_EXIT_OK)
        return ret;
    ret = run_alloc(&o, reg);
    struct heap_counts leaked;
    heap_registry_close(reg, &leaked);
    if (leaked.buffers || leaked.mappings) {
        cli_error("alloc: the allocator core still held %ld buffer(s) and %ld mapping(s)",
                  leaked.buffers, leaked.mappings);
        ret = CLI_EXIT_FAILURE;
    }
    if (have_snapshot && resource_snapshot_take(&after) == 0 &&
        resource_snapshot_grew(&before, &after)) {
        char what[160];
        resource_snapshot_describe_growth(&before, &after, what, sizeof(what));
        cli_error("alloc: leaked %s", what);
        ret = CLI_EXIT_FAILURE;
    }
    return ret;
}
