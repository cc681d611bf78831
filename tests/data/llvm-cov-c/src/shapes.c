#include <string.h>

#include "shapes.h"
#include "util.h"

int area(const char *kind, int a, int b)
{
    if (strcmp(kind, "square") == 0)
        return a * a;
    else if (strcmp(kind, "rect") == 0)
        return a * b;
    else if (strcmp(kind, "tri") == 0 && b > 0)
        return POSITIVE_OR((a * b) / 2, 1);
    return -1;
}

const char *describe(int value)
{
    switch (demo_abs(value) % 3) {
    case 0:
        return "fizz";
    case 1:
        return "one";
    default:
        return "other";
    }
}
