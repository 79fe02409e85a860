# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency limit, injected faults, statistics and the admin API."""

import http.client
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import ACCOUNT, OTHER_ACCOUNT, OTHER_SERVICE, PUBLIC_CH, SERVICE, AdminError, Client, start_emulator

CHANNEL = '/v2/Services/%s/Channels/%s' % (SERVICE, PUBLIC_CH)
V3_CHANNEL = '/v3/Services/%s/Channels/%s' % (SERVICE, PUBLIC_CH)


def error_code(response):
    return response.json()['code']


class TestConcurrency:
    def test_limit_answers_429_20429(self, tmp_path):
        server = start_emulator(tmp_path, concurrency_limit=3, latency_ms=300)
        try:
            api = Client(server.base_url)
            with ThreadPoolExecutor(max_workers=10) as pool:
                responses = list(pool.map(lambda _n: api.get(CHANNEL), range(10)))
            statuses = sorted(response.status for response in responses)
            assert statuses.count(200) >= 3 and statuses.count(429) >= 1, statuses
            for response in responses:
                if response.status == 429:
                    assert response.json() == {'code': 20429, 'message': 'Too Many Requests',
                                               'more_info': 'https://www.twilio.com/docs/errors/20429', 'status': 429}
                    assert response.header('Retry-After') is None
                    assert int(response.header('Twilio-Concurrent-Requests')) > 3
            stats = api.admin.stats()
            assert stats['max_in_flight'][ACCOUNT] >= 4
            assert stats['by_status']['429'] == statuses.count(429)
        finally:
            server.stop()

    def test_unlimited(self, tmp_path):
        server = start_emulator(tmp_path, concurrency_limit=0, latency_ms=100)
        try:
            api = Client(server.base_url)
            with ThreadPoolExecutor(max_workers=8) as pool:
                statuses = [response.status for response in pool.map(lambda _n: api.get(CHANNEL), range(8))]
            assert statuses == [200] * 8
        finally:
            server.stop()


class TestFaults:
    def test_rate_faults_are_deterministic_and_shaped(self, tmp_path):
        server = start_emulator(tmp_path, random_seed=3, faults={'rate_429': 0.3, 'rate_500': 0.2, 'rate_503': 0.2})
        try:
            api = Client(server.base_url)
            responses = [api.get(CHANNEL) for _n in range(40)]
            by_status = dict((status, [r for r in responses if r.status == status]) for status in (200, 429, 500, 503))
            assert all(by_status.values()), [r.status for r in responses]
            assert all(r.header('Retry-After') == '1' and error_code(r) == 20429 for r in by_status[429])
            assert all(error_code(r) == 20500 for r in by_status[500])
            assert all(error_code(r) == 20503 and r.header('Content-Type') == 'application/json' for r in by_status[503])
            assert all(r.header('Twilio-Request-Id').startswith('RQ') for r in responses)
        finally:
            server.stop()
        again = start_emulator(tmp_path, random_seed=3, faults={'rate_429': 0.3, 'rate_500': 0.2, 'rate_503': 0.2})
        try:
            api = Client(again.base_url)
            assert [api.get(CHANNEL).status for _n in range(40)] == [r.status for r in responses]
        finally:
            again.stop()

    def test_permanently_failing_channel_rule(self, client):
        config = client.admin.set_faults({'rules': [{'method': 'POST', 'path_regex': PUBLIC_CH, 'status': 500}]})
        assert config['rules'][0]['times'] is None
        for _attempt in range(5):
            assert client.post(V3_CHANNEL, {'Type': 'private'}).status == 500
        assert client.get(CHANNEL).status == 200
        channels = client.admin.channels(SERVICE)
        assert [c['type'] for c in channels if c['sid'] == PUBLIC_CH] == ['public']

    def test_counted_rule_then_success(self, client):
        client.admin.set_faults({'rules': [{'method': 'GET', 'path_regex': r'/Channels/CH', 'status': 429, 'times': 2}]})
        first, second, third = [client.get(CHANNEL) for _n in range(3)]
        assert (first.status, second.status, third.status) == (429, 429, 200)
        assert first.header('Retry-After') == '1'
        config = client.admin.faults()
        assert config['rules'][0]['times'] == 0

    def test_html_502_and_drop(self, client):
        client.admin.set_faults({'rules': [{'path_regex': 'Channels$', 'html': True, 'times': 1},
                                           {'path_regex': PUBLIC_CH, 'drop': True, 'times': 1}]})
        response = client.get('/v2/Services/%s/Channels' % SERVICE)
        assert response.status == 502 and response.header('Content-Type') == 'text/html'
        assert b'502 Bad Gateway' in response.body
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            client.get(CHANNEL)
        assert client.get(CHANNEL).status == 200
        stats = client.admin.stats()
        assert stats['by_status'].get('dropped') == 1

    def test_drop_rate(self, client):
        client.admin.set_faults({'rate_drop': 1.0})
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            client.get(CHANNEL)
        client.admin.clear_faults()
        assert client.get(CHANNEL).status == 200

    @pytest.mark.parametrize('config', [{'rate_429': 2}, {'rate_429': 0.6, 'rate_500': 0.6}, {'rules': [{'path_regex': '('}]},
                                        {'rules': [{'status': 99}]}, {'bogus': 1}, {'rules': [{'times': -1}]}])
    def test_bad_configuration(self, client, config):
        with pytest.raises(AdminError) as caught:
            client.admin.set_faults(config)
        assert caught.value.status == 400 and caught.value.body['error']

    def test_admin_is_never_faulted(self, client):
        client.admin.set_faults({'rate_503': 1.0})
        assert client.admin.stats()['total'] == 0


