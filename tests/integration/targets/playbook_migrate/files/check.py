# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the playbook_migrate target, made on the emulator's admin API and on the reports.

They read the emulator's state directly, never through the collection's modules,
so a bug in the modules cannot hide itself.
"""

import argparse
import json
import os
import re
import sys

import yaml

# The emulator's admin client, from tests/emulator (ansible-test copies it in: see setup_twilio_emulator's aliases).
TESTS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from emulator.client import EmulatorClient  # noqa: E402  pylint: disable=wrong-import-position

SECRET_KEYS = ('twilio_auth_token', 'twilio_api_secret')


def load_hosts(inventory_path):
    with open(inventory_path) as handle:
        return yaml.safe_load(handle)['twilio_accounts']['hosts']


def service_channels(base_url, service_sid):
    return EmulatorClient(base_url).channels(service_sid)


def selected(channels, service):
    wanted = service.get('channels')
    if wanted is None:
        return channels
    return [c for c in channels if c['sid'] in wanted or c['unique_name'] in wanted]


def needs_change(channel, service):
    wanted_ms = service.get('messaging_service_sid')
    return channel['type'] == 'public' or bool(wanted_ms and channel['messaging_service_sid'] != wanted_ms)


def fail(message):
    sys.exit('CHECK FAILED: ' + message)


def cmd_expect(args):
    """Record, before any run, how many channels each service should change."""
    expected = {}
    for host, host_vars in load_hosts(args.inventory).items():
        expected[host] = {}
        for service in host_vars['twilio_chat_services']:
            channels = selected(service_channels(args.base_url, service['sid']), service)
            expected[host][service['sid']] = {
                'changed': sum(1 for c in channels if needs_change(c, service)),
                'public': sum(1 for c in channels if c['type'] == 'public'),
            }
            if expected[host][service['sid']]['changed'] < 2:
                fail('the seed gives service %s too little to migrate' % service['sid'])
    with open(args.out, 'w') as handle:
        json.dump(expected, handle, indent=2)
    print(json.dumps(expected))


def cmd_writes(args):
    stats = EmulatorClient(args.base_url).stats()
    if stats['writes'] != args.expected:
        fail('expected %d write requests, the emulator saw %d: %s' % (args.expected, stats['writes'], stats['by_route']))
    print('writes: %d as expected (%d requests in all)' % (stats['writes'], stats['total']))


def cmd_reset_stats(args):
    EmulatorClient(args.base_url).reset_stats()


def cmd_fault(args):
    """Make every migration request of one channel fail with HTTP 400, which is not retried."""
    EmulatorClient(args.base_url).set_faults({'rules': [
        {'method': 'POST', 'path_regex': '/Channels/%s$' % re.escape(args.channel_sid), 'status': 400, 'times': None}]})


def cmd_clear_faults(args):
    EmulatorClient(args.base_url).clear_faults()


def cmd_state(args):
    """Check every selected channel is migrated, except those named by --still-public."""
    for host, host_vars in load_hosts(args.inventory).items():
        for service in host_vars['twilio_chat_services']:
            channels = service_channels(args.base_url, service['sid'])
            chosen = selected(channels, service)
            for channel in chosen:
                if channel['sid'] in args.still_public:
                    if channel['type'] != 'public':
                        fail('%s should still be public' % channel['sid'])
                elif needs_change(channel, service):
                    fail('%s/%s of %s is %s with messaging service %s' % (
                        service['sid'], channel['sid'], host, channel['type'], channel['messaging_service_sid']))
            untouched = [c for c in channels if c not in chosen and c['type'] == 'public']
            if service.get('channels') is not None and not untouched:
                fail('channels that were not selected in %s were migrated too' % service['sid'])
    print('emulator state as expected')


def cmd_report(args):
    with open(args.expected) as handle:
        expected = json.load(handle)
    secrets = [value for host_vars in load_hosts(args.inventory).values() for key, value in host_vars.items() if key in SECRET_KEYS]
    for host, services in expected.items():
        for extension in ('json', 'md'):
            path = os.path.join(args.report_dir, '%s.%s.%s' % (host, args.kind, extension))
            if not os.path.isfile(path):
                fail('missing report %s' % path)
            with open(path) as handle:
                text = handle.read()
            for secret in secrets:
                if secret in text:
                    fail('report %s contains a secret' % path)
        with open(os.path.join(args.report_dir, '%s.%s.json' % (host, args.kind))) as handle:
            report = json.load(handle)
        if report['kind'] != args.kind or report['dry_run'] != (args.kind in ('dry-run', 'audit')):
            fail('%s: kind %s, dry_run %s' % (host, report['kind'], report['dry_run']))
        by_sid = dict((s['service_sid'], s) for s in report['services'])
        if sorted(by_sid) != sorted(services):
            fail('%s: report lists services %s' % (host, sorted(by_sid)))
        for sid, counts in services.items():
            entry = by_sid[sid]
            failing = sid == args.failed_service
            want_changed = 0 if args.nothing_left else counts['changed'] - (1 if failing else 0)
            want_changed = dict(item.split('=') for item in args.changed).get(sid, want_changed)
            want_changed = int(want_changed)
            want_status = 'failed' if failing else 'ok'
            if entry['changed'] != want_changed or entry['status'] != want_status:
                fail('%s %s: changed %s (want %s), status %s (want %s)' % (
                    host, sid, entry['changed'], want_changed, entry['status'], want_status))
            if entry['total'] != entry['changed'] + entry['unchanged'] + entry['failed']:
                fail('%s %s: counts do not add up: %s' % (host, sid, entry))
            failed_sids = [c['sid'] for c in entry['failed_channels']]
            if failed_sids != ([args.failed_channel] if failing else []):
                fail('%s %s: failed channels %s' % (host, sid, failed_sids))
            if failing and not entry['failed_channels'][0]['error']:
                fail('%s %s: the failed channel has no error message' % (host, sid))
            if args.kind == 'migration' and not failing and not entry['verification']['passed']:
                fail('%s %s: verification did not pass: %s' % (host, sid, entry['verification']))
            if args.kind == 'audit' and len(entry['public_channels']) != (0 if args.nothing_left else counts['public']):
                fail('%s %s: %d public channels listed' % (host, sid, len(entry['public_channels'])))
    print('%s reports as expected in %s' % (args.kind, args.report_dir))


def cmd_recap(args):
    """Check the PLAY RECAP of an ansible-playbook log: every host listed, with the counts asked for."""
    with open(args.log) as handle:
        text = handle.read()
    recap = text[text.rindex('PLAY RECAP'):]
    rows = dict((m.group(1), dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2))))
                for m in re.finditer(r'^(\S+)\s+:\s+(.*)$', recap, re.M))
    for host in args.hosts:
        if host not in rows:
            fail('%s missing from PLAY RECAP' % host)
        for condition in args.where:
            key, value = condition.split('=')
            if rows[host][key] != int(value):
                fail('%s: %s=%s in PLAY RECAP, want %s' % (host, key, rows[host][key], value))
    print('PLAY RECAP as expected: %s' % rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest='command', required=True)
    for name, function in (('expect', cmd_expect), ('writes', cmd_writes), ('reset-stats', cmd_reset_stats),
                           ('fault', cmd_fault), ('clear-faults', cmd_clear_faults), ('state', cmd_state),
                           ('report', cmd_report), ('recap', cmd_recap)):
        command = commands.add_parser(name)
        command.set_defaults(function=function)
        if name not in ('recap', 'report'):
            command.add_argument('--base-url', required=True)
        if name in ('expect', 'state', 'report'):
            command.add_argument('--inventory', required=True)
    commands.choices['expect'].add_argument('--out', required=True)
    commands.choices['writes'].add_argument('--expected', type=int, required=True)
    commands.choices['fault'].add_argument('--channel-sid', required=True)
    commands.choices['state'].add_argument('--still-public', nargs='*', default=[])
    report = commands.choices['report']
    report.add_argument('--report-dir', required=True)
    report.add_argument('--kind', choices=['dry-run', 'migration', 'audit'], required=True)
    report.add_argument('--expected', required=True)
    report.add_argument('--nothing-left', action='store_true', help='every selected channel is already done')
    report.add_argument('--changed', nargs='*', default=[], metavar='SERVICE_SID=COUNT', help='override the expected count')
    report.add_argument('--failed-service')
    report.add_argument('--failed-channel')
    recap = commands.choices['recap']
    recap.add_argument('--log', required=True)
    recap.add_argument('--hosts', nargs='+', required=True)
    recap.add_argument('--where', nargs='+', required=True, metavar='KEY=VALUE')
    args = parser.parse_args()
    args.function(args)


if __name__ == '__main__':
    main()
