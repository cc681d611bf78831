def classify(n):
    if n < 0:
        return "negative"
    elif n == 0:  # noqa: RET505 - the elif is the branch this fixture measures
        return "zero"
    return "positive"


def total(values, skip_odd=False):
    acc = 0
    for v in values:
        if skip_odd and v % 2:
            continue
        acc += v
    return acc


def never_called(x):
    while x > 0:
        x -= 1
    return x
