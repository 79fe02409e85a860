# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planning engine as pure functions, and the bulk runner over a fake client."""

import difflib
import json
import threading
import time

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    BulkMigration,
    MigrationJournal,
    ServiceCensus,
    channel_view,
    count_service_channels,
    describe_changes,
    plan_channel_change,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioAnswer, TwilioError

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

    def list_channels(self, service_sid, types, page_size=100, gate=None):
        self._call('list_channels', tuple(types))
        return iter([c for c in self.channels.values() if c['type'] in types])

    def list_conversations(self, service_sid, page_size=100, gate=None):
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
        with self.lock:
            updated = self.channels[channel_sid]
            updated.update(type=fields['Type'], messaging_service_sid=fields.get('MessagingServiceSid', MG_A))
            return dict(updated)

    def send_channel_update(self, service_sid, channel_sid, fields, webhook_enabled=None):
        return TwilioAnswer(self.update_channel(service_sid, channel_sid, fields, webhook_enabled), {}, 0)

    def writes(self):
        return [c for c in self.calls if c[0] == 'update_channel']


def test_bulk_check_mode_plans_everything_and_writes_nothing():
    client = FakeClient([channel(n, 'public') for n in range(20)] + [channel(99, 'private')])
    migration = BulkMigration(client, SERVICE, 'private', check_mode=True)
    migration.run()
    assert client.writes() == []
    assert counts(migration) == {'total': 20, 'changed': 20, 'unchanged': 0, 'failed': 0}


def test_bulk_migrates_public_channels_and_wrong_messaging_services_only():
    conversations = [
        {'sid': sid(50), 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_B, 'unique_name': 'other'},
        {'sid': sid(51), 'chat_service_sid': SERVICE, 'messaging_service_sid': MG_A, 'unique_name': 'right'},
    ]
    client = FakeClient([channel(n, 'public') for n in range(5)] + [channel(50, 'private', MG_B), channel(51, 'private', MG_A)],
                        conversations)
    migration = BulkMigration(client, SERVICE, 'private', MG_A, webhook_enabled=False, concurrency=3)
    results = by_key(migration.run())
    written = sorted(c[1] for c in client.writes())
    assert written == sorted([sid(n) for n in range(5)] + [sid(50)])
    assert all(c[2] == (('MessagingServiceSid', MG_A), ('Type', 'private')) and c[3] is False for c in client.writes())
    assert counts(migration) == {'total': 6, 'changed': 6, 'unchanged': 0, 'failed': 0}
    assert results[sid(50)]['before'] == {'type': 'private', 'messaging_service_sid': MG_B}
    assert results[sid(50)]['after'] == {'type': 'private', 'messaging_service_sid': MG_A}
    # Reading costs list calls, not one read per channel.
    assert not [c for c in client.calls if c[0] in ('fetch_channel', 'fetch_conversation')]


def counts(migration):
    """The channel counts of the summary (its other fields are timings and rates)."""
    return dict((key, migration.summary()[key]) for key in ('total', 'changed', 'unchanged', 'failed'))


def by_key(results):
    return dict((r['sid'] or r['msg'], r) for r in results)


class SlowPagesClient(FakeClient):
    """Serves the public list in pages that take a while, recording when each page and each write happens."""

    PAGE = 10

    def __init__(self, channels):
        super(SlowPagesClient, self).__init__(channels)
        self.events = []

    def list_channels(self, service_sid, types, page_size=100, gate=None):
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
    results = by_key(migration.run())
    assert counts(migration) == {'total': 10, 'changed': 9, 'unchanged': 0, 'failed': 1}
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
    assert results[0]['sid'] is None and results[0]['failed'] and 'not found' in results[0]['msg']
    results = by_key(results)
    assert results[sid(1)]['changed']
    assert not results[sid(3)]['changed'] and not results[sid(3)]['failed']
    assert counts(migration) == {'total': 3, 'changed': 1, 'unchanged': 1, 'failed': 1}


def test_bulk_refuses_public_for_private_channels():
    client = FakeClient([channel(1, 'private')])
    migration = BulkMigration(client, SERVICE, 'public')
    results = by_key(migration.run([sid(1)]))
    assert results[sid(1)]['failed']
    assert client.writes() == []


