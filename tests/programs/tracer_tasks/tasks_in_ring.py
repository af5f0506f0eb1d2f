import asyncio, os, signal  # SPDX-License-Identifier: MIT
async def w():
    await asyncio.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
async def main():
    await asyncio.create_task(w(), name='killer')
asyncio.run(main())
