import unittest  # SPDX-License-Identifier: MIT
def helper(x):
    return x + 1
class DemoTest(unittest.TestCase):
    def test_one(self):
        self.assertEqual(helper(1), 2)
    def test_two(self):
        self.assertTrue(helper(0))
