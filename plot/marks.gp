# plot/marks.gp - vertical lines at the cache sizes in EXTRA ("L1d:32768 L2:1048576 ..."),
# drawn only inside the x range (an arrow outside it would be drawn outside the graph).

do for [k = 1:words(extra)] {
    mark = word(extra, k)
    mark_x = real(mark[strstrt(mark, ":") + 1:])
    if (mark_x >= log_lo(x_min, x_max) && mark_x <= log_hi(x_min, x_max)) {
        set arrow from mark_x, graph 0 to mark_x, graph 1 nohead dt 2 lw 1 lc rgb mark_colour back
        set label mark[1:strstrt(mark, ":") - 1] . " " . size_label(mark_x) at mark_x, graph 0.97 \
            right rotate by 90 offset -0.9, 0 tc rgb mark_colour font ",9"
    }
}
