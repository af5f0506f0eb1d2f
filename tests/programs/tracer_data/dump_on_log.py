import logging  # SPDX-License-Identifier: MIT
log = logging.getLogger('pay')
def charge(n):
    if n == 2:
        log.error('card %d declined', n)
    log.warning('charged %d', n)
for i in range(4):
    charge(i)
