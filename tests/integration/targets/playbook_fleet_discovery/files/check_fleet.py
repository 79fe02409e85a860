# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the fleet runs (audit, dry run, migration) against the emulator's own view of the accounts.

What is expected is read from the emulator through its admin client (tests/emulator/client.py), never from
the collection under test: `expect` saves, before any run, every account's services with their public and
private channel counts (no secret); the other commands compare reports, recaps and the emulator's state to it.
"""

import argparse
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))

from emulator.client import EmulatorClient  # noqa: E402  (tests/ on the path)

PARENT = 'ACd15c0000000000000000000000000001'
TWO_SERVICES = 'ACd15c0000000000000000000000000a04'
NO_SERVICE = 'ACd15c0000000000000000000000000a05'


def fail(message):
    sys.exit('CHECK FAILED: ' + message)


def load(path):
    with open(path) as handle:
        return json.load(handle)


def census(client):
    """Every account of the emulator: owner, status, and per service the public and private channel counts."""
    accounts = {}
    for account in client.accounts():
        services = {}
        for service_sid in account['services']:
            channels = client.channels(service_sid)
            services[service_sid] = {
                'public': sum(1 for c in channels if c['type'] == 'public'),
                'private': sum(1 for c in channels if c['type'] == 'private'),
            }
        accounts[account['sid']] = {'owner': account['owner_account_sid'], 'status': account['status'], 'services': services}
    return accounts


def active_subaccounts(expected):
    return sorted(sid for sid, account in expected.items()
                  if account['owner'] == PARENT and sid != PARENT and account['status'] == 'active')


def cmd_expect(args):
    expected = census(EmulatorClient(args.base_url))
    hosts = active_subaccounts(expected)
    if len(expected[TWO_SERVICES]['services']) != 2 or expected[NO_SERVICE]['services']:
        fail('the seed should have a subaccount with two services and one with none')
    if not all(sum(s['public'] for s in expected[sid]['services'].values()) for sid in hosts if sid != NO_SERVICE):
        fail('every active subaccount with a service should have public channels to migrate')
    with open(args.out, 'w') as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
    print('%d active subaccounts, %d public channels in them' % (
        len(hosts), sum(s['public'] for sid in hosts for s in expected[sid]['services'].values())))


def cmd_reports(args):
    """One report per active subaccount and none for any other account, each with every service of that account."""
    expected = load(args.expected)
    hosts = active_subaccounts(expected)
    found = sorted(os.path.basename(path).split('.')[0] for path in glob.glob(os.path.join(args.report_dir, '*.%s.json' % args.kind)))
    if found != hosts:
        fail('%s reports for %s, want %s' % (args.kind, found, hosts))
    planned = 0
    for host in hosts:
        report = load(os.path.join(args.report_dir, '%s.%s.json' % (host, args.kind)))
        want = expected[host]['services']
        services = dict((service['service_sid'], service) for service in report['services'])
        if sorted(services) != sorted(want):
            fail('%s %s: services %s, want %s' % (host, args.kind, sorted(services), sorted(want)))
        for sid, service in services.items():
            if service['status'] != 'ok':
                fail('%s %s %s: status %s (%s)' % (host, args.kind, sid, service['status'], service.get('error')))
            public = 0 if args.nothing_left else want[sid]['public']
            if args.kind == 'audit':
                if (service['public'], service['private']) != (public, want[sid]['private'] + want[sid]['public'] - public):
                    fail('%s audit %s: %d public and %d private, want %d and %d' % (
                        host, sid, service['public'], service['private'], public, want[sid]['private'] + want[sid]['public'] - public))
            if service['changed'] != public:
                fail('%s %s %s: %d channels changed, want %d' % (host, args.kind, sid, service['changed'], public))
            if args.kind == 'migration' and not (service['verification'] or {}).get('passed'):
                fail('%s migration %s: the verification did not pass: %s' % (host, sid, service['verification']))
            planned += service['changed']
        if report['totals']['services'] != len(want):
            fail('%s %s: totals.services is %d, want %d' % (host, args.kind, report['totals']['services'], len(want)))
    print('%s reports: %d hosts, %d channels changed or to change' % (args.kind, len(hosts), planned))


def cmd_state(args):
    """After the migration: no public channel in any active subaccount; every other account as it was."""
    expected = load(args.expected)
    now = census(EmulatorClient(args.base_url))
    hosts = set(active_subaccounts(expected))
    for sid, account in expected.items():
        for service_sid, counts in account['services'].items():
            current = now[sid]['services'][service_sid]
            want = {'public': 0, 'private': counts['public'] + counts['private']} if sid in hosts else counts
            if current != want:
                fail('%s %s (%s): %s, want %s' % (sid, service_sid, account['status'], current, want))
    print('state: %d active subaccounts migrated, the other %d accounts untouched' % (len(hosts), len(expected) - len(hosts)))


def cmd_writes(args):
    writes = EmulatorClient(args.base_url).stats()['writes']
    if writes != args.expected:
        fail('%d write requests, want %d' % (writes, args.expected))
    print('%d write requests' % writes)


def cmd_recap(args):
    """Every active subaccount, and no other host, is in the PLAY RECAP with these counters."""
    hosts = active_subaccounts(load(args.expected))
    with open(args.log) as handle:
        text = handle.read()
    recap = text[text.rindex('PLAY RECAP'):]
    lines = dict(re.findall(r'^(\S+)\s+:\s+(ok=.*)$', recap, re.M))
    if sorted(lines) != hosts:
        fail('the recap shows %s, want %s' % (sorted(lines), hosts))
    for host, line in lines.items():
        counters = dict(item.split('=') for item in line.split())
        for condition in args.where:
            name, value = condition.split('=')
            if counters.get(name) != value:
                fail('%s: %s in the recap, want %s' % (host, line, condition))
    print('recap: %d hosts with %s' % (len(hosts), ' '.join(args.where)))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)

    def command(name, function, *arguments):
        sub = commands.add_parser(name)
        for argument in arguments:
            sub.add_argument(argument, required=True)
        sub.set_defaults(run=function)
        return sub

    command('expect', cmd_expect, '--base-url', '--out')
    command('reports', cmd_reports, '--report-dir', '--kind', '--expected').add_argument('--nothing-left', action='store_true')
    command('state', cmd_state, '--base-url', '--expected')
    command('writes', cmd_writes, '--base-url').add_argument('--expected', type=int, required=True)
    command('recap', cmd_recap, '--log', '--expected').add_argument('--where', nargs='+', required=True)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
