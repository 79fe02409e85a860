#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: twilio_chat_channel_info
short_description: List or read Twilio Programmable Chat channels and their migration state
version_added: 0.1.0
description:
  - Reads one channel, or lists the channels of a Chat service, with their type and, for private channels,
    the messaging service of their conversation.
  - Lists are read with O(page_size) items a page, following Twilio's C(next_page_url) until there is none.
  - Never writes anything.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
extends_documentation_fragment:
  - twilio_ops.chat.twilio
  - twilio_ops.chat.attributes
  - twilio_ops.chat.attributes.info_module
  - twilio_ops.chat.attributes.actiongroup_twilio
options:
  service_sid:
    description:
      - The SID of the Chat service (V(IS) followed by 32 hexadecimal digits).
    type: str
    required: true
  channel:
    description:
      - Read only this channel, by SID or unique name. The task fails if it does not exist.
      - When not set, every channel of the service whose type is in O(type) is listed.
    type: str
    aliases: [sid]
  type:
    description:
      - Only return channels of these types.
    type: list
    elements: str
    choices: [public, private]
    default: [public, private]
  page_size:
    description:
      - How many channels to ask for per page when listing (Twilio allows at most 100).
    type: int
    default: 100
  limit:
    description:
      - Return at most this many channels, and stop reading pages once they are found.
      - With O(limit=1) and O(type=[public]), one request proves that the credentials work and the service exists.
      - Cannot be used with O(summary_only=true).
    type: int
  summary_only:
    description:
      - Count the channels of the service and return RV(summary) instead of RV(channels).
      - Public channels are read from the Chat list and private ones from the Conversations list of the service
        (which carries their messaging service), two paged list calls whatever the number of channels.
      - O(type) does not apply, every channel is counted. Cannot be used with O(channel) or O(limit).
    type: bool
    default: false
    version_added: 0.2.0
  messaging_service_sid:
    description:
      - With O(summary_only=true), the messaging service (V(MG) followed by 32 hexadecimal digits) private channels
        should use; those that use another one, or none, are counted in RV(summary.other_messaging_service).
      - Requires O(summary_only=true).
    type: str
    version_added: 0.2.0
  channels:
    description:
      - With O(summary_only=true), count only these channels, by SID or unique name. An empty list counts none.
      - When not set, every channel of the service is counted.
      - Requires O(summary_only=true).
    type: list
    elements: str
    version_added: 0.2.0
  sample_size:
    description:
      - With O(summary_only=true), how many channels each sample of RV(summary) holds at most.
      - V(0) keeps every channel in the samples; memory then grows with the number of channels sampled.
    type: int
    default: 20
    version_added: 0.2.0
seealso:
  - module: twilio_ops.chat.twilio_chat_channel
'''

EXAMPLES = r'''
# Credentials come from TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).
- name: List the public channels still to migrate
  twilio_ops.chat.twilio_chat_channel_info:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    type: [public]
  register: public_channels

- name: Say how many are left
  ansible.builtin.debug:
    msg: "{{ public_channels.channels | length }} public channels left"

- name: Check, with one request, that the credentials work and the service exists
  twilio_ops.chat.twilio_chat_channel_info:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    type: [public]
    limit: 1

- name: Count what is left to migrate in a service, without returning its channels
  twilio_ops.chat.twilio_chat_channel_info:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    summary_only: true
    messaging_service_sid: MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  register: census

- name: Say what is left, with a few of the channels
  ansible.builtin.debug:
    msg: >-
      {{ census.summary.public }} public, {{ census.summary.other_messaging_service }} on another messaging service;
      for example: {{ (census.summary.public_sample + census.summary.other_messaging_service_sample)
                      | map(attribute='sid') | join(', ') or 'none' }}

- name: Read one channel by its unique name
  twilio_ops.chat.twilio_chat_channel_info:
    service_sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    channel: support general
  register: support_channel
