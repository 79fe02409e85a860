#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: twilio_chat_channels
short_description: Migrate many Twilio Programmable Chat channels of one service to private, in parallel
version_added: 0.1.0
description:
  - The bulk form of M(twilio_ops.chat.twilio_chat_channel), for one Chat service per task.
  - Reads the service's state with list calls (Chat v2 public channels, and Conversations v1 when a messaging service
    is asked for), plans every channel exactly as M(twilio_ops.chat.twilio_chat_channel) does, and sends the Chat v3
    channel updates on up to O(concurrency) parallel connections while later pages are still being read.
  - Only the channels' C(Type) and C(MessagingServiceSid) are ever written.
  - B(Adaptive concurrency.) O(concurrency) is a ceiling on the task's requests in flight, the migration requests and
    the task's own list pages and channel reads, which Twilio counts against the same per-account limit. The width starts
    at the ceiling and is cut to three quarters (by one at least, never below 1) when Twilio answers a migration request
    with HTTP 429 (error 20429) that was sent since the last narrowing; it widens by one after as many successes in a row
    as the current width, up to the ceiling, but only after 20 times as many when the next width would reach the width
    that was last throttled, so the account's limit is probed rarely, and a throttled probe steps back by one only.
    With O(max_account_concurrency), the width never exceeds that budget, an answer whose C(Twilio-Concurrent-Requests)
    header is above it narrows the width by the excess, and one equal to it stops the widening.
  - A C(Retry-After) pauses new requests of the whole pool until it has passed (at most 30 seconds). Without one,
    narrowing is the answer while there is room to narrow; a 429 at width 1 pauses 0.5, then 1, 2 ... up to 20 seconds
    while 429 answers follow each other. A throttled channel is sent again after the pause, at most O(max_retries)
    times; other errors are retried by the connection's retry policy.
  - B(Passes.) After the first pass, which writes while it lists, the module lists again what may still need a change
    (public channels; with O(messaging_service_sid), conversations on another messaging service), reads that whole
    listing, then migrates what no pass has decided yet; until a pass finds nothing new, at most O(max_passes) passes.
    So channels that a list paging by offset skipped while earlier channels left it, and channels created during the
    run, are migrated too. If the last pass still found channels, one more listing without any write counts what is
    left (RV(summary.left), RV(channels_left)) and the task fails. Check mode makes one pass, since nothing changes and a new
    listing would find the same. With O(channels), later passes look only at selected channels no pass has decided.
  - Every channel is decided once in a run. If any channel fails (after retries), the task fails; the channels that
    succeeded are in the journal and the counts, so running the task again resumes where it stopped.
  - The role C(twilio_ops.chat.twilio_chat_migration) runs this module for every service of every account in an
    inventory, with a preflight, a verification and reports.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
extends_documentation_fragment:
  - twilio_ops.chat.twilio
  - twilio_ops.chat.channel_target
  - twilio_ops.chat.attributes
  - twilio_ops.chat.attributes.actiongroup_twilio
attributes:
  check_mode:
    support: full
    details:
      - Reads the state and returns the full plan, without any write request.
  diff_mode:
    support: full
    details:
      - Every changed channel under its SID and unique name, with its type and messaging service before and after.
options:
  channels:
    description:
      - The channels to migrate, by SID or unique name.
      - When not set, every public channel of the service and, when O(messaging_service_sid) is set,
        every private channel whose conversation has another messaging service.
    type: list
    elements: str
  concurrency:
    description:
      - The most requests this task has in flight at once, over one pooled HTTPS session, counting migration requests and
        the list pages read while they run. Between 1 and 50. It is a ceiling, and HTTP 429 answers narrow the task below it.
      - Twilio limits concurrent requests per account; stay well below that limit when several tasks
        (forks) work on the same account.
    type: int
    default: 10
  max_failures:
    description:
      - Stop sending new requests once this many channels have failed, and fail the task.
        Requests already sent complete, so a few more channels than this may be reported as failed.
      - When not set, every channel is tried.
    type: int
  max_account_concurrency:
    description:
      - How many requests the account should have in flight at most while this task runs, as Twilio counts them in the
        C(Twilio-Concurrent-Requests) header of its answers (every request of the account, this task's and others').
        Above it the task narrows its width, so that the account's production traffic keeps its share; the task itself
        never sends more than this many at once.
      - Set it below the account's limit by what production traffic needs. When not set, only HTTP 429 answers narrow
        the width. Between 1 and 1000.
    type: int
  max_passes:
    description:
      - How many passes may migrate channels; see the description. Between 1 and 20.
    type: int
    default: 5
  journal:
    description:
      - A file, on the host that runs the module, to which one JSON object per channel outcome is appended and flushed
        as it happens (JSON Lines), so a long run can be followed with C(tail -f) and audited afterwards.
      - "Each line has C(time) (UTC, ISO 8601), C(sid), C(unique_name), C(outcome) (V(migrated), V(would_migrate),
        V(unchanged) or V(failed)), C(before) and C(after) (C(type) and C(messaging_service_sid)), C(request_id)
        (the C(Twilio-Request-Id) of the migration request), C(attempts) (HTTP requests sent for it), C(msg) and C(pass)."
      - A V(migrated) line is written only after Twilio answered the migration, so a run killed at any point leaves
        only true lines, missing at most the requests that were in flight. The file is synced to disk at most once
        a second and at the end. It never holds a credential.
      - The directory must exist; an existing file is appended to.
    type: path
  channel_results_limit:
    description:
      - At most this many channels are returned in RV(channel_results) and listed in the diff; failed channels come first.
        The counts in RV(summary) always cover every channel, and the O(journal) lists every one.
      - Bounds the memory of the module and of the controller for services of many thousand channels. V(0) returns none.
    type: int
    default: 1000
