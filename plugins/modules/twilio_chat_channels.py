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
    channel updates on O(concurrency) parallel connections while later pages are still being read.
  - Only the channels' C(Type) and C(MessagingServiceSid) are ever written.
  - If any channel fails (after retries), the task fails; its result still lists every channel that succeeded,
    so running the task again resumes where it stopped.
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
      - How many migration requests run at once, over one pooled HTTPS session. Between 1 and 50.
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
channel_results:
  description:
    - One entry per channel looked at, in the order they were read.
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
'''

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import (
    MAX_CONCURRENCY,
    ArgumentSpec,
    channel_target_argument_spec,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import BulkMigration, describe_changes
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def run_module(module):
    params = module.params
    # One connection more than the writers: the main thread keeps reading pages meanwhile.
    with module.client(pool_size=params['concurrency'] + 1) as client:
        migration = BulkMigration(
            client, params['service_sid'], params['type'], params['messaging_service_sid'], params['webhook_enabled'],
            concurrency=params['concurrency'], max_failures=params['max_failures'], check_mode=module.check_mode)
        # A read of the service itself failed: report what was done before it.
        with module.twilio_errors(partial_result=lambda: migration_result(migration), stopped_early=True):
            migration.run(params['channels'])
    result = migration_result(migration)
    if module._diff:
        result['diff'] = describe_changes(params['service_sid'], result['channel_results'])
    summary = result['summary']
    if summary['failed']:
        # Every per-channel message names its channel.
        first_failure = next(r for r in result['channel_results'] if r['failed'])
        module.fail_json(msg='%d of %d channels of service %s failed%s; first: %s' % (
            summary['failed'], summary['total'], params['service_sid'],
            ' (stopped early after max_failures)' if migration.stopped_early else '', first_failure['msg']), **result)
    module.exit_json(**result)


def migration_result(migration):
    summary = migration.summary()
    return {
        'changed': summary['changed'] > 0,
        'summary': summary,
        'channel_results': list(migration.results.values()),
        'stopped_early': migration.stopped_early,
    }


def main():
    spec = channel_target_argument_spec().merge(ArgumentSpec(
        argument_spec=dict(
            channels=dict(type='list', elements='str'),
            concurrency=dict(type='int', default=10),
            max_failures=dict(type='int'),
        ),
        bounds={'concurrency': (1, MAX_CONCURRENCY), 'max_failures': (1, None)},
    ))
    run_module(TwilioModule(spec))


if __name__ == '__main__':
    main()
