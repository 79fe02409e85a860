# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planning engine as pure functions, and the bulk runner over a fake client."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import threading
import time

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    BulkMigration,
    channel_view,
    describe_changes,
    plan_channel_change,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioError

MG_A = 'MG' + 'a' * 32
MG_B = 'MG' + 'b' * 32
SERVICE = 'IS' + '1' * 32


def sid(n):
    return 'CH%032x' % n


def channel(n, type_, messaging_service_sid=None):
    return {'sid': sid(n), 'unique_name': 'general-%05d' % n, 'type': type_, 'messaging_service_sid': messaging_service_sid}


# One row per line of the decision table: current state, asked state, expected update (None = no write).
DECISIONS = [
    ('public', None, 'private', None, {'Type': 'private'}),
    ('public', None, 'private', MG_A, {'Type': 'private', 'MessagingServiceSid': MG_A}),
    ('private', None, 'private', None, None),
    ('private', MG_A, 'private', None, None),
    ('private', MG_A, 'private', MG_A, None),
    ('private', MG_B, 'private', MG_A, {'Type': 'private', 'MessagingServiceSid': MG_A}),
    ('private', None, 'private', MG_A, {'Type': 'private', 'MessagingServiceSid': MG_A}),
    ('public', None, 'public', None, None),
]


@pytest.mark.parametrize('current_type, current_mg, wanted_type, wanted_mg, update', DECISIONS)
def test_plan_follows_the_decision_table(current_type, current_mg, wanted_type, wanted_mg, update):
    plan = plan_channel_change(channel(1, current_type, current_mg), wanted_type, wanted_mg)
    assert plan.refusal is None
    assert plan.changed is (update is not None)
    assert plan.update == (update or {})
    assert plan.before == {'type': current_type, 'messaging_service_sid': current_mg}
    if update:
        assert plan.after['type'] == 'private'
        assert plan.after['messaging_service_sid'] == (wanted_mg or current_mg)
    else:
        assert plan.after == plan.before


def test_plan_refuses_private_to_public():
    plan = plan_channel_change(channel(1, 'private'), 'public')
    assert not plan.changed
    assert plan.update == {}
    assert 'does not allow migrating a channel to public' in plan.refusal
    assert sid(1) in plan.refusal


def test_plan_only_ever_sends_type_and_messaging_service():
    for current_type in ('public', 'private'):
        for current_mg in (None, MG_B):
            plan = plan_channel_change(channel(1, current_type, current_mg), 'private', MG_A)
            assert set(plan.update) <= {'Type', 'MessagingServiceSid'}


def test_channel_view_from_conversation_is_private_with_its_messaging_service():
    conversation = {'sid': sid(3), 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_B, 'unique_name': 'x', 'state': 'active'}
    view = channel_view(conversation, conversation)
    assert view['type'] == 'private'
    assert view['service_sid'] == SERVICE
    assert view['messaging_service_sid'] == MG_B


def test_describe_changes_lists_one_line_per_changed_channel():
    results = [
        {'sid': sid(2), 'unique_name': None, 'changed': True, 'before': {'type': 'public', 'messaging_service_sid': None},
         'after': {'type': 'private', 'messaging_service_sid': MG_A}},
        {'sid': sid(1), 'unique_name': 'general', 'changed': True, 'before': {'type': 'public', 'messaging_service_sid': None},
         'after': {'type': 'private', 'messaging_service_sid': None}},
        {'sid': sid(3), 'unique_name': 'same', 'changed': False, 'before': {'type': 'private', 'messaging_service_sid': None},
         'after': {'type': 'private', 'messaging_service_sid': None}},
    ]
    diff = describe_changes(SERVICE, results)
    before = diff['before'].splitlines()
    after = diff['after'].splitlines()
    assert before[1:] == ['%s (general):' % sid(1), '  type=public messaging_service_sid=-', '%s:' % sid(2), '  type=public messaging_service_sid=-']
    assert after[1:] == ['%s (general):' % sid(1), "  type=private messaging_service_sid=(the account's default)", '%s:' % sid(2),
                         '  type=private messaging_service_sid=%s' % MG_A]
    assert '2 channel(s)' in before[0]
    # Labels are shared, so a unified diff puts each channel's old and new state side by side.
    unified = list(difflib.unified_diff(before, after, lineterm='', n=1))
    after_label = unified[unified.index(' %s:' % sid(2)) + 1:]
    assert after_label[:2] == ['-  type=public messaging_service_sid=-', '+  type=private messaging_service_sid=%s' % MG_A]


