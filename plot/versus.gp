# plot/versus.gp - board vs board, or run vs run: bars of each headline case relative to the
# first result set (1 = the same; above 1 = better, whatever the metric's direction), with the
# confidence intervals carried over as error bars.
# DATA: one row per case: its label, then per set: the relative value, its CI low and high; the
# first line titles the columns. EXTRA: the number of sets.

here(p) = strstrt(p, "/") ? p[1:strstrt(p, "/")] . here(p[strstrt(p, "/") + 1:]) : ""
call here(ARG0) . "common.gp" ARG1 ARG2 ARG3 ARG4 ARG5 ARG6

sets = int(extra)
# The axis is sized by the bars, not by the widest interval: one case with a wide CI (a noisy
# latency) would flatten every other bar. Error bars that reach above 2.2x the tallest bar are
# cut at the top, and the chart says so.
bar_max = 1
ci_max = 1
do for [i = 1:sets] {
    stats data using (column(3 * i - 1)) nooutput
    bar_max = STATS_max > bar_max ? STATS_max : bar_max
    stats data using (column(3 * i + 1)) nooutput
    ci_max = STATS_max > ci_max ? STATS_max : ci_max
}
y_top = 1.1 * (ci_max < 2 * bar_max ? ci_max : 2 * bar_max)
set yrange [0:y_top]
if (ci_max > y_top) {
    set label 1 sprintf("error bars cut at %.3g (the widest reaches %.3g)", y_top, ci_max) \
        at graph 0.99, graph 0.97 right font ",9" front
}
set ylabel "relative to set 1 (above 1: better)"
eval ci_note
set style data histograms
set style histogram errorbars gap 2 lw 1
set style fill solid 0.75 border -1
set boxwidth 0.9
set xtics rotate by 30 right nomirror font ",9"
set grid noxtics ytics
set key below center horizontal Left reverse
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb mark_colour front
plot_cmd = "plot for [i = 1:sets] data using (column(3 * i - 1)):(column(3 * i)):" . \
           "(column(3 * i + 1)):xtic(1) lt i title columnheader(3 * i - 1)"
load lib . "render.gp"
