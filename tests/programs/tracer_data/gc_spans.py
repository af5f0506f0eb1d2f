import gc  # SPDX-License-Identifier: MIT
class Node:
    def __init__(self):
        self.me = self
def churn():
    for _ in range(100):
        Node()
churn()
gc.collect()
gc.collect(0)