class FakeClient:
    """Answers like the Twilio client from in-memory channels, and records every call (thread-safe)."""

    def __init__(self, channels, conversations=(), failing=()):
        self.channels = dict((c['sid'], dict(c)) for c in channels)
        self.conversations = list(conversations)
        self.failing = set(failing)
        self.calls = []
        self.lock = threading.Lock()

    def _call(self, *call):
        with self.lock:
            self.calls.append(call)

    def list_channels(self, service_sid, types, page_size=100):
        self._call('list_channels', tuple(types))
        return iter([c for c in self.channels.values() if c['type'] in types])

    def list_conversations(self, service_sid, page_size=100):
        self._call('list_conversations')
        return iter(self.conversations)

    def fetch_channel(self, service_sid, name):
        self._call('fetch_channel', name)
        for c in self.channels.values():
            if name in (c['sid'], c['unique_name']):
                return dict(c)
        raise TwilioError('not found', status=404, code=20404)

    def fetch_conversation(self, service_sid, name):
        self._call('fetch_conversation', name)
        for c in self.conversations:
            if c['sid'] == name:
                return c
        raise TwilioError('not found', status=404, code=20404)

    def update_channel(self, service_sid, channel_sid, fields, webhook_enabled=None):
        self._call('update_channel', channel_sid, tuple(sorted(fields.items())), webhook_enabled)
        if channel_sid in self.failing:
            raise TwilioError('Internal error', status=500, code=20500)
        updated = dict(self.channels[channel_sid], type=fields['Type'])
        updated['messaging_service_sid'] = fields.get('MessagingServiceSid', MG_A)
        return updated

    def writes(self):
        return [c for c in self.calls if c[0] == 'update_channel']


def test_bulk_check_mode_plans_everything_and_writes_nothing():
    client = FakeClient([channel(n, 'public') for n in range(20)] + [channel(99, 'private')])
    migration = BulkMigration(client, SERVICE, 'private', check_mode=True)
    migration.run()
    assert client.writes() == []
    assert migration.summary() == {'total': 20, 'changed': 20, 'unchanged': 0, 'failed': 0}


def test_bulk_migrates_public_channels_and_wrong_messaging_services_only():
    conversations = [
        {'sid': sid(50), 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_B, 'unique_name': 'other'},
        {'sid': sid(51), 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_A, 'unique_name': 'right'},
    ]
    client = FakeClient([channel(n, 'public') for n in range(5)] + [channel(50, 'private', MG_B), channel(51, 'private', MG_A)],
                        conversations)
    migration = BulkMigration(client, SERVICE, 'private', MG_A, webhook_enabled=False, concurrency=3)
    results = migration.run()
    written = sorted(c[1] for c in client.writes())
    assert written == sorted([sid(n) for n in range(5)] + [sid(50)])
    assert all(c[2] == (('MessagingServiceSid', MG_A), ('Type', 'private')) and c[3] is False for c in client.writes())
    assert migration.summary() == {'total': 6, 'changed': 6, 'unchanged': 0, 'failed': 0}
    assert results[sid(50)]['before'] == {'type': 'private', 'messaging_service_sid': MG_B}
    assert results[sid(50)]['after'] == {'type': 'private', 'messaging_service_sid': MG_A}
    # Reading costs list calls, not one read per channel.
    assert not [c for c in client.calls if c[0] in ('fetch_channel', 'fetch_conversation')]


