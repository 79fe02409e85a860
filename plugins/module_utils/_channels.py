# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planning engine shared by the single and bulk channel modules.

This is a private module_utils of twilio_ops.chat, not a public API.

Planning is pure: plan_channel_change() takes a channel's current state and
the wanted state and says what to send, without any I/O. Reading and writing
go through the client; the bulk path (BulkMigration) runs writes on a thread
pool whose width adapts to Twilio's throttling (_throttle.py), while a reader
thread keeps reading pages and the main thread alone records outcomes, writes
the journal and returns results to Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import concurrent.futures
import datetime
import json
import os
import queue
import threading
import time

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    PAGE_SIZE,
    TwilioError,
    concurrent_requests,
    retry_after_seconds,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._throttle import AdaptiveLimiter

DEFAULT_MAX_PASSES = 5
DEFAULT_CHANNEL_RESULTS_LIMIT = 1000
# How many channels still left a failed run names (the count is always exact).
LEFT_SAMPLE_SIZE = 20
# How far the reader thread may list ahead of the writes.
PREFETCH_DEPTH = 2 * PAGE_SIZE

CHANNEL_FIELDS = (
    'sid', 'account_sid', 'service_sid', 'friendly_name', 'unique_name', 'attributes', 'type',
    'messaging_service_sid', 'date_created', 'date_updated', 'created_by', 'members_count',
    'messages_count', 'url',
)

ChannelPlan = collections.namedtuple('ChannelPlan', ['sid', 'unique_name', 'changed', 'update', 'before', 'after', 'refusal'])
ChannelPlan.__doc__ = """What to do with one channel.

update is the form body of the Chat v3 request ({} when nothing is sent);
refusal is a message when the wanted state cannot be reached.
"""


def channel_view(resource, conversation=None):
    """A channel as this collection returns it, from a Chat v2/v3 channel or a Conversations v1 conversation.

    The messaging service lives only on the Conversations side and on the Chat
    v3 answer; Chat v2 does not carry it, so it is None unless known.
    """
    view = dict((field, resource.get(field)) for field in CHANNEL_FIELDS)
    if view['service_sid'] is None:
        view['service_sid'] = resource.get('chat_service_sid')
    if view['type'] is None and 'chat_service_sid' in resource:
        # Only private channels are visible as conversations.
        view['type'] = 'private'
    if conversation is not None:
        view['messaging_service_sid'] = conversation.get('messaging_service_sid')
    return view


def migration_state(view):
    """The part of a channel the migration looks at and changes: what diffs show."""
    return {'type': view.get('type'), 'messaging_service_sid': view.get('messaging_service_sid')}


def plan_channel_change(current, wanted_type, wanted_messaging_service_sid=None):
    """Decide, without any I/O, what the Chat v3 update must send to reach the wanted state."""
    before = migration_state(current)
    sid = current.get('sid')
    unique_name = current.get('unique_name')
    if wanted_type == 'public':
        if before['type'] == 'public':
            return ChannelPlan(sid, unique_name, False, {}, before, dict(before), None)
        return ChannelPlan(sid, unique_name, False, {}, before, dict(before),
                           'Channel %s is private; Twilio does not allow migrating a channel to public' % sid)
    needs_type = before['type'] != 'private'
    needs_messaging_service = bool(wanted_messaging_service_sid) and wanted_messaging_service_sid != before['messaging_service_sid']
    if not needs_type and not needs_messaging_service:
        return ChannelPlan(sid, unique_name, False, {}, before, dict(before), None)
    update = {'Type': 'private'}
    after = {'type': 'private', 'messaging_service_sid': before['messaging_service_sid']}
    if wanted_messaging_service_sid:
        update['MessagingServiceSid'] = wanted_messaging_service_sid
        after['messaging_service_sid'] = wanted_messaging_service_sid
    return ChannelPlan(sid, unique_name, True, update, before, after, None)


def format_migration_state(state, migrated_from=None):
    messaging_service_sid = state['messaging_service_sid'] or '-'
    if migrated_from == 'public' and not state['messaging_service_sid']:
        # A dry run cannot know it: Twilio gives the account's default messaging service on the write.
        messaging_service_sid = "(the account's default)"
    return 'type=%s messaging_service_sid=%s' % (state['type'], messaging_service_sid)


