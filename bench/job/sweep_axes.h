/* bench/job/sweep_axes.h - the sweep axes, declared once: each axis's key, default, value kind,
 * range, --help text, and the results.csv columns it fills.
 *
 * Everything that knows an axis is made from this list: enum sweep_axis, the parser's keys,
 * defaults and checks (bench/job/sweep.c), the run command's options and help, and the results
 * columns that the writer, the validator and the result-set reader share
 * (bench/results/results_columns.h). A new axis is one AXIS line and its COLUMN lines here.
 */
#ifndef DMABENCH_SWEEP_AXES_H
#define DMABENCH_SWEEP_AXES_H

/* How an axis's values are written and parsed, and where sweep_value keeps them. */
enum sweep_kind {
    SWEEP_KIND_HEAP,      /* a heap name, or all: every heap available at run time */
    SWEEP_KIND_WORD,      /* a name of a-z, 0-9, ':', '_', '-' (the benchmark checks it) */
    SWEEP_KIND_BYTES,     /* a size with units (4K, 1M), at least min: value.bytes */
    SWEEP_KIND_COUNT,     /* an integer from min to max: value.number */
    SWEEP_KIND_PAGE_SIZE, /* base, thp or a hugetlb size: value.page_kind, value.bytes */
    SWEEP_KIND_NODE,      /* a NUMA node from min to max, or any: value.number (-1 = any) */
    SWEEP_KIND_CPU,       /* a CPU from min to max, or all that the job may use: value.number */
    SWEEP_KIND_STRATEGY,  /* a sync strategy (coherency/sync_strategy.h): value.number its kind */
    SWEEP_KIND_DIRECTION, /* read, write, rw: value.number an enum heap_sync_dir */
    SWEEP_KIND_LINES,     /* dirty or clean: value.number 1 for dirty */
    SWEEP_KIND_FORMAT,    /* a frame format (workloads/frame_format.h): value.bytes per frame */
    SWEEP_KIND_ENGINE,    /* a DMA engine's name (workloads/engine.h) */
};

/* Whether an axis takes ranges ("4K..64M", x2 steps): magnitudes that double meaningfully. */
enum sweep_ranges { SWEEP_NO_RANGES, SWEEP_RANGES };

/* AXIS(ID, key, default, kind, ranges, min, max, what, help), in axis order, each followed by
 *   COLUMN(name, type, flags, ID, cell) for every results.csv column it fills, in CSV order.
 *
 * ID makes AXIS_ID; key is its job-file key and --option; default is the canonical text of the
 * value a job starts with; kind is SWEEP_KIND_kind; ranges is SWEEP_ranges; min and max bound
 * COUNT, NODE and CPU values (BYTES: min only); what names a value in errors ("'0' is not WHAT
 * ..."); help is its line in `dmabench run --help` (a line break continues it; "" shares the
 * line of the axis before).
 * The COLUMN fields are those of bench/results/results_columns.h; cell says what the writer
 * puts there: VALUE (the bytes of a BYTES axis, else the canonical text), or one of the facts
 * a case's value leads to (the heap's backend and class; the page kind, and the page size
 * read back).
 *
 * The order is the order of the axes in case ids and of the CSV's parameter columns: a new
 * axis goes at the end, so that the ids of existing cases stay what they were. */
/* Axes whose option and job-file key, as people write it, is not the name in case ids:
 * OPTION_NAME(ID, option). The case id keeps the old name, so that ids stay what they were and
 * runs before and after compare; the old name is still taken as an option and a key. --format
 * was the frame format's option, but everywhere else --format is the output format. */
#define SWEEP_AXIS_OPTION_NAMES(OPTION_NAME) OPTION_NAME(FORMAT, "frame")
/* Another spelling of an axis's option and job-file key that means the axis only to the
 * benchmarks that use a second one: ALIAS(ID, option, SCOPE_ID, help). --importer is the
 * engine of sync's importers (the issue's own spelling); --engine still sets every other
 * benchmark's engine, and sync's when no --importer is given. */
