# SPDX-License-Identifier: MIT
import sys
print(sorted(m for m in ('argparse', 're', 'json', 'shlex', 'signal', 'threading',
                         'enum', 'shutil', 'logging') if m in sys.modules))
