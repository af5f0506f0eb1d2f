import logging  # SPDX-License-Identifier: MIT
import threading

log = logging.getLogger('shop')
PRICES = {'sku-1': 3, 'sku-2': 5}

def price(sku):
    return PRICES[sku]

def total(order):
    return sum([price(s) for s in order])

def worker(orders):
    for o in orders:
        log.warning('pricing %d items', len(o))
        total(o)

def main():
    logging.basicConfig(level=logging.INFO)
    ts = [threading.Thread(target=worker, args=([['sku-1', 'sku-2']] * 3,), name='pricer-%d' % i)
          for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    total(['sku-1', 'sku-13'])

main()
