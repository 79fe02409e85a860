# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The twilio_accounts inventory plugin, offline: TwilioClient.request is the seam."""

import json
import os

import pytest

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.module_utils.six.moves.urllib.parse import parse_qs, urlsplit
from ansible.plugins.loader import inventory_loader

from ansible_collections.twilio_ops.chat.plugins.inventory import twilio_accounts
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import ACCOUNTS_ACCESS_HELP, TwilioClient, TwilioError

NAME = 'twilio_ops.chat.twilio_accounts'
PARENT = 'AC' + 'a' * 32
PARENT_TOKEN = 'parent-token-must-never-appear'
API_SECRET = 'api-secret-must-never-appear'
API_KEY = 'SK' + 'b' * 32
BASE = 'http://127.0.0.1:9'
ENVIRONMENT = ('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_API_BASE_URL',
               'TWILIO_REGION', 'TWILIO_EDGE')


def sub_sid(number):
    return 'AC%032x' % number


def sub_token(number):
    return 'subaccount-token-%d-must-never-appear' % number


def account(number, status='active', name=None):
    return {'sid': sub_sid(number), 'friendly_name': name or 'prod-%d' % number, 'status': status, 'type': 'Full',
            'owner_account_sid': PARENT, 'auth_token': sub_token(number), 'date_created': 'Thu, 30 Jul 2015 20:00:00 +0000',
            'date_updated': 'Thu, 30 Jul 2015 20:00:00 +0000', 'uri': '/2010-04-01/Accounts/%s.json' % sub_sid(number),
            'subresource_uris': {}}


PARENT_ACCOUNT = dict(account(0, name='Parent'), sid=PARENT, auth_token=PARENT_TOKEN)
SECRETS = [PARENT_TOKEN, API_SECRET] + [sub_token(number) for number in range(20)]


class FakeTwilio:
    """The Accounts API as Twilio pages it (Status filter, PageSize, relative next_page_uri), recording every request."""

    def __init__(self, accounts, refuse=False):
        self.accounts = accounts
        self.refuse = refuse
        self.calls = []

    def request(self, client, method, product, path, action, params=None, data=None, headers=None, absolute_url=None):
        url = absolute_url or client.url(product, path)
        parts = urlsplit(url)
        query = dict((key, values[0]) for key, values in parse_qs(parts.query).items())
        query.update(dict((key, str(value)) for key, value in (params or {}).items()))
        self.calls.append((method, parts.path, query))
        if self.refuse:
            raise TwilioError('%s failed: Authenticate' % action, status=401, code=20003)
        if parts.path == '/2010-04-01/Accounts.json':
            selected = [a for a in self.accounts if 'Status' not in query or a['status'] == query['Status']]
            size, number = int(query.get('PageSize', 50)), int(query.get('Page', 0))
            next_page_uri = None
            if (number + 1) * size < len(selected):
                next_page_uri = '/2010-04-01/Accounts.json?PageSize=%d&Page=%d&PageToken=PA%d' % (size, number + 1, number + 1)
                if 'Status' in query:
                    next_page_uri += '&Status=' + query['Status']
            return {'accounts': [dict(a) for a in selected[number * size:(number + 1) * size]], 'next_page_uri': next_page_uri,
                    'page': number, 'page_size': size, 'uri': parts.path}
        for candidate in self.accounts:
            if parts.path == '/2010-04-01/Accounts/%s.json' % candidate['sid']:
                return dict(candidate)
        raise TwilioError('%s failed: not found' % action, status=404, code=20404)

    def account_requests(self):
        return [call for call in self.calls if call[1] == '/2010-04-01/Accounts.json']


@pytest.fixture
def twilio(monkeypatch):
    fake = FakeTwilio([PARENT_ACCOUNT] + [account(n) for n in range(1, 6)] + [account(6, 'suspended'), account(7, 'closed')])

    def request(client, *args, **kwargs):
        return fake.request(client, *args, **kwargs)

    monkeypatch.setattr(TwilioClient, 'request', request)
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv('TWILIO_ACCOUNT_SID', PARENT)
    monkeypatch.setenv('TWILIO_AUTH_TOKEN', PARENT_TOKEN)
    return fake


def new_plugin():
    """The plugin as ansible's plugin loader hands it over: option definitions registered, load name set."""
    inventory_loader._load_config_defs(NAME, twilio_accounts, twilio_accounts.__file__)
    plugin = twilio_accounts.InventoryModule()
    inventory_loader._update_object(obj=plugin, name=NAME, path=twilio_accounts.__file__, resolved=NAME)
    return plugin


