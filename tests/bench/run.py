#!/usr/bin/env python
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make bench: migrate emulated Chat services every way a user could, side by side, in one run.

Variants, each on its own emulator (20 ms per request by default):
  role        playbooks/migrate.yml through ansible-playbook (the users' path), at three sizes,
              plus a check-mode plan and a run with the account limited to fewer requests than `concurrency`
  module-loop a loop over twilio_ops.chat.twilio_chat_channel, one task per channel
  uri-loop    two ansible.builtin.uri loops: GET each channel, POST to Chat v3 when public
  sdk         Twilio's Python SDK: list public channels, update each in turn
  fleet       many accounts through playbooks/migrate.yml with forks

Writes reports/bench/bench.md, bench.json and bench.png (see docs/performance.md).
"""

import argparse
import datetime
import fnmatch
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time

import harness
import report

ROOT = harness.ROOT
BENCH_DIR = os.path.join(ROOT, 'tests', 'bench')
DOCS_MARKDOWN = os.path.join(ROOT, 'docs', 'performance.md')
DOCS_PLOT = os.path.join(ROOT, 'docs', 'performance.png')
MIGRATE_PLAYBOOK = os.path.join(ROOT, 'playbooks', 'migrate.yml')
# The tasks that do the migrating, per variant (the rest is start-up, preflight, verify and reports).
BULK_ACTIONS = ('twilio_ops.chat.twilio_chat_channels',)
WORK_ACTIONS = {
    'role': BULK_ACTIONS,
    'fleet': BULK_ACTIONS,
    'module-loop': ('twilio_ops.chat.twilio_chat_channel',),
    'uri-loop': ('ansible.builtin.uri',),
}

# Channels per run. Variants that cost a task or a round trip per channel run small.
SIZES = {
    'full': {'role': (1000, 10000, 100000), 'check': 10000, 'limited': 2000, 'module_loop': 100, 'uri_loop': 100,
             'sdk': 200, 'fleet_accounts': 20, 'fleet_channels': 1000},
    'quick': {'role': (500, 2000, 5000), 'check': 2000, 'limited': 500, 'module_loop': 20, 'uri_loop': 20,
              'sdk': 50, 'fleet_accounts': 5, 'fleet_channels': 200},
}


class Scenario:
    """One measured run: which variant, how many accounts and channels, and the limits it runs under."""

    def __init__(self, key, variant, channels, accounts=1, concurrency=1, account_limit=100, forks=1, check=False):
        self.key = key
        self.variant = variant
        self.channels = channels
        self.accounts = accounts
        self.concurrency = concurrency
        self.account_limit = account_limit
        self.forks = forks
        self.check = check

    @property
    def in_flight(self):
        """Requests one account can have in flight: the bound's concurrency (1 for the sequential variants)."""
        return max(1, min(self.concurrency, self.account_limit or self.concurrency))


def scenarios(sizes, args):
    small, mid, large = sizes['role']
    concurrency, limit = args.concurrency, args.account_limit
    return [
        Scenario('sdk', 'sdk', sizes['sdk']),
        Scenario('module-loop', 'module-loop', sizes['module_loop']),
        Scenario('uri-loop', 'uri-loop', sizes['uri_loop']),
        Scenario('role-%d' % small, 'role', small, concurrency=concurrency, account_limit=limit),
        Scenario('role-check-%d' % sizes['check'], 'role', sizes['check'], concurrency=concurrency, account_limit=limit, check=True),
        Scenario('role-%d' % mid, 'role', mid, concurrency=concurrency, account_limit=limit),
        Scenario('role-limited-%d' % sizes['limited'], 'role', sizes['limited'], concurrency=concurrency,
                 account_limit=args.limited_account_limit),
        Scenario('fleet', 'fleet', sizes['fleet_channels'], accounts=sizes['fleet_accounts'], concurrency=concurrency,
                 account_limit=limit, forks=args.forks),
        Scenario('role-%d' % large, 'role', large, concurrency=concurrency, account_limit=limit),
    ] + comparison_scenarios(mid, args)


def comparison_scenarios(mid, args):
    """The mid-size role run again at --compare-concurrency, which the per-channel comparisons use.

    The SDK sample and the uri loop write one channel per round trip; at `concurrency: 10` the role writes
    ten, so ten times is the arithmetic ceiling of their ratio before any list page is counted.
    """
    if args.compare_concurrency == args.concurrency:
        return []
    return [Scenario(comparison_key(mid, args.compare_concurrency), 'role', mid, concurrency=args.compare_concurrency,
                     account_limit=args.account_limit)]


def comparison_key(channels, concurrency):
    return 'role-%d-c%d' % (channels, concurrency)


class Bench:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.logs = os.path.join(args.output, 'logs')
        os.makedirs(self.logs, exist_ok=True)
        collections = os.path.join(workdir, 'collections', 'ansible_collections', 'twilio_ops')
        os.makedirs(collections)
        # ansible-playbook finds this clone as twilio_ops.chat, whatever its directory is called.
        os.symlink(ROOT, os.path.join(collections, 'chat'))
        self.ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

    # ---- running -----------------------------------------------------------

    def ansible_env(self, scenario):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': os.path.join(self.workdir, 'collections'),
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(BENCH_DIR, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_timings',
            'BENCH_TIMINGS_FILE': self.timings_path(scenario),
            'ANSIBLE_FORKS': str(scenario.forks),
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.workdir, 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_DISPLAY_SKIPPED_HOSTS': 'false',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        })
        return env

    def sdk_result_path(self, scenario):
        return os.path.join(self.workdir, '%s.result.json' % scenario.key)

    def timings_path(self, scenario):
        return os.path.join(self.workdir, '%s.timings.jsonl' % scenario.key)

    def timeout_for(self, scenario):
        latency = self.args.latency_ms / 1000.0
        if scenario.variant in ('module-loop', 'uri-loop'):
            return 120 + 3.0 * scenario.channels
        if scenario.variant == 'sdk':
            return 120 + 20 * latency * scenario.channels
        return 180 + 6 * bound_seconds(scenario, scenario.channels, latency)

    def run(self, scenario):
        accounts = scenario.accounts
        seed = harness.write_seed(os.path.join(self.workdir, '%s.seed.json' % scenario.key), accounts, scenario.channels,
                                  self.args.public_ratio)
        timeout = self.timeout_for(scenario)
        with harness.Emulator(self.workdir, scenario.key, seed, self.args.latency_ms, scenario.account_limit,
                              lifetime=timeout + 300) as emulator:
            services = [harness.service_sid(index) for index in range(1, accounts + 1)]
            public_before = sum(emulator.public_left(service) for service in services)
            command = self.command(scenario, emulator)
            log_path = os.path.join(self.logs, '%s.log' % scenario.key)
            load_before = os.getloadavg()[0]
            emulator.reset_stats()
            cpu_before = emulator.cpu_seconds()
            measured = harness.run_measured(command, log_path, env=self.ansible_env(scenario), timeout=timeout, cwd=self.workdir)
            cpu_after = emulator.cpu_seconds()
            stats = emulator.stats()
            public_after = sum(emulator.public_left(service) for service in services)
        emulator_cpu = cpu_after - cpu_before if None not in (cpu_before, cpu_after) else None
        return self.result(scenario, measured, stats, public_before, public_after, load_before, emulator_cpu)

    def command(self, scenario, emulator):
        if scenario.variant in ('role', 'fleet'):
            inventory = self.write_inventory(scenario, emulator.base_url)
            command = [self.ansible_playbook, '-i', inventory, MIGRATE_PLAYBOOK]
            return command + (['--check'] if scenario.check else [])
        if scenario.variant == 'sdk':
            return [sys.executable, os.path.join(BENCH_DIR, 'sdk_variant.py'), '--base-url', emulator.base_url,
                    '--account-sid', harness.account_sid(1), '--auth-token', harness.auth_token(1),
                    '--service-sid', harness.service_sid(1), '--result', self.sdk_result_path(scenario)]
        playbook = {'module-loop': 'single_module_loop.yml', 'uri-loop': 'uri_loop.yml'}[scenario.variant]
        variables = os.path.join(self.workdir, '%s.vars.json' % scenario.key)
        with open(variables, 'w', encoding='utf-8') as handle:
            # The user's list of channels to migrate; read from the emulator's records, not over the API.
            json.dump({'bench_account_sid': harness.account_sid(1), 'bench_auth_token': harness.auth_token(1),
                       'bench_api_base_url': emulator.base_url, 'bench_service_sid': harness.service_sid(1),
                       'bench_channel_sids': emulator.channel_sids(harness.service_sid(1))}, handle)
        return [self.ansible_playbook, '-i', 'localhost,', os.path.join(BENCH_DIR, 'variants', playbook),
                '-e', 'bench_vars_file=' + variables]

    def write_inventory(self, scenario, base_url):
        hosts = {}
        for index in range(1, scenario.accounts + 1):
            hosts['bench-%02d' % index] = {
                'twilio_account_sid': harness.account_sid(index),
                'twilio_auth_token': harness.auth_token(index),
                'twilio_chat_services': [{'sid': harness.service_sid(index)}],
            }
        group_vars = {
            'twilio_api_base_url': base_url,
            'twilio_chat_migration_concurrency': scenario.concurrency,
            'twilio_chat_migration_report_dir': os.path.join(self.workdir, 'reports', scenario.key),
        }
        group_vars.update(self.args.role_var)
        path = os.path.join(self.workdir, '%s.inventory.yml' % scenario.key)
        with open(path, 'w', encoding='utf-8') as handle:
            # JSON is YAML: the yaml inventory plugin reads it.
            json.dump({'twilio_accounts': {'hosts': hosts, 'vars': group_vars}}, handle)
        return path

    # ---- results -----------------------------------------------------------

    def work_seconds(self, scenario):
        """How long the migrating part alone took, without interpreter or Ansible start-up.

        The bulk migration task for the role and the fleet (first host's start to last host's end), the loop
        tasks for the loops (from the bench_timings callback), the list-and-update calls for the SDK.
        """
        if scenario.variant == 'sdk':
            with open(self.sdk_result_path(scenario), encoding='utf-8') as handle:
                return json.load(handle)['seconds'], []
        actions = WORK_ACTIONS[scenario.variant]
        path = self.timings_path(scenario)
        spans, summaries = [], []
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                for line in handle:
                    record = json.loads(line)
                    if record['action'] in actions and record['start']:
                        spans.append((record['task'], record['start'], record['end']))
                        summaries.extend(record.get('summaries', []))
        if not spans:
            return None, summaries
        # Tasks run one after another; a task's hosts run in parallel.
        total = 0.0
        for task in sorted(set(span[0] for span in spans)):
            mine = [span for span in spans if span[0] == task]
            total += max(span[2] for span in mine) - min(span[1] for span in mine)
        return total, summaries

    def result(self, scenario, measured, stats, public_before, public_after, load_before, emulator_cpu):
        latency = self.args.latency_ms / 1000.0
        total_channels = scenario.channels * scenario.accounts
        writes_needed = 0 if scenario.check else public_before
        per_account_public = public_before / float(scenario.accounts)
        bound = bound_seconds(scenario, per_account_public, latency, writes=not scenario.check)
        try:
            work, summaries = self.work_seconds(scenario)
        except (OSError, ValueError, KeyError):
            work, summaries = None, []
        by_status = stats.get('by_status', {})
        list_requests = sum(count for route, count in stats.get('by_route', {}).items()
                            if route.startswith('GET ') and route.endswith(('/Channels', '/Conversations')))
        problems = []
        if measured.timed_out:
            problems.append('timed out')
        if measured.returncode != 0:
            problems.append('exit status %s' % measured.returncode)
        if scenario.check and stats.get('writes', 0):
            problems.append('%d writes in check mode' % stats['writes'])
        if not scenario.check and public_after:
            problems.append('%d channels still public' % public_after)
        return {
            'key': scenario.key,
            'variant': scenario.variant,
            'check_mode': scenario.check,
            'accounts': scenario.accounts,
            'channels': total_channels,
            'public_before': public_before,
            'public_after': public_after,
            'writes_needed': writes_needed,
            'concurrency': scenario.concurrency,
            'account_limit': scenario.account_limit,
            'forks': scenario.forks,
            'seconds': round(measured.seconds, 2),
            'work_seconds': round(work, 2) if work is not None else None,
            'requests': stats.get('total', 0),
            'list_requests': list_requests,
            'write_requests': stats.get('writes', 0),
            'http_429': by_status.get('429', 0),
            'max_in_flight': max(list(stats.get('max_in_flight', {}).values()) or [0]),
            'channels_per_second': round(total_channels / measured.seconds, 1) if measured.seconds else None,
            'ms_per_channel': round(1000.0 * measured.seconds / total_channels, 3) if total_channels else None,
            'work_ms_per_channel': round(1000.0 * work / total_channels, 3) if total_channels and work else None,
            'bound_seconds': round(bound, 2),
            'bound_in_flight': scenario.in_flight,
            'ratio': round(measured.seconds / bound, 3) if bound else None,
            'work_ratio': round(work / bound, 3) if bound and work else None,
            'max_rss_mb': measured.max_rss_mb,
            'rss_by_role_mb': measured.rss_by_role_mb,
            'bulk_summaries': summarise(summaries),
            'load_average_before': round(load_before, 2),
            'emulator_cpu_seconds': round(emulator_cpu, 2) if emulator_cpu is not None else None,
            'log': shown_path(measured.log_path),
            'problems': problems,
        }


def bound_seconds(scenario, public_per_account, latency, writes=True):
    """The round-trip bound: list pages x latency + writes x latency / requests in flight.

    Accounts run `forks` at a time, so a fleet needs ceil(accounts / forks) times one account's bound.
    """
    in_flight = scenario.in_flight
    pages = max(1, int(math.ceil(public_per_account / float(harness.PAGE_SIZE))))
    one_account = pages * latency + (public_per_account * latency / in_flight if writes else 0.0)
    waves = int(math.ceil(scenario.accounts / float(max(1, scenario.forks)))) if scenario.variant == 'fleet' else 1
    return waves * one_account


def summarise(summaries):
    """Add up the bulk module's per-service summaries (numbers only; fields may grow with the engine)."""
    total = {}
    for summary in summaries:
        for name, value in summary.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[name] = total.get(name, 0) + value
    return total


def machine():
    try:
        import ansible  # pylint: disable=import-outside-toplevel
        ansible_version = ansible.__version__
    except ImportError:
        ansible_version = None
    try:
        import twilio  # pylint: disable=import-outside-toplevel
        twilio_version = twilio.__version__
    except ImportError:
        twilio_version = None
    return {'cpus': os.cpu_count(), 'platform': platform.platform(), 'python': platform.python_version(),
            'ansible_core': ansible_version, 'twilio': twilio_version, 'load_average': [round(x, 2) for x in os.getloadavg()]}


def shown_path(path):
    relative = os.path.relpath(path, ROOT)
    return path if relative.startswith('..') else relative


def parse_role_var(text):
    name, separator, value = text.partition('=')
    if not separator or not name:
        raise argparse.ArgumentTypeError('expected NAME=VALUE, got %r' % text)
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def parse_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(','))
    except ValueError:
        sizes = ()
    if len(sizes) != 3 or not 0 < sizes[0] < sizes[1] < sizes[2]:
        raise argparse.ArgumentTypeError('expected three increasing channel counts, e.g. 1000,10000,100000; got %r' % text)
    return sizes


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true', help='small sizes (a few minutes) to check the harness; targets are then indicative')
    parser.add_argument('--role-sizes', type=parse_sizes, metavar='S,M,L',
                        help='the three channel counts of the role runs instead of the defaults (1000,10000,100000; quick 500,2000,5000)')
    parser.add_argument('--only', action='append', default=[], metavar='KEY',
                        help="run only the scenarios whose key matches this glob (repeatable), e.g. --only 'role-*' --only sdk")
    parser.add_argument('--latency-ms', type=int, default=20, help='emulated round trip per request (default 20)')
    parser.add_argument('--concurrency', type=int, default=10, help='twilio_chat_migration_concurrency of the role runs (default 10)')
    parser.add_argument('--compare-concurrency', type=int, default=25,
                        help='concurrency of a second mid-size role run, which the per-channel comparisons with the SDK '
                             'and the uri loop use (default 25; equal to --concurrency: no second run)')
    parser.add_argument('--account-limit', type=int, default=100, help="the emulated account's concurrency limit (default 100)")
    parser.add_argument('--limited-account-limit', type=int, default=4,
                        help='the account limit of the limited run, below --concurrency (default 4)')
    parser.add_argument('--forks', type=int, default=10, help='ansible-playbook forks of the fleet run (default 10)')
    parser.add_argument('--public-ratio', type=float, default=0.9, help='share of generated channels that are public (default 0.9)')
    parser.add_argument('--role-var', action='append', type=parse_role_var, default=[], metavar='NAME=VALUE',
                        help='an extra role variable for every role run (value parsed as JSON when it can be)')
    parser.add_argument('--max-ratio', type=float, default=1 / 0.75,
                        help='fail when the 10,000-channel migration task (when measured) takes longer than this times the bound '
                             '(default 1.33, the old bench\'s 75%% efficiency floor); other targets are reported, not enforced')
    parser.add_argument('--output', default=os.path.join(ROOT, 'reports', 'bench'), help='report directory (default reports/bench)')
    parser.add_argument('--docs', choices=('auto', 'yes', 'no'), default='auto',
                        help='write the table into docs/performance.md and the plot to docs/performance.png: '
                             'auto (default) does it after a complete full-size run only')
    parser.add_argument('--keep-workdir', action='store_true', help='keep the temporary directory (inventories, seeds, role reports)')
    args = parser.parse_args(argv)
    args.role_var = dict(args.role_var)
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = dict(SIZES['quick' if args.quick else 'full'])
    mode = 'quick' if args.quick else 'full'
    if args.role_sizes:
        sizes['role'] = args.role_sizes
        mode += ', role runs at %s' % ' / '.join('{:,}'.format(size) for size in args.role_sizes)
    os.makedirs(args.output, exist_ok=True)
    load = os.getloadavg()[0]
    if not args.quick and load > 2:
        print('bench: load average %.2f on %d CPUs; numbers will be noisy (consider --quick or a quieter moment)' % (load, os.cpu_count()))
    workdir = tempfile.mkdtemp(prefix='twilio-bench-')
    started = time.monotonic()
    results = []
    try:
        bench = Bench(args, workdir)
        for scenario in scenarios(sizes, args):
            if args.only and not any(fnmatch.fnmatchcase(scenario.key, pattern) for pattern in args.only):
                continue
            print('bench: %-22s %7d channel(s) x %d account(s) ...' % (scenario.key, scenario.channels, scenario.accounts), end=' ')
            sys.stdout.flush()
            result = bench.run(scenario)
            results.append(result)
            print('%7.2fs  %s' % (result['seconds'], '; '.join(result['problems']) or 'ok'))
    finally:
        if args.keep_workdir:
            print('bench: kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    total_seconds = time.monotonic() - started
    document = {
        'mode': mode,
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'machine': machine(),
        'settings': {'latency_ms': args.latency_ms, 'concurrency': args.concurrency,
                     'compare_concurrency': args.compare_concurrency, 'account_limit': args.account_limit,
                     'limited_account_limit': args.limited_account_limit, 'forks': args.forks,
                     'public_ratio': args.public_ratio, 'role_vars': args.role_var, 'sizes': sizes},
        'total_seconds': round(total_seconds, 1),
        'results': results,
    }
    document['targets'] = report.targets(document)
    paths = report.write_all(document, args.output)
    if args.docs == 'yes' or (args.docs == 'auto' and not (args.quick or args.only or args.role_sizes)):
        paths += report.update_docs(document, DOCS_MARKDOWN, paths[-1], DOCS_PLOT)
    print()
    print(report.markdown(document))
    print('bench: wrote %s' % ', '.join(shown_path(path) for path in paths))
    failures = [result['key'] + ': ' + '; '.join(result['problems']) for result in results if result['problems']]
    # As the bench before it, on the run it measured: 10,000 channels.
    if sizes['role'][1] == 10000:
        failures.extend(report.ratio_failures(document, args.max_ratio))
    for failure in failures:
        print('bench: FAILED %s' % failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