def describe_changes(service_sid, channel_results, changed_count=None):
    """A diff that stays readable for thousands of channels.

    Each changed channel is a label line, the same on both sides, followed by
    its state: a unified diff then shows every channel's old and new state
    next to each other under its label. channel_results may be a bounded
    sample: changed_count is then the exact number of changed channels, and
    the diff says how many it does not list.
    """
    changed = sorted((r for r in channel_results if r['changed']), key=lambda r: r['sid'])
    if changed_count is None:
        changed_count = len(changed)
    header = '# Chat service %s: %d channel(s) to change' % (service_sid, changed_count)
    lines_before = [header]
    lines_after = [header]
    for result in changed:
        label = '%s%s:' % (result['sid'], ' (%s)' % result['unique_name'] if result['unique_name'] else '')
        lines_before.extend((label, '  ' + format_migration_state(result['before'])))
        lines_after.extend((label, '  ' + format_migration_state(result['after'], migrated_from=result['before']['type'])))
    if changed_count > len(changed):
        footer = '# ... and %d more channel(s), not listed here (channel_results_limit); the journal lists every one' % (
            changed_count - len(changed))
        lines_before.append(footer)
        lines_after.append(footer)
    return {
        'before_header': 'Chat service %s' % service_sid,
        'after_header': 'Chat service %s' % service_sid,
        'before': '\n'.join(lines_before) + '\n',
        'after': '\n'.join(lines_after) + '\n',
    }


def is_not_found(error):
    return error.status == 404


def read_channel(client, service_sid, channel, with_messaging_service):
    """Read one channel by SID or unique name; its messaging service too when it matters."""
    try:
        resource = client.fetch_channel(service_sid, channel)
    except TwilioError as exc:
        if is_not_found(exc):
            # Twilio's own text repeats the path; say it in the user's terms (code and request id stay).
            exc.message = 'Channel %r was not found in Chat service %s' % (channel, service_sid)
        raise
    conversation = None
    if with_messaging_service and resource.get('type') == 'private':
        conversation = client.fetch_conversation(service_sid, resource['sid'])
    return channel_view(resource, conversation)


def apply_channel_plan(client, service_sid, plan, webhook_enabled=None):
    """Send the plan's one write and return the channel as Twilio now has it."""
    return channel_view(client.update_channel(service_sid, plan.sid, plan.update, webhook_enabled))


def read_channels(client, service_sid, types, with_messaging_service, page_size=PAGE_SIZE):
    """Yield every channel of the given types with list calls, joining messaging services for private ones."""
    messaging_services = {}
    if with_messaging_service and 'private' in types:
        messaging_services = dict((c['sid'], c.get('messaging_service_sid')) for c in client.list_conversations(service_sid, page_size))
    for resource in client.list_channels(service_sid, types, page_size):
        view = channel_view(resource)
        if view['type'] == 'private':
            view['messaging_service_sid'] = messaging_services.get(view['sid'])
        yield view


def candidate_channels(client, service_sid, wanted_messaging_service_sid, gate=None):
    """Yield the channels a service-wide migration has to look at, page by page.

    Every public channel (Chat v2 list), then, when a messaging service is
    wanted, every private channel whose conversation has another one
    (Conversations v1 list). Callers start writing while later pages load;
    gate is held around each page's request (see TwilioClient._iter_pages).
    """
    for resource in client.list_channels(service_sid, ['public'], gate=gate):
        yield channel_view(resource)
    if wanted_messaging_service_sid:
        for conversation in client.list_conversations(service_sid, gate=gate):
            if conversation.get('messaging_service_sid') != wanted_messaging_service_sid:
                yield channel_view(conversation, conversation)


def requested_channels(client, service_sid, channels, wanted_messaging_service_sid, gate=None):
    """Yield (view, None) for each channel asked for by SID or unique name found in the lists, then (None, name) for the rest.

    Public channels come from the Chat v2 list and, when a messaging service is
    wanted, private ones from the Conversations list, so a large selection
    costs list calls; only the few channels found in neither are read one by
    one by the caller (already private, or unknown: then the read reports not found).
    """
    remaining = collections.OrderedDict((name, True) for name in channels)

    def take(view):
        # Both names are taken: a channel asked for by SID and by unique name must not be read again
        # after its write, or its result would be overwritten with "already private".
        found = False
        for key in (view['sid'], view['unique_name']):
            if key is not None and key in remaining:
                del remaining[key]
                found = True
        return found

    for view in candidate_channels(client, service_sid, wanted_messaging_service_sid, gate):
        if not remaining:
            return
        if take(view):
            yield view, None
    for name in list(remaining):
        yield None, name


