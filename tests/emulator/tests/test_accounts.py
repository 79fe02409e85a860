# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Accounts API (2010-04-01) and the Chat v2 services list over the fleet seed: subaccounts, statuses, credentials."""

import json
import os

import pytest

from support import Client, Emulator, Options

FLEET_SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'seeds', 'fleet.json')
with open(FLEET_SEED, encoding='utf-8') as _handle:
    FLEET = json.load(_handle)
PARENT = FLEET['accounts'][0]
PARENT_SID, PARENT_TOKEN = PARENT['sid'], PARENT['auth_token']
STANDARD_KEY, MAIN_KEY = PARENT['api_keys']
SUBS = dict((doc['friendly_name'], doc) for doc in PARENT['subaccounts'] + [FLEET['accounts'][1]])
SUSPENDED, CLOSED, TWO_SERVICES, NO_SERVICE = (
    SUBS[name] for name in ('Suspended tenant', 'Closed tenant', 'Tenant with two services', 'Tenant without chat'))
OTHER_PARENT = FLEET['accounts'][2]
ACCOUNTS = '/2010-04-01/Accounts.json'
ACCOUNT_FIELDS = {'auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status',
                  'subresource_uris', 'type', 'uri'}
LIST_FIELDS = {'accounts', 'first_page_uri', 'previous_page_uri', 'next_page_uri', 'uri', 'page', 'page_size', 'start', 'end'}
SUBACCOUNTS = 120
MAX_PAGES = 50


@pytest.fixture(scope='module')
def fleet():
    server = Emulator(Options(seed_path=FLEET_SEED, lifetime=300)).start()
    yield server
    server.stop()


@pytest.fixture
def parent(fleet):
    api = Client(fleet.base_url, PARENT_SID, PARENT_TOKEN)
    api.admin.reset()
    return api


def walk_accounts(client, params=None, auth='default'):
    """Follow the relative, top-level next_page_uri until null; bounded."""
    pages = []
    response = client.get(ACCOUNTS, params=params, auth=auth)
    for _page in range(MAX_PAGES):
        assert response.status == 200, response.body
        pages.append(response.json())
        next_uri = pages[-1]['next_page_uri']
        if next_uri is None:
            return [account for page in pages for account in page['accounts']], pages
        assert next_uri.startswith('/2010-04-01/Accounts.json?')
        response = client.get(next_uri, auth=auth)
    raise AssertionError('paging did not end within %d pages' % MAX_PAGES)


def assert_error(response, status, code):
    assert response.status == status, response.body
    body = response.json()
    assert body['code'] == code and body['status'] == status
    return body


