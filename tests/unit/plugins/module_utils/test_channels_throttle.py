# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bulk engine's adaptive concurrency, on a fake clock, and the client call it uses against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys
import threading
import time

import pytest
import requests

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    TwilioClient,
    TwilioError,
    concurrent_requests,
    retry_after_seconds,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._throttle import PROBE_WINDOWS, AdaptiveLimiter

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..')))
from emulator.server import Emulator, Options  # noqa: E402  pylint: disable=wrong-import-position,import-error

ACCOUNT = 'AC00000000000000000000000000000001'
TOKEN = 'fake-auth-token-0001'
SERVICE = 'IS00000000000000000000000000000001'


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def succeed(limiter, times, account_in_flight=None):
    for dummy in range(times):
        ticket = limiter.acquire()
        limiter.on_success(ticket, account_in_flight)
        limiter.release()


def test_starts_at_the_ceiling_and_never_goes_above_it():
    limiter = AdaptiveLimiter(4)
    tickets = [limiter.acquire() for dummy in range(4)]
    assert limiter.in_flight == 4 == limiter.width
    for ticket in tickets:
        limiter.on_success(ticket)
        limiter.release()
    succeed(limiter, 100)
    assert limiter.width == 4


def test_a_429_halves_the_width_once_per_narrowing():
    limiter = AdaptiveLimiter(10)
    tickets = [limiter.acquire() for dummy in range(10)]
    # Ten writes sent at width 10 all come back 429: only the first narrows, the others were sent before it.
    for ticket in tickets:
        limiter.on_throttle(ticket)
        limiter.release()
    assert limiter.width == 5
    assert limiter.throttled == 10
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter.width == 2


def test_width_stays_at_least_one():
    limiter = AdaptiveLimiter(1)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter.width == 1


def test_widens_by_one_per_window_of_successes_then_probes_the_throttled_width_rarely():
    limiter = AdaptiveLimiter(10)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)      # throttled at 10: width 5
    limiter.release()
    assert limiter.width == 5
    succeed(limiter, 5)
    assert limiter.width == 6
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)      # throttled at 6: width 3
    limiter.release()
    succeed(limiter, 3)
    assert limiter.width == 4
    succeed(limiter, 4)
    assert limiter.width == 5
    # 5 + 1 reaches the width last throttled: probe only after PROBE_WINDOWS windows.
    succeed(limiter, PROBE_WINDOWS * 5 - 1)
    assert limiter.width == 5
    succeed(limiter, 1)
    assert limiter.width == 6


def test_retry_after_pauses_every_new_write_of_the_pool():
    clock = FakeClock()
    limiter = AdaptiveLimiter(4, clock=clock)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket, retry_after=2.0)
    limiter.release()
    acquired = threading.Event()

    def writer():
        limiter.acquire()
        acquired.set()

    thread = threading.Thread(target=writer)
    thread.daemon = True
    thread.start()
    assert not acquired.wait(0.3)
    clock.now += 2.0
    with limiter._condition:
        # A real clock needs no nudge: acquire() waits exactly until the pause ends.
        limiter._condition.notify_all()
    assert acquired.wait(5)


def test_the_first_narrowing_without_retry_after_does_not_pause_later_ones_back_off():
    clock = FakeClock()
    limiter = AdaptiveLimiter(8, clock=clock)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter._pause_until <= clock.now
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter._pause_until == clock.now + 0.5
    clock.now += 0.5
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter._pause_until == clock.now + 1.0
    # A success ends the streak.
    clock.now += 1.0
    succeed(limiter, 1)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter._pause_until <= clock.now


def test_acquire_waits_for_room_in_the_width():
    limiter = AdaptiveLimiter(2)
    tickets = [limiter.acquire(), limiter.acquire()]
    acquired = threading.Event()
    thread = threading.Thread(target=lambda: (limiter.acquire(), acquired.set()))
    thread.daemon = True
    thread.start()
    assert not acquired.wait(0.2)
    limiter.on_success(tickets[0])
    limiter.release()
    assert acquired.wait(5)


def test_the_account_budget_narrows_by_the_excess_and_holds_at_it():
    limiter = AdaptiveLimiter(10, budget=6)
    assert limiter.width == 6
    ticket = limiter.acquire()
    limiter.on_success(ticket, account_in_flight=8)
    limiter.release()
    assert limiter.width == 4
    assert limiter.throttled == 0
    succeed(limiter, 50, account_in_flight=6)
    assert limiter.width == 4
    succeed(limiter, 4, account_in_flight=5)
    assert limiter.width == 5


def test_the_width_never_exceeds_the_account_budget():
    assert AdaptiveLimiter(10, budget=4).width == 4
    assert AdaptiveLimiter(3, budget=4).width == 3


def test_many_threads_never_exceed_the_width():
    limiter = AdaptiveLimiter(5)
    seen = []
    lock = threading.Lock()

    def writer(n):
        ticket = limiter.acquire()
        with lock:
            seen.append(limiter.in_flight)
        time.sleep(0.001)
        if n % 7 == 0:
            limiter.on_throttle(ticket, retry_after=0)
        else:
            limiter.on_success(ticket)
        limiter.release()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert max(seen) <= 5
    assert limiter.in_flight == 0


# --- the client's call for the bulk engine, against the emulator -------------------------

@pytest.fixture(scope='module')
def emulator():
    server = Emulator(Options(generate=20, lifetime=300)).start()
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


def first_public_sid(client):
    return next(iter(client.list_channels(SERVICE, ['public'])))['sid']


def test_send_channel_update_hands_a_429_back_at_once_with_its_headers(base_url):
    client = TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url=base_url, max_retries=3, timeout=10)
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
    client = TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url=base_url, max_retries=3, timeout=10)
    channel_sid = first_public_sid(client)
    set_faults(base_url, rules=[{'method': 'POST', 'path_regex': '^/v3/', 'status': 503, 'times': 1}])
    answer = client.send_channel_update(SERVICE, channel_sid, {'Type': 'private'})
    assert answer.retries == 1 and answer.body['type'] == 'private'


def test_update_channel_keeps_retrying_429_itself(base_url):
    client = TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url=base_url, max_retries=3, timeout=10)
    channel_sid = first_public_sid(client)
    set_faults(base_url, rules=[{'method': 'POST', 'path_regex': '^/v3/', 'status': 429, 'times': 1, 'retry_after': 0}])
    assert client.update_channel(SERVICE, channel_sid, {'Type': 'private'})['type'] == 'private'


def test_header_helpers_tolerate_missing_and_malformed_values():
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({'Retry-After': 'soon'}) is None
    assert retry_after_seconds({'Retry-After': '3600'}) == 30.0
    assert concurrent_requests({}) is None
    assert concurrent_requests({'Twilio-Concurrent-Requests': 'x'}) is None
    assert concurrent_requests({'Twilio-Concurrent-Requests': '7'}) == 7
