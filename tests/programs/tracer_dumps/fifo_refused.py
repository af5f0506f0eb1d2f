print('done')  # SPDX-License-Identifier: MIT
