import test.test_json  # SPDX-License-Identifier: MIT
