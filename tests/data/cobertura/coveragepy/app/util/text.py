def shout(s, times=1):
    out = s.upper()
    if times > 1:
        out = " ".join([out] * times)
    return out if out else None


class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self, loud=False):
        return shout(self.name) if loud else self.name
