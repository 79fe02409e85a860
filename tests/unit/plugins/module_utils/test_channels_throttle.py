# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bulk engine's adaptive concurrency, on a fake clock (the client call it uses is tested against the emulator in tests/emulator)."""

import threading
import time

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import concurrent_requests, retry_after_seconds
from ansible_collections.twilio_ops.chat.plugins.module_utils._throttle import PROBE_WINDOWS, AdaptiveLimiter


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


def test_a_429_narrows_the_width_to_three_quarters_once_per_narrowing():
    limiter = AdaptiveLimiter(10)
    tickets = [limiter.acquire() for dummy in range(10)]
    # Ten writes sent at width 10 all come back 429: only the first narrows, the others were sent before it.
    for ticket in tickets:
        limiter.on_throttle(ticket)
        limiter.release()
    assert limiter.width == 7
    assert limiter.throttled == 10
    for expected in (5, 3, 2, 1, 1):
        ticket = limiter.acquire()
        # Retry-After 0: no pause between these narrowings, so the test does not wait for one.
        limiter.on_throttle(ticket, retry_after=0)
        limiter.release()
        assert limiter.width == expected


def test_near_a_small_limit_the_width_stays_one_under_it():
    """At an account limit of 4, the width settles at 3 and probes 4 only rarely."""
    limiter = AdaptiveLimiter(4)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter.width == 3
    succeed(limiter, PROBE_WINDOWS * 3 - 1)
    assert limiter.width == 3
    succeed(limiter, 1)
    assert limiter.width == 4


def test_width_stays_at_least_one():
    limiter = AdaptiveLimiter(1)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)
    limiter.release()
    assert limiter.width == 1


def test_widens_by_one_per_window_of_successes_then_probes_the_throttled_width_rarely():
    limiter = AdaptiveLimiter(10)
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)      # throttled at 10: width 7
    limiter.release()
    assert limiter.width == 7
    succeed(limiter, 7)
    assert limiter.width == 8
    ticket = limiter.acquire()
    limiter.on_throttle(ticket)      # throttled at 8: width 6
    limiter.release()
    assert limiter.width == 6
    succeed(limiter, 6)
    assert limiter.width == 7
    # 7 + 1 reaches the width last throttled: probe only after PROBE_WINDOWS windows.
    succeed(limiter, PROBE_WINDOWS * 7 - 1)
    assert limiter.width == 7
    succeed(limiter, 1)
    assert limiter.width == 8


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


def throttle(limiter, retry_after=None):
    ticket = limiter.acquire()
    limiter.on_throttle(ticket, retry_after)
    limiter.release()


def test_without_retry_after_narrowing_answers_until_width_1_where_429s_in_a_row_back_off():
    clock = FakeClock()
    limiter = AdaptiveLimiter(4, clock=clock)
    # A burst of 429 answers far above the limit (they come back before any success) costs no pause.
    for width in (3, 2, 1):
        throttle(limiter)
        assert limiter.width == width
        assert limiter._pause_until <= clock.now
    for pause in (0.5, 1.0, 2.0):
        throttle(limiter)
        assert limiter._pause_until == clock.now + pause
        clock.now += pause
    # A success ends the back-off.
    succeed(limiter, 1)
    throttle(limiter)
    assert limiter._pause_until == clock.now + 0.5


def test_the_back_off_is_capped():
    clock = FakeClock()
    limiter = AdaptiveLimiter(1, clock=clock)
    for dummy in range(12):
        throttle(limiter)
        clock.now = limiter._pause_until
    throttle(limiter)
    assert limiter._pause_until == clock.now + 20.0


def test_a_429_to_a_probe_steps_back_by_one_to_the_width_that_held():
    limiter = AdaptiveLimiter(8)
    throttle(limiter, retry_after=0)
    assert limiter.width == 6
    succeed(limiter, 6)
    assert limiter.width == 7
    succeed(limiter, PROBE_WINDOWS * 7)
    assert limiter.width == 8
    # The probe of 8 is throttled: back to 7, which held, not to three quarters of 8.
    throttle(limiter, retry_after=0)
    assert limiter.width == 7
    succeed(limiter, PROBE_WINDOWS * 7)
    assert limiter.width == 8
    # Once 8 has held for a window, the account allows it: a 429 there is a drop again, cut to three quarters.
    succeed(limiter, 8)
    throttle(limiter, retry_after=0)
    assert limiter.width == 6


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


def test_a_read_slot_takes_a_place_in_the_width_and_gives_it_back_even_when_the_read_fails():
    limiter = AdaptiveLimiter(2)
    ticket = limiter.acquire()
    with limiter.slot():
        assert limiter.in_flight == 2
    try:
        with limiter.slot():
            raise ValueError('the read failed')
    except ValueError:
        pass
    assert limiter.in_flight == 1
    limiter.on_success(ticket)
    limiter.release()
    assert (limiter.in_flight, limiter.width, limiter.throttled) == (0, 2, 0)


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


def test_header_helpers_tolerate_missing_and_malformed_values():
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({'Retry-After': 'soon'}) is None
    assert retry_after_seconds({'Retry-After': '3600'}) == 30.0
    assert concurrent_requests({}) is None
    assert concurrent_requests({'Twilio-Concurrent-Requests': 'x'}) is None
    assert concurrent_requests({'Twilio-Concurrent-Requests': '7'}) == 7
