/* clock.h - the monotonic clock every stage's timing reads. */
#ifndef GH_CLOCK_H
#define GH_CLOCK_H

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double now_seconds(void);

#endif
