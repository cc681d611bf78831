/* A small C program with branches, a function that never runs and a header helper. */
#include <stdio.h>
#include <stdlib.h>
#include "util.h"

static int classify(int n)
{
    if (n < 0)
        return -1;
    else if (n == 0)
        return 0;
    return 1;
}

static int never_called(int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += i;
    return total;
}

int main(int argc, char **argv)
{
    int sum = 0;
    for (int i = 1; i < argc; i++) {
        int v = atoi(argv[i]);
        sum += classify(v) + clamp(v, -5, 5);
    }
    if (argc > 100)
        sum += never_called(argc);
    printf("%d\n", sum);
    return sum > 1000 ? 1 : 0;
}
