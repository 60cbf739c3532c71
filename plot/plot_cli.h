/* plot/plot_cli.h - the command-line side that `plot` and `report` share: reading the result
 * sets named on the command line, --type, and telling the user what each plot came to.
 *
 * Messages follow the rest of the CLI: one line each on stderr, "dmabench: COMMAND: ...".
 */
#ifndef DMABENCH_PLOT_CLI_H
#define DMABENCH_PLOT_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "plot.h"

#define PLOT_CLI_MAX_TYPES 16

/* Load every path (result directories, or their results.csv). A cut last row is a note, not an
 * error. Returns a cli_exit: CLI_EXIT_USAGE for a missing or malformed set (the message names
 * the file and line), CLI_EXIT_FAILURE when out of memory. */
int plot_cli_load_sets(const char *command, char *const *paths, size_t n,
                       struct result_set ***sets);
void plot_cli_free_sets(struct result_set **sets, size_t n);

/* --type LIST: comma-separated plot type names into names (NULL-terminated, pointing into
 * text, which is modified). CLI_EXIT_OK, or CLI_EXIT_USAGE after naming the known types. */
int plot_cli_parse_types(const char *command, char *text, const char **names, size_t max);

/* "  bandwidth  vm (AMD EPYC) ..." lines for --help. */
void plot_cli_list_types(FILE *out);

/* The plots made (stdout, unless quiet), the ones skipped and the ones failed (stderr, with
 * gnuplot's own lines), and the exit code plot_make's return value calls for. */
int plot_cli_report_outcomes(const char *command, const struct plot_job *job, int ret,
                             const struct plot_outcome *o, size_t n, const char *err, int quiet);

/* The directory -o defaults to (malloc'd): the set's DIR/SUBDIR for one set; NULL for several
 * (the caller says -o is needed) or without memory. */
char *plot_cli_default_out(struct result_set *const *sets, size_t n, const char *subdir);

#endif
