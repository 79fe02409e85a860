# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: migration_services
short_description: Choose what to migrate in each Chat service found in an account
version_added: 0.2.0
description:
  - Turns the Chat services that M(twilio_ops.chat.twilio_chat_service_info) lists into the entries the role
    C(twilio_ops.chat.twilio_chat_migration) works on, in the shape of its C(twilio_chat_services) variable,
    each with its C(friendly_name).
  - Every service found is kept, in Twilio's order. Its messaging service is the one its override gives, else
    O(messaging_service_sid); its channels are those its override lists, else all of them.
  - An override that names a service the account does not have fails, so that a mistyped SID is never silently ignored.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
positional: _input, messaging_service_sid, overrides
options:
  _input:
    description: The RV(twilio_ops.chat.twilio_chat_service_info#module:services) of the account.
    type: list
    elements: dict
    required: true
  messaging_service_sid:
    description:
      - The messaging service for every service whose override does not set one.
      - When not set, migrated channels get the account's default messaging service.
    type: str
  overrides:
    description:
      - Per service, by C(sid), a C(messaging_service_sid) and C(channels) (SIDs or unique names) that replace the
        defaults. An override that sets C(messaging_service_sid) to V(null) asks for no messaging service.
    type: list
    elements: dict
'''

EXAMPLES = r'''
- name: List the Chat services of the account
  twilio_ops.chat.twilio_chat_service_info:
  register: found

- name: Work on all of them, one with its own messaging service and only two channels
  ansible.builtin.set_fact:
    services: >-
      {{ found.services | twilio_ops.chat.migration_services(
           messaging_service_sid='MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
           overrides=[{'sid': 'ISbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'messaging_service_sid': 'MGbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
                       'channels': ['lobby', 'CHbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb']}]) }}
'''

RETURN = r'''
_value:
  description: One entry per service found, in Twilio's order.
  type: list
  elements: dict
  contains:
    sid:
      description: The Chat service SID.
      type: str
    friendly_name:
      description: The service's friendly name.
      type: str
    messaging_service_sid:
      description: The messaging service to migrate to, or V(null) for the account's default.
      type: str
    channels:
      description: The channels to look at, or V(null) for all of them.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError


def migration_services(services, messaging_service_sid=None, overrides=None):
    """The role's service entries for every service found, with the account-wide default and per-service overrides."""
    if not isinstance(services, list):
        raise AnsibleFilterError('migration_services: the input must be the services list of twilio_chat_service_info')
    by_sid = {}
    for override in overrides or []:
        if not isinstance(override, dict) or not override.get('sid'):
            raise AnsibleFilterError('migration_services: each override needs a sid')
        by_sid[override['sid']] = override
    found = [service['sid'] for service in services]
    unknown = sorted(set(by_sid) - set(found))
    if unknown:
        raise AnsibleFilterError(
            'twilio_chat_migration_service_overrides names %s, which %s not a Chat service of this account (found: %s)' % (
                ', '.join(unknown), 'is' if len(unknown) == 1 else 'are', ', '.join(found) or 'none'))
    entries = []
    for service in services:
        override = by_sid.get(service['sid'], {})
        entries.append({
            'sid': service['sid'],
            'friendly_name': service.get('friendly_name'),
            'messaging_service_sid': override['messaging_service_sid'] if 'messaging_service_sid' in override else messaging_service_sid,
            'channels': override.get('channels'),
        })
    return entries


class FilterModule(object):
    def filters(self):
        return {'migration_services': migration_services}
