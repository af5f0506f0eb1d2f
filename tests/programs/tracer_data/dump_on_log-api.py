import logging, vtrace  # SPDX-License-Identifier: MIT
log = logging.getLogger('api')
log.setLevel(logging.DEBUG)
log.addHandler(vtrace.LogHandler(level='DEBUG', dump_level=logging.CRITICAL))
with vtrace.Tracer(output='a{n}.bin', quiet=True):
    log.debug('one')
    log.critical('two')
