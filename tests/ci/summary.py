# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Summarise the steps recorded by run_step.py and ansible_test_matrix.py.

Usage: python3 tests/ci/summary.py RESULTS_FILE [--make-status N]
Prints one line per step, then ``ci: N passed, M failed`` as the last line,
and exits non-zero when a step failed (or make failed before recording one).
"""

from __future__ import annotations

import argparse
import os
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('results')
    parser.add_argument('--make-status', type=int, default=0,
                        help='exit status of the make run that produced the results')
    args = parser.parse_args()

    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    lines = []
    if os.path.exists(args.results):
        with open(args.results, encoding='utf-8') as results:
            lines = [line.split() for line in results if line.strip()]

    print('ci: ---- summary ----')
    for fields in lines:
        status = fields[0]
        counts[status] = counts.get(status, 0) + 1
        print('ci: %-4s %-40s %s' % (status, fields[1], ' '.join(fields[2:])))
    if args.make_status and not counts['FAIL']:
        # make stopped before any step could record a failure (for example the venv could not be built)
        counts['FAIL'] += 1
        print('ci: FAIL %-40s exit status %d' % ('make', args.make_status))
    if counts['SKIP']:
        print('ci: %d skipped (nothing to test yet)' % counts['SKIP'])
    final_line = 'ci: %d passed, %d failed' % (counts['PASS'], counts['FAIL'])
    print(final_line)
    # .ci/run repeats this line after make's own error message, so that it ends the log
    with open(os.path.join(os.path.dirname(os.path.abspath(args.results)), 'ci-summary.txt'), 'w', encoding='utf-8') as summary:
        summary.write(final_line + '\n')
    return 1 if counts['FAIL'] or not counts['PASS'] else 0


if __name__ == '__main__':
    sys.exit(main())
