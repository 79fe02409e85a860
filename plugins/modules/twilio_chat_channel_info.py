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
    type: int
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
  returned: success
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
'''

import itertools

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import MAX_PAGE_SIZE, ArgumentSpec
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import (
    read_channel,
    read_channels,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def run_module(module):
    params = module.params
    with module.client() as client:
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


def main():
    spec = ArgumentSpec(
        argument_spec=dict(
            service_sid=dict(type='str', required=True),
            channel=dict(type='str', aliases=['sid']),
            type=dict(type='list', elements='str', choices=['public', 'private'], default=['public', 'private']),
            page_size=dict(type='int', default=MAX_PAGE_SIZE),
            limit=dict(type='int'),
        ),
        sid_options={'service_sid': 'IS'},
        bounds={'page_size': (1, MAX_PAGE_SIZE), 'limit': (1, None)},
        checks=[types_problem],
    )
    run_module(TwilioModule(spec))


if __name__ == '__main__':
    main()
