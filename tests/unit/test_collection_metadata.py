# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's metadata agrees with what it ships."""

import importlib
import os

import pytest
import yaml

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import COLLECTION_NAME, COLLECTION_VERSION

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def load_yaml(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return yaml.safe_load(handle)


def module_names():
    directory = os.path.join(ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py') and not name.startswith('_'))


def module_documentation(name):
    return yaml.safe_load(importlib.import_module('ansible_collections.twilio_ops.chat.plugins.modules.' + name).DOCUMENTATION)


def fragment_documentation(fragment):
    """The YAML of one of our doc fragments, named as extends_documentation_fragment names it."""
    parts = fragment.split('.')
    assert parts[:2] == ['twilio_ops', 'chat'], fragment
    variable = parts[3].upper() if len(parts) > 3 else 'DOCUMENTATION'
    fragments = importlib.import_module('ansible_collections.twilio_ops.chat.plugins.doc_fragments.' + parts[2])
    return yaml.safe_load(getattr(fragments.ModuleDocFragment, variable))


def documented_action_groups(name):
    """The action groups a module's documentation (with its fragments) says it belongs to."""
    documentation = module_documentation(name)
    sources = [documentation] + [fragment_documentation(f) for f in documentation.get('extends_documentation_fragment', [])]
    groups = set()
    for source in sources:
        groups.update(((source.get('attributes') or {}).get('action_group') or {}).get('membership') or [])
    return groups


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


def test_documented_action_groups_match_runtime():
    runtime = load_yaml('meta', 'runtime.yml')
    documented = {}
    for name in module_names():
        for group in documented_action_groups(name):
            documented.setdefault(group, []).append(name)
    assert documented == dict(('twilio_ops.chat.%s' % group, sorted(modules)) for group, modules in runtime['action_groups'].items())


@pytest.mark.parametrize('name', module_names())
def test_every_module_documents_its_attributes(name):
    attributes = {}
    documentation = module_documentation(name)
    for fragment in documentation.get('extends_documentation_fragment', []):
        for attribute, value in (fragment_documentation(fragment).get('attributes') or {}).items():
            attributes.setdefault(attribute, {}).update(value)
    for attribute, value in (documentation.get('attributes') or {}).items():
        attributes.setdefault(attribute, {}).update(value)
    assert sorted(attributes) == ['action_group', 'check_mode', 'diff_mode']
    for attribute, value in attributes.items():
        assert value.get('description') and value.get('support'), (name, attribute)