class SlowPagesClient(FakeClient):
    """Serves the public list in pages that take a while, recording when each page and each write happens."""

    PAGE = 10

    def __init__(self, channels):
        super(SlowPagesClient, self).__init__(channels)
        self.events = []

    def list_channels(self, service_sid, types, page_size=100):
        public = [c for c in self.channels.values() if c['type'] in types]
        for start in range(0, len(public), self.PAGE):
            time.sleep(0.05)
            with self.lock:
                self.events.append('page')
            yield from public[start:start + self.PAGE]

    def update_channel(self, service_sid, channel_sid, fields, webhook_enabled=None):
        with self.lock:
            self.events.append('write')
        return super(SlowPagesClient, self).update_channel(service_sid, channel_sid, fields, webhook_enabled)


def test_bulk_writes_start_while_later_pages_are_read():
    client = SlowPagesClient([channel(n, 'public') for n in range(60)])
    BulkMigration(client, SERVICE, 'private', concurrency=4).run()
    assert client.events.count('page') == 6 and client.events.count('write') == 60
    last_page = len(client.events) - 1 - client.events[::-1].index('page')
    assert client.events.index('write') < last_page


def test_bulk_reports_failures_and_keeps_the_successes():
    client = FakeClient([channel(n, 'public') for n in range(10)], failing={sid(3)})
    migration = BulkMigration(client, SERVICE, 'private', concurrency=4)
    results = migration.run()
    assert migration.summary() == {'total': 10, 'changed': 9, 'unchanged': 0, 'failed': 1}
    assert results[sid(3)]['failed'] and 'Internal error' in results[sid(3)]['msg']
    assert not migration.stopped_early


def test_bulk_stops_sending_after_max_failures():
    client = FakeClient([channel(n, 'public') for n in range(200)], failing=set(sid(n) for n in range(200)))
    migration = BulkMigration(client, SERVICE, 'private', concurrency=1, max_failures=2)
    migration.run()
    assert migration.stopped_early
    assert migration.summary()['failed'] >= 2
    assert len(client.writes()) < 200


def test_bulk_requested_channels_by_name_sid_and_unknown():
    client = FakeClient([channel(1, 'public'), channel(2, 'public'), channel(3, 'private')])
    migration = BulkMigration(client, SERVICE, 'private')
    results = migration.run(['general-00001', sid(3), 'nope'])
    assert [c[1] for c in client.writes()] == [sid(1)]
    assert results[sid(1)]['changed']
    assert not results[sid(3)]['changed'] and not results[sid(3)]['failed']
    assert results['nope']['failed']
    assert migration.summary() == {'total': 3, 'changed': 1, 'unchanged': 1, 'failed': 1}


def test_bulk_refuses_public_for_private_channels():
    client = FakeClient([channel(1, 'private')])
    migration = BulkMigration(client, SERVICE, 'public')
    results = migration.run([sid(1)])
    assert results[sid(1)]['failed']
    assert client.writes() == []


def test_bulk_channel_asked_for_by_sid_and_unique_name_is_written_once():
    client = FakeClient([channel(1, 'public')])
    migration = BulkMigration(client, SERVICE, 'private')
    results = migration.run([sid(1), 'general-00001'])
    assert [c[1] for c in client.writes()] == [sid(1)]
    assert not [c for c in client.calls if c[0] == 'fetch_channel']
    assert results[sid(1)]['changed'] and migration.summary()['changed'] == 1


class StaleListClient(FakeClient):
    """A list that has not caught up yet: channels are only found by reading them one by one."""

    def list_channels(self, service_sid, types, page_size=100):
        self._call('list_channels', tuple(types))
        return iter([])


