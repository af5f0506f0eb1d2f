import asyncio, sys  # SPDX-License-Identifier: MIT
sys.setrecursionlimit(5000)
def chain(n):
    if n == 0:
        yield from range(3)
    else:
        yield from chain(n - 1)
print(sum(chain(900)))
def pipeline(k):
    g = iter(range(100))
    for _ in range(k):
        g = (x + 1 for x in g)
    return sum(g)
print(pipeline(500))
async def agen(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i
async def deep(n):
    return 0 if n == 0 else 1 + await deep(n - 1)
async def worker(i):
    s = 0
    async for v in agen(20):
        s += v
    return s + await deep(50)
async def main():
    r = await asyncio.gather(*(worker(i) for i in range(200)))
    return sum(r), await deep(800)
print(asyncio.run(main()))
