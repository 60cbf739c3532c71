/* bench/cli/cli_common.c - option parsing and error reporting shared by every subcommand.
 *
 * Bad input gets one line naming the option, the value and what would be accepted, and a
 * usage exit code; no subcommand repeats these rules.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap_dev.h"
#include "name_list.h"
#include "size_units.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("dmabench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_add_class_override(struct cli_heap_opts *opts, const char *text)
{
    if (opts->n_overrides == CLI_MAX_CLASS_OVERRIDES) {
        cli_error("--heap-class: at most %d overrides", CLI_MAX_CLASS_OVERRIDES);
        return CLI_EXIT_USAGE;
    }
    if (heap_class_override_parse(text, &opts->overrides[opts->n_overrides]) != 0) {
        cli_error("--heap-class '%s': expected NAME=CLASS with CLASS one of cached, uncached, "
                  "contiguous, unknown",
                  text);
        return CLI_EXIT_USAGE;
    }
    opts->n_overrides++;
    return CLI_EXIT_OK;
}

int cli_open_registry(const struct cli_heap_opts *opts, struct heap_registry **out)
{
    int ret = heap_registry_open(out, opts->overrides, opts->n_overrides);
    if (ret) {
        cli_error("cannot probe heaps: %s", strerror(-ret));
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < opts->n_overrides; i++) {
        if (!heap_registry_find(*out, opts->overrides[i].name)) {
            cli_error("--heap-class %s=%s: no heap named '%s' (see 'dmabench list')",
                      opts->overrides[i].name, heap_class_name(opts->overrides[i].klass),
                      opts->overrides[i].name);
            heap_registry_close(*out, NULL);
            *out = NULL;
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

struct heap *cli_find_heap(struct heap_registry *reg, const char *name)
{
    struct heap *heap = heap_registry_find(reg, name);
    if (heap)
        return heap;
    /* The names listed whole, however many the board has. */
    char *known = NULL;
    size_t known_len = 0;
    FILE *list = open_memstream(&known, &known_len);
    for (size_t i = 0; list && i < heap_registry_count(reg); i++)
        fprintf(list, "%s%s", i ? ", " : "", heap_registry_at(reg, i)->info.name);
    if (list)
        fclose(list);
    cli_error("unknown heap '%s' (heaps here: %s; see 'dmabench list')", name, known ? known : "?");
    free(known);
    return NULL;
}

int cli_parse_size(const char *option, const char *text, int zero_ok, size_t *out)
{
    int ret = size_parse(text, out);
    if (ret == -ERANGE) {
        cli_error("%s '%s': too large", option, text);
        return CLI_EXIT_USAGE;
    }
    if (ret) {
        cli_error("%s '%s': not a size (bytes, or with a K/M/G/T suffix: 4K, 1M, 2G)", option,
                  text);
        return CLI_EXIT_USAGE;
    }
    if (!zero_ok && *out == 0) {
        cli_error("%s 0: must be at least 1 byte", option);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_parse_page_size(const char *text, enum heap_page_kind *kind, size_t *size)
{
    *size = 0;
    if (!strcmp(text, "base")) {
        *kind = HEAP_PAGES_BASE;
        return CLI_EXIT_OK;
    }
    if (!strcmp(text, "thp")) {
        *kind = HEAP_PAGES_THP;
        return CLI_EXIT_OK;
    }
    size_t bytes;
    if (size_parse(text, &bytes) != 0 || bytes == 0 || (bytes & (bytes - 1))) {
        cli_error("--page-size '%s': expected base, thp, or a power-of-two size such as 2M", text);
        return CLI_EXIT_USAGE;
    }
    *kind = bytes == heap_base_page_size() ? HEAP_PAGES_BASE : HEAP_PAGES_HUGETLB;
    *size = bytes;
    return CLI_EXIT_OK;
}

int cli_parse_uint(const char *option, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) {
        cli_error("%s '%s': expected an integer from %ld to %ld", option, text, min, max);
        return CLI_EXIT_USAGE;
    }
    *out = value;
    return CLI_EXIT_OK;
}

int cli_once(const char *command, const char *option, bool *seen)
{
    if (*seen) {
        cli_error("%s: %s given twice", command, option);
        return CLI_EXIT_USAGE;
    }
    *seen = true;
    return CLI_EXIT_OK;
}

int cli_long_once(const char *command, const struct option *option, bool *seen)
{
    char name[64];
    snprintf(name, sizeof(name), "--%s", option->name); /* the table's own names: short */
    return cli_once(command, name, seen);
}

int cli_set_once(const char *command, const char *option, const char **slot, const char *value)
{
    bool seen = *slot != NULL;
    int ret = cli_once(command, option, &seen);
    if (ret == CLI_EXIT_OK && !*value) {
        cli_error("%s: %s: empty value", command, option);
        ret = CLI_EXIT_USAGE;
    }
    if (ret == CLI_EXIT_OK)
        *slot = value;
    return ret;
}

int cli_check_path(const char *command, const char *option, const char *path)
{
    size_t len = strlen(path);
    if (len < PATH_MAX)
        return CLI_EXIT_OK;
    cli_error("%s: %s '%.64s...': %zu bytes, longer than the %d a path may have", command, option,
              path, len, PATH_MAX - 1);
    return CLI_EXIT_USAGE;
}

int cli_bad_choice(const char *command, const char *option, const char *text,
                   const char *const *names, size_t n)
{
    char choices[256];
    cli_error("%s: %s '%s': expected %s", command, option, text,
              name_list_join(names, n, choices, sizeof(choices)));
    return CLI_EXIT_USAGE;
}

int cli_parse_number(const char *command, const char *option, const char *text, bool percent,
                     double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (percent && *end == '%')
        end++;
    if (end == text || *end || !(v >= min && v <= max)) {
        cli_error("%s: %s '%s': expected a number from %g to %g%s", command, option, text, min, max,
                  percent ? " (percent)" : "");
        return CLI_EXIT_USAGE;
    }
    *out = v;
    return CLI_EXIT_OK;
}
