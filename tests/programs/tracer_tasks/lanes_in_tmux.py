# SPDX-License-Identifier: MIT
"""Two named asyncio tasks whose steps call functions of their own: the viewer's task lanes
(test_tracer_tasks.c, test_lanes_in_tmux) show each task's name and its calls."""
import asyncio


def parse_rows(n):
    return sum(range(n * 20000))


def render_report(rows):
    return ",".join(str(r) for r in range(rows))


async def fetch(n):
    await asyncio.sleep(0.05)
    return parse_rows(n)


async def ingest():
    total = 0
    for i in range(2):
        total += await fetch(i + 1)
    return total


async def report():
    await asyncio.sleep(0.08)
    return render_report(3000)


async def main():
    await asyncio.gather(asyncio.create_task(ingest(), name="ingest"),
                         asyncio.create_task(report(), name="report"))


asyncio.run(main())
