# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line: ``python3 tests/emulator [start] OPTIONS`` serves, ``python3 tests/emulator admin VERB`` drives.

The admin verbs print the JSON answer (or one value of it with ``--get KEY``) and exit 1 with
the error on stderr when the admin API refuses or cannot be reached.
"""

import argparse
import json
import os
import sys

from .client import AdminError, EmulatorClient
from .faults import FaultConfigError
from .modes import PAGING_MODES, ModeConfigError
from .server import DEFAULT_CONCURRENCY_LIMIT, DEFAULT_LIFETIME, Emulator, Options, loopback_address
from .state import SeedError

PROG = 'python3 tests/emulator'


def add_mode_options(parser):
    parser.add_argument('--paging', choices=PAGING_MODES, help='how filtered lists page: keyset (default, stable) or offset '
                        '(pages of the live filtered list: items leaving the filter shift later pages)')
    parser.add_argument('--appear-after-writes', type=int, metavar='K', help='after every K successful writes to a Chat service, '
                        'new public channels appear in it')
    parser.add_argument('--appear-count', type=int, default=1, metavar='M', help='channels that appear each time (default 1)')
    parser.add_argument('--appear-times', type=int, default=1, metavar='T', help='how many times per service (default 1)')


def modes_from_args(args):
    doc = {}
    if args.paging:
        doc['paging'] = args.paging
    if args.appear_after_writes is not None:
        doc['appearing'] = {'after_writes': args.appear_after_writes, 'count': args.appear_count, 'times': args.appear_times}
    return doc


def serve_parser():
    parser = argparse.ArgumentParser(prog=PROG, description='Twilio API emulator for tests (loopback only). '
                                     'Run "%s admin --help" for the admin command line.' % PROG)
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='TCP port; 0 picks a free one (default 0)')
    parser.add_argument('--port-file', help='write the bound port to this file once listening')
    parser.add_argument('--seed', help='seed JSON file (default: the built-in seeds/default.json)')
    parser.add_argument('--generate', type=int, default=0, metavar='N', help='add N generated channels to the first service of the first account')
    parser.add_argument('--public-ratio', type=float, default=0.9, metavar='R', help='share of generated channels that are public (default 0.9)')
    parser.add_argument('--generate-subaccounts', type=int, default=0, metavar='N',
                        help='add N generated active subaccounts (one Chat service of 5 channels each) to the first account')
    parser.add_argument('--concurrency-limit', type=int, default=DEFAULT_CONCURRENCY_LIMIT, metavar='N',
                        help='in-flight requests allowed per account before 429/20429; 0 = unlimited (default 100)')
    parser.add_argument('--latency-ms', type=int, default=0, metavar='N', help='delay every API request by N ms while it counts as in flight')
    parser.add_argument('--fault-429', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 429 with Retry-After: 1')
    parser.add_argument('--fault-500', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 500')
    parser.add_argument('--fault-503', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 503')
    parser.add_argument('--fault-drop', type=float, default=0.0, metavar='RATE', help='fraction of API requests whose connection is closed unanswered')
    parser.add_argument('--ragged-pages', action='store_true', help='return short (and some empty) pages while more items remain')
    add_mode_options(parser)
    parser.add_argument('--random-seed', type=int, help='seed of the fault random generator, for repeatable runs')
    parser.add_argument('--lifetime', type=float, default=DEFAULT_LIFETIME, metavar='SECONDS', help='stop by itself after this long (default 3600)')
    parser.add_argument('--quiet', action='store_true', help='no access log on stderr')
    return parser


def parse_serve_args(argv):
    parser = serve_parser()
    args = parser.parse_args(argv)
    if args.lifetime <= 0:
        parser.error('--lifetime must be positive: the emulator never runs unbounded')
    if min(args.concurrency_limit, args.latency_ms, args.generate, args.generate_subaccounts) < 0:
        parser.error('--concurrency-limit, --latency-ms, --generate and --generate-subaccounts must not be negative')
    try:
        loopback_address(args.host)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def options_from_args(args):
    faults = {'rate_429': args.fault_429, 'rate_500': args.fault_500, 'rate_503': args.fault_503,
              'rate_drop': args.fault_drop, 'ragged_pages': args.ragged_pages}
    return Options(host=args.host, port=args.port, seed_path=args.seed, generate=args.generate, public_ratio=args.public_ratio,
                   concurrency_limit=args.concurrency_limit, latency_ms=args.latency_ms, random_seed=args.random_seed,
                   faults=faults, quiet=args.quiet, lifetime=args.lifetime, port_file=args.port_file,
                   modes=modes_from_args(args), generate_subaccounts=args.generate_subaccounts)


def serve(argv):
    args = parse_serve_args(argv)
    try:
        emulator = Emulator(options_from_args(args))
    except (SeedError, FaultConfigError, ModeConfigError, OSError, ValueError, KeyError) as exc:
        sys.stderr.write('twilio emulator: cannot start: %s\n' % exc)
        return 2
    sys.stderr.write('twilio emulator listening on %s (lifetime %ss)\n' % (emulator.base_url, args.lifetime))
    sys.stderr.flush()
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


# ---- admin -----------------------------------------------------------------

def json_argument(text):
    """A JSON document given inline, or as @FILE."""
    if text.startswith('@'):
        with open(text[1:], encoding='utf-8') as handle:
            return json.load(handle)
    return json.loads(text)


def verb_set_modes(client, args):
    if args.config is not None and modes_from_args(args):
        raise AdminError('give set-modes either a JSON document or options, not both')
    return client.set_modes(json_argument(args.config) if args.config is not None else modes_from_args(args))


def verb_channels(client, args):
    channels = client.channels(args.service, args.account)
    if args.type:
        channels = [channel for channel in channels if channel['type'] == args.type]
    return len(channels) if args.count else channels


def process_alive(pid):
    """True while ``pid`` runs (a zombie, ended but not yet reaped, counts as ended)."""
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as handle:
            return handle.read().rpartition(')')[2].split()[0] != 'Z'
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def verb_wait_stat(client, args):
    alive = (lambda: process_alive(args.while_pid)) if args.while_pid else None
    return client.wait_for_stat(args.key, args.at_least, timeout=args.wait_timeout, while_alive=alive)


def with_seed_file(client, args):
    with open(args.file, encoding='utf-8') as handle:
        return client.load_seed(json.load(handle))


def files_under(paths):
    """The files named, and every file under the directories named; a path that does not exist is an error."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(os.path.join(root, name) for root, _dirs, names in os.walk(path) for name in sorted(names))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise AdminError('no such file or directory: %s' % path)
    return files


