/* bench/analysis/export_junit.c - writes JUnit XML with every attribute and text escaped.
 *
 * Error texts and heap names are arbitrary bytes from the results: markup characters become
 * entities and control characters XML 1.0 cannot carry at all (anything below 0x20 but tab,
 * newline and return) become spaces, so the document always parses.
 */
#include "export_junit.h"

#include <errno.h>

static void escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            fputc(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : c, out);
        }
    }
}

void junit_count(struct junit_counts *c, enum junit_outcome outcome)
{
    c->tests++;
    c->failures += outcome == JUNIT_FAILURE;
    c->errors += outcome == JUNIT_ERROR;
    c->skipped += outcome == JUNIT_SKIPPED;
}

void junit_begin(FILE *out)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", out);
}

void junit_suite_begin(FILE *out, const char *name, const char *timestamp,
                       const struct junit_counts *counts)
{
    fputs("  <testsuite name=\"", out);
    escape(out, name);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", counts->tests,
            counts->failures, counts->errors, counts->skipped);
    if (timestamp && *timestamp) {
        fputs(" timestamp=\"", out);
        escape(out, timestamp);
        fputc('"', out);
    }
    fputs(">\n", out);
}

void junit_case(FILE *out, const char *classname, const char *name, enum junit_outcome outcome,
                const char *message, const char *detail)
{
    static const char *const element[] = {
            [JUNIT_FAILURE] = "failure", [JUNIT_ERROR] = "error", [JUNIT_SKIPPED] = "skipped"};
    fputs("    <testcase classname=\"", out);
    escape(out, classname);
    fputs("\" name=\"", out);
    escape(out, name);
    fputs("\"", out);
    if (outcome == JUNIT_PASS && !detail) {
        fputs("/>\n", out);
        return;
    }
    fputs(">\n", out);
    if (outcome != JUNIT_PASS) {
        fprintf(out, "      <%s message=\"", element[outcome]);
        escape(out, message);
        fputs("\"/>\n", out);
    }
    if (detail) {
        fputs("      <system-out>", out);
        escape(out, detail);
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

void junit_suite_end(FILE *out)
{
    fputs("  </testsuite>\n", out);
}

int junit_end(FILE *out)
{
    fputs("</testsuites>\n", out);
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
