/* bench/cli/cmd_list.c - `dmabench list`: every heap and backend, the topology and the counters.
 *
 * The first command a platform engineer runs on a new board: what can be measured here, and
 * for everything that cannot, why. The same rows print as a table or as CSV.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cache_maint.h"
#include "cli.h"
#include "counters_probe.h"
#include "csv_write.h"
#include "engine.h"
#include "heap.h"
#include "size_units.h"
#include "topology.h"

enum list_column {
    COL_SECTION,
    COL_NAME,
    COL_BACKEND,
    COL_CLASS,
    COL_CPU_MAPPING,
    COL_DMABUF,
    COL_PAGE_SIZES,
    COL_STATUS,
    COL_DETAIL,
    N_COLS
};

static const char *const column_titles[N_COLS] = {
        "section", "name",       "backend", "class",  "cpu_mapping",
        "dmabuf",  "page_sizes", "status",  "detail",
};

#define MAX_ROWS            160
#define ENGINE_LIST_DEVICES 32 /* nodes listed per engine */
#define CELL                192

struct list_rows {
    size_t n;
    char cells[MAX_ROWS][N_COLS][CELL];
};

/* Cells truncate silently by design: a table cell is for reading, not for parsing. */
static void cell_set(char *cell, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cell_set(char *cell, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cell, CELL, fmt, ap);
    va_end(ap);
}

static char (*new_row(struct list_rows *rows, const char *section))[CELL]
{
    if (rows->n == MAX_ROWS)
        return NULL;
    char(*row)[CELL] = rows->cells[rows->n++];
    memset(row, 0, sizeof(rows->cells[0]));
    cell_set(row[COL_SECTION], "%s", section);
    return row;
}

static void page_sizes_text(const struct heap_info *info, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < info->n_page_sizes && used < out_len; i++) {
        const struct heap_page_size *p = &info->page_sizes[i];
        char size[32];
        size_format_compact(p->size, size, sizeof(size));
        int n = snprintf(out + used, out_len - used, "%s%s%s", i ? " " : "",
                         p->kind == HEAP_PAGES_THP ? "thp:" : "", size);
        if (n > 0 && p->kind == HEAP_PAGES_HUGETLB && p->free_pages >= 0)
            n += snprintf(out + used + n, out_len - used - (size_t)n, "(%ld free)", p->free_pages);
        if (n > 0)
            used += (size_t)n;
    }
}

static void add_heap_rows(struct list_rows *rows, struct heap_registry *reg)
{
    for (size_t i = 0; i < heap_registry_count(reg); i++) {
        const struct heap_info *info = &heap_registry_at(reg, i)->info;
        char(*row)[CELL] = new_row(rows, "heap"), max[32];
        if (!row)
            return;
        cell_set(row[COL_NAME], "%s", info->name);
        cell_set(row[COL_BACKEND], "%s", info->backend);
        cell_set(row[COL_CLASS], "%s%s", heap_class_name(info->klass),
                 info->class_from_user ? " (user)" : "");
        cell_set(row[COL_CPU_MAPPING], "%s", heap_cpu_mapping_name(info->cpu_mapping));
        cell_set(row[COL_DMABUF], "%s", info->is_dmabuf ? "yes" : "no");
        page_sizes_text(info, row[COL_PAGE_SIZES], CELL);
        cell_set(row[COL_STATUS], "%s", info->available ? "available" : "unavailable");
        if (!info->available)
            cell_set(row[COL_DETAIL], "%s", info->reason);
        else if (info->max_size) /* an available heap's reason is a note on how it works */
            cell_set(row[COL_DETAIL], "%s%s%s, at most %s per buffer", info->device,
                     info->reason[0] ? ": " : "", info->reason,
                     size_format(info->max_size, max, sizeof(max)));
        else if (strcmp(info->device, "-"))
            cell_set(row[COL_DETAIL], "%s%s%s", info->device, info->reason[0] ? ": " : "",
                     info->reason);
    }
}

