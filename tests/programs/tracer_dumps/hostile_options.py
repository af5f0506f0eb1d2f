# SPDX-License-Identifier: MIT
print('ran')
