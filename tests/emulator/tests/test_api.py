# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Behaviour of the emulated Chat v2/v3 and Conversations v1 endpoints over real HTTP."""

import re
import time
from urllib.parse import quote

import pytest

from support import (
    ACCOUNT, API_KEY, API_SECRET, GENERATED, MG_DEFAULT, MG_OTHER, OTHER_ACCOUNT, OTHER_MG, OTHER_SERVICE, OTHER_TOKEN,
    PRIVATE_CH, PUBLIC_CH, SERVICE, SMALL_SERVICE, SPACE_NAME, UNICODE_NAME,
)

CHANNELS = '/v2/Services/%s/Channels' % SERVICE
V3_CHANNEL = '/v3/Services/%s/Channels/%%s' % SERVICE
CONVERSATIONS = '/v1/Services/%s/Conversations' % SERVICE
V2_FIELDS = {'sid', 'account_sid', 'service_sid', 'friendly_name', 'unique_name', 'attributes', 'type', 'date_created',
             'date_updated', 'created_by', 'members_count', 'messages_count', 'url', 'links'}
V3_FIELDS = V2_FIELDS - {'links'} | {'messaging_service_sid'}
CONVERSATION_FIELDS = {'account_sid', 'chat_service_sid', 'messaging_service_sid', 'sid', 'friendly_name', 'unique_name',
                       'attributes', 'state', 'date_created', 'date_updated', 'timers', 'url', 'links', 'bindings'}
DATE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
MAX_PAGES = 500


def assert_twilio_error(response, status, code):
    assert response.status == status, response.body
    assert response.header('Content-Type') == 'application/json'
    body = response.json()
    assert body == {'code': code, 'message': body['message'], 'more_info': 'https://www.twilio.com/docs/errors/%d' % code, 'status': status}
    assert isinstance(body['message'], str) and body['message']
    return body


def walk(client, first_path, key, params=None):
    """Follow next_page_url until null; bounded so a paging bug cannot loop forever."""
    seen, pages = [], []
    response = client.get(first_path, params=params)
    for _page in range(MAX_PAGES):
        assert response.status == 200, response.body
        body = response.json()
        pages.append(body)
        seen.extend(body[key])
        if body['meta']['next_page_url'] is None:
            return seen, pages
        response = client.get(body['meta']['next_page_url'])
    raise AssertionError('paging did not end within %d pages' % MAX_PAGES)


def raw_channels(client, service=SERVICE):
    channels = client.admin.channels(service)
    return dict((channel['sid'], channel) for channel in channels)


class TestAuth:
    def test_account_token(self, client):
        response = client.get(CHANNELS + '/' + PUBLIC_CH)
        assert response.status == 200
        assert re.match(r'^RQ[0-9a-f]{32}$', response.header('Twilio-Request-Id'))
        assert response.header('Twilio-Concurrent-Requests') == '1'
        assert response.header('Content-Type') == 'application/json'

    def test_api_key(self, client):
        assert client.get(CHANNELS + '/' + PUBLIC_CH, auth=(API_KEY, API_SECRET)).status == 200

    @pytest.mark.parametrize('auth', [None, (ACCOUNT, 'wrong'), (API_KEY, 'wrong'), (OTHER_ACCOUNT, 'fake-token-account-a'), ('nobody', 'x')])
    def test_rejected(self, client, auth):
        response = client.get(CHANNELS, auth=auth)
        body = assert_twilio_error(response, 401, 20003)
        assert body['message'] == 'Authenticate'
        assert response.header('WWW-Authenticate') == 'Basic realm="Twilio API"'
        assert response.header('Twilio-Request-Id').startswith('RQ')

    def test_foreign_service_is_not_found(self, client):
        assert_twilio_error(client.get('/v2/Services/%s/Channels' % OTHER_SERVICE), 404, 20404)
        assert client.get('/v2/Services/%s/Channels' % OTHER_SERVICE, auth=(OTHER_ACCOUNT, OTHER_TOKEN)).status == 200

    @pytest.mark.parametrize('service', ['ISnothex', 'IS' + 'a1' * 15, 'CH' + 'a1' * 16, 'IS' + 'ff' * 16])
    def test_bad_or_unknown_service_sid(self, client, service):
        assert_twilio_error(client.get('/v2/Services/%s/Channels' % service), 404, 20404)