class Prefetch:
    """Iterate over a source on a reader thread, at most depth items ahead of the consumer.

    The main thread then keeps the pool busy while the next page is read. The
    reader only reads: outcomes, the journal and Ansible stay with the main thread.
    An error of the source is raised to the consumer, in order.
    """

    _END = object()

    def __init__(self, source, depth=PREFETCH_DEPTH):
        self._queue = queue.Queue(depth)
        self._stopping = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._read, args=(source,), name='twilio-bulk-reader')
        self._thread.daemon = True
        self._thread.start()

    def _read(self, source):
        try:
            for item in source:
                if not self._put((item, None)):
                    return
        except Exception as exc:  # pylint: disable=broad-except
            self._put((None, exc))
            return
        self._put((self._END, None))

    def _put(self, entry):
        while not self._stopping.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        item, error = self._queue.get()
        if error is not None or item is self._END:
            self._finished = True
            if error is not None:
                raise error
            raise StopIteration
        return item

    def close(self):
        """Stop reading ahead (the reader ends at its next item; it is a daemon thread)."""
        self._stopping.set()


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


class MigrationJournal:
    """JSON Lines, one object per channel outcome, appended by the main thread only.

    Every line is flushed as it is written, so a killed process loses none;
    os.fsync runs at most once per FSYNC_INTERVAL_SECONDS and on close (an fsync
    per line would cost more than the writes at 100,000 channels), so a crash of
    the host itself loses at most about the last second.
    """

    FSYNC_INTERVAL_SECONDS = 1.0

    def __init__(self, path, clock=time.monotonic):
        self.path = path
        self._clock = clock
        self._file = open(path, 'a', encoding='utf-8')
        self._synced = clock()

    def write(self, record):
        self._file.write(json.dumps(record, ensure_ascii=False) + '\n')
        self._file.flush()
        now = self._clock()
        if now - self._synced >= self.FSYNC_INTERVAL_SECONDS:
            os.fsync(self._file.fileno())
            self._synced = now

    def close(self):
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


Write = collections.namedtuple('Write', ['plan', 'sends', 'requests'])
Write.__doc__ = """One channel's write and its own retry state: how often the engine sent it, and the HTTP requests that cost."""


def slim_view(view):
    """What planning needs of a channel, for passes that hold a whole listing before writing."""
    return dict((field, view.get(field)) for field in ('sid', 'unique_name', 'type', 'messaging_service_sid'))


