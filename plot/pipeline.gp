# plot/pipeline.gp - producer/consumer throughput vs the number of buffers in flight: where the
# line flattens, a deeper pool buys nothing.
# DATA: see ci_lines.gp.

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

set xlabel "buffers in flight (" . xcol . ")"
set xtics 1
set ylabel "throughput (" . unit_label(unit) . ")"
y_scale = unit_scale(unit)
y_log = 0
load lib . "ci_lines.gp"
