# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's Twilio client (plugins/module_utils/_client.py) over real HTTP, against the emulator.

The client is imported from this repository, whatever its directory is called (support.import_collection).
"""

import concurrent.futures
import contextlib

import pytest

from support import EmulatorClient, Emulator, Options, import_collection

ACCOUNT = 'AC00000000000000000000000000000001'
TOKEN = 'fake-auth-token-0001'
API_KEY = 'SK00000000000000000000000000000001'
API_SECRET = 'fake-api-key-secret-0001'
SERVICE = 'IS00000000000000000000000000000001'
GENERATED = 230

_client = import_collection('plugins.module_utils._client')
TwilioClient = _client.TwilioClient
TwilioError = _client.TwilioError
concurrent_requests = _client.concurrent_requests
retry_after_seconds = _client.retry_after_seconds


@pytest.fixture(scope='module')
def emulator():
    server = Emulator(Options(generate=GENERATED, lifetime=300)).start()
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture
def base_url(emulator):
    EmulatorClient(emulator).reset()
    return emulator


def set_faults(base_url, **faults):
    EmulatorClient(base_url).set_faults(faults)


def stats(base_url):
    return EmulatorClient(base_url).stats()


def client_for(base_url, **options):
    options.setdefault('auth_token', TOKEN)
    options.setdefault('max_retries', 3)
    options.setdefault('timeout', 10)
    return TwilioClient(ACCOUNT, api_base_url=base_url, **options)


def test_fetch_by_sid_and_by_unique_name_with_space_and_non_ascii(base_url):
    client = client_for(base_url)
    assert client.fetch_channel(SERVICE, 'CH00000000000000000000000000000001')['unique_name'] == 'general'
    assert client.fetch_channel(SERVICE, 'team lounge')['sid'] == 'CH00000000000000000000000000000003'
    assert client.fetch_channel(SERVICE, u'caf\u00e9-m\u00fcnchen')['sid'] == 'CH00000000000000000000000000000004'


def test_api_key_authenticates(base_url):
    client = TwilioClient(ACCOUNT, api_key=API_KEY, api_secret=API_SECRET, api_base_url=base_url)
    assert client.fetch_channel(SERVICE, 'general')['type'] == 'public'


def test_wrong_token_is_a_clear_authentication_error_without_the_token(base_url):
    client = client_for(base_url, auth_token='not-the-token')
    with pytest.raises(TwilioError) as caught:
        client.fetch_channel(SERVICE, 'general')
    assert caught.value.status == 401 and caught.value.code == 20003
    assert 'not-the-token' not in str(caught.value)
    assert caught.value.request_id and caught.value.request_id.startswith('RQ')


def test_not_found_carries_twilio_code_and_link(base_url):
    with pytest.raises(TwilioError) as caught:
        client_for(base_url).fetch_channel(SERVICE, 'no such channel')
    error = caught.value
    assert (error.status, error.code) == (404, 20404)
    assert error.more_info == 'https://www.twilio.com/docs/errors/20404'
    assert 'Twilio error 20404' in str(error) and 'HTTP 404' in str(error)


def test_listing_follows_next_page_url_through_ragged_pages(base_url):
    set_faults(base_url, ragged_pages=True)
    client = client_for(base_url)
    every = list(client.list_channels(SERVICE, ['public', 'private'], page_size=25))
    sids = [c['sid'] for c in every]
    state_channels = EmulatorClient(base_url).channels(SERVICE)
    assert len(sids) == len(set(sids)) == len(state_channels)
    assert stats(base_url)['by_route']['GET /v2/Services/{ServiceSid}/Channels'] > len(sids) // 25


def test_a_gate_is_held_around_each_page_request_and_released_while_items_are_used(base_url):
    events = []

    @contextlib.contextmanager
    def gate():
        events.append('enter')
        yield
        events.append('leave')

    client = client_for(base_url)
    for dummy in client.list_channels(SERVICE, ['public', 'private'], page_size=50, gate=gate):
        # Items are used between pages, never while a page's request holds the gate.
        if events[-1] != 'item':
            events.append('item')
    pages = stats(base_url)['by_route']['GET /v2/Services/{ServiceSid}/Channels']
    assert pages == -(-len(EmulatorClient(base_url).channels(SERVICE)) // 50) > 1
    assert events == ['enter', 'leave', 'item'] * pages


def test_429_twice_then_success(base_url):
    set_faults(base_url, rules=[{'method': 'GET', 'path_regex': 'Channels/general$', 'status': 429, 'times': 2, 'retry_after': 0}])
    assert client_for(base_url).fetch_channel(SERVICE, 'general')['sid'] == 'CH00000000000000000000000000000001'
    assert stats(base_url)['by_status'] == {'429': 2, '200': 1}


def test_429_after_retries_are_spent_says_so(base_url):
    set_faults(base_url, rules=[{'method': 'GET', 'status': 429, 'times': None, 'retry_after': 0}])
    with pytest.raises(TwilioError) as caught:
        client_for(base_url, max_retries=2).fetch_channel(SERVICE, 'general')
    assert caught.value.status == 429 and caught.value.code == 20429
    assert 'after 2 retries' in str(caught.value)
    assert stats(base_url)['total'] == 3


def test_dropped_connection_on_the_migration_is_retried(base_url):
    set_faults(base_url, rules=[{'method': 'POST', 'drop': True, 'times': 1}])
    updated = client_for(base_url).update_channel(SERVICE, 'CH00000000000000000000000000000001', {'Type': 'private'}, False)
    assert updated['type'] == 'private'
    assert stats(base_url)['by_method']['POST'] == 2


def test_html_error_page_from_a_proxy_is_explained(base_url):
    set_faults(base_url, rules=[{'method': 'GET', 'html': True, 'status': 502, 'times': None}])
    with pytest.raises(TwilioError) as caught:
        client_for(base_url, max_retries=1).fetch_channel(SERVICE, 'general')
    assert caught.value.status == 502
    assert 'non-JSON body (text/html)' in str(caught.value)


def test_one_client_serves_many_threads(base_url):
    client = client_for(base_url, pool_size=8)
    names = ['general', 'random', 'team lounge'] * 20
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        sids = list(pool.map(lambda name: client.fetch_channel(SERVICE, name)['sid'], names))
    assert sids[:3] == ['CH00000000000000000000000000000001', 'CH00000000000000000000000000000002', 'CH00000000000000000000000000000003']
    assert len(set(sids)) == 3


# --- the bulk engine's write: a 429 comes back at once, with the answer's headers ---------

def first_public_sid(client):
    return next(iter(client.list_channels(SERVICE, ['public'])))['sid']


def test_send_channel_update_hands_a_429_back_at_once_with_its_headers(base_url):
    client = client_for(base_url)
    channel_sid = first_public_sid(client)
    set_faults(base_url, rules=[{'method': 'POST', 'path_regex': '^/v3/', 'status': 429, 'times': 1}])
    with pytest.raises(TwilioError) as caught:
        client.send_channel_update(SERVICE, channel_sid, {'Type': 'private'})
    assert caught.value.throttled and caught.value.status == 429
    assert retry_after_seconds(caught.value.headers) == 1
    assert caught.value.headers['Twilio-Request-Id'].startswith('RQ')
    assert stats(base_url)['by_route']['POST /v3/Services/{ServiceSid}/Channels/{Sid}'] == 1
    answer = client.send_channel_update(SERVICE, channel_sid, {'Type': 'private'})
    assert answer.body['type'] == 'private'
    assert answer.headers['Twilio-Request-Id'].startswith('RQ')
    assert concurrent_requests(answer.headers) == 1
    assert answer.retries == 0


def test_send_channel_update_still_retries_5xx(base_url):
    client = client_for(base_url)
    channel_sid = first_public_sid(client)
    set_faults(base_url, rules=[{'method': 'POST', 'path_regex': '^/v3/', 'status': 503, 'times': 1}])
    answer = client.send_channel_update(SERVICE, channel_sid, {'Type': 'private'})
    assert answer.retries == 1 and answer.body['type'] == 'private'


def test_update_channel_keeps_retrying_429_itself(base_url):
    client = client_for(base_url)
    channel_sid = first_public_sid(client)
    set_faults(base_url, rules=[{'method': 'POST', 'path_regex': '^/v3/', 'status': 429, 'times': 1, 'retry_after': 0}])
    assert client.update_channel(SERVICE, channel_sid, {'Type': 'private'})['type'] == 'private'
