# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test seed, a Twilio API client that records every exchange, and an in-process emulator starter.

Admin calls go through the emulator's own client (emulator.client), exposed as ``Client.admin``.
"""

import atexit
import base64
import http.client
import importlib
import json
import os
import shutil
import sys
import tempfile
from urllib.parse import urlencode, urlsplit

# The emulator is the package tests/emulator; make tests/ importable whatever pytest's rootdir is.
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from emulator.client import AdminError, EmulatorClient  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from emulator.server import Emulator, Options  # noqa: E402  pylint: disable=wrong-import-position

ACCOUNT = 'AC' + 'a1' * 16
TOKEN = 'fake-token-account-a'
API_KEY = 'SK' + 'a1' * 16
API_SECRET = 'fake-key-secret-account-a'
MG_DEFAULT = 'MG' + 'a1' * 16
MG_OTHER = 'MG' + 'a2' * 16
SERVICE = 'IS' + 'a1' * 16
SMALL_SERVICE = 'IS' + 'a2' * 16
OTHER_ACCOUNT = 'AC' + 'b1' * 16
OTHER_TOKEN = 'fake-token-account-b'
OTHER_MG = 'MG' + 'b1' * 16
OTHER_SERVICE = 'IS' + 'b1' * 16
SPACE_NAME = 'team lounge'
UNICODE_NAME = 'café-münchen'
SUBACCOUNT = 'AC' + 'a3' * 16
SUB_TOKEN = 'fake-token-subaccount-a3'
SUB_SERVICE = 'IS' + 'a3' * 16
PUBLIC_CH = 'CH' + 'c1' * 16
PRIVATE_CH = 'CH' + 'c2' * 16
GENERATED = 230

TEST_SEED = {
    'accounts': [
        {
            'sid': ACCOUNT, 'auth_token': TOKEN, 'api_keys': [{'sid': API_KEY, 'secret': API_SECRET}],
            'messaging_services': [MG_DEFAULT, MG_OTHER],
            'services': [
                {'sid': SERVICE, 'friendly_name': 'paging service', 'channels': [
                    {'sid': PUBLIC_CH, 'unique_name': SPACE_NAME, 'friendly_name': 'Team lounge', 'type': 'public',
                     'attributes': '{"a": 1}', 'members_count': 3, 'messages_count': 9, 'created_by': 'alice'},
                    {'unique_name': UNICODE_NAME, 'friendly_name': 'Café', 'type': 'public'},
                    {'sid': PRIVATE_CH, 'unique_name': 'already-private', 'type': 'private', 'messaging_service_sid': MG_OTHER},
                ], 'generate': {'count': GENERATED, 'public_ratio': 0.8, 'seed': 7}},
                {'sid': SMALL_SERVICE, 'friendly_name': 'small', 'channels': [
                    {'unique_name': 'one', 'type': 'public'}, {'unique_name': 'two', 'type': 'private'}]},
            ],
            'friendly_name': 'Account A',
            'subaccounts': [{
                'sid': SUBACCOUNT, 'auth_token': SUB_TOKEN, 'friendly_name': 'Subaccount of A', 'messaging_services': ['MG' + 'a3' * 16],
                'services': [{'sid': SUB_SERVICE, 'friendly_name': 'sub', 'channels': [{'unique_name': 'sub-room', 'type': 'public'}]}],
            }],
        },
        {
            'sid': OTHER_ACCOUNT, 'auth_token': OTHER_TOKEN, 'messaging_services': [OTHER_MG],
            'services': [{'sid': OTHER_SERVICE, 'friendly_name': 'other', 'channels': [{'unique_name': 'theirs', 'type': 'public'}]}],
        },
    ],
}

# Every API exchange made through Client, validated against the OpenAPI documents at the end of the run.
RECORDED = []


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode('utf-8'))

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def basic(username, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')


class Client:
    """Small Twilio API client over http.client so tests see raw statuses, headers and dropped connections."""

    def __init__(self, base_url, username=ACCOUNT, password=TOKEN):
        self.base_url = base_url
        self.auth = (username, password)
        self.admin = EmulatorClient(base_url)

    def request(self, method, path, params=None, form=None, headers=None, auth='default', record=True):
        url = path if path.startswith('http') else self.base_url + path
        if params:
            url += ('&' if '?' in url else '?') + urlencode(params, doseq=True)
        parts = urlsplit(url)
        send_headers = dict(headers or {})
        credentials = self.auth if auth == 'default' else auth
        if credentials:
            send_headers['Authorization'] = basic(*credentials)
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode('utf-8')
            send_headers['Content-Type'] = 'application/x-www-form-urlencoded'
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        try:
            target = parts.path + ('?' + parts.query if parts.query else '')
            connection.request(method, target, body=body, headers=send_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.getheaders(), raw.read())
        finally:
            connection.close()
        if record and not parts.path.startswith('/_emulator/'):
            RECORDED.append({'method': method, 'url': url, 'headers': send_headers, 'body': body, 'response': response})
        return response

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, form=None, **kwargs):
        return self.request('POST', path, form=form if form is not None else {}, **kwargs)


REPO_ROOT = os.path.dirname(TESTS_DIR)
_COLLECTIONS_ROOT = []


def import_collection(module_name):
    """Import a module of this repository's collection (e.g. 'plugins.module_utils._client'), whatever the checkout is called.

    A temporary ansible_collections/twilio_ops/chat link to the repository root makes it importable.
    """
    if not _COLLECTIONS_ROOT:
        root = tempfile.mkdtemp(prefix='twilio-collection-')
        atexit.register(shutil.rmtree, root, True)
        namespace_dir = os.path.join(root, 'ansible_collections', 'twilio_ops')
        os.makedirs(namespace_dir)
        os.symlink(REPO_ROOT, os.path.join(namespace_dir, 'chat'))
        sys.path.insert(0, root)
        _COLLECTIONS_ROOT.append(root)
    return importlib.import_module('ansible_collections.twilio_ops.chat.' + module_name)


def write_seed(directory, seed=None):
    path = os.path.join(str(directory), 'seed.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(TEST_SEED if seed is None else seed, handle, ensure_ascii=False)
    return path


def start_emulator(directory, seed=None, **options):
    options.setdefault('quiet', True)
    options.setdefault('lifetime', 300)
    return Emulator(Options(seed_path=write_seed(directory, seed), **options)).start()
