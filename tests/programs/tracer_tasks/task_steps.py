import asyncio  # SPDX-License-Identifier: MIT
async def leaf(delay):
    await asyncio.sleep(delay)
async def worker(delay, other=None):
    await leaf(delay)
    if other is not None:
        await other
    return delay
async def main():
    a = asyncio.create_task(worker(0.1), name='alpha')
    b = asyncio.create_task(worker(0.05, a), name='beta')
    c = asyncio.create_task(worker(0.15))
    await asyncio.gather(a, b, c)
    print(asyncio.current_task().get_name(), c.get_name())
async def by_hand():
    return 1
try:
    by_hand().send(None)
except StopIteration:
    pass
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
loop.close()
