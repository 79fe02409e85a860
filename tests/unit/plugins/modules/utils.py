# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() offline: task arguments in, the result of exit_json/fail_json out.

The one seam is the TwilioClient class TwilioModule builds the client from; it is
replaced by a FakeTwilio holding channels in memory and recording every call.
"""

import collections
import contextlib
import json
import threading

from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioAnswer, TwilioError

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args=None):
        serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))
        with mock.patch.object(basic, '_ANSIBLE_ARGS', serialized):
            yield

ACCOUNT = 'AC' + '0' * 31 + '1'
SERVICE = 'IS' + '0' * 31 + '1'
API_KEY = 'SK' + '0' * 31 + '1'
MG_DEFAULT = 'MG' + '0' * 31 + 'd'
MG_WANTED = 'MG' + '0' * 31 + 'a'
MG_OTHER = 'MG' + '0' * 31 + 'b'
CLIENT_SEAM = 'ansible_collections.twilio_ops.chat.plugins.module_utils._module.TwilioClient'
ENVIRONMENT = ('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_REGION',
               'TWILIO_EDGE', 'TWILIO_API_BASE_URL')


def channel_sid(number):
    return 'CH%032x' % number


def channel(number, type_, messaging_service_sid=None, unique_name=None):
    """A channel as the fake holds it; messaging_service_sid is its conversation's (private channels only)."""
    return {'sid': channel_sid(number), 'unique_name': unique_name or 'channel %d' % number, 'type': type_,
            'messaging_service_sid': messaging_service_sid}


class ModuleExit(Exception):
    """exit_json was called; result holds its arguments."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


class ModuleFailure(ModuleExit):
    """fail_json was called; result holds its arguments."""


def _exit_json(module, **result):
    result.setdefault('changed', False)
    raise ModuleExit(result)


def _fail_json(module, msg, **result):
    result['msg'] = msg
    result['failed'] = True
    raise ModuleFailure(result)


class FakeTwilio:
    """Stands in for the TwilioClient class: calling it gives the client, which is this object.

    It answers from in-memory channels, like Twilio: Chat v2 does not carry the
    messaging service, Conversations v1 does (for private channels only).
    """

    def __init__(self, channels=(), failing_updates=(), failing_list=None):
        self.channels = collections.OrderedDict((c['sid'], dict(c)) for c in channels)
        self.failing_updates = set(failing_updates)
        # (how many channels to yield, the TwilioError to raise then) for the Chat v2 list.
        self.failing_list = failing_list
        self.calls = []
        self.client_options = None
        self.closed = False
        self.lock = threading.Lock()

    def __call__(self, **options):
        self.client_options = options
        return self

    def _record(self, *call):
        with self.lock:
            self.calls.append(call)

    @property
    def built(self):
        return self.client_options is not None

    def writes(self):
        return [call for call in self.calls if call[0] == 'update_channel']

    @staticmethod
    def _chat_resource(stored):
        resource = dict(stored, service_sid=SERVICE)
        resource.pop('messaging_service_sid')
        return resource

    @staticmethod
    def _conversation(stored):
        return {'sid': stored['sid'], 'chat_service_sid': SERVICE, 'unique_name': stored['unique_name'],
                'messaging_service_sid': stored['messaging_service_sid']}

    def close(self):
        self.closed = True

    def fetch_channel(self, service_sid, name):
        self._record('fetch_channel', name)
        for stored in self.channels.values():
            if name in (stored['sid'], stored['unique_name']):
                return self._chat_resource(stored)
        raise TwilioError('Reading channel %r of service %s failed: not found' % (name, service_sid), status=404, code=20404,
                          more_info='https://www.twilio.com/docs/errors/20404', request_id='RQ404')

    def fetch_conversation(self, service_sid, sid):
        self._record('fetch_conversation', sid)
        return self._conversation(self.channels[sid])

    def list_channels(self, service_sid, types, page_size=100, gate=None):
        self._record('list_channels', tuple(types), page_size)
        for number, stored in enumerate([c for c in self.channels.values() if c['type'] in types]):
            if self.failing_list and number == self.failing_list[0]:
                raise self.failing_list[1]
            yield self._chat_resource(stored)

    def list_conversations(self, service_sid, page_size=100, gate=None):
        self._record('list_conversations', page_size)
        return iter([self._conversation(c) for c in self.channels.values() if c['type'] == 'private'])

    def update_channel(self, service_sid, sid, fields, webhook_enabled=None):
        self._record('update_channel', sid, dict(fields), webhook_enabled)
        if sid in self.failing_updates:
            raise TwilioError('Migrating channel %s of service %s failed: Internal error' % (sid, service_sid),
                              status=500, code=20500)
        with self.lock:
            stored = self.channels[sid]
            stored['type'] = fields['Type']
            stored['messaging_service_sid'] = fields.get('MessagingServiceSid') or stored['messaging_service_sid'] or MG_DEFAULT
            # The Chat v3 answer carries the messaging service.
            return dict(stored, service_sid=SERVICE)

    def send_channel_update(self, service_sid, sid, fields, webhook_enabled=None):
        """The bulk engine's write: the same update, answered with its headers."""
        body = self.update_channel(service_sid, sid, fields, webhook_enabled)
        return TwilioAnswer(body, {'Twilio-Request-Id': 'RQ' + sid[2:]}, 0)


