/* bench/analysis/results_json.h - result sets as JSON documents for dashboards and scripts:
 * `export --format json` (one run: metadata, every results.csv row, the raw samples) and
 * `compare --format json` (the comparison of compare_format's other formats, whole).
 *
 * Both follow one JSON Schema, results/dmabench-results.schema.json, versioned apart from the
 * CSV schema. Built with jansson: numbers as numbers, empty cells as null. Never prints but to
 * the FILE it is given.
 */
#ifndef DMABENCH_RESULTS_JSON_H
#define DMABENCH_RESULTS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "compare_samples.h"
#include "json_out.h"
#include "result_set.h"

/* The JSON documents' schema_version: raised when a field changes or goes; new fields may
 * arrive without it (readers ignore what they do not know). */
#define RESULTS_JSON_SCHEMA_VERSION 1

/* Pieces both documents are made of; each remembers a failure in *ok (json_out.h). */
/* A new document: schema, schema_version, kind ("results", "compare"), generator. */
json_t *results_json_document(const char *kind, bool *ok);
/* A run: dir, run_id, board, truncated_line, metadata (METADATA_NUMERIC_KEYS as numbers). */
json_t *results_json_run(const struct result_set *s, bool *ok);
/* Write doc and a line end, then flush. 0 or -EIO. */
int results_json_dump(const json_t *doc, FILE *out);

/* One run as a "results" document. samples: the set's raw samples, attached to their rows;
 * NULL leaves them out, and samples_state says why in the document: "left-out" (asked) or
 * "absent" (the set has no samples.csv). 0, -ENOMEM or -EIO. */
int export_json(const struct result_set *s, const struct sample_index *samples,
                const char *samples_state, FILE *out);
/* A comparison as a "compare" document. 0, -ENOMEM or -EIO. */
int compare_write_json(const struct compare_report *r, FILE *out);

#endif
