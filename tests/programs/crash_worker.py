# SPDX-License-Identifier: MIT
"""A small multi-threaded service that logs and dies of an unhandled KeyError in a worker
thread: the incident `vtui` goes to in one key (tests/test_tracer_goto.c, bench/incident_bench.py).

    python -m vtrace --log-handler -o crash.bin tests/programs/crash_worker.py [ORDERS]

ORDERS (default 40) orders are priced by two workers; the worker that meets sku-13 fails
in lookup_price, after the other worker's orders and a warning log record. With ORDERS
large (the 1M-call bench) the workers run long before the crash.
"""
import logging
import sys
import threading

PRICES = {"sku-%d" % i: 10 + i for i in range(40) if i != 13}
log = logging.getLogger("shop")


def lookup_price(sku):
    return PRICES[sku]


def price_line(sku, qty):
    return lookup_price(sku) * qty


def price_order(n, skus):
    total = 0
    for sku in skus:
        total += price_line(sku, n % 3 + 1)
    if total > 150:
        log.warning("order %d is large: %d", n, total)
    return total


def worker(orders, fail):
    for n in range(orders):
        price_order(n, ["sku-%d" % ((n + k) % 12) for k in range(3)])
    if fail:
        price_order(orders, ["sku-1", "sku-13"])


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    orders = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    log.info("pricing %d orders", orders)
    good = threading.Thread(target=worker, args=(orders, False), name="worker-1")
    good.start()
    good.join()
    bad = threading.Thread(target=worker, args=(orders, True), name="worker-2")
    bad.start()
    bad.join()
    log.info("done")


if __name__ == "__main__":
    main()
