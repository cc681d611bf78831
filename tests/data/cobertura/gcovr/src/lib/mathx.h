#ifndef MATHX_H
#define MATHX_H
int clamp(int v, int lo, int hi);
int gcd(int a, int b);
static inline int sign(int v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }
#endif