class TestFetch:
    def test_by_sid_has_exactly_v2_fields(self, client, emulator):
        body = client.get(CHANNELS + '/' + PUBLIC_CH).json()
        assert set(body) == V2_FIELDS
        assert body['unique_name'] == SPACE_NAME and body['type'] == 'public' and body['created_by'] == 'alice'
        assert body['url'] == '%s/v2/Services/%s/Channels/%s' % (emulator.base_url, SERVICE, PUBLIC_CH)
        assert body['links']['members'] == body['url'] + '/Members' and body['links']['last_message'] is None
        assert DATE.match(body['date_created']) and DATE.match(body['date_updated'])

    @pytest.mark.parametrize('name', [SPACE_NAME, UNICODE_NAME, 'already-private'])
    def test_by_unique_name(self, client, name):
        body = client.get(CHANNELS + '/' + quote(name, safe='')).json()
        assert body['unique_name'] == name and body['sid'].startswith('CH')

    def test_unknown(self, client):
        body = assert_twilio_error(client.get(CHANNELS + '/' + quote('no such', safe='')), 404, 20404)
        assert body['message'] == 'The requested resource /Services/%s/Channels/no such was not found' % SERVICE

    def test_unknown_paths_and_methods(self, client):
        assert_twilio_error(client.get('/v2/Services/%s/Users' % SERVICE), 404, 20404)
        assert_twilio_error(client.get('/v9/whatever'), 404, 20404)
        response = client.request('DELETE', CHANNELS + '/' + PUBLIC_CH)
        assert_twilio_error(response, 405, 20004)
        assert response.header('Allow') == 'GET, POST'
        assert_twilio_error(client.get('/v3/Services/%s/Channels' % SERVICE), 405, 20004)
        assert_twilio_error(client.get(V3_CHANNEL % PUBLIC_CH), 405, 20004)


