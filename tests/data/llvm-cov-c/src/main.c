#include <stdio.h>
#include <stdlib.h>

#include "shapes.h"
#include "util.h"

int main(int argc, char **argv)
{
    int total = 0;
    for (int i = 1; i < argc; i++) {
        int v = atoi(argv[i]);
        total += clamp(v, 10, -10);
        total += sum_digits(v);
        if (v % 2 == 0 || v > 100)
            total += area("square", v, v);
        else
            total += area("rect", v, 2);
    }
    printf("%d %s %d\n", total, describe(total), demo_abs(-3));
    return 0;
}
