import logging, sys, threading  # SPDX-License-Identifier: MIT
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(levelname)s %(message)s')
log = logging.getLogger('app.db')
def work():
    log.debug('not shown')
    log.info('connected to %s', 'db1')
    log.warning('slow query')
def side():
    logging.getLogger('side').error('from a thread')
work()
th = threading.Thread(target=side, name='worker')
th.start()
th.join()