def verb_no_secrets(client, args):
    secrets = client.secrets()
    files = files_under(args.paths)
    if not secrets or not files:
        raise AdminError('nothing to look for (%d secrets) or nowhere to look (%d files)' % (len(secrets), len(files)))
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        for secret, what in secrets.items():
            if secret in text:
                raise AdminError('%s appears in %s' % (what, path))
    return {'secrets': len(secrets), 'files': len(files), 'found': 0}


VERBS = {
    'health': (lambda client, _args: client.health(), 'is it up? {"status": "ok", "port", "base_url"}'),
    'wait-healthy': (lambda client, args: client.wait_healthy(args.wait_timeout), 'poll health until it answers (bounded)'),
    'stats': (lambda client, _args: client.stats(), 'request counters: total, writes, by_method, by_route, by_status, max_in_flight'),
    'reset-stats': (lambda client, _args: client.reset_stats(), 'zero the counters'),
    'reset': (lambda client, _args: client.reset(), 'reload the seed; clear stats and faults; limits and modes back to their start values'),
    'faults': (lambda client, _args: client.faults(), 'the fault configuration'),
    'set-faults': (lambda client, args: client.set_faults(json_argument(args.config)), 'replace the fault configuration (JSON or @FILE)'),
    'clear-faults': (lambda client, _args: client.clear_faults(), 'remove every fault'),
    'limits': (lambda client, _args: client.limits(), 'concurrency_limit and latency_ms'),
    'set-limits': (lambda client, args: client.set_limits(args.concurrency_limit, args.latency_ms), 'change the given limits'),
    'modes': (lambda client, _args: client.modes(), 'paging mode and appearing-channels rule, with their counters'),
    'set-modes': (verb_set_modes, 'replace the modes (JSON or @FILE, or the options)'),
    'channels': (verb_channels, "a service's raw channels in list order (or how many with --count)"),
    'accounts': (lambda client, _args: client.accounts(), 'every account with owner, status, credentials and services'),
    'load-seed': (with_seed_file, 'replace the seed document with FILE and reset'),
    'shutdown': (lambda client, _args: client.shutdown(), 'stop the emulator'),
    'wait-stat': (verb_wait_stat, 'wait until stats KEY >= N (bounded; --while-pid gives up when that process ends)'),
    'no-secrets': (verb_no_secrets, 'exit 1 if any auth token or API key secret of the emulator appears in the files '
                                    '(or under the directories) given'),
}


