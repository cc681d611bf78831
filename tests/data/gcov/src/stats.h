/* A header with an inline function: gcov reports its lines under stats.h. */
#ifndef STATS_H
#define STATS_H

static inline int clamp(int v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

#endif
