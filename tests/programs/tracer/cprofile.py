class Shape:  # SPDX-License-Identifier: MIT
    def __init__(self, n):
        self.n = n
    def area(self):
        return self.side() ** 2
    def side(self):
        return self.n
def squares(k):
    for i in range(k):
        yield Shape(i).area()
def walk(n):
    return 0 if n == 0 else 1 + walk(n - 1)
def fails(i):
    if i % 3 == 0:
        raise KeyError(i)
    return i
def main():
    total = sum(squares(20)) + walk(30)
    total += sum(map(lambda x: x + 1, range(15)))
    for i in range(10):
        try:
            total += fails(i)
        except KeyError:
            pass
    return sorted([3, 1, 2], key=lambda v: -v), total
main()
