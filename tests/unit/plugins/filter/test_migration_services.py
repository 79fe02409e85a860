# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The services the role works on when it finds them itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.twilio_ops.chat.plugins.filter.migration_services import FilterModule, migration_services

IS_A = 'IS' + 'a' * 32
IS_B = 'IS' + 'b' * 32
IS_C = 'IS' + 'c' * 32
MG_A = 'MG' + 'a' * 32
MG_B = 'MG' + 'b' * 32

FOUND = [
    {'sid': IS_A, 'friendly_name': 'Support', 'unique_name': 'support', 'limits': {}},
    {'sid': IS_B, 'friendly_name': 'Community', 'unique_name': None},
]


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'migration_services': migration_services}


def test_every_service_found_with_every_channel_and_no_messaging_service_by_default():
    assert migration_services(FOUND) == [
        {'sid': IS_A, 'friendly_name': 'Support', 'messaging_service_sid': None, 'channels': None},
        {'sid': IS_B, 'friendly_name': 'Community', 'messaging_service_sid': None, 'channels': None},
    ]


def test_the_account_wide_messaging_service_and_an_override():
    overrides = [{'sid': IS_B, 'messaging_service_sid': MG_B, 'channels': ['lobby']}]
    assert migration_services(FOUND, MG_A, overrides) == [
        {'sid': IS_A, 'friendly_name': 'Support', 'messaging_service_sid': MG_A, 'channels': None},
        {'sid': IS_B, 'friendly_name': 'Community', 'messaging_service_sid': MG_B, 'channels': ['lobby']},
    ]


def test_an_override_can_ask_for_no_messaging_service_or_keep_the_account_wide_one():
    services = migration_services(FOUND, MG_A, [{'sid': IS_A, 'messaging_service_sid': None}, {'sid': IS_B, 'channels': []}])
    assert [(s['messaging_service_sid'], s['channels']) for s in services] == [(None, None), (MG_A, [])]


def test_an_account_without_chat_services_has_nothing_to_do():
    assert migration_services([], MG_A) == []


def test_an_override_for_a_service_the_account_does_not_have_fails():
    with pytest.raises(AnsibleFilterError, match='names %s, which is not a Chat service of this account' % IS_C):
        migration_services(FOUND, overrides=[{'sid': IS_C}])
    with pytest.raises(AnsibleFilterError, match=r'\(found: none\)'):
        migration_services([], overrides=[{'sid': IS_C}])


def test_each_override_needs_a_sid_and_the_input_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match='needs a sid'):
        migration_services(FOUND, overrides=[{'channels': []}])
    with pytest.raises(AnsibleFilterError, match='services list'):
        migration_services({'services': FOUND})
