# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CI sessions of twilio_ops.chat. `make test` runs every default session; `nox --list` lists them.

* lint, docs-check, extra-checks, build-import-check, ansible-lint: antsibull-nox,
  configured in antsibull-nox.toml;
* changelog-lint and one pytest-<name> session per entry of PYTEST_SUITES;
* ansible-test-<test>-<series>: sanity, units and integration for each entry of
  ANSIBLE_TEST_MATRIX, in virtual environments (--venv), without a container engine.

Tool versions are pinned in tests/ci/constraints.txt.
"""

import glob
import os
import shutil
import subprocess
import tempfile

import antsibull_nox
import nox

antsibull_nox.load_antsibull_nox_toml()

CONSTRAINTS = 'tests/ci/constraints.txt'

# A new pytest suite is one line here: session name -> (test directory, requirements files).
PYTEST_SUITES = {
    'emulator': ('tests/emulator/tests', ['requirements-dev.txt']),  # its tests load the collection too
    'repo': ('tests/repo', ['tests/repo/requirements.txt']),
}

# ansible-core series -> (pinned ansible-core, controller Python).
ANSIBLE_TEST_MATRIX = {
    '2.16': ('2.16.19', '3.11'),
    '2.19': ('2.19.14', '3.11'),
    '2.21': ('2.21.5', '3.12'),
}
ANSIBLE_TEST_ARGS = {
    'sanity': ['sanity'],
    'units': ['units', '--requirements'],
    'integration': ['integration', '--requirements'],
}
ANSIBLE_TEST_TIMEOUT = '1500'  # seconds; timeout(1) then ends the whole ansible-test process group


@nox.session(name='changelog-lint')
def changelog_lint(session):
    """Lint the changelog fragments and changelogs/changelog.yaml."""
    session.install('antsibull-changelog', '-c', CONSTRAINTS)
    session.run('antsibull-changelog', 'lint')
    session.run('antsibull-changelog', 'lint-changelog-yaml', 'changelogs/changelog.yaml')


def add_pytest_session(name, directory, requirements):
    @nox.session(name='pytest-' + name)
    def run_pytest(session):
        session.install('pytest', '-c', CONSTRAINTS, *['-r' + file for file in requirements])
        session.run('pytest', directory, '-q', '-p', 'no:cacheprovider', *session.posargs)

    run_pytest.__doc__ = 'pytest %s' % directory


for _name, (_directory, _requirements) in PYTEST_SUITES.items():
    add_pytest_session(_name, _directory, _requirements)


# ansible-test without a container engine. Three things break it on a plain machine:
# 1. every venv it makes is bootstrapped with a get-pip script downloaded from a host that may be
#    unreachable: pre-seed its cache with a stand-in that uses ensurepip and the package index;
# 2. pyenv shims of inactive Python versions exit 127, and ansible-test takes them for broken
#    interpreters instead of skipping them: put links to the real interpreters first on PATH;
# 3. it needs a real .../ansible_collections/twilio_ops/chat directory: copy the files git knows into one.

GET_PIP_STAND_IN = '''\
import subprocess, sys
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade', '--quiet'] + args)
'''
PIP_VERSIONS_QUERY = '''\
import types
from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS as versions
from ansible_test._internal.python_requirements import get_venv_packages
print(' '.join({get_venv_packages(types.SimpleNamespace(version=v))['pip'] for v in versions}))
'''


def seed_get_pip(session):
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    for version in session.run('python', '-c', PIP_VERSIONS_QUERY, silent=True).split():
        with open(os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_')), 'w') as script:
            script.write(GET_PIP_STAND_IN)


def use_real_interpreters(bin_dir):
    """Link every working pythonX.Y into bin_dir and put it first on PATH, without pyenv's shims."""
    path = [entry for entry in os.environ['PATH'].split(os.pathsep) if entry and '.pyenv' not in entry]
    pyenv = os.path.join(os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv'), 'versions')
    candidates = sorted(glob.glob(os.path.join(pyenv, '*', 'bin', 'python3.*')), reverse=True)
    candidates += [os.path.join(entry, 'python3.%d' % minor) for entry in path for minor in range(8, 16)]
    os.makedirs(bin_dir, exist_ok=True)
    for candidate in candidates:
        link = os.path.join(bin_dir, os.path.basename(candidate))
        if (os.path.basename(candidate)[len('python'):].replace('.', '').isdigit()
                and not os.path.lexists(link) and os.access(candidate, os.X_OK)
                and subprocess.run([candidate, '-c', ''], check=False).returncode == 0):
            os.symlink(candidate, link)
    os.environ['PATH'] = os.pathsep.join([bin_dir] + path)


def copy_collection(work_dir):
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           check=True, stdout=subprocess.PIPE).stdout.decode().split('\0')
    tree = os.path.join(work_dir, 'ansible_collections', 'twilio_ops', 'chat')
    for name in filter(os.path.lexists, filter(None, files)):
        os.makedirs(os.path.join(tree, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(name, os.path.join(tree, name), follow_symlinks=False)
    return tree


def add_ansible_test_session(test, series, pin, python):
    @nox.session(name='ansible-test-%s-%s' % (test, series), python=python)
    def run_ansible_test(session):
        session.install('ansible-core==' + pin)
        seed_get_pip(session)
        work_dir = tempfile.mkdtemp(prefix='ansible-test-%s-' % series)
        try:
            with session.chdir(copy_collection(work_dir)):
                session.run('timeout', ANSIBLE_TEST_TIMEOUT, 'ansible-test', *ANSIBLE_TEST_ARGS[test],
                            '--venv', '--color', 'no', *session.posargs, external=True)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    run_ansible_test.__doc__ = 'ansible-test %s, ansible-core %s, Python %s' % (test, pin, python)


use_real_interpreters(os.path.abspath('.nox/python-bin'))
for _series, (_pin, _python) in ANSIBLE_TEST_MATRIX.items():
    for _test in ANSIBLE_TEST_ARGS:
        add_ansible_test_session(_test, _series, _pin, _python)
