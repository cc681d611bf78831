/* Small helpers shared by the demo: one static inline function in a header, so every
 * translation unit that calls it gets its own copy (one function record per file). */
#ifndef DEMO_UTIL_H
#define DEMO_UTIL_H

static inline int demo_abs(int x)
{
    if (x < 0)
        return -x;
    return x;
}

/* A multi-line macro defined in a header and expanded in shapes.c: llvm-cov show maps
 * its body here, in util.h, although no function of util.h runs it. */
#define POSITIVE_OR(x, fallback) \
    ((x) > 0                     \
         ? (x)                   \
         : (fallback))

int clamp(int value, int lo, int hi);
int sum_digits(int n);
int never_called(int n);

#endif
