# SPDX-License-Identifier: MIT
print('done')
