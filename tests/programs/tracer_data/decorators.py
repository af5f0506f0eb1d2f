import vtrace  # SPDX-License-Identifier: MIT
def leaf():
    pass
@vtrace.ignore
def quiet():
    leaf()
    leaf()
@vtrace.sparse
def brief():
    leaf()
    quiet()
class K:
    @vtrace.ignore
    def m(self):
        leaf()
def main():
    quiet()
    brief()
    brief()
    K().m()
    leaf()
main()
