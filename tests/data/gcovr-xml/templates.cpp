#include <cstdio>
template <typename T>
T pick(T a, T b) {
    if (a > b)
        return a;
    return b;
}

int classify(int x) {
    if (x > 0 && x < 10)
        return 1;
    return 0;
}

int main(int argc, char **argv) {
    (void)argv;
    int r = pick<int>(argc, 2);
    if (argc > 5) {
        double d = pick<double>(1.0, 2.0);
        r += (int)d;
    }
    r += classify(argc);
    std::printf("%d\n", r);
    return 0;
}
