# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of an ansible-runner job's artifacts (status, rc, job events) and of the emulator's state."""

import argparse
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))

from emulator.client import EmulatorClient  # noqa: E402  (tests/ on the path)

PARENT = 'ACa3c00000000000000000000000000001'
NO_SERVICE = 'ACa3c00000000000000000000000000a05'


def fail(message):
    sys.exit('CHECK FAILED: ' + message)


def active_subaccounts(accounts):
    return sorted(a['sid'] for a in accounts if a['owner_account_sid'] == PARENT and a['sid'] != PARENT and a['status'] == 'active')


def public_counts(client, accounts):
    return dict((service, sum(1 for c in client.channels(service) if c['type'] == 'public'))
                for account in accounts for service in account['services'])


def cmd_job(args):
    """The job ran to the end: status successful, rc 0, and the stats event has every active subaccount."""
    client = EmulatorClient(args.base_url)
    accounts = client.accounts()
    hosts = active_subaccounts(accounts)
    artifacts = os.path.join(args.private_data_dir, 'artifacts', args.ident)
    with open(os.path.join(artifacts, 'status')) as handle:
        status = handle.read().strip()
    with open(os.path.join(artifacts, 'rc')) as handle:
        rc = int(handle.read().strip())
    if (status, rc) != ('successful', 0):
        fail('%s: status %s, rc %d' % (args.ident, status, rc))
    events = []
    for path in glob.glob(os.path.join(artifacts, 'job_events', '*.json')):
        with open(path) as handle:
            events.append(json.load(handle))
    stats = [event for event in events if event.get('event') == 'playbook_on_stats']
    if len(stats) != 1:
        fail('%s: %d playbook_on_stats events' % (args.ident, len(stats)))
    data = stats[0]['event_data']
    if sorted(data.get('ok', {})) != hosts:
        fail('%s: the job ran on %s, want the active subaccounts %s' % (args.ident, sorted(data.get('ok', {})), hosts))
    if data.get('failures') or data.get('dark'):
        fail('%s: failures %s, unreachable %s' % (args.ident, data.get('failures'), data.get('dark')))
    changed = sorted(host for host, count in data.get('changed', {}).items() if count)
    # Every subaccount with public channels changes (or would change, in check mode); the one without a service never does.
    want = [] if args.nothing_left else [host for host in hosts if host != NO_SERVICE]
    if changed != want:
        fail('%s: changed on %s, want %s' % (args.ident, changed, want))
    if args.check:
        # With --diff, each service's plan is the diff of its loop item, as AWX shows it under the task.
        diffs = [event['event_data']['res']['diff'] for event in events
                 if event.get('event') == 'runner_item_on_ok' and event['event_data'].get('res', {}).get('diff')]
        if not any(str(diff.get('after_header', '')).startswith('Chat service IS') for diff in diffs if isinstance(diff, dict)):
            fail('%s: no Chat service diff in the job events of the check run' % args.ident)
    print('%s: successful, rc 0, %d events, %d hosts, changed on %d' % (args.ident, len(events), len(hosts), len(changed)))


def cmd_state(args):
    """Public channels left: none in the active subaccounts once migrated, every one elsewhere."""
    client = EmulatorClient(args.base_url)
    accounts = client.accounts()
    hosts = set(active_subaccounts(accounts))
    counts = public_counts(client, accounts)
    for account in accounts:
        for service in account['services']:
            if account['sid'] in hosts and args.migrated and counts[service]:
                fail('%s %s: %d public channels left' % (account['sid'], service, counts[service]))
            if (account['sid'] not in hosts or not args.migrated) and not counts[service]:
                fail('%s %s (%s): no public channel, want the seed\'s' % (account['sid'], service, account['status']))
    writes = client.stats()['writes']
    if args.writes is not None and writes != args.writes:
        fail('%d write requests, want %d' % (writes, args.writes))
    print('state: %d public channels left, %d write requests' % (sum(counts.values()), writes))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    job = commands.add_parser('job')
    job.add_argument('--base-url', required=True)
    job.add_argument('--private-data-dir', required=True)
    job.add_argument('--ident', required=True)
    job.add_argument('--check', action='store_true')
    job.add_argument('--nothing-left', action='store_true')
    job.set_defaults(run=cmd_job)
    state = commands.add_parser('state')
    state.add_argument('--base-url', required=True)
    state.add_argument('--migrated', action='store_true')
    state.add_argument('--writes', type=int)
    state.set_defaults(run=cmd_state)
    args = parser.parse_args()
    args.run(args)


if __name__ == '__main__':
    main()
