# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-test copies into its work directory only what the targets' aliases name: the emulator's files must be there.

Every file of tests/emulator a target can run (the package's modules, emulator.sh, the seeds) must be a
``needs/file/...`` alias of setup_twilio_emulator, and every such alias must name a file that exists.
"""

import os
import re
import subprocess

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
EMULATOR_DIR = os.path.join(REPO_ROOT, 'tests', 'emulator')
SETUP_TARGET = os.path.join(REPO_ROOT, 'tests', 'integration', 'targets', 'setup_twilio_emulator')
# Used by the emulator at run time; the emulator's own tests, README and test requirements are not.
RUNTIME_SUFFIXES = ('.py', '.sh', '.json')
NOT_AT_RUNTIME = ('tests/emulator/tests/',)
# How targets reach the emulator: they need setup_twilio_emulator, which carries the files.
TARGET_NEEDS_SETUP = 'needs/target/setup_twilio_emulator'


def aliases(target_dir):
    with open(os.path.join(target_dir, 'aliases'), encoding='utf-8') as handle:
        return [line.split('#', 1)[0].strip() for line in handle if line.split('#', 1)[0].strip()]


def runtime_files():
    found = set()
    for directory, subdirectories, files in os.walk(EMULATOR_DIR):
        subdirectories[:] = [name for name in subdirectories if name != '__pycache__']
        for name in files:
            path = os.path.relpath(os.path.join(directory, name), REPO_ROOT).replace(os.sep, '/')
            if path.endswith(RUNTIME_SUFFIXES) and not path.startswith(NOT_AT_RUNTIME):
                found.add(path)
    return found


def needed_files():
    return set(alias[len('needs/file/'):] for alias in aliases(SETUP_TARGET) if alias.startswith('needs/file/'))


def test_every_runtime_file_of_the_emulator_is_an_alias():
    missing = sorted(runtime_files() - needed_files())
    assert not missing, 'add to %s/aliases: %s' % (SETUP_TARGET, ', '.join('needs/file/' + path for path in missing))


def test_every_alias_names_an_existing_file():
    stale = sorted(path for path in needed_files() if not os.path.isfile(os.path.join(REPO_ROOT, path)))
    assert not stale, 'aliases of setup_twilio_emulator name missing files: %s' % ', '.join(stale)


def test_emulator_files_are_not_ignored_by_git():
    """The ansible-test wrapper copies what git lists (tracked, or untracked but not ignored)."""
    try:
        listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', 'tests/emulator'], cwd=REPO_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True, timeout=60,
                                universal_newlines=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip('not in a git work tree')
    unlisted = sorted(needed_files() - set(listed))
    assert not unlisted, 'git does not list %s' % ', '.join(unlisted)


def test_targets_that_source_the_emulator_need_the_setup_target():
    targets_dir = os.path.dirname(SETUP_TARGET)
    for name in sorted(os.listdir(targets_dir)):
        runme = os.path.join(targets_dir, name, 'runme.sh')
        if name == 'setup_twilio_emulator' or not os.path.isfile(runme):
            continue
        with open(runme, encoding='utf-8') as handle:
            uses_emulator = re.search(r'emulator/emulator\.sh|tests/emulator', handle.read())
        if uses_emulator:
            assert TARGET_NEEDS_SETUP in aliases(os.path.join(targets_dir, name)), '%s uses the emulator without %s' % (name, TARGET_NEEDS_SETUP)
