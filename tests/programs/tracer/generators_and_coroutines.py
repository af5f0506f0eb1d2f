def gen():  # SPDX-License-Identifier: MIT
    yield 1
    yield 2
    yield 3
def consume():
    return list(gen())
class Y:
    def __await__(self):
        yield 'x'
async def co():
    await Y()
    await Y()
    return 5
consume()
c = co()
c.send(None)
c.send(None)
try:
    c.send(None)
except StopIteration as e:
    assert e.value == 5
