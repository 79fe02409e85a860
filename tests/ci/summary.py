# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print one line per nox session from `nox --report FILE`, then "ci: N passed, M failed".

Usage: python tests/ci/summary.py REPORT NOX_EXIT_STATUS. Exits 1 when anything failed.
"""

import json
import os
import sys


def main(report, nox_status):
    sessions = []
    if os.path.exists(report):
        with open(report, encoding='utf-8') as handle:
            sessions = json.load(handle)['sessions']
    passed = failed = 0
    for session in sessions:
        result = session['result']  # success, failed, aborted or skipped
        passed += result == 'success'
        failed += result in ('failed', 'aborted')
        print('ci: %-8s %-32s %4ds' % (result, session['name'], session.get('duration') or 0))
    if nox_status and not failed:  # nox itself failed, e.g. before any session ran
        failed = 1
        print('ci: failed   nox (exit status %d)' % nox_status)
    print('ci: %d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
