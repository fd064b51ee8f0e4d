# error_vs_k.gp - normalized error against K on log-log axes, one panel per
# dtype x data mode, with the theoretical bound (see harness/errmap.h).
# Loaded by the driver script gptq-harness writes into RUN/plots/plots.gp,
# after it set the terminal, the output and these variables:
#   datafile  RUN/plots/cases.dat: index K err dt(0 f16, 1 bf16) data(0 exact, 1 real)
#             fail(0/1) gcat zp gidx jitter
#   safety    the real-mode bound's safety factor
#   kmin kmax ymin ymax   axis ranges
reset
set encoding utf8
uacc = 2.0**-24
u(dt) = dt == 0 ? 2.0**-11 : 2.0**-8
model(k, dt) = 2 * u(dt) + k * uacc
set logscale xy
set xrange [kmin:kmax]
set yrange [ymin:ymax]
set format y "%.0e"
set grid lc rgb '#dddddd'
set key below font ',8' spacing 0.9 maxrows 2
set xlabel "K"
set ylabel "max |y - ref| / scale"
set multiplot layout 2,2 title "Normalized error against K (real: scale = sum|x||w|; exact: scale = |ref|)"
do for [dt = 0:1] {
    do for [dm = 0:1] {
        set title sprintf("%s, %s data", dt == 0 ? "f16" : "bf16", dm == 0 ? "exact" : "real")
        if (dm == 1) {
            plot datafile using 2:(($4 == dt && $5 == dm && $6 == 0) ? $3 : 1/0) \
                     with points pt 7 ps 0.6 lc rgb '#2e7d32' title 'passed', \
                 '' using 2:(($4 == dt && $5 == dm && $6 == 1) ? $3 : 1/0) \
                     with points pt 2 ps 0.9 lw 1.5 lc rgb '#c62828' title 'failing', \
                 model(x, dt) with lines lw 2 lc rgb '#1565c0' title 'bound u_out + u_w + K·2⁻²⁴', \
                 safety * model(x, dt) with lines dt 2 lw 1.5 lc rgb '#1565c0' \
                     title sprintf('tolerance (x%g)', safety)
        } else {
            plot datafile using 2:(($4 == dt && $5 == dm && $6 == 0) ? $3 : 1/0) \
                     with points pt 7 ps 0.6 lc rgb '#2e7d32' title 'passed', \
                 '' using 2:(($4 == dt && $5 == dm && $6 == 1) ? $3 : 1/0) \
                     with points pt 2 ps 0.9 lw 1.5 lc rgb '#c62828' title 'failing', \
                 u(dt) with lines lw 2 lc rgb '#1565c0' title 'bound u_out (the sums are exact)'
        }
    }
}
unset multiplot
