# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""twilio_account_info, driven through main() with TwilioClient.request stubbed."""

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import ACCOUNTS_ACCESS_HELP, TwilioClient, TwilioError
from ansible_collections.twilio_ops.chat.plugins.modules import twilio_account_info

try:
    from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
except ImportError:
    @contextlib.contextmanager
    def patch_module_args(args):
        serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': dict(args, _ansible_remote_tmp='/tmp', _ansible_keep_remote_files=False)}))
        original = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = serialized
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = original

PARENT = 'AC' + 'a' * 32
PARENT_TOKEN = 'parent-token-never-shown'
API_KEY = 'SK' + 'b' * 32
API_SECRET = 'api-secret-never-shown'
BASE = 'http://127.0.0.1:9'


def sub_sid(number):
    return 'AC%032x' % number


def sub_token(number):
    return 'subaccount-token-%d' % number


def account(number, status='active', name=None, sid=None, owner=PARENT, token=None):
    return {'sid': sid or sub_sid(number), 'friendly_name': name or 'prod-%d' % number, 'status': status, 'type': 'Full',
            'owner_account_sid': owner, 'auth_token': token if token is not None else sub_token(number),
            'date_created': 'Thu, 30 Jul 2015 20:00:00 +0000', 'date_updated': 'Thu, 30 Jul 2015 20:00:00 +0000',
            'subresource_uris': {}, 'uri': '/2010-04-01/Accounts/%s.json' % (sid or sub_sid(number))}


ACCOUNTS = [account(0, name='Parent', sid=PARENT, token=PARENT_TOKEN), account(1), account(2, name='staging-2'), account(3, 'suspended'),
            account(4, token='')]


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super(ModuleExit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


def exit_json(module, **result):
    raise ModuleExit(False, result)


def fail_json(module, **result):
    raise ModuleExit(True, result)


@pytest.fixture
def twilio(monkeypatch):
    """The Accounts API over pages of two, relative next_page_uri; refuses API keys as Twilio refuses Standard keys."""
    calls = []

    def request(client, method, product, path, action, params=None, data=None, headers=None, absolute_url=None):
        url = absolute_url or client.url(product, path)
        calls.append((method, url, dict(params or {})))
        if client.session.auth[0].startswith('SK'):
            raise TwilioError('%s failed: Authenticate' % action, status=401, code=20003,
                              more_info='https://www.twilio.com/docs/errors/20003')
        listed = [a for a in ACCOUNTS if (params or {}).get('Status', a['status']) == a['status']]
        if url == BASE + '/2010-04-01/Accounts.json':
            return {'accounts': listed[:2], 'next_page_uri': '/2010-04-01/Accounts.json?Page=1&PageToken=PA1'}
        if url == BASE + '/2010-04-01/Accounts.json?Page=1&PageToken=PA1':
            return {'accounts': ACCOUNTS[2:], 'next_page_uri': None}
        for candidate in ACCOUNTS:
            if url == BASE + '/2010-04-01/Accounts/%s.json' % candidate['sid']:
                return dict(candidate)
        raise TwilioError('%s failed: The requested resource was not found' % action, status=404, code=20404)

    monkeypatch.setattr(TwilioClient, 'request', request)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    return calls


def run(**args):
    args.setdefault('account_sid', PARENT)
    if 'api_key' not in args:
        args.setdefault('auth_token', PARENT_TOKEN)
    args.setdefault('api_base_url', BASE)
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as caught:
            twilio_account_info.main()
    return caught.value


def printed(outcome):
    return json.dumps(outcome.result)


def test_lists_active_subaccounts_over_pages_without_the_parent_or_any_token(twilio):
    outcome = run(_ansible_check_mode=True)
    assert not outcome.failed and outcome.result['changed'] is False
    assert [a['sid'] for a in outcome.result['accounts']] == [sub_sid(1), sub_sid(2), sub_sid(4)]
    assert twilio[0][2] == {'PageSize': 100, 'Status': 'active'}
    assert len(twilio) == 2
    assert 'auth_token' not in printed(outcome) and 'subaccount-token' not in printed(outcome)
    assert set(outcome.result['accounts'][0]) == {'sid', 'friendly_name', 'status', 'type', 'owner_account_sid', 'date_created', 'date_updated'}


def test_lists_with_several_statuses_and_a_glob(twilio):
    outcome = run(statuses=['active', 'suspended'], friendly_name_pattern='prod-*', page_size=1000)
    assert 'Status' not in twilio[0][2] and twilio[0][2]['PageSize'] == 1000
    assert [a['sid'] for a in outcome.result['accounts']] == [sub_sid(1), sub_sid(3), sub_sid(4)]


def test_fetch_drops_the_token_unless_asked(twilio):
    outcome = run(sid=sub_sid(1))
    assert outcome.result['accounts'][0]['friendly_name'] == 'prod-1'
    assert 'auth_token' not in outcome.result['accounts'][0]
    outcome = run(sid=sub_sid(1), return_auth_token=True)
    assert outcome.result['accounts'][0]['auth_token'] == sub_token(1)
    assert [call[1] for call in twilio] == [BASE + '/2010-04-01/Accounts/%s.json' % sub_sid(1)] * 2


def test_return_auth_token_needs_sid(twilio):
    outcome = run(return_auth_token=True)
    assert outcome.failed and 'sid' in outcome.result['msg']
    assert twilio == []


def test_a_missing_token_fails_instead_of_returning_nothing(twilio):
    outcome = run(sid=sub_sid(4), return_auth_token=True)
    assert outcome.failed
    assert outcome.result['msg'] == ('Reading account %s returned no auth token; reading a subaccount\'s auth token needs the parent '
                                     'account\'s auth token (account_sid with auth_token)' % sub_sid(4))


@pytest.mark.parametrize('args', [{}, {'sid': sub_sid(1), 'return_auth_token': True}])
def test_a_standard_api_key_fails_saying_which_credential_works(twilio, args):
    outcome = run(api_key=API_KEY, api_secret=API_SECRET, **args)
    assert outcome.failed
    assert 'failed: Authenticate: Twilio refused API key %s for the Accounts resource; ' % API_KEY in outcome.result['msg']
    assert ACCOUNTS_ACCESS_HELP in outcome.result['msg']
    assert outcome.result['status'] == 401 and outcome.result['error_code'] == 20003
    assert API_SECRET not in printed(outcome) and PARENT_TOKEN not in printed(outcome)


@pytest.mark.parametrize('args, expected', [
    ({'sid': 'IS' + '0' * 32}, 'sid must be an account SID'),
    ({'statuses': []}, 'statuses must name at least one of active, suspended, closed'),
    ({'statuses': ['gone']}, 'statuses'),
    ({'page_size': 0}, 'page_size must be between 1 and 1000'),
])
def test_bad_options_fail_before_any_request(twilio, args, expected):
    outcome = run(**args)
    assert outcome.failed and expected in outcome.result['msg']
    assert twilio == []
