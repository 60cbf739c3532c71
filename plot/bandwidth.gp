# plot/bandwidth.gp - CPU bandwidth through a heap's mapping vs buffer size: a line per heap and
# kernel (and any other parameter that varies), CI error bars, the caches marked.
# DATA: see ci_lines.gp. EXTRA: the caches to mark, "L1d:32768 L2:1048576 ...".

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

load lib . "marks.gp"
set ylabel unit_label(unit)
y_scale = unit_scale(unit)
y_log = 1
load lib . "ci_lines.gp"
