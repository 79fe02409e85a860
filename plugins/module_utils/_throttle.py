# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How many bulk writes may be in flight: the adaptive concurrency of the bulk engine.

This is a private module_utils of twilio_ops.chat, not a public API.

Twilio limits concurrent requests per account, and the account's production
traffic shares that limit, so the bulk engine looks for the width the account
allows and stays just under it instead of bouncing off it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import threading
import time

# Above the width that was last throttled, widen only after this many windows of successes.
PROBE_WINDOWS = 20
# A 429 narrows the width to this share of it (and by one at least). A gentler cut than halving keeps the
# width just under a small account limit (at a limit of 4: 3, not 2) and still leaves a sudden drop fast.
NARROWING_FACTOR = 0.75
# Pauses after a 429 without Retry-After at width 1, where narrowing cannot help: 0.5 s, 1 s, 2 s ... up to the cap.
THROTTLE_BACKOFF_SECONDS = 0.5
THROTTLE_BACKOFF_MAX_SECONDS = 20.0


class AdaptiveLimiter:
    """A width between 1 and a ceiling that the submitting thread respects; thread-safe.

    The rule (additive increase, multiplicative decrease, remembering where it was throttled):

    * The width starts at the ceiling (the module's ``concurrency``). acquire() waits until
      fewer than ``width`` requests are in flight and no pause is running, and returns a ticket;
      slot() does the same around a read, which takes a place but does not teach the width.
    * Narrow: a 429 (or Twilio error 20429) to a write sent since the last narrowing cuts the
      width to three quarters, by one at least (and never below 1), and remembers the width that
      was throttled; a 429 to a probe (below) steps back by one only, to the width that held.
      Writes sent before the last narrowing may still come back 429; they are counted, but do
      not narrow again.
    * With a ``budget`` (``max_account_concurrency``), the ceiling is at most the budget (this task's
      own requests count in it too), an answer whose ``Twilio-Concurrent-Requests`` is above the budget
      narrows by the excess (at least 1 is kept, nothing is paused), and one equal to the budget does
      not count towards widening.
    * Widen by 1 after ``width`` successes in a row (about one round trip of writes), up to the
      ceiling; when the next width would reach the width last throttled, only after
      ``PROBE_WINDOWS * width`` successes: the engine probes the account's limit rarely. A probe
      ends once the probed width has had a window of successes.
    * Pause: a ``Retry-After`` stops new writes of the whole pool until it has passed (one shared
      pause-until time; writes in flight go on). Without one, narrowing is the answer while there
      is room to narrow (a burst of 429 answers at a start far above the account's limit costs
      no pause); a 429 at width 1 pauses 0.5 s, then 1 s, 2 s ... up to 20 s while 429 answers
      follow each other without a success between them.
    """

    def __init__(self, ceiling, budget=None, clock=time.monotonic):
        self.ceiling = max(1, min(ceiling, budget) if budget else ceiling)
        self.budget = budget
        self.width = self.ceiling
        self.in_flight = 0
        self.throttled = 0
        self._clock = clock
        self._condition = threading.Condition()
        self._generation = 0
        self._successes = 0
        self._throttled_width = None
        self._probing = False
        self._backoffs = 0
        self._pause_until = 0.0

    def acquire(self):
        """Wait for room in the current width and the end of any pause; return the write's ticket."""
        with self._condition:
            while True:
                wait = self._pause_until - self._clock()
                if wait <= 0 and self.in_flight < self.width:
                    self.in_flight += 1
                    return self._generation
                self._condition.wait(wait if wait > 0 else None)

    def release(self):
        """A write acquired before has its answer (whatever it was)."""
        with self._condition:
            self.in_flight -= 1
            self._condition.notify_all()

    @contextlib.contextmanager
    def slot(self):
        """Hold a place in the width around a read of the engine's own (a list page, a channel read).

        Twilio counts reads against the same per-account limit as writes: a reader outside the width
        would push the account one request over it at every page.
        """
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def on_success(self, ticket, account_in_flight=None):
        """A write succeeded; account_in_flight is its Twilio-Concurrent-Requests header, if any."""
        with self._condition:
            self._backoffs = 0
            if self.budget is not None and account_in_flight is not None:
                if account_in_flight > self.budget:
                    if ticket == self._generation:
                        self._narrow(max(1, self.width - (account_in_flight - self.budget)))
                    return
                if account_in_flight == self.budget:
                    return
            self._successes += 1
            if self._probing and self._successes >= self.width:
                # The probed width held for a window: the account allows it now.
                self._probing = False
            probing = self._throttled_width is not None and self.width + 1 >= self._throttled_width
            if self.width < self.ceiling and self._successes >= self.width * (PROBE_WINDOWS if probing else 1):
                self.width += 1
                self._successes = 0
                self._probing = probing
                self._condition.notify_all()

    def on_throttle(self, ticket, retry_after=None):
        """A write was answered 429; retry_after is its Retry-After in seconds, if any."""
        with self._condition:
            self.throttled += 1
            pause = retry_after or 0.0
            if ticket == self._generation:
                if retry_after is None and self.width == 1:
                    pause = min(THROTTLE_BACKOFF_MAX_SECONDS, THROTTLE_BACKOFF_SECONDS * 2 ** self._backoffs)
                    self._backoffs += 1
                # A failed probe goes back to the width that held; any other 429 means the account's room shrank.
                narrower = self.width - 1 if self._probing else int(self.width * NARROWING_FACTOR)
                self._throttled_width = self.width
                self._narrow(max(1, min(self.width - 1, narrower)))
            if pause > 0:
                self._pause_until = max(self._pause_until, self._clock() + pause)

    def _narrow(self, width):
        self.width = width
        self._generation += 1
        self._successes = 0
        self._probing = False
