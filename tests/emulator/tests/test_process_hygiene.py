# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests kill only processes they started: nothing in the repository kills, or looks for, processes by name."""

import os
import re
import subprocess

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# Spelt in pieces so that this file does not match itself, nor `grep -rn` over the repository.
BY_NAME = re.compile(r'\b(%s|%s|%s)\b' % ('p' + 'kill', 'kill' + 'all', 'p' + 'grep'))


def repository_files():
    try:
        listed = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=REPO_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip('not in a git work tree')
    return [name for name in listed.decode('utf-8').split('\0') if name and os.path.isfile(os.path.join(REPO_ROOT, name))]


def test_no_process_is_killed_or_found_by_name():
    offenders = []
    for name in repository_files():
        with open(os.path.join(REPO_ROOT, name), 'rb') as handle:
            text = handle.read().decode('utf-8', 'replace')
        offenders.extend('%s:%d' % (name, number) for number, line in enumerate(text.splitlines(), 1) if BY_NAME.search(line))
    assert not offenders, 'kill what the test started, by PID or process group, never by name: %s' % ', '.join(offenders)
