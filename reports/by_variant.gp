# by_variant.gp - normalized error by group size, zero point and g_idx kind
# (one panel each; points spread sideways a little so they do not hide each
# other). Loaded by RUN/plots/plots.gp after it set the terminal, the output
# and: datafile (RUN/plots/cases.dat, columns as in error_vs_k.gp), ymin ymax.
reset
set logscale y
set yrange [ymin:ymax]
set format y "%.0e"
set grid ytics lc rgb '#dddddd'
set key below font ',8' spacing 0.9 maxrows 1
set ylabel "max |y - ref| / scale"
set multiplot layout 1,3 title "Normalized error by group size, zero point and g_idx kind"
do for [panel = 0:2] {
    col = panel == 0 ? 7 : (panel == 1 ? 8 : 9)
    if (panel == 0) { set xtics ("32" 0, "64" 1, "128" 2, "-1 (K)" 3, "other" 4); set xrange [-0.6:4.6]; set title "group size" }
    if (panel == 1) { set xtics ("sym" 0, "asym" 1); set xrange [-0.6:1.6]; set title "zero point" }
    if (panel == 2) { set xtics ("none" 0, "trivial" 1, "act" 2); set xrange [-0.6:2.6]; set title "g_idx" }
    plot datafile using (column(col) + $10):(($5 == 0 && $6 == 0) ? $3 : 1/0) \
             with points pt 6 ps 0.6 lc rgb '#1565c0' title 'exact, passed', \
         '' using (column(col) + $10):(($5 == 1 && $6 == 0) ? $3 : 1/0) \
             with points pt 7 ps 0.5 lc rgb '#2e7d32' title 'real, passed', \
         '' using (column(col) + $10):($6 == 1 ? $3 : 1/0) \
             with points pt 2 ps 0.9 lw 1.5 lc rgb '#c62828' title 'failing'
}
unset multiplot