class TestAccountsList:
    def test_parent_sees_itself_and_every_subaccount_over_several_pages(self, parent):
        accounts, pages = walk_accounts(parent, {'PageSize': 50})
        sids = [account['sid'] for account in accounts]
        assert len(sids) == len(set(sids)) == SUBACCOUNTS + 1 and len(pages) == 3
        assert PARENT_SID in sids and OTHER_PARENT['sid'] not in sids
        assert all(set(account) == ACCOUNT_FIELDS for account in accounts)
        assert all(account['owner_account_sid'] == PARENT_SID for account in accounts)
        first, second, last = pages
        assert set(first) == LIST_FIELDS
        assert (first['page'], first['page_size'], first['start'], first['end']) == (0, 50, 0, 49)
        assert (second['page'], second['start'], second['end']) == (1, 50, 99)
        assert (last['page'], last['start'], last['end'], last['next_page_uri']) == (2, 100, 120, None)
        assert first['previous_page_uri'] is None and second['previous_page_uri'].startswith('/2010-04-01/Accounts.json?')
        assert first['uri'] == first['first_page_uri'] == '/2010-04-01/Accounts.json?PageSize=50&Page=0'
        back = parent.get(second['previous_page_uri']).json()
        assert [a['sid'] for a in back['accounts']] == [a['sid'] for a in first['accounts']]

    def test_account_fields(self, parent):
        accounts, _pages = walk_accounts(parent, {'PageSize': 1000})
        by_sid = dict((account['sid'], account) for account in accounts)
        sub = by_sid[TWO_SERVICES['sid']]
        assert sub['auth_token'] == TWO_SERVICES['auth_token'] and sub['friendly_name'] == 'Tenant with two services'
        assert sub['status'] == 'active' and sub['type'] == 'Full'
        assert sub['uri'] == '/2010-04-01/Accounts/%s.json' % sub['sid']
        assert sub['subresource_uris']['calls'] == '/2010-04-01/Accounts/%s/Calls.json' % sub['sid']
        assert sub['date_created'].endswith(' +0000') and sub['date_created'][3:5] == ', '
        assert by_sid[PARENT_SID]['owner_account_sid'] == PARENT_SID
        assert by_sid[NO_SERVICE['sid']]['owner_account_sid'] == PARENT_SID
        assert by_sid[SUSPENDED['sid']]['status'] == 'suspended' and by_sid[CLOSED['sid']]['status'] == 'closed'

    @pytest.mark.parametrize('status,count', [('active', SUBACCOUNTS - 1), ('suspended', 1), ('closed', 1)])
    def test_status_filter(self, parent, status, count):
        accounts, pages = walk_accounts(parent, {'Status': status, 'PageSize': 40})
        assert len(accounts) == count and all(account['status'] == status for account in accounts)
        assert pages[0]['uri'] == '/2010-04-01/Accounts.json?Status=%s&PageSize=40&Page=0' % status
        assert all('Status=%s' % status in page['next_page_uri'] for page in pages[:-1])

    def test_friendly_name_matches_exactly(self, parent):
        assert [a['sid'] for a in walk_accounts(parent, {'FriendlyName': 'Tenant 0007'})[0]] != []
        assert walk_accounts(parent, {'FriendlyName': 'Tenant'})[0] == []
        assert walk_accounts(parent, {'FriendlyName': 'tenant 0007'})[0] == []
        both = walk_accounts(parent, {'FriendlyName': 'Closed tenant', 'Status': 'closed'})[0]
        assert [a['sid'] for a in both] == [CLOSED['sid']]

    @pytest.mark.parametrize('params', [{'Status': 'gone'}, {'PageSize': 1001}, {'PageSize': 0}, {'Page': -1}, {'PageToken': 'x'}])
    def test_bad_parameters(self, parent, params):
        assert_error(parent.get(ACCOUNTS, params=params), 400, 20001)

    def test_page_size_up_to_1000(self, parent):
        body = parent.get(ACCOUNTS, params={'PageSize': 1000}).json()
        assert len(body['accounts']) == SUBACCOUNTS + 1 and body['next_page_uri'] is None
        assert parent.get(ACCOUNTS).json()['page_size'] == 50


class TestAccountsCredentials:
    def test_subaccount_sees_only_itself(self, parent):
        sub = (TWO_SERVICES['sid'], TWO_SERVICES['auth_token'])
        accounts, _pages = walk_accounts(parent, auth=sub)
        assert [account['sid'] for account in accounts] == [TWO_SERVICES['sid']]
        assert parent.get('/2010-04-01/Accounts/%s.json' % TWO_SERVICES['sid'], auth=sub).status == 200
        for other in (PARENT_SID, NO_SERVICE['sid']):
            assert_error(parent.get('/2010-04-01/Accounts/%s.json' % other, auth=sub), 401, 20003)

    def test_parent_fetches_its_subaccounts_and_nothing_else(self, parent):
        for doc in (SUSPENDED, CLOSED, NO_SERVICE):
            body = parent.get('/2010-04-01/Accounts/%s.json' % doc['sid']).json()
            assert body['sid'] == doc['sid'] and body['auth_token'] == doc['auth_token']
        assert parent.get('/2010-04-01/Accounts/%s.json' % PARENT_SID).json()['owner_account_sid'] == PARENT_SID
        assert_error(parent.get('/2010-04-01/Accounts/%s.json' % OTHER_PARENT['sid']), 401, 20003)
        assert_error(parent.get('/2010-04-01/Accounts/AC%s.json' % ('ee' * 16)), 401, 20003)
        assert_error(parent.get('/2010-04-01/Accounts/not-a-sid.json'), 404, 20404)

    def test_standard_api_key_cannot_reach_accounts_but_a_main_key_can(self, parent):
        standard = (STANDARD_KEY['sid'], STANDARD_KEY['secret'])
        body = assert_error(parent.get(ACCOUNTS, auth=standard), 401, 20003)
        assert body['message'] == 'Authentication Error - invalid username'
        assert_error(parent.get('/2010-04-01/Accounts/%s.json' % PARENT_SID, auth=standard), 401, 20003)
        assert parent.get('/v2/Services', auth=standard).status == 200
        main = (MAIN_KEY['sid'], MAIN_KEY['secret'])
        assert len(walk_accounts(parent, {'PageSize': 1000}, auth=main)[0]) == SUBACCOUNTS + 1

    @pytest.mark.parametrize('name', ['Suspended tenant', 'Closed tenant'])
    def test_inactive_accounts_cannot_authenticate(self, parent, name):
        credentials = (SUBS[name]['sid'], SUBS[name]['auth_token'])
        assert_error(parent.get(ACCOUNTS, auth=credentials), 401, 20003)
        assert_error(parent.get('/v2/Services', auth=credentials), 401, 20003)


