import vtrace  # SPDX-License-Identifier: MIT
class A:
    def __init__(self):
        self.x = 1
class Bad:
    def __init__(self):
        raise KeyError(1)
def make():
    return A()
def fail():
    try:
        Bad()
    except KeyError:
        pass
for _ in range(5000):
    make()
    fail()
class App:
    def __init__(self):
        self.t = vtrace.Tracer(output='t.bin', quiet=True).start()
        make()
app = App()
for _ in range(10):
    make()
    fail()
app.t.stop()
app.t.dump()
