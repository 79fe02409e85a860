#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: twilio_chat_channel
short_description: Migrate one Twilio Programmable Chat channel to private, so that it shows in Conversations
version_added: 0.1.0
description:
  - Declares the wanted type (and optionally messaging service) of one Programmable Chat channel.
  - Reads the channel with Chat v2 (and its conversation with Conversations v1 when a messaging service is asked for),
    and calls the Chat v3 channel update only when the channel differs from what is wanted.
  - Public channels must be migrated to V(private) before they appear in Twilio Conversations; private channels
    appear there already. Twilio does not allow migrating a channel to V(public).
  - Only the channel's C(Type) and C(MessagingServiceSid) are ever written; its name, attributes, members and messages
    are never touched.
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
      - Reads the channel and reports what would change, without any write request.
  diff_mode:
    support: full
    details:
      - Shows the channel's O(type) and O(messaging_service_sid) before and after.
options:
  channel:
    description:
      - The channel's SID (V(CH) followed by 32 hexadecimal digits) or its unique name.
      - Unique names may contain spaces and non-ASCII characters.
    type: str
    required: true
    aliases: [sid]
seealso:
  - module: twilio_ops.chat.twilio_chat_channel_info
  - name: Migrating Programmable Chat to Conversations
    description: Twilio's migration guide.
    link: https://www.twilio.com/docs/conversations/migrating-chat-conversations
'''

EXAMPLES = r'''
# Credentials come from TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).
- name: Migrate a public channel to private
  twilio_ops.chat.twilio_chat_channel:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    channel: CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    type: private

- name: Migrate a channel named by its unique name, and attach it to a messaging service
  twilio_ops.chat.twilio_chat_channel:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    channel: support general
    messaging_service_sid: MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    webhook_enabled: false
  register: migrated

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ migrated.channel.unique_name }} is {{ migrated.channel.type }}, messaging service {{ migrated.channel.messaging_service_sid }}"
'''

RETURN = r'''
channel:
  description:
    - The channel as Twilio has it after the task (as read, in check mode or when nothing changed).
    - RV(channel.messaging_service_sid) is only known for private channels when O(messaging_service_sid) was set or the channel was migrated;
      it is V(null) otherwise.
  returned: success
  type: dict
  contains:
    sid:
      description: The channel SID.
      type: str
      sample: CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    account_sid:
      description: The account SID.
      type: str
      sample: ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    service_sid:
      description: The Chat service SID.
      type: str
      sample: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    friendly_name:
      description: The channel's friendly name.
      type: str
      sample: Support
    unique_name:
      description: The channel's unique name.
      type: str
      sample: support general
    attributes:
      description: The channel's attributes, a JSON string.
      type: str
      sample: '{}'
    type:
      description: The channel type.
      type: str
      sample: private
    messaging_service_sid:
      description: The messaging service of the channel's conversation, when known.
      type: str
      sample: MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    date_created:
      description: When the channel was created.
      type: str
      sample: '2015-12-16T22:18:37Z'
    date_updated:
      description: When the channel was last updated.
      type: str
      sample: '2015-12-16T22:18:38Z'
    created_by:
      description: The identity of the user that created the channel, V(system) when created through the API.
      type: str
      sample: system
    members_count:
      description: The number of members.
      type: int
      sample: 2
    messages_count:
      description: The number of messages.
      type: int
      sample: 10
    url:
      description: The channel's absolute URL.
      type: str
      sample: https://chat.twilio.com/v2/Services/ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Channels/CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
'''

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import ArgumentSpec, channel_target_argument_spec
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    apply_channel_plan,
    migration_state,
    plan_channel_change,
    read_channel,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def run_module(module):
    params = module.params
    with module.client() as client:
        current = read_channel(client, params['service_sid'], params['channel'], bool(params['messaging_service_sid']))
        plan = plan_channel_change(current, params['type'], params['messaging_service_sid'])
        if plan.refusal:
            module.fail_json(msg=plan.refusal, channel=current)
        result = {'changed': plan.changed, 'channel': current}
        after = plan.after
        if plan.changed and not module.check_mode:
            result['channel'] = apply_channel_plan(client, params['service_sid'], plan, params['webhook_enabled'])
            after = migration_state(result['channel'])
    if module._diff:
        result['diff'] = {'before': plan.before, 'after': after}
    module.exit_json(**result)


def main():
    spec = channel_target_argument_spec().merge(ArgumentSpec(argument_spec=dict(
        channel=dict(type='str', required=True, aliases=['sid']),
    )))
    run_module(TwilioModule(spec))


if __name__ == '__main__':
    main()
