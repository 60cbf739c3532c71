/* bench/cli/cli.h - the command-line layer: subcommands, exit codes, and the shared heap options.
 *
 * Only this layer turns -errno values into words and exit codes; everything below it returns
 * errors and never prints.
 */
#ifndef DMABENCH_CLI_H
#define DMABENCH_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "heap.h"

enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* something failed while running */
    CLI_EXIT_USAGE = 2,   /* bad command line or input */
};

#define CLI_MAX_CLASS_OVERRIDES 32
/* Room for a message that holds one path (at most PATH_MAX - 1 bytes, cli_check_path) and the
 * words around it: a message is never cut. */
#define CLI_MESSAGE_MAX (PATH_MAX + 1024)

/* Options every command that opens heaps accepts. */
struct cli_heap_opts {
    struct heap_class_override overrides[CLI_MAX_CLASS_OVERRIDES];
    size_t n_overrides;
};

/* Print "dmabench: ..." and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --heap-class NAME=CLASS; prints the error and returns CLI_EXIT_USAGE when malformed. */
int cli_add_class_override(struct cli_heap_opts *opts, const char *text);
/* Open the registry; an override naming no heap is a usage error. Returns a cli_exit. */
int cli_open_registry(const struct cli_heap_opts *opts, struct heap_registry **out);
/* The heap called name, or NULL after printing "unknown heap" with the known names. */
struct heap *cli_find_heap(struct heap_registry *reg, const char *name);
/* Parse --size-like options; zero_ok=0 refuses 0. Prints and returns CLI_EXIT_USAGE. */
int cli_parse_size(const char *option, const char *text, int zero_ok, size_t *out);
/* "base", "thp", or a hugetlb size ("2M"); a size equal to the base page means base. */
int cli_parse_page_size(const char *text, enum heap_page_kind *kind, size_t *size);
/* Parse a number option value within [min, max] (percent: a trailing '%' is allowed); prints
 * "COMMAND: OPTION 'TEXT': expected a number from MIN to MAX" and returns CLI_EXIT_USAGE. */
int cli_parse_number(const char *command, const char *option, const char *text, bool percent,
                     double min, double max, double *out);
/* An option's value that is none of names[0..n): prints "COMMAND: OPTION 'TEXT': expected a, b
 * or c" and returns CLI_EXIT_USAGE. */
int cli_bad_choice(const char *command, const char *option, const char *text,
                   const char *const *names, size_t n);
/* Parse a non-negative integer option value within [min, max]. */
int cli_parse_uint(const char *option, const char *text, long min, long max, long *out);
/* An option that may be given once: a second one would silently win. *seen is set; the second
 * time prints "COMMAND: OPTION given twice" and returns CLI_EXIT_USAGE. */
int cli_once(const char *command, const char *option, bool *seen);
/* cli_once for a long option of getopt_long's table ("--NAME given twice"). */
struct option;
int cli_long_once(const char *command, const struct option *option, bool *seen);
/* The same for an option with a text value (*slot NULL until given); an empty value is refused
 * too ("COMMAND: OPTION: empty value"). */
int cli_set_once(const char *command, const char *option, const char **slot, const char *value);
/* A path from the command line must fit a path (PATH_MAX - 1 bytes): else "COMMAND: OPTION
 * 'START...': N bytes, longer than the 4095 a path may have" and CLI_EXIT_USAGE. */
int cli_check_path(const char *command, const char *option, const char *path);

int cmd_list(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_history(int argc, char **argv);

#endif