seealso:
  - module: twilio_ops.chat.twilio_chat_channel
  - module: twilio_ops.chat.twilio_chat_channel_info
'''

EXAMPLES = r'''
# Credentials come from TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).
- name: Migrate every public channel of a service, and move all conversations to one messaging service
  twilio_ops.chat.twilio_chat_channels:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    messaging_service_sid: MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    concurrency: 10
  register: migration

- name: Summarise
  ansible.builtin.debug:
    msg: "{{ migration.summary.changed }} of {{ migration.summary.total }} channels to look at were migrated"

- name: Migrate a large service within a share of the account, with a journal to follow with tail -f
  twilio_ops.chat.twilio_chat_channels:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    concurrency: 20
    max_account_concurrency: 25
    journal: /var/tmp/ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jsonl
    channel_results_limit: 100
  register: large

- name: Say how it went
  ansible.builtin.debug:
    msg: >-
      {{ large.summary.changed }} channels in {{ large.summary.elapsed_seconds }} s, {{ large.summary.throttled }} answers 429,
      ending at {{ large.summary.concurrency }} requests at once after {{ large.summary.passes }} passes

- name: Migrate a few channels only, stopping after three failures
  twilio_ops.chat.twilio_chat_channels:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    channels:
      - CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      - support general
    max_failures: 3
'''

RETURN = r'''
summary:
  description: Counts over the selected channels.
  returned: always
  type: dict
  contains:
    total:
      description:
        - Channels looked at. Without O(channels), only those that may need a change are looked at
          (public channels, and private ones when O(messaging_service_sid) is set), so a finished service counts V(0).
      type: int
      sample: 1200
    changed:
      description: Channels migrated (or, in check mode, that would be).
      type: int
      sample: 1100
    unchanged:
      description: Channels already as wanted.
      type: int
      sample: 95
    failed:
      description: Channels that could not be migrated.
      type: int
      sample: 5
    left:
      description:
        - Channels that still needed a change after the last pass O(max_passes) allowed (see RV(channels_left));
          the task fails when this is not V(0).
      type: int
      sample: 0
    passes:
      description:
        - Listing passes made. A run that converged ends with a pass that found nothing new (V(1) for an empty service or
          in check mode); one that did not makes O(max_passes) + 1, the last without writes.
      type: int
      sample: 2
    elapsed_seconds:
      description: Wall-clock time of the run, listing included.
      type: float
      sample: 24.318
    retries:
      description:
        - Migration requests sent again, by the retry policy (5xx, connection errors) or after a 429.
      type: int
      sample: 12
    throttled:
      description: Migration requests Twilio answered with HTTP 429. List requests retried after a 429 are not counted.
      type: int
      sample: 7
    concurrency:
      description: The width the adaptive concurrency ended at (at most O(concurrency)).
      type: int
      sample: 4
channels_left:
  description:
    - Up to 20 channels that still needed a change after the last pass, with C(sid), C(unique_name) and C(before).
  returned: always
  type: list
  elements: dict
  sample: []
