/* A tiny program for covgap's gcov JSON and gcovr JSON fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include "stats.h"

static int classify(int v)
{
    if (v < 0 && v % 2 == 0)
        return -2;
    else if (v < 0)
        return -1;
    switch (v) {
    case 0:
        return 0;
    case 1:
    case 2:
        return 1;
    default:
        break;
    }
    return 2;
}

static void never_called(void)
{
    puts("unreachable"); /* LCOV_EXCL_LINE: gcovr drops it, gcov does not */
}

int main(int argc, char **argv)
{
    int sum = 0;
    for (int i = 1; i < argc; i++) {
        int v = clamp(atoi(argv[i]), -50, 50);
        sum += classify(v);
    }
    if (sum > 1000) {
        never_called();
    }
    printf("%d\n", sum); return 0;
}
