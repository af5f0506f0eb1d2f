# SPDX-License-Identifier: MIT
"""A small order-processing program that goes wrong at the end: the demo for vtrace and vtui.

It parses orders (json), validates them (re), prices them in two worker threads, logs as it
goes, and finally meets an order it cannot price. Run it under the tracer:

    PYTHONPATH=build/python python3 -m vtrace -o orders.bin examples/orders.py
    build/vtui orders.bin
"""
import json
import logging
import re
import sys
import threading

log = logging.getLogger("orders")
SKU = re.compile(r"^[A-Z]{3}-\d{4}$")
PRICES = {"ABC-0001": 4.5, "ABC-0002": 12.0, "XYZ-0100": 99.9, "QRS-0042": 0.75}


class PricingError(Exception):
    pass


def make_orders(n):
    skus = sorted(PRICES)
    orders = []
    for i in range(n):
        lines = [{"sku": skus[(i + k) % len(skus)], "qty": 1 + (i * k) % 5} for k in range(3)]
        orders.append(json.dumps({"id": i, "lines": lines}))
    return orders


def parse(text):
    return json.loads(text)


def validate(order):
    for line in order["lines"]:
        if not SKU.match(line["sku"]):
            raise ValueError("bad sku %r" % line["sku"])
    return order


def price_line(line):
    try:
        return PRICES[line["sku"]] * line["qty"]
    except KeyError:
        raise PricingError("no price for %s" % line["sku"]) from None


def price(order):
    return round(sum(price_line(line) for line in order["lines"]), 2)


def worker(orders, totals):
    for text in orders:
        order = validate(parse(text))
        totals[order["id"]] = price(order)


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    orders = make_orders(400)
    totals = {}
    threads = [threading.Thread(target=worker, args=(orders[i::2], totals), name="pricer-%d" % i)
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.info("priced %d orders, %.2f in all", len(totals), sum(totals.values()))
    late = {"id": 400, "lines": [{"sku": "NEW-0001", "qty": 1}]}
    log.info("pricing a late order")
    total = price(validate(late))  # NEW-0001 has no price: the incident
    print("late order:", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
