print('ran')  # SPDX-License-Identifier: MIT