def write_config(tmp_path, config, name='inventory.twilio_accounts.yml'):
    path = tmp_path / name
    path.write_text(json.dumps(dict({'plugin': NAME}, **config)))
    return str(path)


def run_inventory(tmp_path, config=None, cache=True):
    """Parse as ansible-inventory does, then flush the cache; return (plugin, inventory)."""
    plugin = new_plugin()
    inventory = InventoryData()
    path = write_config(tmp_path, config or {})
    plugin.parse(inventory, DataLoader(), path, cache=cache)
    if getattr(plugin, '_cache', None) is not None:  # only a plugin configured with cache: true has one
        plugin.update_cache_if_changed()
    return plugin, inventory


def hosts_of(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def host_vars(inventory, name):
    """The variables the plugin set (without inventory_file and inventory_dir, which InventoryData adds)."""
    return dict((key, value) for key, value in inventory.get_host(name).vars.items() if not key.startswith('inventory_'))


def everything(inventory):
    """All an inventory would print: host names, groups, host vars."""
    return json.dumps({
        'groups': dict((name, sorted(h.name for h in group.get_hosts())) for name, group in inventory.groups.items()),
        'hostvars': dict((name, dict((k, str(v)) for k, v in host.get_vars().items())) for name, host in inventory.hosts.items()),
    })


def is_marked_unsafe(value):
    try:
        from ansible._internal._datatag._tags import TrustedAsTemplate  # ansible-core 2.19 and later
    except ImportError:
        from ansible.utils.unsafe_proxy import AnsibleUnsafe
        return isinstance(value, AnsibleUnsafe)
    return not TrustedAsTemplate.is_tagged_on(value)


@pytest.mark.parametrize('name, accepted', [
    ('inventory.twilio_accounts.yml', True), ('prod.twilio_accounts.yaml', True), ('twilio_accounts.yml', True),
    ('twilio_accounts.yaml', True), ('inventory.yml', False), ('twilio_accounts.json', False), ('aws_ec2.yml', False),
])
def test_verify_file_accepts_only_twilio_accounts_files(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: %s\n' % NAME)
    assert new_plugin().verify_file(str(path)) is accepted


def test_every_active_subaccount_over_several_pages_is_a_host_named_by_sid(tmp_path, twilio):
    dummy, inventory = run_inventory(tmp_path, {'page_size': 2})
    expected = sorted(sub_sid(n) for n in range(1, 6))
    assert hosts_of(inventory, 'twilio_accounts') == expected
    assert hosts_of(inventory, 'twilio_accounts_active') == expected
    assert 'twilio_accounts_suspended' not in inventory.groups
    requests = twilio.account_requests()
    # One status asked for: Twilio filters; the parent (also active) makes the pages 6 accounts long.
    assert [call[2].get('Page', '0') for call in requests] == ['0', '1', '2']
    assert all(call[2]['Status'] == 'active' and call[2]['PageSize'] == '2' for call in requests)
    assert host_vars(inventory, sub_sid(3)) == {
        'twilio_account_sid': sub_sid(3), 'twilio_account_friendly_name': 'prod-3', 'twilio_account_status': 'active',
        'twilio_parent_account_sid': PARENT,
    }


def test_several_statuses_are_filtered_here_and_each_has_its_group(tmp_path, twilio):
    dummy, inventory = run_inventory(tmp_path, {'statuses': ['active', 'suspended']})
    assert 'Status' not in twilio.account_requests()[0][2]
    assert hosts_of(inventory, 'twilio_accounts') == sorted(sub_sid(n) for n in range(1, 7))
    assert hosts_of(inventory, 'twilio_accounts_suspended') == [sub_sid(6)]
    assert sub_sid(7) not in inventory.hosts


def test_friendly_name_glob_filters_subaccounts(tmp_path, twilio):
    twilio.accounts.append(account(8, name='staging-eu'))
    twilio.accounts.append(account(9, name='prod-eu'))
    dummy, inventory = run_inventory(tmp_path, {'friendly_name_pattern': 'prod-[1e]*'})
    assert hosts_of(inventory, 'twilio_accounts') == [sub_sid(1), sub_sid(9)]


def test_the_parent_is_a_host_only_with_include_parent(tmp_path, twilio):
    dummy, inventory = run_inventory(tmp_path)
    assert PARENT not in inventory.hosts
    dummy, inventory = run_inventory(tmp_path, {'include_parent': True, 'friendly_name_pattern': 'nothing-matches'})
    assert hosts_of(inventory, 'twilio_accounts') == [PARENT]
    assert hosts_of(inventory, 'twilio_accounts_active') == [PARENT]
    parent_vars = host_vars(inventory, PARENT)
    assert parent_vars['twilio_account_friendly_name'] == 'Parent'
    assert 'twilio_parent_account_sid' not in parent_vars


def test_include_parent_reads_the_parent_when_the_status_filter_left_it_out(tmp_path, twilio):
    dummy, inventory = run_inventory(tmp_path, {'include_parent': True, 'statuses': ['suspended']})
    assert hosts_of(inventory, 'twilio_accounts') == sorted([PARENT, sub_sid(6)])
    assert ('GET', '/2010-04-01/Accounts/%s.json' % PARENT, {}) in twilio.calls


def test_api_base_url_is_given_to_every_host(tmp_path, twilio, monkeypatch):
    monkeypatch.setenv('TWILIO_API_BASE_URL', BASE + '/')
    dummy, inventory = run_inventory(tmp_path, {'include_parent': True})
    assert set(str(host_vars(inventory, name)['twilio_api_base_url']) for name in inventory.hosts) == {BASE}
    dummy, inventory = run_inventory(tmp_path, {'api_base_url': 'http://localhost:8080'})
    assert str(host_vars(inventory, sub_sid(1))['twilio_api_base_url']) == 'http://localhost:8080'


def test_without_api_base_url_requests_go_to_the_api_host(tmp_path, twilio, monkeypatch):
    seen = []
    original = twilio.request

    def spy(client, *args, **kwargs):
        seen.append(client.url('api', '/'))
        return original(client, *args, **kwargs)

    monkeypatch.setattr(TwilioClient, 'request', spy)
    dummy, inventory = run_inventory(tmp_path, {'region': 'ie1', 'edge': 'dublin'})
    assert set(seen) == {'https://api.dublin.ie1.twilio.com/'}
    assert 'twilio_api_base_url' not in host_vars(inventory, sub_sid(1))


def test_constructed_compose_groups_and_keyed_groups(tmp_path, twilio):
    twilio.accounts.append(account(9, name='Prod EU'))
    dummy, inventory = run_inventory(tmp_path, {
        'strict': True,
        'compose': {'twilio_account_label': "twilio_account_friendly_name | lower | regex_replace('[^a-z0-9]+', '-')"},
        'groups': {'europe': "'EU' in twilio_account_friendly_name"},
        'keyed_groups': [{'key': 'twilio_account_status', 'prefix': 'status'}, {'key': 'twilio_account_label', 'prefix': 'name'}],
    })
    assert host_vars(inventory, sub_sid(9))['twilio_account_label'] == 'prod-eu'
    assert hosts_of(inventory, 'europe') == [sub_sid(9)]
    assert hosts_of(inventory, 'status_active') == hosts_of(inventory, 'twilio_accounts')
    assert hosts_of(inventory, 'name_prod_eu') == [sub_sid(9)]


def test_strict_makes_a_broken_expression_fail_and_lenient_skips_it(tmp_path, twilio):
    broken = {'compose': {'label': 'no_such_variable.attribute'}, 'keyed_groups': [{'key': 'no_such_variable', 'prefix': 'x'}]}
    with pytest.raises(AnsibleError):
        run_inventory(tmp_path, dict(broken, strict=True))
    dummy, inventory = run_inventory(tmp_path, dict(broken, strict=False))
    assert 'label' not in host_vars(inventory, sub_sid(1))
    assert hosts_of(inventory, 'twilio_accounts') == sorted(sub_sid(n) for n in range(1, 6))


def test_strings_from_twilio_are_unsafe_and_never_templated(tmp_path, twilio):
    twilio.accounts.append(account(9, name="{{ 6 * 7 }}{{ lookup('env', 'HOME') }}"))
    dummy, inventory = run_inventory(tmp_path, {'compose': {'label': 'twilio_account_friendly_name'}, 'strict': True})
    variables = host_vars(inventory, sub_sid(9))
    for name in ('twilio_account_sid', 'twilio_account_friendly_name', 'twilio_account_status', 'twilio_parent_account_sid'):
        assert is_marked_unsafe(variables[name]), name
    assert variables['label'] == "{{ 6 * 7 }}{{ lookup('env', 'HOME') }}"


def test_cache_hit_makes_no_request_and_the_cache_holds_no_secret(tmp_path, twilio):
    cache_dir = tmp_path / 'cache'
    config = {'cache': True, 'cache_plugin': 'jsonfile', 'cache_connection': str(cache_dir), 'include_parent': True}
    dummy, first = run_inventory(tmp_path, config)
    assert twilio.calls
    files = os.listdir(str(cache_dir))
    assert len(files) == 1
    stored = (cache_dir / files[0]).read_text()
    assert sub_sid(1) in stored
    for secret in SECRETS:
        assert secret not in stored
    assert 'auth_token' not in stored

    twilio.calls[:] = []
    dummy, second = run_inventory(tmp_path, config)
    assert twilio.calls == []
    assert everything(second) == everything(first)
    assert is_marked_unsafe(host_vars(second, sub_sid(1))['twilio_account_friendly_name'])

    # --flush-cache parses with cache=False: read Twilio again and refresh the entry.
    dummy, third = run_inventory(tmp_path, config, cache=False)
    assert twilio.account_requests()
    assert everything(third) == everything(first)


def test_the_cache_is_kept_apart_per_parent(tmp_path, twilio, monkeypatch):
    config = {'cache': True, 'cache_plugin': 'jsonfile', 'cache_connection': str(tmp_path / 'cache')}
    run_inventory(tmp_path, config)
    twilio.calls[:] = []
    other = 'AC' + 'c' * 32
    monkeypatch.setenv('TWILIO_ACCOUNT_SID', other)
    dummy, inventory = run_inventory(tmp_path, config)
    assert twilio.account_requests()
    # None of the listed accounts belongs to that parent.
    assert hosts_of(inventory, 'twilio_accounts') == []


def test_no_secret_anywhere_in_the_inventory(tmp_path, twilio, monkeypatch):
    dummy, inventory = run_inventory(tmp_path, {'include_parent': True, 'statuses': ['active', 'suspended', 'closed']})
    printed = everything(inventory)
    for secret in SECRETS:
        assert secret not in printed
    assert 'auth_token' not in printed


def test_credentials_in_the_file_work_without_the_environment(tmp_path, twilio, monkeypatch):
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    dummy, inventory = run_inventory(tmp_path, {'account_sid': PARENT, 'auth_token': PARENT_TOKEN, 'api_base_url': BASE})
    assert hosts_of(inventory, 'twilio_accounts') == sorted(sub_sid(n) for n in range(1, 6))


def test_a_standard_api_key_fails_with_one_clear_message_and_no_secret(tmp_path, twilio, monkeypatch):
    monkeypatch.setenv('TWILIO_API_KEY', API_KEY)
    monkeypatch.setenv('TWILIO_API_SECRET', API_SECRET)
    twilio.refuse = True
    with pytest.raises(AnsibleParserError) as caught:
        run_inventory(tmp_path)
    message = str(caught.value)
    assert message.startswith(NAME + ': Listing accounts failed: Authenticate: Twilio refused API key %s for the Accounts resource; ' % API_KEY)
    assert ACCOUNTS_ACCESS_HELP in message
    assert API_SECRET not in message and PARENT_TOKEN not in message


@pytest.mark.parametrize('config, environment, expected', [
    ({}, {'TWILIO_ACCOUNT_SID': None}, 'account_sid (or TWILIO_ACCOUNT_SID) must be set'),
    ({'account_sid': 'AC123'}, {}, 'account_sid must be an account SID'),
    ({}, {'TWILIO_AUTH_TOKEN': None}, "set the parent account's auth_token"),
    ({'api_key': API_KEY}, {}, 'api_key needs api_secret'),
    ({'api_base_url': 'http://twilio-proxy.example.com'}, {}, 'clear text'),
    ({'statuses': []}, {}, 'statuses must name one or more of'),
    ({'page_size': 1001}, {}, 'page_size must be between 1 and 1000'),
    ({'timeout': 0}, {}, 'timeout must be a positive number'),
])
def test_bad_settings_fail_before_any_request(tmp_path, twilio, monkeypatch, config, environment, expected):
    for variable, value in environment.items():
        monkeypatch.delenv(variable)
    with pytest.raises(AnsibleParserError) as caught:
        run_inventory(tmp_path, config)
    assert expected in str(caught.value)
    assert PARENT_TOKEN not in str(caught.value)
    assert twilio.calls == []