class BulkMigration:
    """Migrate many channels of one service: plan in the main thread, write on a pool, in passes until nothing is left.

    * Pass 1 streams: a reader thread lists the candidates (or the selected channels) while
      the pool writes. Each later pass lists again what may still need a change, holds that
      listing, then writes what no pass has decided yet (a list that pages by offset cannot
      shift under a pass that does not write while it lists). The run ends when a pass finds
      nothing new. When pass max_passes still found channels, one more listing, without any
      write, counts what is left (summary 'left'). Check mode runs one pass: nothing changes,
      so listing again would find the same. With a selection, a later pass only looks at
      selected channels that no pass has decided.
    * Requests in flight stay within the AdaptiveLimiter's width, which narrows on 429 and widens
      after successes: the writes, and the engine's own list pages and channel reads, since Twilio
      counts those against the same account limit. A 429 to a write is not retried by the client
      but sent again by this engine after the pool's pause, up to max_retries times per channel.
    * Every channel is decided once (a set of SIDs remembers them); each outcome is counted,
      kept in a bounded sample, and appended to the journal by the main thread, a migration
      only after Twilio answered it.
    """

    def __init__(self, client, service_sid, wanted_type, wanted_messaging_service_sid=None, webhook_enabled=None,
                 concurrency=10, max_failures=None, check_mode=False, max_account_concurrency=None,
                 max_passes=DEFAULT_MAX_PASSES, max_retries=None, journal=None,
                 channel_results_limit=DEFAULT_CHANNEL_RESULTS_LIMIT):
        self.client = client
        self.service_sid = service_sid
        self.wanted_type = wanted_type
        self.wanted_messaging_service_sid = wanted_messaging_service_sid
        self.webhook_enabled = webhook_enabled
        self.concurrency = concurrency
        self.max_failures = max_failures
        self.check_mode = check_mode
        self.max_passes = max_passes
        self.max_retries = getattr(client, 'max_retries', 5) if max_retries is None else max_retries
        self.journal = journal
        self.channel_results_limit = channel_results_limit
        self.limiter = AdaptiveLimiter(concurrency, max_account_concurrency)
        self.stopped_early = False
        self.first_failure = None
        self.passes = 0
        self.retries = 0
        self.elapsed_seconds = 0.0
        self.left_count = 0
        self.left_sample = []
        self._counts = dict(total=0, changed=0, failed=0)
        # The SIDs decided (or being written), and for a selection every name a decision answered.
        self._decided = set()
        self._selection = False
        self._failed_results = []
        self._other_results = []
        self._draining = False

    # --- outcomes (main thread only) ------------------------------------------

    def _record(self, outcome, sid, unique_name, msg, before=None, after=None, request_id=None, attempts=0):
        changed = outcome in ('migrated', 'would_migrate')
        failed = outcome == 'failed'
        self._counts['total'] += 1
        self._counts['changed'] += changed
        self._counts['failed'] += failed
        self._decide_names(sid, unique_name)
        result = {'sid': sid, 'unique_name': unique_name, 'changed': changed, 'failed': failed, 'msg': msg,
                  'before': before, 'after': after}
        kept = self._failed_results if failed else self._other_results
        if len(kept) < self.channel_results_limit:
            kept.append(result)
        if failed and self.first_failure is None:
            self.first_failure = result
        if self.journal is not None:
            self.journal.write({
                'time': utc_now(), 'sid': sid, 'unique_name': unique_name, 'outcome': outcome, 'before': before,
                'after': after, 'request_id': request_id, 'attempts': attempts, 'msg': msg, 'pass': self.passes,
            })

    def _decide_names(self, sid, unique_name):
        if sid is not None:
            self._decided.add(sid)
        if self._selection and unique_name is not None:
            self._decided.add(unique_name)

    def _record_plan(self, plan, outcome, msg, after=None, request_id=None, attempts=0):
        self._record(outcome, plan.sid, plan.unique_name, msg, plan.before, after, request_id, attempts)

    def _too_many_failures(self):
        return self.max_failures is not None and self._counts['failed'] >= self.max_failures

    # --- deciding -------------------------------------------------------------

    def _decide(self, view, name_to_read):
        """Record what needs no write and return the Write of what does (None otherwise)."""
        if name_to_read is not None:
            if name_to_read in self._decided:
                return None
            try:
                with self.limiter.slot():
                    view = read_channel(self.client, self.service_sid, name_to_read, bool(self.wanted_messaging_service_sid))
            except TwilioError as exc:
                self._record('failed', None, None, str(exc))
                self._decided.add(name_to_read)
                return None
        # The same channel may be listed twice or asked for by SID and by unique name: decide it once.
        if view['sid'] in self._decided:
            return None
        plan = plan_channel_change(view, self.wanted_type, self.wanted_messaging_service_sid)
        if plan.refusal:
            self._record_plan(plan, 'failed', plan.refusal, after=plan.before)
        elif not plan.changed:
            self._record_plan(plan, 'unchanged', 'already %s' % plan.before['type'], after=plan.after)
        elif self.check_mode:
            self._record_plan(plan, 'would_migrate', 'would migrate (check mode)', after=plan.after)
        else:
            self._decide_names(plan.sid, plan.unique_name)
            return Write(plan, 0, 0)
        return None

    # --- writing --------------------------------------------------------------

    def _send(self, write, ticket):
        """On a pool thread: one request; the limiter learns from its answer before the slot is freed."""
        try:
            answer = self.client.send_channel_update(self.service_sid, write.plan.sid, write.plan.update, self.webhook_enabled)
        except TwilioError as exc:
            if exc.throttled:
                self.limiter.on_throttle(ticket, retry_after_seconds(exc.headers))
            return None, exc
        else:
            self.limiter.on_success(ticket, concurrent_requests(answer.headers))
            return answer, None
        finally:
            self.limiter.release()

    def _submit(self, pool, pending, write):
        ticket = self.limiter.acquire()
        pending[pool.submit(self._send, write, ticket)] = write

    def _collect(self, pending, retry_later, block=False):
        if block and pending:
            concurrent.futures.wait(list(pending), return_when=concurrent.futures.FIRST_COMPLETED)
        for future in [f for f in pending if f.done()]:
            write = pending.pop(future)
            answer, error = future.result()
            retries = (answer or error).retries
            self.retries += retries
            sends, requests = write.sends + 1, write.requests + 1 + retries
            if error is None:
                self._record_plan(write.plan, 'migrated', 'migrated', after=migration_state(channel_view(answer.body)),
                                  request_id=answer.headers.get('Twilio-Request-Id'), attempts=requests)
            elif error.throttled and sends <= self.max_retries and not self._draining:
                # Sent again once the pool's pause is over (acquire waits for it).
                self.retries += 1
                retry_later.append(Write(write.plan, sends, requests))
            else:
                error.retries = requests - 1
                self._record_plan(write.plan, 'failed', str(error), after=write.plan.before, request_id=error.request_id,
                                  attempts=requests)

    def _run_pass(self, pool, source):
        """Decide and write everything the source yields; return how many channels this pass decided."""
        decided_before = self._counts['total']
        items = iter(source)
        pending = {}
        retry_later = collections.deque()
        try:
            while True:
                self._collect(pending, retry_later)
                if self._too_many_failures():
                    self.stopped_early = True
                    break
                if retry_later:
                    write = retry_later.popleft()
                else:
                    item = next(items, None)
                    if item is None:
                        if not pending:
                            break
                        self._collect(pending, retry_later, block=True)
                        continue
                    write = self._decide(*item)
                    if write is None:
                        continue
                self._submit(pool, pending, write)
        finally:
            if pending or retry_later:
                # Stopping (max_failures, or a failed read of the service): what is in flight ends and is recorded,
                # and a throttled channel is not sent again.
                self._draining = True
            while pending:
                self._collect(pending, retry_later, block=True)
            for write in retry_later:
                self._record_plan(write.plan, 'failed', 'not sent again after HTTP 429: the run stopped', after=write.plan.before,
                                  attempts=write.requests)
        return self._counts['total'] - decided_before

    # --- passes ---------------------------------------------------------------

    def _undecided(self, channels):
        """The selected names no pass has decided (None: the whole service)."""
        return None if channels is None else [name for name in channels if name not in self._decided]

    def _source(self, channels):
        """The (view, name_to_read) pairs a pass looks at."""
        if channels is None:
            return ((view, None) for view in candidate_channels(self.client, self.service_sid, self.wanted_messaging_service_sid,
                                                                self.limiter.slot))
        return requested_channels(self.client, self.service_sid, self._undecided(channels), self.wanted_messaging_service_sid,
                                  self.limiter.slot)

    def _held_listing(self, channels):
        """A later pass's listing, read in full before any write: only what is not decided yet."""
        return [(slim_view(view) if view is not None else None, name) for view, name in self._source(channels)
                if (view is None and name not in self._decided) or (view is not None and view['sid'] not in self._decided)]

    def _count_left(self, channels):
        for view, name in self._held_listing(channels):
            if view is not None:
                plan = plan_channel_change(view, self.wanted_type, self.wanted_messaging_service_sid)
                if not (plan.changed or plan.refusal):
                    continue
                entry = {'sid': plan.sid, 'unique_name': plan.unique_name, 'before': plan.before}
            else:
                entry = {'sid': None, 'unique_name': None, 'name': name, 'before': None}
            self.left_count += 1
            if len(self.left_sample) < LEFT_SAMPLE_SIZE:
                self.left_sample.append(entry)

    def run(self, channels=None):
        """Migrate the selected channels (every candidate when channels is None) in passes; return the kept results."""
        started = time.monotonic()
        self._selection = channels is not None
        last_pass = 1 if self.check_mode else self.max_passes
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                for pass_number in range(1, last_pass + 1):
                    if self._undecided(channels) == []:
                        # A selection is all decided: nothing to look at again.
                        return self.channel_results()
                    self.passes = pass_number
                    if pass_number == 1:
                        source = Prefetch(self._source(channels))
                        try:
                            found = self._run_pass(pool, source)
                        finally:
                            source.close()
                    else:
                        found = self._run_pass(pool, self._held_listing(channels))
                    if not found or self.stopped_early:
                        return self.channel_results()
                if not self.check_mode and self._undecided(channels) != []:
                    # Every pass allowed found channels: look once more, without writing, and say what is left.
                    self.passes = last_pass + 1
                    self._count_left(channels)
        finally:
            self.elapsed_seconds = time.monotonic() - started
        return self.channel_results()

    # --- results --------------------------------------------------------------

    def channel_results(self):
        """Failed channels first, then the others in the order they were decided; at most channel_results_limit."""
        return (self._failed_results + self._other_results)[:self.channel_results_limit]

    def summary(self):
        return {
            'total': self._counts['total'],
            'changed': self._counts['changed'],
            'unchanged': self._counts['total'] - self._counts['changed'] - self._counts['failed'],
            'failed': self._counts['failed'],
            'left': self.left_count,
            'passes': self.passes,
            'elapsed_seconds': round(self.elapsed_seconds, 3),
            'retries': self.retries,
            'throttled': self.limiter.throttled,
            'concurrency': self.limiter.width,
        }


