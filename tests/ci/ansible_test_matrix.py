# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-test (sanity, units, integration) for several ansible-core versions.

Works without Docker, on a machine where Python versions come from pyenv:

* every ansible-core series gets its own virtual environment under ``.venvs/``;
* the collection's files (``git ls-files``) are copied into a temporary
  ``.../ansible_collections/twilio_ops/chat`` tree, because ansible-test needs
  a real directory with that shape;
* ``PATH`` starts with a directory of symlinks to the real interpreters (pyenv
  shims of inactive versions exit 127, which ansible-test takes for a broken
  Python instead of skipping it);
* the pip bootstrap scripts ansible-test would download are pre-seeded with a
  small script that uses ``ensurepip`` and PyPI instead.

Each ansible-test run is one step; results are appended to the file named by
``--results`` (``PASS name seconds`` / ``FAIL name seconds``).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
COLLECTION_NAMESPACE = 'twilio_ops'
COLLECTION_NAME = 'chat'
PYENV_VERSIONS = os.path.join(os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv'), 'versions')
GET_PIP_CACHE = os.path.expanduser('~/.ansible/test/cache')

TESTS = ('sanity', 'units', 'integration')

# The arguments given to ansible-test for each test, and how long one run may take.
ANSIBLE_TEST_COMMANDS = {
    'sanity': ['sanity', '--venv', '--color', 'no'],
    'units': ['units', '--venv', '--requirements', '--color', 'no'],
    'integration': ['integration', '--venv', '--requirements', '--color', 'no'],
}
TIMEOUTS = {'sanity': 1200, 'units': 900, 'integration': 1500}
SETUP_TIMEOUT = 600

# ansible-test runs the file it would otherwise download from
# ci-files.testing.ansible.com as ``__main__`` with pip's arguments in sys.argv.
# Kept compatible with every Python ansible-test may bootstrap.
GET_PIP_SCRIPT = '''\
"""Stand-in for get-pip.py: ensurepip, then install the requested pip from the package index."""
import subprocess
import sys

SKIPPED = ('--no-setuptools', '--no-wheel')

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
arguments = [argument for argument in sys.argv[1:] if argument not in SKIPPED]
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--quiet'] + arguments)
'''

# Prints the pip versions ansible-test bootstraps, read from the installed ansible-test.
PIP_VERSIONS_QUERY = '''\
import types
from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
from ansible_test._internal.python_requirements import get_venv_packages
versions = {get_venv_packages(types.SimpleNamespace(version=v))['pip'] for v in SUPPORTED_PYTHON_VERSIONS}
print(' '.join(sorted(versions)))
'''


def log(message):
    print('ci: %s' % message, flush=True)


def run_bounded(command, timeout, **kwargs):
    """Run a command in its own process group; kill the whole group after ``timeout`` seconds.

    Returns the exit code, or 124 on timeout (as timeout(1) does).
    """
    with subprocess.Popen(command, start_new_session=True, **kwargs) as process:
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log('timed out after %ss: %s' % (timeout, ' '.join(command)))
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return 124


def python_works(path):
    """Return True if ``path`` is a usable interpreter (pyenv shims of inactive versions are not)."""
    try:
        result = subprocess.run([path, '-c', 'import sys'], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def find_interpreters():
    """Return {"3.12": "/path/to/python3.12", ...} for every working interpreter on this machine.

    pyenv installations come first; other ``pythonX.Y`` found on PATH (outside pyenv) fill the gaps.
    """
    interpreters = {}
    for version_dir in sorted(glob.glob(os.path.join(PYENV_VERSIONS, '*')), reverse=True):
        match = re.match(r'^(\d+)\.(\d+)\.\d+$', os.path.basename(version_dir))
        if not match:
            continue
        version = '%s.%s' % match.groups()
        candidate = os.path.join(version_dir, 'bin', 'python' + version)
        if version not in interpreters and python_works(candidate):
            interpreters[version] = candidate
    for directory in clean_path_entries():
        for candidate in glob.glob(os.path.join(directory, 'python[23].*')):
            version = os.path.basename(candidate)[len('python'):]
            if re.match(r'^\d+\.\d+$', version) and version not in interpreters and python_works(candidate):
                interpreters[version] = candidate
    return interpreters


def clean_path_entries():
    """PATH without pyenv entries (its shims fail for versions that are not active)."""
    return [entry for entry in os.environ.get('PATH', os.defpath).split(os.pathsep)
            if entry and '.pyenv' not in entry]


def make_python_bin_dir(work_dir, interpreters):
    """Create a directory of ``pythonX.Y`` symlinks and return it."""
    bin_dir = os.path.join(work_dir, 'bin')
    os.makedirs(bin_dir)
    for version, path in interpreters.items():
        os.symlink(path, os.path.join(bin_dir, 'python' + version))
    if '3.11' in interpreters:
        os.symlink(interpreters['3.11'], os.path.join(bin_dir, 'python3'))
    return bin_dir


def ensure_core_venv(series, pin, python_version, interpreters):
    """Create (or reuse) .venvs/ansible-core-<series> with ansible-core==<pin>; return its directory."""
    venv_dir = os.path.join(REPO_ROOT, '.venvs', 'ansible-core-%s' % series)
    stamp = os.path.join(venv_dir, '.ansible-core-pin')
    wanted = 'ansible-core==%s python%s\n' % (pin, python_version)
    if os.path.exists(stamp):
        with open(stamp, encoding='utf-8') as stamp_file:
            if stamp_file.read() == wanted:
                return venv_dir
    if python_version not in interpreters:
        raise RuntimeError('python%s is needed for ansible-core %s but was not found' % (python_version, series))
    log('creating %s (ansible-core==%s, python%s)' % (os.path.relpath(venv_dir, REPO_ROOT), pin, python_version))
    shutil.rmtree(venv_dir, ignore_errors=True)
    steps = [
        [interpreters[python_version], '-m', 'venv', venv_dir],
        [os.path.join(venv_dir, 'bin', 'python'), '-m', 'pip', 'install', '--quiet', 'ansible-core==%s' % pin],
    ]
    for command in steps:
        if run_bounded(command, SETUP_TIMEOUT) != 0:
            shutil.rmtree(venv_dir, ignore_errors=True)
            raise RuntimeError('could not create %s' % venv_dir)
    with open(stamp, 'w', encoding='utf-8') as stamp_file:
        stamp_file.write(wanted)
    return venv_dir


def seed_get_pip(venv_dir):
    """Write the pip bootstrap stand-in for every pip version this ansible-test uses."""
    output = subprocess.run([os.path.join(venv_dir, 'bin', 'python'), '-c', PIP_VERSIONS_QUERY],
                            stdout=subprocess.PIPE, check=True, timeout=120, universal_newlines=True).stdout
    os.makedirs(GET_PIP_CACHE, exist_ok=True)
    for pip_version in output.split():
        path = os.path.join(GET_PIP_CACHE, 'get_pip_%s.py' % pip_version.replace('.', '_'))
        with open(path, 'w', encoding='utf-8') as script:
            script.write(GET_PIP_SCRIPT)


def collection_files():
    """Files of the collection: tracked plus untracked-but-not-ignored, as git sees them."""
    output = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, check=True, timeout=60).stdout
    return [name for name in output.decode('utf-8').split('\0') if name]


def copy_collection(work_dir):
    """Copy the collection into <work_dir>/ansible_collections/<ns>/<name> and return that path."""
    tree = os.path.join(work_dir, 'ansible_collections', COLLECTION_NAMESPACE, COLLECTION_NAME)
    for name in collection_files():
        source = os.path.join(REPO_ROOT, name)
        if not os.path.lexists(source):  # deleted in the work tree, not yet in git
            continue
        target = os.path.join(tree, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    os.makedirs(tree, exist_ok=True)
    return tree


def has_tests(tree, test):
    """ansible-test fails when there is nothing to test; report that as a skip instead."""
    if test == 'units':
        return bool(glob.glob(os.path.join(tree, 'tests', 'unit', '**', 'test_*.py'), recursive=True))
    if test == 'integration':
        return bool(glob.glob(os.path.join(tree, 'tests', 'integration', 'targets', '*', 'tasks'))
                    or glob.glob(os.path.join(tree, 'tests', 'integration', 'targets', '*', 'runme.sh')))
    return True


def record(results_path, status, name, seconds):
    line = '%s %s %ds' % (status, name, seconds)
    log(line)
    if results_path:
        with open(results_path, 'a', encoding='utf-8') as results:
            results.write(line + '\n')


def run_series(entry, tests, interpreters, results_path, keep):
    """Run the requested tests for one "series:pin:python" matrix entry; return the number of failures."""
    series, pin, python_version = entry.split(':')
    failures = 0
    try:
        venv_dir = ensure_core_venv(series, pin, python_version, interpreters)
        seed_get_pip(venv_dir)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        log(str(error))
        for test in tests:
            record(results_path, 'FAIL', 'ansible-test-%s-%s' % (test, series), 0)
        return len(tests)

    work_dir = tempfile.mkdtemp(prefix='ansible-test-%s-' % series)
    try:
        tree = copy_collection(work_dir)
        env = dict(os.environ)
        env['PATH'] = os.pathsep.join([make_python_bin_dir(work_dir, interpreters),
                                       os.path.join(venv_dir, 'bin')] + clean_path_entries())
        for test in tests:
            name = 'ansible-test-%s-%s' % (test, series)
            if not has_tests(tree, test):
                log('%s: no tests in the collection yet, skipped' % name)
                record(results_path, 'SKIP', name, 0)
                continue
            command = [os.path.join(venv_dir, 'bin', 'ansible-test')] + ANSIBLE_TEST_COMMANDS[test]
            log('=== %s: ansible-core %s, controller python%s ===' % (name, pin, python_version))
            log('$ cd %s && %s' % (tree, ' '.join(command)))
            started = time.monotonic()
            returncode = run_bounded(command, TIMEOUTS[test], cwd=tree, env=env, stdin=subprocess.DEVNULL)
            status = 'PASS' if returncode == 0 else 'FAIL'
            failures += returncode != 0
            record(results_path, status, name, time.monotonic() - started)
    finally:
        if keep:
            log('kept %s' % work_dir)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--entry', action='append', required=True, metavar='SERIES:PIN:PYTHON',
                        help='matrix entry, e.g. 2.19:2.19.14:3.11 (repeatable)')
    parser.add_argument('--test', action='append', choices=TESTS,
                        help='test to run (repeatable; default: all)')
    parser.add_argument('--results', help='file to append PASS/FAIL/SKIP lines to')
    parser.add_argument('--keep', action='store_true', help='keep the temporary collection tree')
    args = parser.parse_args()

    interpreters = find_interpreters()
    log('interpreters: %s' % ', '.join('python%s=%s' % item for item in sorted(interpreters.items())))

    failures = 0
    for entry in args.entry:
        failures += run_series(entry, args.test or list(TESTS), interpreters, args.results, args.keep)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
