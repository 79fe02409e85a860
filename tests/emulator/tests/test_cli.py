# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line: ``python3 tests/emulator`` as scripts and CI start it."""

import json
import os
import subprocess
import sys
import time

import pytest

from support import AdminError, Client
from emulator.cli import pick

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ACCOUNT = 'AC00000000000000000000000000000001'
DEFAULT_SERVICE = 'IS00000000000000000000000000000001'


def wait_for_port(process, port_file, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as handle:
                content = handle.read().strip()
            if content:
                return int(content)
        if process.poll() is not None:
            raise AssertionError('emulator exited early: %s' % process.stderr.read())
        time.sleep(0.05)
    raise AssertionError('no port file after %ss' % timeout)


def launch(tmp_path, *args):
    port_file = str(tmp_path / 'port')
    command = [sys.executable, EMULATOR_DIR, '--port', '0', '--port-file', port_file] + list(args)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return process, wait_for_port(process, port_file), port_file


def test_lifetime_port_file_and_default_seed(tmp_path):
    process, port, port_file = launch(tmp_path, '--lifetime', '2', '--generate', '25', '--public-ratio', '0.5')
    try:
        api = Client('http://127.0.0.1:%d' % port, DEFAULT_ACCOUNT, 'fake-auth-token-0001')
        assert api.get('/v2/Services/%s/Channels/caf%%C3%%A9-m%%C3%%BCnchen' % DEFAULT_SERVICE, record=False).status == 200
        channels = api.admin.channels(DEFAULT_SERVICE)
        assert len([c for c in channels if (c['unique_name'] or '').startswith('general-')]) == 25
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    assert not os.path.exists(port_file)
    log = process.stderr.read()
    assert 'GET /v2/Services/' in log and 'Authorization' not in log and 'Basic ' not in log


@pytest.mark.parametrize('args', [['--host', '0.0.0.0'], ['--host', '192.0.2.1'], ['--host', 'example.invalid'], ['--lifetime', '0']])
def test_refuses_unsafe_settings(args):
    result = subprocess.run([sys.executable, EMULATOR_DIR] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=20, check=False)
    assert result.returncode == 2
    assert 'loopback' in result.stderr or 'lifetime' in result.stderr


def test_demo_seed_and_quiet(tmp_path):
    demo = os.path.join(EMULATOR_DIR, 'seeds', 'demo.json')
    process, port, _port_file = launch(tmp_path, '--seed', demo, '--quiet', '--lifetime', '20')
    try:
        with open(demo, encoding='utf-8') as handle:
            seed = json.load(handle)
        account = seed['accounts'][0]
        api = Client('http://127.0.0.1:%d' % port, account['sid'], account['auth_token'])
        total = 0
        for service in account['services']:
            channels = api.admin.channels(service['sid'])
            total += len(channels)
            assert any(c['type'] == 'private' for c in channels) and any(c['type'] == 'public' for c in channels)
        assert total > 2000
        assert api.get('/v2/Services/%s/Channels/billing-escalations' % account['services'][0]['sid'], record=False).status == 200
        assert api.admin.shutdown() == {'status': 'shutting down'}
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    assert process.stderr.read().count('GET /v2') == 0


def admin_cli(port_file, *args):
    return subprocess.run([sys.executable, EMULATOR_DIR, 'admin', '--port-file', port_file] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=60, check=False)


def test_get_follows_a_dotted_path_and_finds_keys_that_hold_dots_whole():
    stats = {'writes': 2, 'by_route': {'GET /2010-04-01/Accounts.json': 3, 'GET /2010-04-01/Accounts': 9},
             'accounts': [{'sid': 'AC1'}]}
    assert pick(stats, 'by_route.GET /2010-04-01/Accounts.json') == 3
    assert pick(stats, 'by_route.GET /2010-04-01/Accounts') == 9
    assert pick(stats, 'accounts.0.sid') == 'AC1'
    assert pick(stats, 'writes') == 2
    with pytest.raises(AdminError):
        pick(stats, 'by_route.GET /2010-04-01/Accounts.xml')


def test_admin_command_line(tmp_path):
    process, port, port_file = launch(tmp_path, '--quiet', '--lifetime', '60', '--paging', 'offset', '--appear-after-writes', '3',
                                      '--appear-count', '2', '--generate-subaccounts', '2')
    try:
        modes = admin_cli(port_file, 'modes')
        assert modes.returncode == 0, modes.stderr
        assert json.loads(modes.stdout)['paging'] == 'offset'
        assert json.loads(modes.stdout)['appearing'] == {'after_writes': 3, 'count': 2, 'times': 1}
        assert admin_cli(port_file, 'stats', '--get', 'writes').stdout == '0\n'
        # no-secrets: every account's auth token and API key secret, looked for in files and under directories.
        token = admin_cli(port_file, 'accounts', '--get', '0.auth_token').stdout.strip()
        clean = tmp_path / 'clean'
        clean.mkdir()
        (clean / 'output.log').write_text('PLAY RECAP ok=1\n')
        found = admin_cli(port_file, 'no-secrets', str(clean), '--get', 'found')
        assert (found.returncode, found.stdout) == (0, '0\n'), found.stderr
        (clean / 'nested').mkdir()
        (clean / 'nested' / 'leak.txt').write_text('token=%s\n' % token)
        leaked = admin_cli(port_file, 'no-secrets', str(clean))
        assert leaked.returncode == 1 and 'leak.txt' in leaked.stderr and 'the auth token of AC' in leaked.stderr and token not in leaked.stderr + leaked.stdout
        assert admin_cli(port_file, 'no-secrets', str(tmp_path / 'missing')).returncode == 1
        assert admin_cli(port_file, 'channels', '--service', DEFAULT_SERVICE, '--type', 'public', '--count').stdout == '5\n'
        assert admin_cli(port_file, 'accounts', '--get', '0.sid').stdout == DEFAULT_ACCOUNT + '\n'
        assert len(json.loads(admin_cli(port_file, 'accounts').stdout)) == 3
        assert admin_cli(port_file, 'set-modes', '--paging', 'keyset').returncode == 0
        assert admin_cli(port_file, 'modes', '--get', 'paging').stdout == 'keyset\n'
        assert admin_cli(port_file, 'set-modes', '{"appearing": {"after_writes": 1, "count": 1}}', '--get', 'appearing.count').stdout == '1\n'
        assert admin_cli(port_file, 'set-limits', '--latency-ms', '5', '--get', 'latency_ms').stdout == '5\n'
        refused = admin_cli(port_file, 'set-faults', '{"rate_500": 2}')
        assert refused.returncode == 1 and 'HTTP 400' in refused.stderr and 'rate_500' in refused.stderr
        waited = admin_cli(port_file, 'wait-stat', 'writes', '--at-least', '1', '--wait-timeout', '0.3')
        assert waited.returncode == 1 and 'did not reach' in waited.stderr
        seed = tmp_path / 'seed.json'
        seed.write_text(json.dumps({'accounts': [{'sid': 'AC' + '12' * 16, 'auth_token': 't', 'services': []}]}))
        assert json.loads(admin_cli(port_file, 'load-seed', str(seed)).stdout) == {'status': 'reset', 'accounts': 3, 'services': 2}
        assert admin_cli(port_file, 'reset', '--get', 'status').stdout == 'reset\n'
        assert admin_cli(port_file, 'modes', '--get', 'paging').stdout == 'offset\n'
        assert admin_cli(port_file, 'stats', '--get', 'nothing').returncode == 1
        assert admin_cli(port_file, 'shutdown').returncode == 0
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
    assert port


def test_admin_without_an_emulator_fails_clearly(tmp_path):
    port_file = tmp_path / 'port'
    port_file.write_text('9\n')
    result = admin_cli(str(port_file), 'health')
    assert result.returncode == 1 and 'twilio emulator admin health' in result.stderr
    usage = subprocess.run([sys.executable, EMULATOR_DIR, 'admin', 'health'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60, check=False, env={'PATH': os.environ.get('PATH', '')})
    assert usage.returncode == 2 and 'TWILIO_EMULATOR_URL' in usage.stderr
