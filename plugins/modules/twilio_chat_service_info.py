#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: twilio_chat_service_info
short_description: List or read the Twilio Programmable Chat services of an account
version_added: 0.2.0
description:
  - Lists every Chat service of the account O(account_sid) (Chat v2 C(GET /v2/Services), following Twilio's
    C(next_page_url) until there is none), or reads one service by O(sid).
  - Chat services live on C(chat.twilio.com), so a subaccount's services are only visible with that subaccount's
    own credentials (its auth token or an API key created in it), not with the parent's.
  - Never writes anything.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
extends_documentation_fragment:
  - twilio_ops.chat.twilio
  - twilio_ops.chat.attributes
  - twilio_ops.chat.attributes.info_module
  - twilio_ops.chat.attributes.actiongroup_twilio
options:
  sid:
    description:
      - Read only this Chat service (V(IS) followed by 32 hexadecimal digits). The task fails if it does not exist.
      - When not set, every Chat service of the account is listed.
    type: str
    aliases: [service_sid]
  page_size:
    description:
      - How many services to ask for per page when listing (Twilio allows at most 100).
    type: int
    default: 100
seealso:
  - module: twilio_ops.chat.twilio_chat_channel_info
  - plugin: twilio_ops.chat.twilio_accounts
    plugin_type: inventory
'''

EXAMPLES = r'''
# Credentials come from TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).
- name: List every Chat service of the account
  twilio_ops.chat.twilio_chat_service_info:
  register: chat

- name: Say which services there are
  ansible.builtin.debug:
    msg: "{{ chat.services | map(attribute='friendly_name') | join(', ') }}"

- name: Read one service
  twilio_ops.chat.twilio_chat_service_info:
    sid: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  register: support_service
'''

RETURN = r'''
services:
  description:
    - The Chat services found, in Twilio's order, each as Twilio returns it (the fields below and Twilio's others,
      such as C(limits), C(notifications), C(media) and the webhook settings).
    - With O(sid), a list of that one service.
  returned: success
  type: list
  elements: dict
  contains:
    sid:
      description: The Chat service SID.
      type: str
      sample: ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    account_sid:
      description: The SID of the account that owns the service.
      type: str
      sample: ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    friendly_name:
      description: The service's friendly name.
      type: str
      sample: Support
    date_created:
      description: When the service was created.
      type: str
      sample: '2015-07-30T20:00:00Z'
    date_updated:
      description: When the service was last updated.
      type: str
      sample: '2015-07-30T20:00:00Z'
    default_service_role_sid:
      description: The service role given to users when they are added to the service.
      type: str
      sample: RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    default_channel_role_sid:
      description: The channel role given to users when they are added to a channel.
      type: str
      sample: RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    default_channel_creator_role_sid:
      description: The channel role given to a user who creates a channel.
      type: str
      sample: RLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    url:
      description: The service's absolute URL.
      type: str
      sample: https://chat.twilio.com/v2/Services/ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    links:
      description: The URLs of the service's channels, roles, users and bindings.
      type: dict
      sample: {"channels": "https://chat.twilio.com/v2/Services/ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Channels"}
'''

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import MAX_PAGE_SIZE, ArgumentSpec
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def read_services(client, sid, page_size):
    if sid:
        return [client.fetch_chat_service(sid)]
    return list(client.list_chat_services(page_size=page_size))


def main():
    module = TwilioModule(ArgumentSpec(
        argument_spec=dict(
            sid=dict(type='str', aliases=['service_sid']),
            page_size=dict(type='int', default=MAX_PAGE_SIZE),
        ),
        sid_options={'sid': 'IS'},
        bounds={'page_size': (1, MAX_PAGE_SIZE)},
    ))
    with module.client() as client:
        services = read_services(client, module.params['sid'], module.params['page_size'])
    module.exit_json(changed=False, services=services)


if __name__ == '__main__':
    main()
