# plot/sync.gp - cache-maintenance cost vs region size: a line per strategy (full, partial ...),
# heap, direction and importer count as they vary, so a partial sync's saving shows as the gap
# between its line and the full one.
# DATA: see ci_lines.gp.

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

set ylabel "cost per sync (" . unit_label(unit) . ")"
y_scale = unit_scale(unit)
y_log = 1
load lib . "ci_lines.gp"