def admin_parser():
    parser = argparse.ArgumentParser(prog=PROG + ' admin', description='Call the admin API of a running emulator and print the JSON answer.')
    parser.add_argument('--url', default=os.environ.get('TWILIO_EMULATOR_URL'),
                        help='base URL of the emulator (default $TWILIO_EMULATOR_URL)')
    parser.add_argument('--port-file', help='read the port of an emulator on 127.0.0.1 from this file instead of --url')
    parser.add_argument('--timeout', type=float, default=10.0, help='seconds per HTTP call (default 10)')
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--get', metavar='KEY', help='print only this value of the answer (dotted path, e.g. writes or by_status.429)')
    verbs = parser.add_subparsers(dest='verb', required=True, metavar='VERB')
    for name, (_function, summary) in VERBS.items():
        verbs.add_parser(name, help=summary, description=summary, parents=[common])
    for name in ('wait-healthy', 'wait-stat'):
        verbs.choices[name].add_argument('--wait-timeout', type=float, default=60.0, metavar='SECONDS', help='give up after this long (default 60)')
    for name in ('set-faults',):
        verbs.choices[name].add_argument('config', metavar='JSON', help='the configuration, inline or @FILE')
    verbs.choices['set-modes'].add_argument('config', metavar='JSON', nargs='?', help='the configuration, inline or @FILE')
    add_mode_options(verbs.choices['set-modes'])
    verbs.choices['set-limits'].add_argument('--concurrency-limit', type=int, metavar='N', help='in-flight requests per account; 0 = unlimited')
    verbs.choices['set-limits'].add_argument('--latency-ms', type=int, metavar='N', help='delay of every API request')
    channels = verbs.choices['channels']
    channels.add_argument('--service', required=True, metavar='IS...')
    channels.add_argument('--account', metavar='AC...', help='fail unless the service belongs to this account')
    channels.add_argument('--type', choices=('public', 'private'), help='only channels of this type')
    channels.add_argument('--count', action='store_true', help='print how many channels, not the channels')
    verbs.choices['load-seed'].add_argument('file', metavar='FILE')
    verbs.choices['no-secrets'].add_argument('paths', nargs='+', metavar='PATH')
    wait = verbs.choices['wait-stat']
    wait.add_argument('key', metavar='KEY', help='a counter of stats, e.g. writes or total')
    wait.add_argument('--at-least', type=int, required=True, metavar='N')
    wait.add_argument('--while-pid', type=int, metavar='PID', help='stop waiting (exit 1) once this process has ended')
    return parser


def pick(answer, key):
    """The value at a dotted path. A key that holds dots itself (a route such as
    'GET /2010-04-01/Accounts.json' under by_route) is matched whole, the longest first."""
    parts = key.split('.')
    while parts:
        for size in range(len(parts), 0, -1):
            name = '.'.join(parts[:size])
            if isinstance(answer, dict) and name in answer:
                answer, parts = answer[name], parts[size:]
                break
            if size == 1 and isinstance(answer, list) and name.isdigit() and int(name) < len(answer):
                answer, parts = answer[int(name)], parts[1:]
                break
        else:
            raise AdminError('the answer has no %s' % key)
    return answer


def admin_main(argv):
    parser = admin_parser()
    args = parser.parse_args(argv)
    if args.port_file:
        with open(args.port_file, encoding='utf-8') as handle:
            args.url = 'http://127.0.0.1:%d' % int(handle.read().strip())
    if not args.url:
        parser.error('give --url, --port-file or set TWILIO_EMULATOR_URL')
    client = EmulatorClient(args.url, timeout=args.timeout)
    try:
        answer = VERBS[args.verb][0](client, args)
        if args.get:
            answer = pick(answer, args.get)
    except (AdminError, OSError, ValueError) as exc:
        sys.stderr.write('twilio emulator admin %s: %s\n' % (args.verb, exc))
        return 1
    sys.stdout.write((answer if isinstance(answer, str) else json.dumps(answer, indent=2, ensure_ascii=False)) + '\n')
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ['admin']:
        return admin_main(argv[1:])
    if argv[:1] == ['start']:
        argv = argv[1:]
    return serve(argv)
