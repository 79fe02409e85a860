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

from support import Client

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