def test_bulk_channel_read_by_sid_and_by_unique_name_is_written_once():
    client = StaleListClient([channel(1, 'public')])
    migration = BulkMigration(client, SERVICE, 'private')
    migration.run([sid(1), 'general-00001'])
    assert [c[0] for c in client.calls].count('fetch_channel') == 2
    assert [c[1] for c in client.writes()] == [sid(1)]
    assert migration.summary() == {'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0}


# Counting a service's channels (verification and audit): ServiceCensus and count_service_channels.

from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (  # noqa: E402
    ServiceCensus,
    count_service_channels,
)


def feed(census, views):
    for view in views:
        census.add(view)
    return census.summary()


def test_census_counts_every_channel_by_type_and_messaging_service():
    views = [channel(1, 'public'), channel(2, 'private', MG_A), channel(3, 'private', MG_B), channel(4, 'private'),
             channel(5, 'private', MG_A)]
    assert feed(ServiceCensus(), views) == {
        'total': 5,
        'public': 1,
        'public_sample': [{'sid': sid(1), 'unique_name': 'general-00001'}],
        'private': 4,
        'private_by_messaging_service': {MG_A: 2, MG_B: 1, 'none': 1},
        # No messaging service asked: no private channel is on "another" one.
        'other_messaging_service': 0,
        'other_messaging_service_sample': [],
    }


def test_census_counts_private_channels_on_another_messaging_service_or_none():
    views = [channel(2, 'private', MG_A), channel(3, 'private', MG_B), channel(4, 'private')]
    summary = feed(ServiceCensus(wanted_messaging_service_sid=MG_A), views)
    assert summary['other_messaging_service'] == 2
    assert [c['sid'] for c in summary['other_messaging_service_sample']] == [sid(3), sid(4)]


def test_census_counts_only_the_selected_channels_those_by_sid_first():
    views = [channel(n, 'public') for n in range(1, 6)]
    selection = ['general-00002', sid(4), 'not-there', sid(1)]
    summary = feed(ServiceCensus(channels=selection), views)
    assert summary['total'] == summary['public'] == 3
    assert [c['sid'] for c in summary['public_sample']] == [sid(1), sid(4), sid(2)]


def test_census_with_an_empty_selection_counts_nothing():
    assert feed(ServiceCensus(channels=[]), [channel(1, 'public')])['total'] == 0


def test_census_samples_are_bounded_but_the_counts_are_not():
    views = [channel(n, 'public') for n in range(1000)] + [channel(n, 'private', MG_B) for n in range(1000, 2000)]
    census = ServiceCensus(wanted_messaging_service_sid=MG_A, sample_size=20)
    summary = feed(census, views)
    assert (summary['public'], summary['other_messaging_service'], summary['total']) == (1000, 1000, 2000)
    assert [c['sid'] for c in summary['public_sample']] == [sid(n) for n in range(20)]
    assert [c['sid'] for c in summary['other_messaging_service_sample']] == [sid(n) for n in range(1000, 1020)]
    # Memory stays flat: nothing beyond the samples is kept.
    assert sum(len(s) for s in census._public_samples + census._other_samples) == 40


def test_census_bounds_the_joined_sample_of_both_kinds_of_selection():
    views = [channel(n, 'public') for n in range(10)]
    selection = [sid(n) for n in range(5)] + ['general-%05d' % n for n in range(5, 10)]
    summary = feed(ServiceCensus(channels=selection, sample_size=3), views)
    assert [c['sid'] for c in summary['public_sample']] == [sid(0), sid(1), sid(2)]


def test_census_sample_size_zero_keeps_every_channel():
    summary = feed(ServiceCensus(sample_size=0), [channel(n, 'public') for n in range(50)])
    assert len(summary['public_sample']) == 50


def test_count_service_channels_reads_public_channels_and_conversations_only():
    conversations = [{'sid': sid(2), 'unique_name': 'b', 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_B},
                     {'sid': sid(3), 'unique_name': 'c', 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_A}]
    client = FakeClient([channel(1, 'public'), channel(2, 'private'), channel(3, 'private')], conversations)
    summary = count_service_channels(client, SERVICE, MG_A)
    assert client.calls == [('list_channels', ('public',)), ('list_conversations',)]
    assert (summary['total'], summary['public'], summary['private']) == (3, 1, 2)
    assert summary['private_by_messaging_service'] == {MG_A: 1, MG_B: 1}
    assert summary['other_messaging_service_sample'] == [{'sid': sid(2), 'unique_name': 'b'}]


def test_count_service_channels_iterates_without_holding_the_channels():
    """A generator of 100,000 channels is counted one by one; nothing asks for its length or keeps it."""

    class StreamingClient:
        def list_channels(self, service_sid, types, page_size=100):
            return (channel(n, 'public') for n in range(100000))

        def list_conversations(self, service_sid, page_size=100):
            return iter(())

    summary = count_service_channels(StreamingClient(), SERVICE)
    assert summary['public'] == 100000
    assert len(summary['public_sample']) == 20
