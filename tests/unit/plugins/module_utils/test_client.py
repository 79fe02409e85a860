# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Twilio client offline: URL rules, settings, and answers from tiny local sockets.

The tests of the client against the emulator are in tests/emulator/tests/test_collection_client.py.
"""

import http.server
import socket
import threading

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    RETRY_AFTER_CAP_SECONDS,
    TwilioClient,
    TwilioError,
    build_retry,
    check_api_base_url,
    twilio_host,
    user_agent,
)

ACCOUNT = 'AC00000000000000000000000000000001'
TOKEN = 'fake-auth-token-0001'
SERVICE = 'IS00000000000000000000000000000001'


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
