# plot/latency.gp - load-to-use latency vs buffer size (the random pointer chase): where each
# cache level ends shows as a step, so the caches are marked.
# DATA: see ci_lines.gp. EXTRA: the caches to mark, "L1d:32768 L2:1048576 ...".

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

load lib . "marks.gp"
set ylabel "latency per dependent load (" . unit . ")"
y_scale = 1
y_log = 1
load lib . "ci_lines.gp"
