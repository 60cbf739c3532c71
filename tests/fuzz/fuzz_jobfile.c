/* tests/fuzz/fuzz_jobfile.c - libFuzzer target for bench/jobfile's parser (jobfile_load_text):
 * job files come from users and from the boards' file systems.
 *
 * Any text must either give at least one job or an error with a one-line reason; never a
 * crash, a leak or undefined behaviour. The parser and the sweep code are instrumented; the
 * benchmark registry behind them comes uninstrumented from the native library (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* the parser takes a C string: a NUL byte ends the text early */
    struct job *jobs = NULL;
    size_t n = 0;
    char err[512] = "";
    int ret = jobfile_load_text("fuzz.ini", text, &jobs, &n, err, sizeof(err));
    if (ret == 0 && (n == 0 || !jobs))
        abort();
    if (ret < 0 && (!err[0] || strchr(err, '\n')))
        abort();
    if (ret == 0)
        free(jobs);
    free(text);
    return 0;
}
