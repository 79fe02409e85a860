# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the reports written for the subaccounts of files/seed-fleet.json (the admin command line's no-secrets checks that no secret leaked)."""

import argparse
import glob
import json
import os
import sys

SUBACCOUNTS = {
    'AC2f1a00000000000000000000000f0a01': {'IS2f1a00000000000000000000000f0a01': 'Support chat',
                                           'IS2f1a00000000000000000000000f0a11': 'Community chat'},
    'AC2f1a00000000000000000000000f0a02': {},
}


def fail(message):
    sys.exit('CHECK FAILED: ' + message)


def load(report_dir, host, kind):
    with open(os.path.join(report_dir, '%s.%s.json' % (host, kind))) as handle:
        return json.load(handle)


def cmd_reports(args):
    """Every active subaccount, and only those, with every service found and its name; print the total to change."""
    found = sorted(os.path.basename(path).split('.')[0] for path in glob.glob(os.path.join(args.report_dir, '*.%s.json' % args.kind)))
    if found != sorted(SUBACCOUNTS):
        fail('%s reports for %s, want %s' % (args.kind, found, sorted(SUBACCOUNTS)))
    changed = 0
    for host, services in SUBACCOUNTS.items():
        report = load(args.report_dir, host, args.kind)
        names = dict((s['service_sid'], s['friendly_name']) for s in report['services'])
        if names != services:
            fail('%s %s: services %s, want %s' % (host, args.kind, names, services))
        for service in report['services']:
            if service['status'] != 'ok':
                fail('%s %s: %s' % (host, service['service_sid'], service['status']))
            if args.kind == 'audit' and service['public'] + service['private'] != service['total']:
                fail('%s %s: public and private do not add up: %s' % (host, service['service_sid'], service))
            if args.kind == 'migration' and not service['verification']['passed']:
                fail('%s %s: verification did not pass' % (host, service['service_sid']))
        if args.nothing_left and report['totals']['changed']:
            fail('%s %s: %d channels left' % (host, args.kind, report['totals']['changed']))
        changed += report['totals']['changed']
    print(changed)


def cmd_overrides(args):
    """The dry run of files/inventory-subaccount.yml: the account-wide messaging service, and the override."""
    with open(args.report) as handle:
        report = json.load(handle)
    by_sid = dict((s['service_sid'], s) for s in report['services'])
    support, community = by_sid['IS2f1a00000000000000000000000f0a01'], by_sid['IS2f1a00000000000000000000000f0a11']
    got = (support['messaging_service_sid'], support['selection'], community['messaging_service_sid'], community['selection'],
           community['total'], community['changed'])
    want = ('MG2f1a00000000000000000000000f0a01', 'all', None, 'listed', 2, 2)
    if got != want:
        fail('%s: %s, want %s' % (args.report, got, want))
    print('overrides applied')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    reports = commands.add_parser('reports')
    reports.set_defaults(function=cmd_reports)
    reports.add_argument('--report-dir', required=True)
    reports.add_argument('--kind', choices=['audit', 'dry-run', 'migration'], required=True)
    reports.add_argument('--nothing-left', action='store_true')
    overrides = commands.add_parser('overrides')
    overrides.set_defaults(function=cmd_overrides)
    overrides.add_argument('--report', required=True)
    args = parser.parse_args()
    args.function(args)


if __name__ == '__main__':
    main()
