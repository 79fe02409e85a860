# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Twilio client over real HTTP, against the emulator on loopback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import http.server
import json
import os
import socket
import sys
import threading

import pytest
import requests

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    RETRY_AFTER_CAP_SECONDS,
    TwilioClient,
    TwilioError,
    build_retry,
    check_api_base_url,
    twilio_host,
    user_agent,
)

# The emulator runs in this process, on a thread: a test runner that forks per test
# (as ansible-test units does) then cannot leave servers behind.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..')))
from emulator.server import Emulator, Options  # noqa: E402  pylint: disable=wrong-import-position,import-error
ACCOUNT = 'AC00000000000000000000000000000001'
TOKEN = 'fake-auth-token-0001'
API_KEY = 'SK00000000000000000000000000000001'
API_SECRET = 'fake-api-key-secret-0001'
SERVICE = 'IS00000000000000000000000000000001'
GENERATED = 230


@pytest.fixture(scope='module')
def emulator():
    server = Emulator(Options(generate=GENERATED, lifetime=300)).start()
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture
def base_url(emulator):
    requests.post(emulator + '/_emulator/reset', timeout=10).raise_for_status()
    return emulator


def set_faults(base_url, **faults):
    requests.put(base_url + '/_emulator/faults', data=json.dumps(faults), timeout=10).raise_for_status()


def stats(base_url):
    return requests.get(base_url + '/_emulator/stats', timeout=10).json()


def client_for(base_url, **options):
    options.setdefault('auth_token', TOKEN)
    options.setdefault('max_retries', 3)
    options.setdefault('timeout', 10)
    return TwilioClient(ACCOUNT, api_base_url=base_url, **options)


def test_twilio_host_follows_the_sdk_rules():
    assert twilio_host('chat') == 'chat.twilio.com'
    assert twilio_host('chat', region='ie1') == 'chat.ie1.twilio.com'
    assert twilio_host('conversations', region='ie1', edge='dublin') == 'conversations.dublin.ie1.twilio.com'
    assert twilio_host('chat', edge='sydney') == 'chat.sydney.us1.twilio.com'


def test_client_builds_urls_for_region_and_edge_without_a_base_url():
    client = TwilioClient(ACCOUNT, auth_token=TOKEN, region='au1', edge='sydney')
    assert client.url('chat', '/v3/Services/x') == 'https://chat.sydney.au1.twilio.com/v3/Services/x'
    assert client.url('conversations', '/v1/x') == 'https://conversations.sydney.au1.twilio.com/v1/x'


@pytest.mark.parametrize('url', ['http://twilio-proxy.example.com', 'http://10.1.2.3:8080'])
def test_plain_http_to_a_remote_host_is_refused(url):
    with pytest.raises(TwilioError, match='clear text'):
        check_api_base_url(url)


@pytest.mark.parametrize('url', ['http://127.0.0.1:8080/', 'http://localhost:1', 'http://[::1]:8080', 'https://proxy.example.com'])
def test_loopback_http_and_any_https_are_accepted(url):
    assert check_api_base_url(url) == url.rstrip('/')


@pytest.mark.parametrize('url', ['ftp://x', 'proxy.example.com', 'https://user:pw@proxy.example.com', 'https://proxy.example.com/?a=1'])
def test_malformed_base_urls_are_refused(url):
    with pytest.raises(TwilioError):
        check_api_base_url(url)


def test_user_agent_names_the_collection_and_its_stack():
    agent = user_agent()
    assert agent.startswith('twilio_ops.chat/')
    assert 'ansible-core/' in agent and 'python-requests/' in agent


def test_retry_after_is_capped():
    assert build_retry(3).parse_retry_after('3600') == RETRY_AFTER_CAP_SECONDS
    assert build_retry(3).parse_retry_after('2') == 2


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
    state = requests.get(base_url + '/_emulator/channels', params={'service': SERVICE}, timeout=10).json()
    state_channels = state['channels'] if isinstance(state, dict) else state
    assert len(sids) == len(set(sids)) == len(state_channels)
    assert stats(base_url)['by_route']['GET /v2/Services/{ServiceSid}/Channels'] > len(sids) // 25


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


class _Redirecting(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # pylint: disable=invalid-name
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.send_response(302)
        self.send_header('Location', 'http://127.0.0.1:9/elsewhere?token=secret')
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


def test_a_redirect_is_never_followed():
    server = http.server.HTTPServer(('127.0.0.1', 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url='http://127.0.0.1:%d' % server.server_address[1], max_retries=0)
        with pytest.raises(TwilioError) as caught:
            client.update_channel(SERVICE, 'CH00000000000000000000000000000001', {'Type': 'private'})
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.status == 302
    assert 'redirect to 127.0.0.1:9' in str(caught.value) and 'secret' not in str(caught.value)


def test_refused_base_url_message_does_not_echo_a_password():
    for url in ('ftp://user:hunter2@proxy.example.com', 'user:hunter2@proxy.example.com', 'https://proxy.example.com/?key=hunter2'):
        with pytest.raises(TwilioError) as caught:
            check_api_base_url(url)
        assert 'hunter2' not in str(caught.value)


def test_connection_refused_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    with pytest.raises(TwilioError, match='cannot connect to 127.0.0.1:%d' % port):
        TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url='http://127.0.0.1:%d' % port, max_retries=1).fetch_channel(SERVICE, 'general')


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(8)
        client = TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url='http://127.0.0.1:%d' % silent.getsockname()[1],
                              timeout=0.3, max_retries=0)
        with pytest.raises(TwilioError, match='within 0.3 seconds'):
            client.fetch_channel(SERVICE, 'general')


def test_one_client_serves_many_threads(base_url):
    client = client_for(base_url, pool_size=8)
    names = ['general', 'random', 'team lounge'] * 20
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        sids = list(pool.map(lambda name: client.fetch_channel(SERVICE, name)['sid'], names))
    assert sids[:3] == ['CH00000000000000000000000000000001', 'CH00000000000000000000000000000002', 'CH00000000000000000000000000000003']
    assert len(set(sids)) == 3