#define SWEEP_AXIS_ALIASES(ALIAS)                                                                  \
    ALIAS(ENGINE, "importer", IMPORTERS,                                                           \
          "sync: the importers' engine, as --engine takes it\n"                                    \
          "(drm:/dev/dri/renderD128); for sync it wins over --engine")

#define SWEEP_AXES(AXIS, COLUMN)                                                                   \
    AXIS(HEAP, "heap", "all", HEAP, NO_RANGES, 0, 0, "a heap name",                                \
         "heap names from 'dmabench list', or all; BACKEND:/dev/PATH\n"                            \
         "[:QUEUE] a device's heap (drm-dumb:/dev/dri/card0)")                                     \
    COLUMN(heap, TEXT, RESULTS_PARAMETER | RESULTS_KEY, HEAP, VALUE)                               \
    COLUMN(backend, TEXT, 0, HEAP, HEAP_BACKEND)                                                   \
    COLUMN(heap_class, TEXT, 0, HEAP, HEAP_CLASS)                                                  \
    AXIS(SIZE, "size", "4KiB", BYTES, RANGES, 1, 0, "a size", "buffer sizes (bytes, K/M/G)")       \
    COLUMN(size_bytes, COUNT, RESULTS_PARAMETER, SIZE, VALUE)                                      \
    AXIS(ALIGN, "align", "0B", BYTES, RANGES, 0, 0, "a size",                                      \
         "alloc: mapping alignment; cpu: start offset in the buffer")                              \
    COLUMN(align_bytes, COUNT, RESULTS_PARAMETER, ALIGN, VALUE)                                    \
    AXIS(PAGE_SIZE, "page-size", "base", PAGE_SIZE, NO_RANGES, 0, 0, "a page size",                \
         "base, thp, or hugetlb sizes (2M, 1G)")                                                   \
    COLUMN(page_kind, TEXT, RESULTS_PARAMETER, PAGE_SIZE, PAGE_KIND)                               \
    COLUMN(page_size_bytes, COUNT, RESULTS_PARAMETER, PAGE_SIZE, PAGE_SIZE_GRANTED)                \
    AXIS(THREADS, "threads", "1", COUNT, RANGES, 1, 1024, "a thread count",                        \
         "threads, pinned one per CPU: cpu: running its kernel;\n"                                 \
         "alloc: each allocating its batch, all at once")                                          \
    COLUMN(threads, COUNT, RESULTS_PARAMETER, THREADS, VALUE)                                      \
    AXIS(BATCH, "batch", "1", COUNT, RANGES, 1, 65536, "a batch size",                             \
         "alloc: buffers allocated back to back before freeing")                                   \
    COLUMN(batch, COUNT, RESULTS_PARAMETER, BATCH, VALUE)                                          \
    AXIS(KERNEL, "kernel", "default", WORD, NO_RANGES, 0, 0, "a kernel name",                      \
         "alloc: alloc, alloc-touch, alloc-pressure (fill to\n"                                    \
         "--max-mem or the heap's refusal); cpu: read, write, copy, fill\n"                        \
         "(OP or OP:IMPL, IMPL c libc sse2 avx2 avx512 neon nt\n"                                  \
         "ntload) and chase; coherency: stale, c2c,\n"                                             \
         "false-sharing, fence")                                                                   \
    COLUMN(kernel, TEXT, RESULTS_PARAMETER, KERNEL, VALUE)                                         \
    AXIS(NODE, "node", "any", NODE, NO_RANGES, 0, 1023, "a NUMA node",                             \
         "NUMA node of the backing pages, or any")                                                 \
    COLUMN(node, TEXT, RESULTS_PARAMETER, NODE, VALUE)                                             \
    AXIS(STRATEGY, "strategy", "full", STRATEGY, NO_RANGES, 0, 0, "a sync strategy",               \
         "sync, coherency: none, full, partial-ioctl,\n"                                           \
         "partial-user[:METHOD], full-user[:METHOD] (clflush\n"                                    \
         "clflushopt clwb dc-cvac dc-civac dc-cvau)")                                              \
    COLUMN(strategy, TEXT, RESULTS_PARAMETER, STRATEGY, VALUE)                                     \
    AXIS(DIRECTION, "direction", "rw", DIRECTION, NO_RANGES, 0, 0,                                 \
         "a direction (read, write, rw)", "read, write, rw (DMA_BUF_SYNC_READ/WRITE/RW)")          \
    COLUMN(direction, TEXT, RESULTS_PARAMETER, DIRECTION, VALUE)                                   \
    AXIS(REGION, "region", "4KiB", BYTES, RANGES, 1, 0, "a size",                                  \
         "bytes the CPU touches per region between sync begin/end")                                \
    COLUMN(region_bytes, COUNT, RESULTS_PARAMETER, REGION, VALUE)                                  \
    AXIS(REGION_OFFSET, "region-offset", "0B", BYTES, RANGES, 0, 0, "a size",                      \
         "where the first region starts (its alignment)")                                          \
    COLUMN(region_offset_bytes, COUNT, RESULTS_PARAMETER, REGION_OFFSET, VALUE)                    \
    AXIS(REGIONS, "regions", "1", COUNT, RANGES, 1, 65536, "a region count",                       \
         "regions per sync, spread over the buffer")                                               \
    COLUMN(regions, COUNT, RESULTS_PARAMETER, REGIONS, VALUE)                                      \
    AXIS(LINES, "lines", "dirty", LINES, NO_RANGES, 0, 0, "dirty or clean",                        \
         "dirty (the CPU writes) or clean (it only reads)")                                        \
    COLUMN(lines, TEXT, RESULTS_PARAMETER, LINES, VALUE)                                           \
    AXIS(IMPORTERS, "importers", "0", COUNT, NO_RANGES, 0, 8, "an importer count",                 \
         "sync: importers attached and mapped (see --importer)")                                   \
    COLUMN(importers, COUNT, RESULTS_PARAMETER, IMPORTERS, VALUE)                                  \
    AXIS(POOL, "pool", "1", COUNT, RANGES, 1, 64, "a pool depth", "pipeline: buffers in flight")   \
    COLUMN(pool_depth, COUNT, RESULTS_PARAMETER, POOL, VALUE)                                      \
    AXIS(FORMAT, "format", "nv12:1920x1080", FORMAT, NO_RANGES, 0, 0, "a frame format",            \
         "frames: PIXEL:WxH or PIXEL:720p|1080p|4k (nv12 rgba rgb24\n"                             \
         "yuyv rgb565); --format is its old name, taken until 0.2")                                \
    COLUMN(frame_format, TEXT, RESULTS_PARAMETER, FORMAT, VALUE)                                   \
    AXIS(ENGINE, "engine", "cpu", ENGINE, NO_RANGES, 0, 0, "an engine",                            \
         "DMA engine: cpu, v4l2, vgem, sw_sync, edu, drm (see\n"                                   \
         "'dmabench list'); v4l2:/dev/videoN, drm:/dev/dri/NODE\n"                                 \
         "(or v4l2:videoN, drm:NODE) a device; sync: the importers'\n"                             \
         "engine (default: those here that map)")                                                  \
    COLUMN(engine, TEXT, RESULTS_PARAMETER, ENGINE, VALUE)                                         \
    AXIS(CPU, "cpu", "all", CPU, NO_RANGES, 0, 4095, "a CPU",                                      \
         "coherency c2c: the two CPUs of a transfer, or all")                                      \
    COLUMN(cpu, COUNT, RESULTS_PARAMETER, CPU, VALUE)                                              \
    AXIS(PEER, "peer", "all", CPU, NO_RANGES, 0, 4095, "a CPU", "")                                \
    COLUMN(peer, COUNT, RESULTS_PARAMETER, PEER, VALUE)

/* For a use of SWEEP_AXES that wants only one of its two kinds of lines. */
#define SWEEP_AXES_SKIP(...)

enum sweep_axis {
#define SWEEP_AXIS_ENUM(id, ...) AXIS_##id,
    SWEEP_AXES(SWEEP_AXIS_ENUM, SWEEP_AXES_SKIP)
#undef SWEEP_AXIS_ENUM
            N_SWEEP_AXES
};

#endif
