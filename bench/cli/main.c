/* bench/cli/main.c - the dmabench command: dispatches to a subcommand.
 *
 * Each subcommand parses its own options (bench/cmd_*.c); this file only knows their names,
 * the top-level help and the version.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "version.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
        {"list", cmd_list, "heaps, backends, topology and counters on this machine, with reasons"},
        {"alloc", cmd_alloc, "allocate, map, write, sync, verify and free buffers from one heap"},
        {"run", cmd_run, "run benchmarks over sweeps of heaps and parameters, write CSV"},
        {"plot", cmd_plot, "PNG and SVG plots of result sets with gnuplot"},
        {"report", cmd_report, "a Markdown report: plots, key tables, recommendations"},
        {"compare", cmd_compare, "compare result sets: medians, significance, regressions"},
        {"export", cmd_export, "one run as LAVA test cases, KCIDB JSON or JUnit XML"},
        {"history", cmd_history, "many runs as series: change points, a CI gate, trends"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "dmabench %s - DMA-BUF heap benchmark and cache-coherency characterisation\n"
            "\n"
            "usage: dmabench COMMAND [OPTIONS]\n"
            "\n"
            "commands:\n",
            DMABENCH_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-8s %s\n", "help", "this text; 'help COMMAND': the command's options");
    fprintf(out, "  %-8s %s\n", "version", "print the version");
    fprintf(out,
            "\n'dmabench COMMAND --help' (or 'dmabench help COMMAND') shows a command's options.\n"
            "Exit status: 0 success, 1 a failure while running, 2 bad usage or input.\n");
}

/* A closed stdin, stdout or stderr (2>&-) would be the next file opened, a run's lock or its
 * results.csv, and the messages meant for it would be written there: /dev/null stands in. */
static void keep_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* The lowest free fd: this one. No /dev/null (a bare initramfs): "/", never written. */
        if (open("/dev/null", O_RDWR | O_CLOEXEC) < 0)
            open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
}

int main(int argc, char **argv)
{
    keep_standard_fds();
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    bool help = !strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h");
    if (help && (argc == 2 || !strcmp(argv[2], "help"))) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    char help_option[] = "--help";
    char *help_argv[] = {NULL, NULL, help_option, NULL};
    if (help) {
        /* "dmabench help run" is "dmabench run --help" (anything after the name is ignored). */
        name = argv[2];
        help_argv[1] = argv[2];
        argv = help_argv;
        argc = 3;
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("dmabench %s\n", DMABENCH_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name))
            continue;
        /* getopt names argv[0] in its messages: "dmabench: run: unrecognized option ...". */
        char who[64];
        snprintf(who, sizeof(who), "dmabench: %s", commands[i].name);
        argv[1] = who;
        return commands[i].run(argc - 1, argv + 1);
    }
    cli_error("unknown command '%s' (see 'dmabench help')", name);
    return CLI_EXIT_USAGE;
}