static void add_topology_rows(struct list_rows *rows)
{
    struct topology_summary topo;
    char(*row)[CELL] = new_row(rows, "topology");
    if (!row)
        return;
    cell_set(row[COL_NAME], "machine");
    if (topology_read(&topo) != 0) {
        cell_set(row[COL_STATUS], "unavailable");
        cell_set(row[COL_DETAIL], "hwloc could not read the topology");
        return;
    }
    cell_set(row[COL_STATUS], "available");
    cell_set(row[COL_DETAIL],
             "%u package(s), %u core(s), %u hardware thread(s), %zu NUMA "
             "node(s)",
             topo.packages, topo.cores, topo.pus, topo.n_nodes);
    for (size_t i = 0; i < topo.n_caches; i++) {
        const struct topo_cache *c = &topo.caches[i];
        char size[32];
        if (!(row = new_row(rows, "topology")))
            return;
        cell_set(row[COL_NAME], "L%u%s", c->level,
                 c->type == 'd'   ? "d"
                 : c->type == 'i' ? "i"
                                  : "");
        cell_set(row[COL_STATUS], "available");
        cell_set(row[COL_DETAIL], "%s x%u, line %u B", size_format(c->size, size, sizeof(size)),
                 c->count, c->line_size);
    }
    for (size_t i = 0; i < topo.n_nodes; i++) {
        char size[32];
        if (!(row = new_row(rows, "topology")))
            return;
        cell_set(row[COL_NAME], "numa%u", topo.nodes[i].os_index);
        cell_set(row[COL_STATUS], "available");
        cell_set(row[COL_DETAIL], "%s local memory",
                 size_format(topo.nodes[i].memory, size, sizeof(size)));
    }
}

static void add_counter_rows(struct list_rows *rows)
{
    struct counters_probe probe;
    char reason[CELL];
    counters_probe_run(&probe);
    char(*row)[CELL] = new_row(rows, "counters");
    if (!row)
        return;
    cell_set(row[COL_NAME], "hardware");
    cell_set(row[COL_BACKEND], "libpfm4");
    cell_set(row[COL_STATUS], "%s", probe.hw_err ? "unavailable" : "available");
    counters_hw_reason(&probe, reason, sizeof(reason));
    if (probe.core_pmus[0])
        cell_set(row[COL_DETAIL], "%s; libpfm4 knows this CPU as %s", reason, probe.core_pmus);
    else
        cell_set(row[COL_DETAIL],
                 "%s; libpfm4 has no event table for this CPU (generic perf:: "
                 "events only)",
                 reason);
    if (!(row = new_row(rows, "counters")))
        return;
    cell_set(row[COL_NAME], "software");
    cell_set(row[COL_BACKEND], "perf_event_open");
    cell_set(row[COL_STATUS], "%s", probe.sw_err ? "unavailable" : "available");
    if (probe.sw_err)
        cell_set(row[COL_DETAIL], "perf_event_open(perf::task-clock): %s", strerror(-probe.sw_err));
    else if (probe.user_only)
        cell_set(row[COL_DETAIL],
                 "task-clock, page faults, user space only (perf_event_paranoid=%d; context "
                 "switches need kernel counting)",
                 probe.paranoid);
    else
        cell_set(row[COL_DETAIL], "task-clock, page faults, context switches");
    if (!(row = new_row(rows, "counters")))
        return;
    cell_set(row[COL_NAME], "perf_event_paranoid");
    cell_set(row[COL_STATUS], "%s",
             probe.paranoid == COUNTERS_PARANOID_UNKNOWN ? "unavailable" : "available");
    cell_set(row[COL_DETAIL], "%d", probe.paranoid);
}

/* An engine's device nodes, each by the value that picks it (--engine v4l2:video3). */
static void add_engine_device_rows(struct list_rows *rows, const struct engine_ops *ops)
{
    static struct engine_device devices[ENGINE_LIST_DEVICES];
    size_t n = ops->devices ? ops->devices(devices, ENGINE_LIST_DEVICES) : 0;
    for (size_t i = 0; i < n && i < ENGINE_LIST_DEVICES; i++) {
        char(*row)[CELL] = new_row(rows, "engine");
        if (!row)
            return;
        cell_set(row[COL_NAME], "%s:%s", ops->name, devices[i].node);
        cell_set(row[COL_STATUS], "%s", devices[i].usable ? "available" : "unavailable");
        cell_set(row[COL_DETAIL], "%s", devices[i].detail);
    }
}

