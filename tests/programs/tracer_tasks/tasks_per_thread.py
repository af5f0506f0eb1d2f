import asyncio, threading  # SPDX-License-Identifier: MIT
async def step(n):
    for _ in range(n):
        await asyncio.sleep(0)
async def main(tag):
    await asyncio.gather(asyncio.create_task(step(3), name=tag + '-x'),
                         asyncio.create_task(step(1), name=tag + '-y'))
def run(tag):
    loop = asyncio.new_event_loop()
    loop.run_until_complete(main(tag))
    loop.close()
th = threading.Thread(target=run, args=('w',), name='worker')
th.start(); th.join()
run('m')