class TestList:
    def test_default_type_is_public_and_pages_cover_everything_once(self, client):
        raw = raw_channels(client)
        public = sorted(sid for sid, channel in raw.items() if channel['type'] == 'public')
        seen, pages = walk(client, CHANNELS, 'channels', {'PageSize': 40})
        sids = [channel['sid'] for channel in seen]
        assert len(sids) == len(set(sids))
        assert sorted(sids) == public
        assert len(pages) == -(-len(public) // 40)
        assert all(len(page['channels']) == 40 for page in pages[:-1])
        first = pages[0]['meta']
        assert first['key'] == 'channels' and first['page'] == 0 and first['page_size'] == 40 and first['previous_page_url'] is None
        assert pages[1]['meta']['page'] == 1 and pages[1]['meta']['previous_page_url']
        order = [(channel['date_created'], channel['sid']) for channel in seen]
        assert order == sorted(order)

    def test_type_filter_repeatable(self, client):
        raw = raw_channels(client)
        private, _pages = walk(client, CHANNELS, 'channels', {'Type': 'private', 'PageSize': 100})
        assert sorted(c['sid'] for c in private) == sorted(s for s, c in raw.items() if c['type'] == 'private')
        both, _pages = walk(client, CHANNELS, 'channels', [('Type', 'public'), ('Type', 'private'), ('PageSize', 100)])
        assert len(both) == len(raw) == GENERATED + 3
        assert_twilio_error(client.get(CHANNELS, params={'Type': 'secret'}), 400, 20001)

    def test_ragged_pages_still_cover_everything(self, client):
        assert client.admin.set_faults({'ragged_pages': True})['ragged_pages'] is True
        raw = raw_channels(client)
        seen, pages = walk(client, CHANNELS, 'channels', [('Type', 'public'), ('Type', 'private'), ('PageSize', 20)])
        assert sorted(c['sid'] for c in seen) == sorted(raw)
        assert any(len(page['channels']) < 20 and page['meta']['next_page_url'] for page in pages)
        assert any(not page['channels'] and page['meta']['next_page_url'] for page in pages)

    def test_previous_page_url_goes_back(self, client):
        first = client.get(CHANNELS, params={'PageSize': 10}).json()
        second = client.get(first['meta']['next_page_url']).json()
        back = client.get(second['meta']['previous_page_url']).json()
        assert [c['sid'] for c in back['channels']] == [c['sid'] for c in first['channels']]

    def test_migrating_while_paging_skips_nothing(self, client):
        """Keyset page tokens: channels leaving the public filter mid-walk must not shift later pages."""
        raw = raw_channels(client)
        public = set(sid for sid, channel in raw.items() if channel['type'] == 'public')
        seen = []
        response = client.get(CHANNELS, params={'PageSize': 25})
        for _page in range(MAX_PAGES):
            body = response.json()
            for channel in body['channels']:
                seen.append(channel['sid'])
                assert client.post(V3_CHANNEL % channel['sid'], {'Type': 'private'}).status == 200
            if not body['meta']['next_page_url']:
                break
            response = client.get(body['meta']['next_page_url'])
        assert sorted(seen) == sorted(public)

    @pytest.mark.parametrize('params', [{'PageSize': 101}, {'PageSize': 0}, {'PageSize': 'x'}, {'Page': -1}, {'PageToken': 'garbage'}])
    def test_bad_paging_parameters(self, client, params):
        assert_twilio_error(client.get(CHANNELS, params=params), 400, 20001)

    def test_page_size_default_and_max(self, client):
        assert client.get(CHANNELS).json()['meta']['page_size'] == 50
        assert len(client.get(CHANNELS, params={'PageSize': 100}).json()['channels']) == 100


class TestCreate:
    def test_create_and_duplicate(self, client):
        form = {'FriendlyName': 'New', 'UniqueName': 'brand new', 'Attributes': '{"x": 1}', 'Type': 'public', 'CreatedBy': 'bob'}
        response = client.post(CHANNELS, form)
        assert response.status == 201
        body = response.json()
        assert set(body) == V2_FIELDS and body['unique_name'] == 'brand new' and body['created_by'] == 'bob'
        assert client.get(CHANNELS + '/brand%20new').json()['sid'] == body['sid']
        assert_twilio_error(client.post(CHANNELS, {'UniqueName': 'brand new'}), 409, 50307)
        assert_twilio_error(client.post(CHANNELS, {'Type': 'secret'}), 400, 20001)
        assert client.post(CHANNELS, {}).json()['type'] == 'public'


class TestMigrate:
    def test_public_to_private_gets_default_messaging_service(self, client, emulator):
        before = raw_channels(client)[PUBLIC_CH]
        time.sleep(1.05)
        response = client.post(V3_CHANNEL % PUBLIC_CH, {'Type': 'private'}, headers={'X-Twilio-Webhook-Enabled': 'false'})
        assert response.status == 200
        body = response.json()
        assert set(body) == V3_FIELDS
        assert body['type'] == 'private' and body['messaging_service_sid'] == MG_DEFAULT
        assert body['url'] == '%s/v3/Services/%s/Channels/%s' % (emulator.base_url, SERVICE, PUBLIC_CH)
        after = raw_channels(client)[PUBLIC_CH]
        changed = set(key for key in after if after[key] != before[key])
        assert changed == {'type', 'messaging_service_sid', 'date_updated'}
        assert client.get(CHANNELS + '/' + PUBLIC_CH).json()['type'] == 'private'

    def test_by_unique_name_with_explicit_messaging_service(self, client):
        response = client.post(V3_CHANNEL % quote(UNICODE_NAME, safe=''), {'Type': 'private', 'MessagingServiceSid': MG_OTHER})
        assert response.status == 200 and response.json()['messaging_service_sid'] == MG_OTHER

    def test_private_channel_messaging_service_change(self, client):
        form = {'Type': 'private', 'MessagingServiceSid': MG_DEFAULT}
        assert client.post(V3_CHANNEL % PRIVATE_CH, form).json()['messaging_service_sid'] == MG_DEFAULT
        before = raw_channels(client)[PRIVATE_CH]
        body = client.post(V3_CHANNEL % PRIVATE_CH, {'Type': 'private'}).json()
        assert body['messaging_service_sid'] == MG_DEFAULT
        assert raw_channels(client)[PRIVATE_CH] == before

    @pytest.mark.parametrize('form,code', [
        ({'Type': 'public'}, 50393),
        ({}, 50393),
        ({'MessagingServiceSid': MG_OTHER}, 50393),
        ({'Type': 'secret'}, 20001),
        ({'Type': 'private', 'MessagingServiceSid': 'MG123'}, 50341),
        ({'Type': 'private', 'MessagingServiceSid': 'XX' + 'a1' * 16}, 50341),
        ({'Type': 'private', 'MessagingServiceSid': OTHER_MG}, 50342),
        ({'Type': 'private', 'MessagingServiceSid': 'MG' + 'ee' * 16}, 50342),
    ])
    def test_rejected(self, client, form, code):
        before = raw_channels(client)
        body = assert_twilio_error(client.post(V3_CHANNEL % PUBLIC_CH, form), 400, code)
        if form.get('Type') == 'public':
            assert body['message'] == "Migration to 'public' type is not allowed"
        assert raw_channels(client) == before

    def test_bad_webhook_header(self, client):
        assert_twilio_error(client.post(V3_CHANNEL % PUBLIC_CH, {'Type': 'private'}, headers={'X-Twilio-Webhook-Enabled': 'yes'}), 400, 20001)

    def test_unknown_channel_and_foreign_service(self, client):
        assert_twilio_error(client.post(V3_CHANNEL % ('CH' + 'ee' * 16), {'Type': 'private'}), 404, 20404)
        assert_twilio_error(client.post('/v3/Services/%s/Channels/%s' % (OTHER_SERVICE, PUBLIC_CH), {'Type': 'private'}), 404, 20404)


class TestConversations:
    def test_only_private_channels(self, client):
        raw = raw_channels(client)
        private = sorted(sid for sid, channel in raw.items() if channel['type'] == 'private')
        seen, _pages = walk(client, CONVERSATIONS, 'conversations', {'PageSize': 7})
        assert sorted(c['sid'] for c in seen) == private
        assert all(set(c) == CONVERSATION_FIELDS and c['state'] == 'active' and c['chat_service_sid'] == SERVICE for c in seen)
        assert_twilio_error(client.get(CONVERSATIONS + '/' + PUBLIC_CH), 404, 20404)
        client.post(V3_CHANNEL % PUBLIC_CH, {'Type': 'private'})
        conversation = client.get(CONVERSATIONS + '/' + quote(SPACE_NAME)).json()
        assert conversation['sid'] == PUBLIC_CH and conversation['messaging_service_sid'] == MG_DEFAULT
        assert conversation['timers'] == {} and conversation['bindings'] is None

    def test_state_filter(self, client):
        assert client.get(CONVERSATIONS, params={'State': 'closed'}).json()['conversations'] == []
        assert client.get(CONVERSATIONS, params={'State': 'active'}).json()['conversations']
        assert_twilio_error(client.get(CONVERSATIONS, params={'State': 'bogus'}), 400, 20001)
        assert_twilio_error(client.get(CONVERSATIONS, params={'PageSize': 101}), 400, 20001)

    def test_small_service(self, client):
        body = client.get('/v1/Services/%s/Conversations' % SMALL_SERVICE).json()
        assert [c['unique_name'] for c in body['conversations']] == ['two'] and body['meta']['next_page_url'] is None
