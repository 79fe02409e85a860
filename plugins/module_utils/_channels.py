# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The planning engine shared by the single and bulk channel modules.

This is a private module_utils of twilio_ops.chat, not a public API.

Planning is pure: plan_channel_change() takes a channel's current state and
the wanted state and says what to send, without any I/O. Reading and writing
go through the client; the bulk path runs writes on a thread pool while the
main thread keeps reading pages and alone returns results to Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import concurrent.futures

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import PAGE_SIZE, TwilioError

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


def describe_changes(service_sid, channel_results):
    """A diff that stays readable for thousands of channels.

    Each changed channel is a label line, the same on both sides, followed by
    its state: a unified diff then shows every channel's old and new state
    next to each other under its label.
    """
    changed = sorted((r for r in channel_results if r['changed']), key=lambda r: r['sid'])
    header = '# Chat service %s: %d channel(s) to change' % (service_sid, len(changed))
    lines_before = [header]
    lines_after = [header]
    for result in changed:
        label = '%s%s:' % (result['sid'], ' (%s)' % result['unique_name'] if result['unique_name'] else '')
        lines_before.extend((label, '  ' + format_migration_state(result['before'])))
        lines_after.extend((label, '  ' + format_migration_state(result['after'], migrated_from=result['before']['type'])))
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


def candidate_channels(client, service_sid, wanted_messaging_service_sid):
    """Yield the channels a service-wide migration has to look at, page by page.

    Every public channel (Chat v2 list), then, when a messaging service is
    wanted, every private channel whose conversation has another one
    (Conversations v1 list). Callers start writing while later pages load.
    """
    for resource in client.list_channels(service_sid, ['public']):
        yield channel_view(resource)
    if wanted_messaging_service_sid:
        for conversation in client.list_conversations(service_sid):
            if conversation.get('messaging_service_sid') != wanted_messaging_service_sid:
                yield channel_view(conversation, conversation)


def requested_channels(client, service_sid, channels, wanted_messaging_service_sid):
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

    for view in candidate_channels(client, service_sid, wanted_messaging_service_sid):
        if not remaining:
            return
        if take(view):
            yield view, None
    for name in list(remaining):
        yield None, name


class BulkMigration:
    """Migrate many channels of one service: plan in the main thread, write on a pool.

    Results are collected per channel; only the caller (main thread) reports
    them to Ansible.
    """

    def __init__(self, client, service_sid, wanted_type, wanted_messaging_service_sid=None, webhook_enabled=None,
                 concurrency=10, max_failures=None, check_mode=False):
        self.client = client
        self.service_sid = service_sid
        self.wanted_type = wanted_type
        self.wanted_messaging_service_sid = wanted_messaging_service_sid
        self.webhook_enabled = webhook_enabled
        self.concurrency = concurrency
        self.max_failures = max_failures
        self.check_mode = check_mode
        self.results = collections.OrderedDict()
        self.failed_count = 0
        self.stopped_early = False

    def _record(self, key, sid, unique_name, msg, changed=False, failed=False, before=None, after=None):
        self.results[key] = {
            'sid': sid,
            'unique_name': unique_name,
            'changed': changed,
            'failed': failed,
            'msg': msg,
            'before': before,
            'after': after,
        }
        self.failed_count += failed

    def _record_plan(self, plan, msg, changed=False, failed=False, after=None):
        self._record(plan.sid, plan.sid, plan.unique_name, msg, changed=changed, failed=failed, before=plan.before, after=after)

    def _too_many_failures(self):
        return self.max_failures is not None and self.failed_count >= self.max_failures

    def _plan_and_submit(self, pool, pending, view):
        plan = plan_channel_change(view, self.wanted_type, self.wanted_messaging_service_sid)
        if plan.refusal:
            self._record_plan(plan, plan.refusal, failed=True, after=plan.before)
        elif not plan.changed:
            self._record_plan(plan, 'already %s' % plan.before['type'], after=plan.after)
        elif self.check_mode:
            self._record_plan(plan, 'would migrate (check mode)', changed=True, after=plan.after)
        else:
            pending[pool.submit(apply_channel_plan, self.client, self.service_sid, plan, self.webhook_enabled)] = plan

    def _read_and_submit(self, pool, pending, name):
        try:
            view = read_channel(self.client, self.service_sid, name, bool(self.wanted_messaging_service_sid))
        except TwilioError as exc:
            self._record(name, None, None, str(exc), failed=True)
            return
        # The same channel may be asked for by SID and by unique name: plan it once.
        if view['sid'] not in self.results:
            self._plan_and_submit(pool, pending, view)

    def _collect(self, pending, block):
        if not pending:
            return
        done, dummy = concurrent.futures.wait(
            list(pending), return_when=concurrent.futures.ALL_COMPLETED if block else concurrent.futures.FIRST_COMPLETED,
            timeout=None if block else 0)
        for future in done:
            plan = pending.pop(future)
            try:
                view = future.result()
            except TwilioError as exc:
                self._record_plan(plan, str(exc), failed=True, after=plan.before)
            else:
                self._record_plan(plan, 'migrated', changed=True, after=migration_state(view))

    def run(self, channels=None):
        """Plan and apply for the selected channels (all candidates when channels is None)."""
        if channels is None:
            source = ((view, None) for view in candidate_channels(self.client, self.service_sid, self.wanted_messaging_service_sid))
        else:
            source = requested_channels(self.client, self.service_sid, channels, self.wanted_messaging_service_sid)
        pending = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            try:
                for view, name_to_read in source:
                    if name_to_read is not None:
                        self._read_and_submit(pool, pending, name_to_read)
                    elif view['sid'] not in self.results:
                        self._plan_and_submit(pool, pending, view)
                    self._collect(pending, block=False)
                    if self._too_many_failures():
                        self.stopped_early = True
                        break
                    # Keep memory flat: never queue far more writes than the pool can run.
                    while len(pending) >= self.concurrency * 4:
                        concurrent.futures.wait(list(pending), return_when=concurrent.futures.FIRST_COMPLETED)
                        self._collect(pending, block=False)
            finally:
                if self.stopped_early:
                    for future in pending:
                        future.cancel()
                    pending = dict((f, p) for f, p in pending.items() if not f.cancelled())
                self._collect(pending, block=True)
        return self.results

    def summary(self):
        changed = sum(1 for r in self.results.values() if r['changed'])
        return {
            'total': len(self.results),
            'changed': changed,
            'unchanged': len(self.results) - changed - self.failed_count,
            'failed': self.failed_count,
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