class TestStatsAndAdmin:
    def test_stats_count_api_requests_only(self, client):
        client.get(CHANNEL)
        client.get('/v2/Services/%s/Channels' % SERVICE)
        client.post(V3_CHANNEL, {'Type': 'private'})
        client.get(CHANNEL, auth=None)
        client.admin.channels(SERVICE)
        stats = client.admin.stats()
        assert stats['total'] == 4 and stats['writes'] == 1
        assert stats['by_method'] == {'GET': 3, 'POST': 1}
        assert stats['by_route'] == {'GET /v2/Services/{ServiceSid}/Channels/{Sid}': 2, 'GET /v2/Services/{ServiceSid}/Channels': 1,
                                     'POST /v3/Services/{ServiceSid}/Channels/{Sid}': 1}
        assert stats['by_status'] == {'200': 3, '401': 1}
        assert stats['max_in_flight'] == {ACCOUNT: 1}
        assert client.admin.reset_stats()['total'] == 0
        assert client.admin.stats()['total'] == 0

    def test_reset_restores_seed(self, client):
        client.post(V3_CHANNEL, {'Type': 'private'})
        client.admin.set_faults({'rate_500': 0.5})
        assert client.admin.reset() == {'status': 'reset'}
        channels = client.admin.channels(SERVICE)
        assert [c['type'] for c in channels if c['sid'] == PUBLIC_CH] == ['public']
        assert client.admin.faults()['rate_500'] == 0.0
        assert client.admin.stats()['total'] == 0

    def test_channels_endpoint(self, client):
        channels = client.admin.channels(OTHER_SERVICE, OTHER_ACCOUNT)
        assert [c['unique_name'] for c in channels] == ['theirs']
        assert {'sid', 'unique_name', 'friendly_name', 'attributes', 'type', 'messaging_service_sid', 'members_count',
                'messages_count', 'date_updated', 'date_created'} <= set(channels[0])
        for call, status in ((lambda: client.admin.channels(OTHER_SERVICE, ACCOUNT), 404),
                             (lambda: client.admin.call('GET', 'channels'), 400),
                             (lambda: client.admin.call('GET', 'nothing'), 404),
                             (lambda: client.admin.call('POST', 'stats'), 405)):
            with pytest.raises(AdminError) as caught:
                call()
            assert caught.value.status == status and caught.value.body['error']

    def test_shutdown(self, tmp_path):
        server = start_emulator(tmp_path)
        assert Client(server.base_url).admin.shutdown() == {'status': 'shutting down'}
        server._thread.join(10)  # pylint: disable=protected-access
        assert not server._thread.is_alive()  # pylint: disable=protected-access