channel_results:
  description:
    - One entry per channel decided, failed ones first, then the others in the order they were decided;
      at most O(channel_results_limit) entries.
    - Named so because Ansible reads a C(results) key as loop output.
  returned: always
  type: list
  elements: dict
  contains:
    sid:
      description: The channel SID (V(null) when a requested channel could not be read).
      type: str
      sample: CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    unique_name:
      description: The channel's unique name.
      type: str
      sample: support general
    changed:
      description: Whether the channel was (or in check mode would be) migrated.
      type: bool
      sample: true
    failed:
      description: Whether the channel failed.
      type: bool
      sample: false
    msg:
      description: What happened, or the error.
      type: str
      sample: migrated
    before:
      description: The channel's C(type) and C(messaging_service_sid) before.
      type: dict
      sample: {type: public, messaging_service_sid: null}
    after:
      description: The channel's C(type) and C(messaging_service_sid) after (planned, in check mode).
      type: dict
      sample: {type: private, messaging_service_sid: MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}
stopped_early:
  description: Whether O(max_failures) stopped the task before every channel was tried.
  returned: always
  type: bool
  sample: false
journal:
  description: The path of the journal written, as O(journal) gave it.
  returned: when O(journal) is set
  type: str
  sample: /var/log/twilio/IS00000000000000000000000000000001.journal.jsonl
'''

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import (
    MAX_ACCOUNT_CONCURRENCY,
    MAX_CONCURRENCY,
    MAX_PASSES,
    ArgumentSpec,
    channel_target_argument_spec,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import BulkMigration, MigrationJournal, describe_changes
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def open_journal(module):
    path = module.params['journal']
    if not path:
        return None
    try:
        return MigrationJournal(path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot open the journal %s: %s' % (path, exc))


def run_module(module):
    params = module.params
    journal = open_journal(module)
    try:
        # Reads and writes have a pooled session each; reads may come from the reader and the main thread at once.
        with module.client(pool_size=params['concurrency'] + 1) as client:
            migration = BulkMigration(
                client, params['service_sid'], params['type'], params['messaging_service_sid'], params['webhook_enabled'],
                concurrency=params['concurrency'], max_failures=params['max_failures'], check_mode=module.check_mode,
                max_account_concurrency=params['max_account_concurrency'], max_passes=params['max_passes'],
                max_retries=params['max_retries'], journal=journal, channel_results_limit=params['channel_results_limit'])
            # A read of the service itself failed: report what was done before it.
            with module.twilio_errors(partial_result=lambda: migration_result(migration), stopped_early=True):
                try:
                    migration.run(params['channels'])
                except (IOError, OSError) as exc:
                    module.fail_json(msg='Writing the journal %s failed: %s' % (params['journal'], exc),
                                     **dict(migration_result(migration), stopped_early=True))
    finally:
        if journal:
            journal.close()
    result = migration_result(migration)
    summary = result['summary']
    if module._diff:
        result['diff'] = describe_changes(params['service_sid'], result['channel_results'], summary['changed'])
    if summary['failed']:
        # Every per-channel message names its channel.
        module.fail_json(msg='%d of %d channels of service %s failed%s; first: %s' % (
            summary['failed'], summary['total'], params['service_sid'],
            ' (stopped early after max_failures)' if migration.stopped_early else '', migration.first_failure['msg']), **result)
    if summary['left']:
        module.fail_json(msg='%d channel(s) of service %s still need a change after %d passes: the service kept changing; '
                             'first: %s' % (summary['left'], params['service_sid'], params['max_passes'],
                                            result['channels_left'][0]['sid'] or result['channels_left'][0]['name']), **result)
    module.exit_json(**result)


def migration_result(migration):
    summary = migration.summary()
    result = {
        'changed': summary['changed'] > 0,
        'summary': summary,
        'channel_results': migration.channel_results(),
        'channels_left': migration.left_sample,
        'stopped_early': migration.stopped_early,
    }
    if migration.journal:
        result['journal'] = migration.journal.path
    return result


def main():
    spec = channel_target_argument_spec().merge(ArgumentSpec(
        argument_spec=dict(
            channels=dict(type='list', elements='str'),
            concurrency=dict(type='int', default=10),
            max_failures=dict(type='int'),
            max_account_concurrency=dict(type='int'),
            max_passes=dict(type='int', default=5, no_log=False),
            journal=dict(type='path'),
            channel_results_limit=dict(type='int', default=1000),
        ),
        bounds={
            'concurrency': (1, MAX_CONCURRENCY),
            'max_failures': (1, None),
            'max_account_concurrency': (1, MAX_ACCOUNT_CONCURRENCY),
            'max_passes': (1, MAX_PASSES),
            'channel_results_limit': (0, None),
        },
    ))
    run_module(TwilioModule(spec))


if __name__ == '__main__':
    main()
