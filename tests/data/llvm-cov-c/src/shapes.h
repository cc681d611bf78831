#ifndef DEMO_SHAPES_H
#define DEMO_SHAPES_H

int area(const char *kind, int a, int b);
const char *describe(int value);

#endif
