# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of ansible-inventory's output for the twilio_accounts plugin against the emulator's own accounts.

The expected hosts come from the emulator's admin API (`admin accounts`, saved to a file by runme.sh),
never from the plugin under test.
"""

import argparse
import json
import re
import sys

PARENT = 'ACf1ee7000000000000000000000000001'
TWO_SERVICES = 'ACf1ee7000000000000000000000000a04'


def fail(message):
    sys.exit('CHECK FAILED: ' + message)


def load(path):
    with open(path) as handle:
        return json.load(handle)


def plain(value):
    """ansible-core 2.19 and later print unsafe strings as {"__ansible_unsafe": "..."}; older ones as strings."""
    if isinstance(value, dict) and set(value) == {'__ansible_unsafe'}:
        return value['__ansible_unsafe']
    return value


def active_subaccounts(accounts):
    return sorted(a['sid'] for a in accounts if a['owner_account_sid'] == PARENT and a['sid'] != PARENT and a['status'] == 'active')


def cmd_list(args):
    """Hosts are exactly the active subaccounts of the parent, in twilio_accounts, each with its SID and no token."""
    accounts = load(args.accounts)
    listed = load(args.inventory_json)
    want = active_subaccounts(accounts)
    if len(want) < 100:
        fail('the seed should have over a hundred active subaccounts, the emulator has %d' % len(want))
    hosts = sorted(listed.get('twilio_accounts', {}).get('hosts', []))
    if hosts != want:
        fail('twilio_accounts holds %d hosts, want the %d active subaccounts; extra %s, missing %s'
             % (len(hosts), len(want), sorted(set(hosts) - set(want))[:5], sorted(set(want) - set(hosts))[:5]))
    if sorted(listed.get('twilio_accounts_active', {}).get('hosts', [])) != want:
        fail('twilio_accounts_active does not hold the active subaccounts')
    for group in ('twilio_accounts_suspended', 'twilio_accounts_closed'):
        if group in listed:
            fail('%s is in the inventory although only active subaccounts were asked for' % group)
    hostvars = listed['_meta']['hostvars']
    if sorted(hostvars) != want:
        fail('host variables for %d hosts, want %d' % (len(hostvars), len(want)))
    by_sid = dict((a['sid'], a) for a in accounts)
    for host, variables in hostvars.items():
        variables = dict((name, plain(value)) for name, value in variables.items())
        account = by_sid[host]
        expected = {
            'twilio_account_sid': host,
            'twilio_account_friendly_name': account['friendly_name'],
            'twilio_account_status': 'active',
            'twilio_parent_account_sid': PARENT,
        }
        if args.base_url:
            expected['twilio_api_base_url'] = args.base_url
        for name, value in expected.items():
            if variables.get(name) != value:
                fail('%s: %s is %r, want %r' % (host, name, variables.get(name), value))
        for name in args.expect_var:
            if name not in variables:
                fail('%s: no %s' % (host, name))
        unexpected = sorted(set(variables) - set(expected) - set(args.expect_var))
        if unexpected:
            fail('%s: unexpected host variables %s' % (host, unexpected))
    print('%d active subaccounts listed' % len(hosts))


def cmd_graph(args):
    """--graph shows every active subaccount under @twilio_accounts and nothing else of the seed."""
    accounts = load(args.accounts)
    with open(args.graph) as handle:
        text = handle.read()
    shown = set(re.findall(r'AC[0-9a-f]{32}', text))
    want = set(active_subaccounts(accounts))
    if shown != want:
        fail('the graph shows %d accounts, want %d; extra %s' % (len(shown), len(want), sorted(shown - want)[:5]))
    if '@twilio_accounts:' not in text:
        fail('the graph has no @twilio_accounts group')
    print('graph: %d hosts' % len(shown))


def cmd_constructed(args):
    """compose, keyed_groups and groups of the constructed file."""
    listed = load(args.inventory_json)
    want = active_subaccounts(load(args.accounts))
    if sorted(listed['twilio_accounts']['hosts']) != want:
        fail('the constructed file gives other hosts than the plain one')
    label = plain(listed['_meta']['hostvars'][TWO_SERVICES].get('twilio_account_label'))
    if label != 'tenant-with-two-services':
        fail('compose: twilio_account_label of %s is %r' % (TWO_SERVICES, label))
    tenants = listed.get('twilio_name_Tenant', {}).get('hosts', [])
    if len(tenants) != len(want) - 2:
        fail('keyed_groups: twilio_name_Tenant holds %d hosts, want %d' % (len(tenants), len(want) - 2))
    if listed.get('twilio_two_services', {}).get('hosts') != [TWO_SERVICES]:
        fail('groups: twilio_two_services is %r' % listed.get('twilio_two_services'))
    print('constructed: label, %d keyed hosts, one composed group' % len(tenants))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    command = commands.add_parser('list')
    command.add_argument('--accounts', required=True)
    command.add_argument('--base-url')
    command.add_argument('--expect-var', action='append', default=[])
    command.add_argument('inventory_json')
    command.set_defaults(run=cmd_list)
    command = commands.add_parser('graph')
    command.add_argument('--accounts', required=True)
    command.add_argument('graph')
    command.set_defaults(run=cmd_graph)
    command = commands.add_parser('constructed')
    command.add_argument('--accounts', required=True)
    command.add_argument('inventory_json')
    command.set_defaults(run=cmd_constructed)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