/* Every DMA engine, usable or not, with what it found or why not, and the nodes it can be
 * pointed at. */
static void add_engine_rows(struct list_rows *rows)
{
    for (size_t i = 0; i < engine_count(); i++) {
        const struct engine_ops *ops = engine_at(i);
        struct engine_probe probe = {0};
        ops->probe(NULL, &probe);
        char(*row)[CELL] = new_row(rows, "engine");
        if (!row)
            return;
        cell_set(row[COL_NAME], "%s", ops->name);
        cell_set(row[COL_BACKEND], "%s", ops->label);
        cell_set(row[COL_STATUS], "%s", probe.available ? "available" : "unavailable");
        cell_set(row[COL_DETAIL], "%s", probe.available ? probe.detail : probe.reason);
        add_engine_device_rows(rows, ops);
    }
}

/* The line size, every maintenance instruction, and what coherence the architecture promises. */
static void add_cache_rows(struct list_rows *rows)
{
    char(*row)[CELL] = new_row(rows, "cache");
    if (!row)
        return;
    cell_set(row[COL_NAME], "line");
    cell_set(row[COL_STATUS], "available");
    cell_set(row[COL_DETAIL], "%zu B (%s)", cache_line_size(), cache_line_source());
    for (int m = 0; m < N_CACHE_METHODS; m++) {
        const struct cache_method_info *info = cache_method_info(m);
        const char *why = "";
        if (!(row = new_row(rows, "cache")))
            return;
        bool ok = cache_method_available(m, &why) == 0;
        cell_set(row[COL_NAME], "%s", info->name);
        cell_set(row[COL_STATUS], "%s", ok ? "available" : "unavailable");
        if (ok)
            cell_set(row[COL_DETAIL], "%s: %s", cache_op_name(info->op), info->insn);
        else
            cell_set(row[COL_DETAIL], "%s", why);
    }
    if (!(row = new_row(rows, "cache")))
        return;
    cell_set(row[COL_NAME], "coherence");
    cell_set(row[COL_STATUS], "available");
#if defined(__x86_64__)
    cell_set(row[COL_DETAIL], "x86-64 is IO-coherent: DMA snoops the CPU caches, so a sync only "
                              "orders and bounces; 'dmabench run coherency' checks it");
#else
    cell_set(row[COL_DETAIL], "coherent only for devices on a coherent interconnect; "
                              "'dmabench run coherency' finds out per heap");
#endif
}

static void print_csv(const struct list_rows *rows)
{
    csv_write_row(stdout, column_titles, N_COLS);
    for (size_t r = 0; r < rows->n; r++) {
        const char *fields[N_COLS];
        for (size_t c = 0; c < N_COLS; c++)
            fields[c] = rows->cells[r][c];
        csv_write_row(stdout, fields, N_COLS);
    }
}

static const char *section_title(const char *section)
{
    static const struct {
        const char *section, *title;
    } titles[] = {{"topology", "Topology (hwloc)"},
                  {"counters", "Counters"},
                  {"engine", "Engines"},
                  {"cache", "Cache maintenance"}};
    for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if (!strcmp(section, titles[i].section))
            return titles[i].title;
    return section;
}

