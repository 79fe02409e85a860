# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's Accounts (2010-04-01) and Chat services calls, offline: the requests Session is the seam."""

import json

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils import _client
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    ACCOUNTS_ACCESS_HELP,
    TwilioClient,
    TwilioError,
    select_subaccounts,
    status_to_send,
)

PARENT = 'AC' + '0' * 31 + '1'
TOKEN = 'parent-token-never-shown'
SUB_TOKEN = 'subaccount-token-never-shown'
BASE = 'http://127.0.0.1:9'


class FakeResponse:
    def __init__(self, status_code, body, headers=None):
        self.status_code = status_code
        self.reason = 'Fake'
        self.headers = dict(headers or {'Content-Type': 'application/json'})
        self.raw = None
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError('no body')
        return json.loads(json.dumps(self._body))


class FakeSession:
    """Answers each URL (path and query, or path with params) from a table; records every call."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def request(self, method, url, params=None, **kwargs):
        self.calls.append((method, url, dict(params or {})))
        path = url[len(BASE):] if url.startswith(BASE) else url
        answer = self.answers[path]
        return answer if isinstance(answer, FakeResponse) else FakeResponse(200, answer)


def account(number, status='active', owner=PARENT, name=None):
    sid = 'AC%032x' % number
    return {'sid': sid, 'friendly_name': name or 'account %d' % number, 'status': status, 'type': 'Full',
            'owner_account_sid': owner, 'auth_token': SUB_TOKEN, 'date_created': 'Thu, 30 Jul 2015 20:00:00 +0000',
            'date_updated': 'Thu, 30 Jul 2015 20:00:00 +0000', 'uri': '/2010-04-01/Accounts/%s.json' % sid,
            'subresource_uris': {'calls': '/2010-04-01/Accounts/%s/Calls.json' % sid}}


def page(accounts, next_page_uri):
    return {'accounts': accounts, 'next_page_uri': next_page_uri, 'page_size': 2, 'first_page_uri': '/x', 'uri': '/x'}


def client_with(answers, **options):
    options.setdefault('auth_token', TOKEN)
    client = TwilioClient(PARENT, api_base_url=BASE, max_retries=0, **options)
    client.fake = FakeSession(answers)
    client.session.request = client.fake.request
    return client


def test_the_api_host_follows_region_and_edge_like_the_others():
    client = TwilioClient(PARENT, auth_token=TOKEN, region='ie1', edge='dublin')
    assert client.url('api', '/2010-04-01/Accounts.json') == 'https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json'
    assert TwilioClient(PARENT, auth_token=TOKEN).url('api', '/x') == 'https://api.twilio.com/x'
    assert TwilioClient(PARENT, auth_token=TOKEN, api_base_url=BASE).url('api', '/x') == BASE + '/x'


def test_iter_list_2010_follows_relative_next_page_uri_against_the_base_until_null():
    second = '/2010-04-01/Accounts.json?PageSize=2&Page=1&PageToken=PA1'
    third = '/2010-04-01/Accounts.json?PageSize=2&Page=2&PageToken=PA2'
    client = client_with({
        '/2010-04-01/Accounts.json': page([account(2), account(3)], second),
        second: page([account(4)], third),  # a short page is not the end
        third: page([account(5)], None),
    })
    found = list(client.iter_list_2010('api', '/2010-04-01/Accounts.json', 'accounts', 'Listing accounts', params={'PageSize': 2}))
    assert [a['sid'] for a in found] == [account(n)['sid'] for n in (2, 3, 4, 5)]
    assert [call[1] for call in client.fake.calls] == [BASE + '/2010-04-01/Accounts.json', BASE + second, BASE + third]
    # The first request carries the query; the next ones use next_page_uri as it is.
    assert client.fake.calls[0][2] == {'PageSize': 2}
    assert client.fake.calls[1][2] == {}


def test_iter_list_2010_stops_on_a_repeated_next_page_uri():
    loop = '/2010-04-01/Accounts.json?Page=1&PageToken=PA1'
    client = client_with({'/2010-04-01/Accounts.json': page([account(2)], loop), loop: page([account(3)], loop)})
    with pytest.raises(TwilioError, match='same next_page_uri twice'):
        list(client.iter_list_2010('api', '/2010-04-01/Accounts.json', 'accounts', 'Listing accounts'))


def test_iter_list_2010_is_bounded(monkeypatch):
    monkeypatch.setattr(_client, 'MAX_PAGES', 3)
    answers = {'/2010-04-01/Accounts.json': page([account(1)], '/p1')}
    for number in range(1, 5):
        answers['/p%d' % number] = page([account(number + 1)], '/p%d' % (number + 1))
    client = client_with(answers)
    with pytest.raises(TwilioError, match='more than 3 pages'):
        list(client.iter_list_2010('api', '/2010-04-01/Accounts.json', 'accounts', 'Listing accounts'))


def test_list_accounts_sends_the_filters_and_drops_every_auth_token():
    client = client_with({'/2010-04-01/Accounts.json': page([account(2)], None)})
    found = list(client.list_accounts(status='active', friendly_name='prod', page_size=1000))
    assert client.fake.calls[0][2] == {'PageSize': 1000, 'Status': 'active', 'FriendlyName': 'prod'}
    assert found == [{'sid': account(2)['sid'], 'friendly_name': 'account 2', 'status': 'active', 'type': 'Full',
                      'owner_account_sid': PARENT, 'date_created': 'Thu, 30 Jul 2015 20:00:00 +0000',
                      'date_updated': 'Thu, 30 Jul 2015 20:00:00 +0000'}]
    assert SUB_TOKEN not in repr(found)


def test_fetch_account_returns_the_token_only_when_asked():
    sid = account(2)['sid']
    client = client_with({'/2010-04-01/Accounts/%s.json' % sid: account(2)})
    assert 'auth_token' not in client.fetch_account(sid)
    assert client.fetch_account(sid, with_auth_token=True)['auth_token'] == SUB_TOKEN


def refused(status=401, code=20003):
    return FakeResponse(status, {'code': code, 'message': 'Authenticate', 'more_info': 'https://www.twilio.com/docs/errors/%d' % code,
                                 'status': status})


def test_a_standard_api_key_refused_by_accounts_says_what_works():
    api_key = 'SK' + '0' * 31 + '1'
    client = client_with({'/2010-04-01/Accounts.json': refused()}, auth_token=None, api_key=api_key, api_secret='key-secret-never-shown')
    with pytest.raises(TwilioError) as caught:
        list(client.list_accounts(status='active'))
    text = str(caught.value)
    assert text.startswith('Listing accounts failed: Authenticate: Twilio refused API key %s for the Accounts resource; ' % api_key)
    assert ACCOUNTS_ACCESS_HELP in text
    assert 'Standard API key cannot reach the Accounts resource' in text
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert 'key-secret-never-shown' not in text and TOKEN not in text


def test_a_refused_auth_token_on_fetch_says_what_works():
    sid = account(2)['sid']
    client = client_with({'/2010-04-01/Accounts/%s.json' % sid: refused(403, 20403)})
    with pytest.raises(TwilioError) as caught:
        client.fetch_account(sid, with_auth_token=True)
    assert 'Twilio refused the credentials of account_sid for the Accounts resource' in str(caught.value)
    assert ACCOUNTS_ACCESS_HELP in str(caught.value) and TOKEN not in str(caught.value)


def test_other_errors_are_left_as_they_are():
    sid = account(2)['sid']
    client = client_with({'/2010-04-01/Accounts/%s.json' % sid: FakeResponse(404, {'code': 20404, 'message': 'Not found'})})
    with pytest.raises(TwilioError) as caught:
        client.fetch_account(sid)
    assert caught.value.code == 20404 and ACCOUNTS_ACCESS_HELP not in str(caught.value)


def test_chat_services_are_listed_with_meta_paging_and_fetched_by_sid():
    service = 'IS' + '0' * 31 + '1'
    client = client_with({
        '/v2/Services': {'services': [{'sid': service}], 'meta': {'next_page_url': 'https://chat.twilio.com/v2/Services?Page=1'}},
        '/v2/Services?Page=1': {'services': [{'sid': 'IS' + '0' * 31 + '2'}], 'meta': {'next_page_url': None}},
        '/v2/Services/%s' % service: {'sid': service, 'friendly_name': 'Support'},
    })
    assert [s['sid'] for s in client.list_chat_services(page_size=50)] == [service, 'IS' + '0' * 31 + '2']
    assert client.fake.calls[0][2] == {'PageSize': 50}
    # The absolute next_page_url is mapped onto the configured base.
    assert client.fake.calls[1][1] == BASE + '/v2/Services?Page=1'
    assert client.fetch_chat_service(service)['friendly_name'] == 'Support'


def test_status_to_send_only_for_exactly_one_status():
    assert status_to_send(['active']) == 'active'
    assert status_to_send(['active', 'active']) == 'active'
    assert status_to_send(['active', 'suspended']) is None
    assert status_to_send([]) is None


def test_select_subaccounts_filters_on_status_and_glob_and_skips_the_parent():
    accounts = [dict(account(1), sid=PARENT, owner_account_sid=PARENT), account(2, name='prod-eu'), account(3, name='prod-us', status='suspended'),
                account(4, name='staging'), account(5, name='prod-x', owner='AC' + 'f' * 32)]
    assert [a['sid'] for a in select_subaccounts(accounts, PARENT)] == [account(n)['sid'] for n in (2, 3, 4)]
    assert [a['sid'] for a in select_subaccounts(accounts, PARENT, statuses=['active'])] == [account(n)['sid'] for n in (2, 4)]
    assert [a['sid'] for a in select_subaccounts(accounts, PARENT, friendly_name_pattern='prod-*')] == [account(n)['sid'] for n in (2, 3)]
    assert select_subaccounts(accounts, PARENT, friendly_name_pattern='PROD-*') == []