class TestChatServices:
    def test_each_account_lists_its_own_services(self, parent):
        two = (TWO_SERVICES['sid'], TWO_SERVICES['auth_token'])
        body = parent.get('/v2/Services', auth=two).json()
        assert [s['sid'] for s in body['services']] == [s['sid'] for s in TWO_SERVICES['services']]
        assert body['meta']['key'] == 'services' and body['meta']['next_page_url'] is None
        assert parent.get('/v2/Services', auth=(NO_SERVICE['sid'], NO_SERVICE['auth_token'])).json()['services'] == []
        assert [s['sid'] for s in parent.get('/v2/Services').json()['services']] == [PARENT['services'][0]['sid']]

    def test_services_page_like_the_other_chat_lists(self, parent):
        two = (TWO_SERVICES['sid'], TWO_SERVICES['auth_token'])
        first = parent.get('/v2/Services', params={'PageSize': 1}, auth=two).json()
        assert len(first['services']) == 1 and first['meta']['next_page_url']
        second = parent.get(first['meta']['next_page_url'], auth=two).json()
        assert second['meta']['next_page_url'] is None
        assert [first['services'][0]['sid'], second['services'][0]['sid']] == [s['sid'] for s in TWO_SERVICES['services']]

    def test_fetch_service(self, parent, fleet):
        two = (TWO_SERVICES['sid'], TWO_SERVICES['auth_token'])
        sid = TWO_SERVICES['services'][1]['sid']
        body = parent.get('/v2/Services/%s' % sid, auth=two).json()
        assert body['sid'] == sid and body['account_sid'] == TWO_SERVICES['sid'] and body['friendly_name'] == 'Community chat'
        assert body['url'] == '%s/v2/Services/%s' % (fleet.base_url, sid) and body['links']['channels'] == body['url'] + '/Channels'

    def test_subaccount_chat_needs_the_subaccounts_own_credentials(self, parent):
        service = TWO_SERVICES['services'][0]['sid']
        for path in ('/v2/Services/%s' % service, '/v2/Services/%s/Channels' % service, '/v1/Services/%s/Conversations' % service):
            body = assert_error(parent.get(path), 401, 20003)
            assert body['message'] == 'Authenticate'
            assert parent.get(path, auth=(TWO_SERVICES['sid'], TWO_SERVICES['auth_token'])).status == 200
        key = TWO_SERVICES['api_keys'][0]
        assert parent.get('/v2/Services/%s/Channels' % service, auth=(key['sid'], key['secret'])).status == 200
        # Another customer's service is simply not found.
        assert_error(parent.get('/v2/Services/%s' % OTHER_PARENT['services'][0]['sid']), 404, 20404)


class TestFleetGeneration:
    def test_generated_subaccounts_on_the_command_line_option(self):
        server = Emulator(Options(seed_path=FLEET_SEED, generate_subaccounts=10, lifetime=60)).start()
        try:
            api = Client(server.base_url, PARENT_SID, PARENT_TOKEN)
            assert len(walk_accounts(api, {'PageSize': 1000})[0]) == SUBACCOUNTS + 11
            account = [a for a in api.admin.accounts() if a['friendly_name'] == 'Tenant 0126'][0]
            channels = api.admin.channels(account['services'][0], account['sid'])
            assert len(channels) == 5
            sub = Client(server.base_url, account['sid'], account['auth_token'])
            assert sub.get('/v2/Services/%s/Channels' % account['services'][0]).status == 200
        finally:
            server.stop()