'''

RETURN = r'''
channels:
  description:
    - The channels found, in Twilio's order.
    - RV(channels[].messaging_service_sid) is set for private channels (from their conversation) and V(null) for public ones.
  returned: success, unless O(summary_only=true)
  type: list
  elements: dict
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
      sample: public
    messaging_service_sid:
      description: The messaging service of a private channel's conversation.
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
      description: The identity of the user that created the channel.
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
summary:
  version_added: 0.2.0
  description:
    - The counts of the selected channels of the service (all of them without O(channels)).
    - Each sample lists at most O(sample_size) channels, those asked for by SID before those asked for by unique name,
      each in Twilio's order.
  returned: success, with O(summary_only=true)
  type: dict
  contains:
    total:
      description: How many channels were counted, public and private.
      type: int
      sample: 140
    public:
      description: How many of them are public, that is, not migrated yet.
      type: int
      sample: 3
    public_sample:
      description: Some of the public channels.
      type: list
      elements: dict
      sample: [{"sid": "CHaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "unique_name": "lobby"}]
      contains:
        sid:
          description: The channel SID.
          type: str
        unique_name:
          description: The channel's unique name, V(null) when it has none.
          type: str
    private:
      description: How many of them are private.
      type: int
      sample: 137
    private_by_messaging_service:
      description:
        - How many private channels use each messaging service, by messaging service SID, in SID order.
        - V(none) counts those whose conversation has no messaging service.
      type: dict
      sample: {"MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 136, "none": 1}
    other_messaging_service:
      description:
        - How many private channels use another messaging service than O(messaging_service_sid), or none.
        - V(0) when O(messaging_service_sid) is not set.
      type: int
      sample: 1
    other_messaging_service_sample:
      description: Some of the private channels counted in RV(summary.other_messaging_service).
      type: list
      elements: dict
      sample: [{"sid": "CHbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "unique_name": null}]
      contains:
        sid:
          description: The channel SID.
          type: str
        unique_name:
          description: The channel's unique name, V(null) when it has none.
          type: str
'''

import itertools

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import MAX_PAGE_SIZE, ArgumentSpec
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    count_service_channels,
    read_channel,
    read_channels,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def run_module(module):
    params = module.params
    with module.client() as client:
        if params['summary_only']:
            summary = count_service_channels(client, params['service_sid'], params['messaging_service_sid'],
                                             params['channels'], params['sample_size'], params['page_size'])
            module.exit_json(changed=False, summary=summary)
        if params['channel']:
            view = read_channel(client, params['service_sid'], params['channel'], with_messaging_service=True)
            channels = [view] if view['type'] in params['type'] else []
        else:
            page_size = min(params['page_size'], params['limit'] or params['page_size'])
            found = read_channels(client, params['service_sid'], params['type'], with_messaging_service=True, page_size=page_size)
            channels = list(itertools.islice(found, params['limit']))
    module.exit_json(changed=False, channels=channels)


def types_problem(params):
    if not params['type']:
        return 'type must name at least one of public, private'
    return None


def summary_options_problem(params):
    if params['summary_only'] and (params['channel'] or params['limit'] is not None):
        return 'summary_only counts every channel of the service: it cannot be used with channel or limit'
    if not params['summary_only'] and (params['channels'] is not None or params['messaging_service_sid']):
        return 'channels and messaging_service_sid only choose what summary_only=true counts: set summary_only'
    return None


def main():
    spec = ArgumentSpec(
        argument_spec=dict(
            service_sid=dict(type='str', required=True),
            channel=dict(type='str', aliases=['sid']),
            type=dict(type='list', elements='str', choices=['public', 'private'], default=['public', 'private']),
            page_size=dict(type='int', default=MAX_PAGE_SIZE),
            limit=dict(type='int'),
            summary_only=dict(type='bool', default=False),
            messaging_service_sid=dict(type='str'),
            channels=dict(type='list', elements='str'),
            sample_size=dict(type='int', default=20),
        ),
        sid_options={'service_sid': 'IS', 'messaging_service_sid': 'MG'},
        bounds={'page_size': (1, MAX_PAGE_SIZE), 'limit': (1, None), 'sample_size': (0, None)},
        checks=[types_problem, summary_options_problem],
    )
    run_module(TwilioModule(spec))


if __name__ == '__main__':
    main()
