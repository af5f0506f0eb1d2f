import logging, vtrace  # SPDX-License-Identifier: MIT
log = logging.getLogger('big')
log.propagate = False
log.addHandler(vtrace.LogHandler())
def step(i):
    log.warning('%05d' % i + 'x' * 3995)
for i in range(300):
    step(i)
