import logging  # SPDX-License-Identifier: MIT
import threading
log = logging.getLogger('shop')
PRICES = {'sku-1': 3}
def price(sku):
    return PRICES[sku]
def work(n):
    log.info('worker %d done', n)
    return price('sku-1') * n
def main():
    threads = [threading.Thread(target=work, args=(i,), name='w%d' % i) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.warning('pricing sku-13')
    return price('sku-13')
logging.basicConfig(level=logging.INFO)
main()
