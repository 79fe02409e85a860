# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's metadata agrees with what it ships."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import COLLECTION_NAME, COLLECTION_VERSION

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def load_yaml(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return yaml.safe_load(handle)


def module_names():
    directory = os.path.join(ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py') and not name.startswith('_'))


def test_action_group_lists_exactly_the_modules():
    runtime = load_yaml('meta', 'runtime.yml')
    assert sorted(runtime['action_groups']['twilio']) == module_names()


def test_user_agent_version_matches_galaxy():
    galaxy = load_yaml('galaxy.yml')
    assert COLLECTION_NAME == '%s.%s' % (galaxy['namespace'], galaxy['name'])
    assert COLLECTION_VERSION == galaxy['version']


def test_every_module_uses_the_shared_connection_fragment():
    for name in module_names():
        with open(os.path.join(ROOT, 'plugins', 'modules', name + '.py')) as handle:
            assert 'twilio_ops.chat.twilio\n' in handle.read(), name