OMIT = object()


def connection(**options):
    """Task arguments with the connection options every test needs."""
    args = {'account_sid': ACCOUNT, 'auth_token': 'fake-auth-token', 'api_base_url': 'http://127.0.0.1:9'}
    args.update(options)
    return dict((key, value) for key, value in args.items() if value is not OMIT)


def run_module(module, args, fake=None, check_mode=False, diff=False):
    """Run module.main() with args and return (result, failed), with fake as the client."""
    fake = fake if fake is not None else FakeTwilio()
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with contextlib.ExitStack() as stack:
        stack.enter_context(patch_module_args(args))
        stack.enter_context(mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json))
        stack.enter_context(mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json))
        stack.enter_context(mock.patch(CLIENT_SEAM, fake))
        try:
            module.main()
        except ModuleFailure as failure:
            return failure.result, True
        except ModuleExit as done:
            return done.result, False
    raise AssertionError('%s returned without exit_json or fail_json' % module.__name__)


# Where auth_token and api_key come from: task options, the environment, or one of each.
AMBIGUOUS_CREDENTIALS = {
    'both options': ({'auth_token': 'fake-auth-token', 'api_key': API_KEY, 'api_secret': 'fake-secret'}, {}),
    'both from the environment': ({'auth_token': OMIT},
                                  {'TWILIO_AUTH_TOKEN': 'fake-auth-token', 'TWILIO_API_KEY': API_KEY, 'TWILIO_API_SECRET': 'fake-secret'}),
    'token option, key from the environment': ({}, {'TWILIO_API_KEY': API_KEY, 'TWILIO_API_SECRET': 'fake-secret'}),
    'key option, token from the environment': ({'auth_token': OMIT, 'api_key': API_KEY, 'api_secret': 'fake-secret'},
                                               {'TWILIO_AUTH_TOKEN': 'fake-auth-token'}),
}


def assert_ambiguous_credentials_refused(module, module_args, case, monkeypatch):
    """Both credentials, wherever they come from, fail before any client exists, with one message naming both."""
    options, environment = AMBIGUOUS_CREDENTIALS[case]
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    fake = FakeTwilio()
    result, failed = run_module(module, connection(**dict(module_args, **options)), fake)
    assert failed
    assert result['msg'].startswith('auth_token and api_key are both set')
    assert 'TWILIO_AUTH_TOKEN' in result['msg'] and 'TWILIO_API_KEY' in result['msg']
    assert 'set only one' in result['msg']
    assert 'fake-auth-token' not in result['msg'] and 'fake-secret' not in result['msg']
    assert not fake.built


def assert_null_option_ignores_its_environment_variable(module, module_args, monkeypatch):
    """auth_token: null in the task, with TWILIO_AUTH_TOKEN set, means the API key alone."""
    monkeypatch.setenv('TWILIO_AUTH_TOKEN', 'fake-auth-token')
    fake = FakeTwilio([channel(1, 'private', MG_WANTED)])
    result, failed = run_module(module, connection(auth_token=None, api_key=API_KEY, api_secret='fake-secret', **module_args), fake)
    assert not failed, result
    assert fake.client_options['api_key'] == API_KEY
    assert fake.client_options['auth_token'] is None