/* Heaps as an aligned table; the other sections as "name: detail" lines. */
static void print_table(const struct list_rows *rows)
{
    static const enum list_column heap_cols[] = {COL_NAME,        COL_BACKEND, COL_CLASS,
                                                 COL_CPU_MAPPING, COL_DMABUF,  COL_PAGE_SIZES};
    size_t width[N_COLS] = {0};
    for (size_t c = 0; c < N_COLS; c++)
        width[c] = strlen(column_titles[c]);
    for (size_t r = 0; r < rows->n; r++)
        for (size_t c = 0; c < N_COLS; c++)
            if (!strcmp(rows->cells[r][COL_SECTION], "heap") &&
                strlen(rows->cells[r][c]) > width[c])
                width[c] = strlen(rows->cells[r][c]);
    const char *section = "";
    for (size_t r = 0; r < rows->n; r++) {
        const char(*row)[CELL] = rows->cells[r];
        if (strcmp(section, row[COL_SECTION])) {
            section = row[COL_SECTION];
            if (!strcmp(section, "heap")) {
                printf("Heaps\n ");
                for (size_t i = 0; i < sizeof(heap_cols) / sizeof(heap_cols[0]); i++)
                    printf(" %-*s", (int)width[heap_cols[i]], column_titles[heap_cols[i]]);
                printf(" status\n");
            } else {
                printf("%s%s\n", r ? "\n" : "", section_title(section));
            }
        }
        if (!strcmp(section, "heap")) {
            printf(" ");
            for (size_t i = 0; i < sizeof(heap_cols) / sizeof(heap_cols[0]); i++)
                printf(" %-*s", (int)width[heap_cols[i]], row[heap_cols[i]]);
            printf(" %s%s%s\n", row[COL_STATUS], row[COL_DETAIL][0] ? ": " : "", row[COL_DETAIL]);
        } else {
            printf("  %-20s %s%s%s%s\n", row[COL_NAME], row[COL_BACKEND],
                   row[COL_BACKEND][0] ? ": " : "",
                   strcmp(row[COL_STATUS], "available") ? "unavailable: " : "", row[COL_DETAIL]);
        }
    }
}

static void list_usage(FILE *out)
{
    fprintf(out, "usage: dmabench list [--format table|csv] [--heap-class NAME=CLASS]...\n"
                 "\n"
                 "Lists every heap backend and heap with its class, CPU mapping, page sizes and\n"
                 "availability (with the reason when unavailable), the topology from hwloc,\n"
                 "whether hardware and software counters can be read, every DMA engine and every\n"
                 "cache-maintenance instruction, each with the reason when it cannot be used.\n"
                 "Engines that take a device list each node as NAME:NODE, the value --engine\n"
                 "takes: every /dev/video* (mem2mem or not, DMABUF import or not, the formats\n"
                 "both queues take) and every DRM render node with its driver.\n"
                 "\n"
                 "  --format table|csv       output format (default table)\n"
                 "  --heap-class NAME=CLASS  treat heap NAME as cached, uncached, contiguous or\n"
                 "                           unknown instead of guessing from its name\n"
                 "  -h, --help               this text\n");
}

int cmd_list(int argc, char **argv)
{
    static const struct option options[] = {
            {"format", required_argument, NULL, 'f'},
            {"heap-class", required_argument, NULL, 'c'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    struct cli_heap_opts heap_opts = {0};
    int csv = 0, opt, ret;
    bool have_format = false;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (have_format) { /* a second one would silently win */
                cli_error("list: --format given twice");
                return CLI_EXIT_USAGE;
            }
            have_format = true;
            if (strcmp(optarg, "table") && strcmp(optarg, "csv")) {
                cli_error("list: --format '%s': expected table or csv", optarg);
                return CLI_EXIT_USAGE;
            }
            csv = !strcmp(optarg, "csv");
            break;
        case 'c':
            if ((ret = cli_add_class_override(&heap_opts, optarg)) != CLI_EXIT_OK)
                return ret;
            break;
        case 'h':
            list_usage(stdout);
            return CLI_EXIT_OK;
        default:
            list_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("list: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    struct heap_registry *reg;
    if ((ret = cli_open_registry(&heap_opts, &reg)) != CLI_EXIT_OK)
        return ret;
    static struct list_rows rows;
    rows.n = 0;
    add_heap_rows(&rows, reg);
    heap_registry_close(reg, NULL);
    add_topology_rows(&rows);
    add_counter_rows(&rows);
    add_engine_rows(&rows);
    add_cache_rows(&rows);
    if (csv)
        print_csv(&rows);
    else
        print_table(&rows);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
