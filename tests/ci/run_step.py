# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one CI step with a time limit and record PASS/FAIL in a results file.

Usage: python3 tests/ci/run_step.py --name NAME [--timeout SECONDS] [--results FILE] -- COMMAND...
The exit code is the command's (124 when it ran out of time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from ansible_test_matrix import run_bounded


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--name', required=True)
    parser.add_argument('--timeout', type=int, default=900)
    parser.add_argument('--results', default=os.environ.get('CI_RESULTS'))
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given')

    print('ci: === %s ===' % args.name, flush=True)
    started = time.monotonic()
    try:
        returncode = run_bounded(command, args.timeout, stdin=subprocess.DEVNULL)
    except OSError as error:
        print('ci: %s: %s' % (args.name, error), flush=True)
        returncode = 127
    line = '%s %s %ds' % ('PASS' if returncode == 0 else 'FAIL', args.name, time.monotonic() - started)
    print('ci: ' + line, flush=True)
    if args.results:
        with open(args.results, 'a', encoding='utf-8') as results:
            results.write(line + '\n')
    return returncode


if __name__ == '__main__':
    sys.exit(main())
