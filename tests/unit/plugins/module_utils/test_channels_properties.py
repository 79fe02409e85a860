# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Properties of the planning engine and of the bulk runner, for any mix of channel states (Hypothesis)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import os
import tempfile
import threading
import time
from unittest import mock

from hypothesis import HealthCheck, example, given, settings, strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from ansible_collections.twilio_ops.chat.plugins.module_utils import _throttle
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    BulkMigration,
    MigrationJournal,
    migration_state,
    plan_channel_change,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioAnswer, TwilioError

SERVICE = 'IS' + '1' * 32
MESSAGING_SERVICES = ['MG' + digit * 32 for digit in 'abc']
# The account's default, which Twilio gives a channel migrated without a messaging service.
DEFAULT_MG = MESSAGING_SERVICES[0]
# No example database and no .hypothesis/ directory in the tree (Hypothesis also caches there), and no
# deadline: the bulk runs use threads.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix='hypothesis-'))
SETTINGS = dict(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

states = st.tuples(st.sampled_from(['public', 'private']), st.sampled_from([None] + MESSAGING_SERVICES)).map(
    lambda state: {'type': state[0], 'messaging_service_sid': None if state[0] == 'public' else state[1]})
wanted = st.one_of(
    st.tuples(st.just('private'), st.sampled_from([None] + MESSAGING_SERVICES)),
    st.just(('public', None)),
)


def sid(n):
    return 'CH%032x' % n


def differs(state, wanted_type, wanted_messaging_service_sid):
    """The decision table, written independently of plan_channel_change."""
    if wanted_type == 'public':
        return False
    return state['type'] != 'private' or bool(wanted_messaging_service_sid) and state['messaging_service_sid'] != wanted_messaging_service_sid


@settings(max_examples=200, **SETTINGS)
@given(st.lists(states, max_size=30), wanted)
def test_the_planned_writes_are_exactly_the_channels_whose_state_differs(channel_states, target):
    wanted_type, wanted_mg = target
    channels = [dict(state, sid=sid(n), unique_name='c%d' % n) for n, state in enumerate(channel_states)]
    plans = [plan_channel_change(c, wanted_type, wanted_mg) for c in channels]
    assert [p.sid for p in plans if p.changed] == [c['sid'] for c in channels if differs(c, wanted_type, wanted_mg)]
    for channel, plan in zip(channels, plans):
        assert set(plan.update) <= {'Type', 'MessagingServiceSid'}
        assert bool(plan.update) == plan.changed
        assert plan.before == migration_state(channel)
        # Only the way back to public is refused, and it never writes.
        assert bool(plan.refusal) == (wanted_type == 'public' and channel['type'] == 'private')


@settings(max_examples=200, **SETTINGS)
@given(st.lists(states, max_size=30), wanted)
def test_applying_the_plan_then_planning_again_yields_no_write(channel_states, target):
    wanted_type, wanted_mg = target
    for n, state in enumerate(channel_states):
        channel = dict(state, sid=sid(n), unique_name=None)
        plan = plan_channel_change(channel, wanted_type, wanted_mg)
        if plan.refusal:
            continue
        applied = dict(channel, **plan.after)
        again = plan_channel_change(applied, wanted_type, wanted_mg)
        assert not again.changed and again.update == {} and again.refusal is None


class ScriptedClient:
    """A service in memory whose writes answer from a per-channel script: 'ok', '429' or '500', with small delays.

    Lists page by offset over the live filtered list when offset_paging is set (migrated channels
    shift later pages), by a snapshot otherwise; with overlap, each page repeats the last item
    of the one before. Thread-safe; records every write that succeeded, and the most requests
    (page reads, channel reads and writes) it ever had in flight at once.
    """

    PAGE = 3

    def __init__(self, channels, scripts, offset_paging, delays, overlap=False):
        self.channels = dict((c['sid'], dict(c)) for c in channels)
        self.overlap = overlap
        self.scripts = dict((key, list(script)) for key, script in scripts.items())
        self.offset_paging = offset_paging
        self.delays = delays
        self.lock = threading.Lock()
        self.written = []
        self.throttled = 0
        self.max_retries = 2
        self.in_flight = 0
        self.peak_in_flight = 0

    @contextlib.contextmanager
    def _request(self):
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            # A request takes a moment, so that overlapping ones are seen overlapping.
            time.sleep(0.0005)
            yield
        finally:
            with self.lock:
                self.in_flight -= 1

    def _pages(self, select, gate):
        offset = 0
        snapshot = None if self.offset_paging else select()
        while True:
            # Like the real client: the gate is held around each page's request, not while its items are used.
            with gate() if gate else contextlib.suppress():
                with self._request(), self.lock:
                    items = select() if self.offset_paging else snapshot
                    page = [dict(c) for c in items[offset:offset + self.PAGE]]
            if not page:
                return
            offset += self.PAGE - 1 if self.overlap else self.PAGE
            yield from page

    def list_channels(self, service_sid, types, page_size=100, gate=None):
        return self._pages(lambda: [c for c in self.channels.values() if c['type'] in types], gate)

    def list_conversations(self, service_sid, page_size=100, gate=None):
        return self._pages(lambda: [dict(c, chat_service_sid=SERVICE) for c in self.channels.values() if c['type'] == 'private'], gate)

    def fetch_channel(self, service_sid, name):
        with self._request(), self.lock:
            for channel in self.channels.values():
                if name in (channel['sid'], channel['unique_name']):
                    return dict(channel)
        raise TwilioError('Channel %r was not found' % name, status=404, code=20404)

    def fetch_conversation(self, service_sid, conversation_sid):
        with self._request(), self.lock:
            return dict(self.channels[conversation_sid], chat_service_sid=SERVICE)

    def send_channel_update(self, service_sid, channel_sid, fields, webhook_enabled=None):
        with self._request():
            return self._answer_update(channel_sid, fields)

    def _answer_update(self, channel_sid, fields):
        with self.lock:
            script = self.scripts.get(channel_sid) or ['ok']
            answer = script.pop(0) if len(script) > 1 else script[0]
            delay = self.delays.get(channel_sid, 0)
        time.sleep(delay)
        if answer == '429':
            with self.lock:
                self.throttled += 1
            raise TwilioError('Too Many Requests', status=429, code=20429, headers={'Retry-After': '0'} if delay else {})
        if answer == '500':
            raise TwilioError('Internal error', status=500, code=20500, request_id='RQ' + channel_sid[2:])
        with self.lock:
            channel = self.channels[channel_sid]
            channel['type'] = 'private'
            channel['messaging_service_sid'] = fields.get('MessagingServiceSid') or channel['messaging_service_sid'] or DEFAULT_MG
            self.written.append(channel_sid)
            return TwilioAnswer(dict(channel), {'Twilio-Request-Id': 'RQ' + channel_sid[2:]}, 0)


channel_cases = st.lists(
    st.tuples(states, st.lists(st.sampled_from(['ok', '429', '429', '500']), min_size=1, max_size=4),
              st.sampled_from([0, 0, 0.001, 0.003])),
    min_size=1, max_size=25)
PUBLIC = {'type': 'public', 'messaging_service_sid': None}


def expected_outcome(state, script, wanted_mg, max_retries):
    if not differs(state, 'private', wanted_mg):
        return None
    for attempt, answer in enumerate(script + [script[-1]] * (max_retries + 1)):
        if answer == 'ok':
            return 'migrated'
        if answer == '500' or attempt >= max_retries:
            return 'failed'
    return 'failed'


@settings(max_examples=60, **SETTINGS)
# The edges of max_retries (2 here): throttled twice then migrated, throttled three times and failed.
@example([(PUBLIC, ['429', '429', 'ok'], 0.001), (PUBLIC, ['429', '429', '429', 'ok'], 0)], None, False, 2, 5, None, False)
# Pages that repeat an item: each channel is still written once.
@example([(PUBLIC, ['ok'], 0)] * 8, None, False, 1, 5, None, True)
@given(channel_cases, st.sampled_from([None] + MESSAGING_SERVICES), st.booleans(), st.integers(1, 4), st.integers(0, 8),
       st.one_of(st.none(), st.just('selection')), st.booleans())
def test_the_engine_reports_every_channel_once_and_its_journal_agrees(cases, wanted_mg, offset_paging, concurrency, limit, selection,
                                                                      overlap):
    channels = [dict(state, sid=sid(n), unique_name='c%d' % n) for n, (state, dummy, dummy) in enumerate(cases)]
    scripts = dict((sid(n), script) for n, (dummy, script, dummy) in enumerate(cases))
    delays = dict((sid(n), delay) for n, (dummy, dummy, delay) in enumerate(cases))
    client = ScriptedClient(channels, scripts, offset_paging, delays, overlap)
    # Selections mix SIDs, unique names and one channel that does not exist.
    chosen = None
    if selection:
        chosen = [c['sid'] if n % 2 else c['unique_name'] for n, c in enumerate(channels) if n % 3 != 1] + ['missing']
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, 'journal.jsonl')
    journal = MigrationJournal(path)
    with mock.patch.object(_throttle, 'THROTTLE_BACKOFF_SECONDS', 0.001):
        migration = BulkMigration(client, SERVICE, 'private', wanted_mg, concurrency=concurrency, journal=journal,
                                  channel_results_limit=limit, max_retries=client.max_retries)
        results = migration.run(chosen)
    journal.close()
    with open(path, encoding='utf-8') as handle:
        lines = [json.loads(line) for line in handle]
    os.remove(path)
    os.rmdir(directory)

    in_scope = channels if chosen is None else [c for n, c in enumerate(channels) if n % 3 != 1]
    expected = {}
    for channel in in_scope:
        outcome = expected_outcome(channel, scripts[channel['sid']], wanted_mg, client.max_retries)
        if outcome is not None or chosen is not None:
            expected[channel['sid']] = outcome or 'unchanged'

    # Every channel exactly once: never lost, never twice, never both migrated and failed.
    journal_sids = [line['sid'] for line in lines if line['sid'] is not None]
    assert sorted(journal_sids) == sorted(expected)
    assert dict((line['sid'], line['outcome']) for line in lines if line['sid'] is not None) == expected
    assert len([line for line in lines if line['sid'] is None]) == (1 if chosen is not None else 0)
    # Every migrated line is true: Twilio answered it, and the channel is private with the wanted messaging service.
    migrated = [line['sid'] for line in lines if line['outcome'] == 'migrated']
    assert sorted(migrated) == sorted(client.written)
    for channel_sid in migrated:
        assert client.channels[channel_sid]['type'] == 'private'
        assert not wanted_mg or client.channels[channel_sid]['messaging_service_sid'] == wanted_mg
    # The engine's own reads take a place in its width: the account never sees more than `concurrency` of its requests.
    assert client.peak_in_flight <= concurrency
    # The result agrees with the journal: exact counts, and a bounded, failed-first sample of the same outcomes.
    summary = migration.summary()
    outcomes = [line['outcome'] for line in lines]
    assert summary['total'] == len(lines)
    assert summary['changed'] == outcomes.count('migrated')
    assert summary['failed'] == outcomes.count('failed')
    assert summary['unchanged'] == outcomes.count('unchanged')
    assert summary['left'] == 0
    assert len(results) == min(limit, len(lines))
    failed_first = [r['failed'] for r in results]
    assert failed_first == sorted(failed_first, reverse=True)
    by_sid = dict((line['sid'], line) for line in lines)
    for result in results:
        if result['sid'] is not None:
            line = by_sid[result['sid']]
            assert result['failed'] == (line['outcome'] == 'failed')
            assert result['changed'] == (line['outcome'] == 'migrated')
            assert (result['before'], result['after'], result['msg']) == (line['before'], line['after'], line['msg'])
    assert 1 <= summary['concurrency'] <= concurrency
    assert summary['throttled'] == client.throttled
