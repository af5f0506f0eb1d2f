import sys  # SPDX-License-Identifier: MIT
print(sorted(m for m in ('argparse', 're', 'json', 'shlex', 'signal', 'threading',
                         'enum', 'shutil', 'logging') if m in sys.modules))
