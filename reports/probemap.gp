# probemap.gp - the weights a wrong kernel reads wrong, as the diagnosis's
# one-hot probe found them: the kernel ran with activation rows that pick one
# weight row k each, so its output row is that weight row as the kernel
# decodes it. Rows k (kernel row order) against columns n, coloured by the
# fraction of the probed weights in each cell that the kernel reads wrong
# (white: all right). Cells holding no probed row (a partial probe) are grey:
# not probed, so not known to be right.
# Loaded by RUN/plots/plots.gp after it set the terminal, the output and:
#   datafile (RUN/plots/probe-INDEX.dat, a rows x cols matrix of fractions
#   0..1, -1: not probed), rows cols K N, probed (weight rows probed; K: all), folded (1:
#   rows folded by nibble slot, 8 bands of `band` rows, band s holding the
#   rows k % 8 == s in k order; 0: one row per k), title1 title2.
reset
set title sprintf("Weights the kernel reads wrong (one-hot probe of %s)\n%s\n%s", \
    probed < K ? sprintf("%d of %d rows: grey cells not probed", probed, K) : sprintf("all %d rows", K), \
    title1, title2) font ',9'
set xlabel sprintf("weight column n (%d cells of %.3g columns)", cols, N * 1.0 / cols)
if (folded) {
    set ylabel sprintf("weight row k: a band per nibble slot k %% 8,\nk ascending in a band (each cell: %.3g rows of one slot)", K / 8.0 / band) font ',9'
    set ytics ("slot 0" band * 0.5, "slot 1" band * 1.5, "slot 2" band * 2.5, "slot 3" band * 3.5, \
               "slot 4" band * 4.5, "slot 5" band * 5.5, "slot 6" band * 6.5, "slot 7" band * 7.5)
    do for [s = 1:7] {
        set arrow from 0, s * band to N, s * band nohead front lc rgb '#606060' lw 0.5
    }
} else {
    set ylabel "weight row k"
    if (K <= 16) { set ytics 1 }
}
set cblabel "fraction of probed weights read wrong (white: none)" font ",9"
set xrange [0:N]
set yrange [rows:0]
set cbrange [0:1]
set palette defined (0 '#ffffff', 0.001 '#fee391', 0.3 '#fb6a4a', 0.7 '#a50f15', 1 '#3f007d')
set object 1 rectangle from graph 0, 0 to graph 1, 1 behind fillcolor rgb '#c8c8c8' fillstyle solid noborder
set tics out
set rmargin 12
unset key
plot datafile matrix using (($1 + 0.5) * N / cols):($2 + 0.5):($3 < 0 ? NaN : $3) with image