# Counting the channels of a service, for the verification and the audit.
# Kept apart from the migration above: it only reads, and holds counts and
# bounded samples, never the channels themselves, so memory stays flat
# whatever the size of the service.

SAMPLE_SIZE = 20


class ServiceCensus:
    """Counts of one service's channels, fed one channel view at a time.

    With channels (SIDs or unique names), only the channels named are counted;
    with wanted_messaging_service_sid, private channels whose conversation uses
    another messaging service (or none) are counted apart. Samples keep the
    first sample_size channels of each kind (0: every one of them), those named
    by SID before those named by unique name, each in the order they were added.
    """

    def __init__(self, wanted_messaging_service_sid=None, channels=None, sample_size=SAMPLE_SIZE):
        self.wanted_messaging_service_sid = wanted_messaging_service_sid
        self.selection = None if channels is None else frozenset(channels)
        self.sample_size = sample_size
        self.total = 0
        self.public = 0
        self.private = 0
        self.other_messaging_service = 0
        self.private_by_messaging_service = {}
        # One list per way of being selected: [by SID, by unique name].
        self._public_samples = ([], [])
        self._other_samples = ([], [])

    def _selected_by(self, view):
        """0 when selected by SID (or when every channel is), 1 by unique name, None when not selected."""
        if self.selection is None or view['sid'] in self.selection:
            return 0
        if view.get('unique_name') is not None and view['unique_name'] in self.selection:
            return 1
        return None

    def _keep(self, samples, selected_by, view):
        sample = samples[selected_by]
        if not self.sample_size or len(sample) < self.sample_size:
            sample.append({'sid': view['sid'], 'unique_name': view.get('unique_name')})

    def _sample(self, samples):
        joined = samples[0] + samples[1]
        return joined[:self.sample_size] if self.sample_size else joined

    def add(self, view):
        selected_by = self._selected_by(view)
        if selected_by is None:
            return
        self.total += 1
        if view['type'] == 'public':
            self.public += 1
            self._keep(self._public_samples, selected_by, view)
        elif view['type'] == 'private':
            self.private += 1
            messaging_service_sid = view.get('messaging_service_sid')
            key = messaging_service_sid or 'none'
            self.private_by_messaging_service[key] = self.private_by_messaging_service.get(key, 0) + 1
            if self.wanted_messaging_service_sid and messaging_service_sid != self.wanted_messaging_service_sid:
                self.other_messaging_service += 1
                self._keep(self._other_samples, selected_by, view)

    def summary(self):
        return {
            'total': self.total,
            'public': self.public,
            'public_sample': self._sample(self._public_samples),
            'private': self.private,
            'private_by_messaging_service': dict(sorted(self.private_by_messaging_service.items())),
            'other_messaging_service': self.other_messaging_service,
            'other_messaging_service_sample': self._sample(self._other_samples),
        }


def count_service_channels(client, service_sid, wanted_messaging_service_sid=None, channels=None,
                           sample_size=SAMPLE_SIZE, page_size=PAGE_SIZE):
    """The census of a service from list calls: public channels from Chat v2, private ones from Conversations v1.

    Private channels are read as conversations, as the migration reads them,
    which gives their messaging service without one request per channel.
    """
    census = ServiceCensus(wanted_messaging_service_sid, channels, sample_size)
    for resource in client.list_channels(service_sid, ['public'], page_size):
        census.add(channel_view(resource))
    for conversation in client.list_conversations(service_sid, page_size):
        census.add(channel_view(conversation, conversation))
    return census.summary()
