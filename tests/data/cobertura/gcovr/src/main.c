#include <stdio.h>
#include "lib/mathx.h"

int main(int argc, char **argv)
{
    (void)argv;
    int total = clamp(argc * 10, 0, 5) + gcd(12, 18) + sign(argc);
    if (total > 100)
        printf("big\n");
    else
        printf("%d\n", total);
    return 0;
}
