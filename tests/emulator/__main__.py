# -*- coding: utf-8 -*-
# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry point for ``python3 tests/emulator``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

# Run as a directory, Python puts tests/emulator itself on sys.path; the modules are a package,
# so make its parent importable instead.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PACKAGE_PARENT not in sys.path:
    sys.path.insert(0, PACKAGE_PARENT)

from emulator.server import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main())
