# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the repository holds and what its collection artifact ships.

Run by `make repo-test` (nox session pytest-repo), with ansible-core and ansible-builder
from tests/repo/requirements.txt on PATH.
"""

import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))

# Name-based process killing can hit any matching process on the machine, another test
# run included. The words are assembled so that this file does not match itself.
NAME_BASED_KILL = re.compile(r'\b(%s|%s)\b|%s[^\n|]*\|\s*xargs\s+kill' % ('p' + 'kill', 'kill' + 'all', 'p' + 'grep'))

# One file in every place a working tree can fill after `make test`, `make demo`,
# `make bench` or a collection build; none of them may reach the artifact.
WORKING_TREE_LEFTOVERS = [
    '.ansible/collections/ansible_collections/twilio_ops/chat/galaxy.yml',
    '.cache/pip/selfcheck.json',
    '.hypothesis/examples/0123/4567',
    '.mypy_cache/3.11/cache.db',
    '.nox/lint/bin/python',
    '.pytest_cache/v/cache/nodeids',
    '.venv/bin/python',
    '.venvs/nox/bin/python',
    '.venv-3.12/bin/python',
    'changelogs/.plugin-cache.yaml',
    'dist/twilio_ops-chat-0.1.0.tar.gz',
    'node_modules/@stoplight/prism-cli/package.json',
    'plugins/module_utils/__pycache__/_client.cpython-311.pyc',
    'reports/ci-summary.txt',
    'reports/demo/acct-1/migration_report.json',
    'reports/bench/results.json',
    'tests/bench/results/bench.json',
    'tests/integration/inventory',
    'tests/output/junit/python3.11-sanity.xml',
    'tests/unit/plugins/__pycache__/conftest.cpython-311-pytest-9.2.0.pyc',
    'twilio_ops-chat-0.0.9.tar.gz',
]
# Development tooling that is no part of the collection.
DEVELOPMENT_FILES = ['.ci/run', 'Makefile', 'noxfile.py', 'antsibull-nox.toml', 'tests/ci/constraints.txt']


def repository_files():
    """Tracked files plus untracked ones that are not ignored, as `git status` sees them."""
    output = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                            cwd=REPO_ROOT, check=True, stdout=subprocess.PIPE).stdout.decode()
    return [name for name in output.split('\0') if name and os.path.isfile(os.path.join(REPO_ROOT, name))]


def run(*command, **kwargs):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, check=False, **kwargs)
    assert result.returncode == 0, '%s failed:\n%s' % (' '.join(command), result.stdout)
    return result.stdout


def test_no_name_based_process_killing():
    offenders = []
    for name in repository_files():
        with open(os.path.join(REPO_ROOT, name), 'rb') as handle:
            text = handle.read().decode('utf-8', errors='replace')
        for number, line in enumerate(text.splitlines(), 1):
            if NAME_BASED_KILL.search(line):
                offenders.append('%s:%d: %s' % (name, number, line.strip()))
    assert not offenders, 'kill the processes a test started by PID or process group:\n' + '\n'.join(offenders)


@pytest.fixture(scope='module')
def built_collection(tmp_path_factory):
    """The artifact `ansible-galaxy collection build` makes from a tree full of leftovers."""
    tree = tmp_path_factory.mktemp('tree') / 'ansible_collections' / 'twilio_ops' / 'chat'
    for name in repository_files():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.join(REPO_ROOT, name), str(tree / name))
    for name in WORKING_TREE_LEFTOVERS:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text('left over\n')
    output_dir = tmp_path_factory.mktemp('dist')
    run('ansible-galaxy', 'collection', 'build', '--output-path', str(output_dir), str(tree))
    (artifact,) = output_dir.glob('twilio_ops-chat-*.tar.gz')
    return artifact


def first_new_path(name, known_dirs):
    """The outermost part of ``name`` that the repository does not have, e.g. ``tests/output``."""
    parts = name.split('/')
    for end in range(1, len(parts) + 1):
        if '/'.join(parts[:end]) not in known_dirs:
            return '/'.join(parts[:end])
    return name


def test_artifact_holds_no_working_tree_leftovers(built_collection):
    known_dirs = {os.path.dirname(name) for name in repository_files()}
    known_dirs |= {'/'.join(directory.split('/')[:end]) for directory in known_dirs
                   for end in range(1, directory.count('/') + 1)}
    unwanted = {first_new_path(name, known_dirs) for name in WORKING_TREE_LEFTOVERS} | set(DEVELOPMENT_FILES)
    with tarfile.open(str(built_collection)) as artifact:
        members = artifact.getnames()
    shipped = [member for member in members if any(member == path or member.startswith(path + '/') for path in unwanted)]
    assert not shipped, 'add these to build_ignore in galaxy.yml: %s' % shipped
    assert 'plugins/modules/twilio_chat_channels.py' in members
    assert 'meta/execution-environment.yml' in members


def test_execution_environment_lists_requests(built_collection, tmp_path):
    """AWX and Automation Controller build execution environments from what introspection reports."""
    collections_dir = tmp_path / 'collections'
    run('ansible-galaxy', 'collection', 'install', str(built_collection), '-p', str(collections_dir), '--no-deps')
    introspection = yaml.safe_load(run('ansible-builder', 'introspect', '--sanitize', str(collections_dir)))
    assert any(re.match(r'requests\b.*# from collection twilio_ops\.chat$', requirement)
               for requirement in introspection['python']), introspection