def test_bulk_channel_asked_for_by_sid_and_unique_name_is_written_once():
    client = FakeClient([channel(1, 'public')])
    migration = BulkMigration(client, SERVICE, 'private')
    results = by_key(migration.run([sid(1), 'general-00001']))
    assert [c[1] for c in client.writes()] == [sid(1)]
    assert not [c for c in client.calls if c[0] == 'fetch_channel']
    assert results[sid(1)]['changed'] and migration.summary()['changed'] == 1


class StaleListClient(FakeClient):
    """A list that has not caught up yet: channels are only found by reading them one by one."""

    def list_channels(self, service_sid, types, page_size=100, gate=None):
        self._call('list_channels', tuple(types))
        return iter([])


def test_bulk_channel_read_by_sid_and_by_unique_name_is_written_once():
    client = StaleListClient([channel(1, 'public')])
    migration = BulkMigration(client, SERVICE, 'private')
    migration.run([sid(1), 'general-00001'])
    # Its first read answers for both names.
    assert [c[0] for c in client.calls].count('fetch_channel') == 1
    assert [c[1] for c in client.writes()] == [sid(1)]
    assert counts(migration) == {'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0}


# --- passes, journal, bounded results ---------------------------------------------------

class OffsetPagingClient(FakeClient):
    """A public list that pages by offset over the live filtered list, as some lists do.

    Before each page after the first it waits for the writes of what it already handed out
    (while writes go on), so migrated channels have left the list and shift the later pages:
    a pass that writes while it lists then finds about every other page only.
    """

    PAGE = 10

    def __init__(self, channels):
        super(OffsetPagingClient, self).__init__(channels)
        self.handed_out = []

    def written(self, channel_sid):
        return self.channels[channel_sid]['type'] == 'private'

    def list_channels(self, service_sid, types, page_size=100, gate=None):
        self._call('list_channels', tuple(types))
        offset = 0
        while True:
            writes, quiet_since = len(self.writes()), time.time()
            while not all(self.written(s) for s in self.handed_out) and time.time() - quiet_since < 0.05:
                time.sleep(0.001)
                if len(self.writes()) > writes:
                    writes, quiet_since = len(self.writes()), time.time()
            with self.lock:
                page = [dict(c) for c in self.channels.values() if c['type'] in types][offset:offset + self.PAGE]
            if not page:
                return
            self.handed_out.extend(c['sid'] for c in page)
            offset += self.PAGE
            yield from page


def test_bulk_converges_when_the_list_pages_by_offset_over_the_live_list(tmp_path):
    client = OffsetPagingClient([channel(n, 'public') for n in range(200)])
    journal = MigrationJournal(str(tmp_path / 'journal.jsonl'))
    migration = BulkMigration(client, SERVICE, 'private', concurrency=4, journal=journal)
    migration.run()
    journal.close()
    assert [c['type'] for c in client.channels.values()] == ['private'] * 200
    summary = migration.summary()
    assert counts(migration) == {'total': 200, 'changed': 200, 'unchanged': 0, 'failed': 0}
    # The first pass found half; the second, which lists before it writes, the rest; the third nothing.
    assert (summary['passes'], summary['left']) == (3, 0)
    lines = [json.loads(line) for line in (tmp_path / 'journal.jsonl').read_text().splitlines()]
    assert sorted(line['sid'] for line in lines) == sorted(sid(n) for n in range(200))
    assert set(line['pass'] for line in lines) == {1, 2}
    assert len(client.writes()) == 200


def test_bulk_reports_what_is_left_after_max_passes_and_writes_nothing_more():
    client = OffsetPagingClient([channel(n, 'public') for n in range(200)])
    migration = BulkMigration(client, SERVICE, 'private', concurrency=4, max_passes=1)
    migration.run()
    summary = migration.summary()
    assert summary['passes'] == 2
    assert summary['changed'] == len(client.writes()) < 200
    assert summary['left'] == 200 - summary['changed']
    assert len(migration.left_sample) == 20
    assert all(entry['before'] == {'type': 'public', 'messaging_service_sid': None} for entry in migration.left_sample)


class GrowingClient(FakeClient):
    """An application creates public channels while the migration runs: before the list's cursor, so a pass misses them."""

    def __init__(self, channels, new_channels, after_writes):
        super(GrowingClient, self).__init__(channels)
        self.new_channels = list(new_channels)
        self.after_writes = after_writes

    def update_channel(self, service_sid, channel_sid, fields, webhook_enabled=None):
        updated = super(GrowingClient, self).update_channel(service_sid, channel_sid, fields, webhook_enabled)
        with self.lock:
            if self.new_channels and len(self.writes()) >= self.after_writes:
                created = dict((c['sid'], dict(c)) for c in self.new_channels)
                self.new_channels = []
                created.update(self.channels)
                self.channels = created
        return updated


def test_bulk_migrates_channels_created_part_way_in_a_later_pass():
    client = GrowingClient([channel(n, 'public') for n in range(50)], [channel(n, 'public') for n in range(1000, 1030)], after_writes=10)
    migration = BulkMigration(client, SERVICE, 'private', concurrency=3)
    migration.run()
    assert [c['type'] for c in client.channels.values()] == ['private'] * 80
    assert counts(migration) == {'total': 80, 'changed': 80, 'unchanged': 0, 'failed': 0}
    assert migration.summary()['passes'] >= 2


def test_check_mode_makes_one_pass():
    client = OffsetPagingClient([channel(n, 'public') for n in range(30)])
    migration = BulkMigration(client, SERVICE, 'private', check_mode=True)
    migration.run()
    assert migration.summary()['passes'] == 1
    assert [c for c in client.calls if c[0] == 'list_channels'] == [('list_channels', ('public',))]


def test_selected_channels_are_decided_in_one_pass_and_nothing_else_is_listed_again():
    client = FakeClient([channel(n, 'public') for n in range(10)])
    migration = BulkMigration(client, SERVICE, 'private')
    migration.run([sid(1), 'general-00002'])
    assert sorted(c[1] for c in client.writes()) == [sid(1), sid(2)]
    assert migration.summary()['passes'] == 1
    assert len([c for c in client.calls if c[0] == 'list_channels']) == 1


class ThrottlingClient(FakeClient):
    """Answers 429 to the first writes of some channels, with a Retry-After of 0 seconds."""

    def __init__(self, channels, throttles):
        super(ThrottlingClient, self).__init__(channels)
        self.throttles = dict(throttles)

    def send_channel_update(self, service_sid, channel_sid, fields, webhook_enabled=None):
        with self.lock:
            throttle = self.throttles.get(channel_sid, 0)
            self.throttles[channel_sid] = throttle - 1
        if throttle > 0:
            self._call('throttled', channel_sid)
            raise TwilioError('Too Many Requests', status=429, code=20429, headers={'Retry-After': '0'})
        answer = super(ThrottlingClient, self).send_channel_update(service_sid, channel_sid, fields, webhook_enabled)
        return TwilioAnswer(answer.body, {'Twilio-Request-Id': 'RQ' + channel_sid[2:]}, 0)


def test_a_throttled_channel_is_sent_again_up_to_max_retries(tmp_path):
    client = ThrottlingClient([channel(n, 'public') for n in range(6)], {sid(1): 2, sid(2): 3})
    journal = MigrationJournal(str(tmp_path / 'journal.jsonl'))
    migration = BulkMigration(client, SERVICE, 'private', concurrency=3, max_retries=2, journal=journal)
    results = by_key(migration.run())
    journal.close()
    assert results[sid(1)]['changed'] and results[sid(1)]['msg'] == 'migrated'
    assert results[sid(2)]['failed'] and 'HTTP 429' in results[sid(2)]['msg'] and 'after 2 retries' in results[sid(2)]['msg']
    summary = migration.summary()
    assert (summary['throttled'], summary['retries'], summary['changed'], summary['failed']) == (5, 4, 5, 1)
    assert summary['concurrency'] < 3
    lines = dict((line['sid'], line) for line in map(json.loads, (tmp_path / 'journal.jsonl').read_text().splitlines()))
    assert lines[sid(1)]['attempts'] == 3 and lines[sid(1)]['outcome'] == 'migrated'
    assert lines[sid(1)]['request_id'] == 'RQ' + sid(1)[2:]
    assert lines[sid(2)]['attempts'] == 3 and lines[sid(2)]['outcome'] == 'failed'
    assert lines[sid(0)]['attempts'] == 1


def test_journal_lines_carry_every_field_and_no_credential(tmp_path):
    client = FakeClient([channel(1, 'public'), channel(2, 'private')], failing={sid(1)})
    path = str(tmp_path / 'journal.jsonl')
    journal = MigrationJournal(path)
    BulkMigration(client, SERVICE, 'private', journal=journal).run([sid(1), sid(2), 'nope'])
    journal.close()
    lines = [json.loads(line) for line in open(path, encoding='utf-8')]
    assert sorted((line['sid'] or '', line['outcome']) for line in lines) == [('', 'failed'), (sid(1), 'failed'), (sid(2), 'unchanged')]
    for line in lines:
        assert set(line) == {'time', 'sid', 'unique_name', 'outcome', 'before', 'after', 'request_id', 'attempts', 'msg', 'pass'}
        assert line['time'].endswith('Z') and line['pass'] == 1
    assert 'auth' not in open(path, encoding='utf-8').read().lower()


def test_journal_is_appended_to(tmp_path):
    path = str(tmp_path / 'journal.jsonl')
    for run in range(2):
        journal = MigrationJournal(path)
        journal.write({'run': run})
        journal.close()
    with open(path, encoding='utf-8') as handle:
        assert [json.loads(line) for line in handle] == [{'run': 0}, {'run': 1}]


def test_channel_results_are_bounded_failed_first_and_counts_stay_exact():
    failing = set(sid(n) for n in range(40, 45))
    client = FakeClient([channel(n, 'public') for n in range(100)], failing=failing)
    migration = BulkMigration(client, SERVICE, 'private', concurrency=4, channel_results_limit=10)
    results = migration.run()
    assert len(results) == 10
    assert [r['failed'] for r in results] == [True] * 5 + [False] * 5
    assert counts(migration) == {'total': 100, 'changed': 95, 'unchanged': 0, 'failed': 5}
    assert migration.first_failure['sid'] in failing
    assert BulkMigration(FakeClient([channel(1, 'public')]), SERVICE, 'private', channel_results_limit=0).run() == []


def test_describe_changes_says_how_many_channels_it_does_not_list():
    results = [{'sid': sid(1), 'unique_name': None, 'changed': True, 'before': {'type': 'public', 'messaging_service_sid': None},
                'after': {'type': 'private', 'messaging_service_sid': MG_A}}]
    diff = describe_changes(SERVICE, results, changed_count=3)
    assert '3 channel(s) to change' in diff['before'].splitlines()[0]
    assert diff['before'].splitlines()[-1] == diff['after'].splitlines()[-1]
    assert '2 more channel(s)' in diff['after'].splitlines()[-1]
    assert 'more channel' not in describe_changes(SERVICE, results)['after']


def test_summary_has_the_run_numbers():
    migration = BulkMigration(FakeClient([channel(n, 'public') for n in range(5)]), SERVICE, 'private', concurrency=2)
    migration.run()
    summary = migration.summary()
    assert set(summary) == {'total', 'changed', 'unchanged', 'failed', 'left', 'passes', 'elapsed_seconds', 'retries',
                            'throttled', 'concurrency'}
    assert summary['elapsed_seconds'] >= 0 and summary['concurrency'] == 2 and summary['passes'] == 2


# Counting a service's channels (verification and audit): ServiceCensus and count_service_channels.


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
        def list_channels(self, service_sid, types, page_size=100, gate=None):
            return (channel(n, 'public') for n in range(100000))

        def list_conversations(self, service_sid, page_size=100, gate=None):
            return iter(())

    summary = count_service_channels(StreamingClient(), SERVICE)
    assert summary['public'] == 100000
    assert len(summary['public_sample']) == 20
