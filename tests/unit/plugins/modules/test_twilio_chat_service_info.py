# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""twilio_chat_service_info, driven through main() with TwilioClient.request stubbed."""

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioClient, TwilioError
from ansible_collections.twilio_ops.chat.plugins.modules import twilio_chat_service_info

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

ACCOUNT = 'AC' + '0' * 31 + '1'
TOKEN = 'account-token-never-shown'
SERVICES = ['IS%032x' % number for number in range(1, 4)]


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super(ModuleExit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


def exit_json(module, **result):
    raise ModuleExit(False, result)


def fail_json(module, **result):
    raise ModuleExit(True, result)


def service(sid):
    return {'sid': sid, 'account_sid': ACCOUNT, 'friendly_name': 'service %s' % sid[-1], 'date_created': '2015-07-30T20:00:00Z',
            'date_updated': '2015-07-30T20:00:00Z', 'url': 'https://chat.twilio.com/v2/Services/%s' % sid, 'links': {}}


@pytest.fixture
def requests_made(monkeypatch):
    """Chat v2 services over two pages (meta paging with absolute next_page_url); every request is recorded."""
    calls = []

    def request(client, method, product, path, action, params=None, data=None, headers=None, absolute_url=None):
        url = absolute_url or client.url(product, path)
        calls.append((method, url, params))
        if url.endswith('/v2/Services'):
            return {'services': [service(SERVICES[0]), service(SERVICES[1])],
                    'meta': {'next_page_url': 'https://chat.twilio.com/v2/Services?PageSize=2&Page=1&PageToken=PT1'}}
        if url.endswith('/v2/Services?PageSize=2&Page=1&PageToken=PT1'):
            return {'services': [service(SERVICES[2])], 'meta': {'next_page_url': None}}
        for sid in SERVICES:
            if url.endswith('/v2/Services/' + sid):
                return service(sid)
        raise TwilioError('%s failed: The requested resource was not found' % action, status=404, code=20404)

    monkeypatch.setattr(TwilioClient, 'request', request)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    return calls


def run(**args):
    args.setdefault('account_sid', ACCOUNT)
    args.setdefault('auth_token', TOKEN)
    args.setdefault('api_base_url', 'http://127.0.0.1:9')
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as caught:
            twilio_chat_service_info.main()
    return caught.value


def test_lists_every_service_over_every_page_in_check_mode(requests_made):
    outcome = run(page_size=2, _ansible_check_mode=True)
    assert not outcome.failed and outcome.result['changed'] is False
    assert [s['sid'] for s in outcome.result['services']] == SERVICES
    assert outcome.result['services'][0]['friendly_name'] == 'service 1'
    assert [call[0] for call in requests_made] == ['GET', 'GET']
    assert requests_made[0] == ('GET', 'http://127.0.0.1:9/v2/Services', {'PageSize': 2})
    assert requests_made[1][1] == 'http://127.0.0.1:9/v2/Services?PageSize=2&Page=1&PageToken=PT1'


def test_reads_one_service_by_sid_or_its_alias(requests_made):
    assert [s['sid'] for s in run(sid=SERVICES[1]).result['services']] == [SERVICES[1]]
    assert [s['sid'] for s in run(service_sid=SERVICES[2]).result['services']] == [SERVICES[2]]
    assert [call[1] for call in requests_made] == ['http://127.0.0.1:9/v2/Services/' + SERVICES[1],
                                                   'http://127.0.0.1:9/v2/Services/' + SERVICES[2]]


def test_a_missing_service_fails_with_twilio_details(requests_made):
    outcome = run(sid='IS' + 'f' * 32)
    assert outcome.failed
    assert outcome.result['status'] == 404 and outcome.result['error_code'] == 20404
    assert 'not found' in outcome.result['msg'] and TOKEN not in json.dumps(outcome.result)


@pytest.mark.parametrize('args, expected', [
    ({'sid': 'CH' + '0' * 32}, 'sid must be a Chat service SID'),
    ({'page_size': 101}, 'page_size must be between 1 and 100'),
    ({'account_sid': 'AC123'}, 'account_sid must be an account SID'),
])
def test_bad_options_fail_before_any_request(requests_made, args, expected):
    outcome = run(**args)
    assert outcome.failed and expected in outcome.result['msg']
    assert requests_made == []
