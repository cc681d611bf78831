"""Parse shapes from "kind:arg,arg" strings."""


def parse(text):
    kind, _, args = text.partition(":")
    numbers = [float(a) for a in args.split(",") if a]
    if not kind or not numbers:
        raise ValueError(text)
    return {"kind": kind, "args": numbers}
