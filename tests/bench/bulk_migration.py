#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark: migrate a whole service of N channels against the emulator and compare with the round-trip bound.

With a per-request latency L and C requests in flight, no client can do better than
about C / L writes per second, plus the sequential page reads. The benchmark reports
how close the bulk engine gets, and fails when it falls below --min-efficiency.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests'))
from emulator.client import EmulatorClient  # noqa: E402  pylint: disable=wrong-import-position
ACCOUNT = 'AC00000000000000000000000000000001'
TOKEN = 'fake-auth-token-0001'
SERVICE = 'IS00000000000000000000000000000001'
PAGE_SIZE = 100


def import_engine(collections_root):
    link_parent = os.path.join(collections_root, 'ansible_collections', 'twilio_ops')
    os.makedirs(link_parent)
    os.symlink(ROOT, os.path.join(link_parent, 'chat'))
    sys.path.insert(0, collections_root)
    from ansible_collections.twilio_ops.chat.plugins.module_utils import _channels, _client  # pylint: disable=import-outside-toplevel
    return _channels, _client


def start_emulator(workdir, args):
    port_file = os.path.join(workdir, 'port')
    command = [sys.executable, os.path.join(ROOT, 'tests', 'emulator'), '--port', '0', '--port-file', port_file, '--quiet',
               '--lifetime', '900', '--generate', str(args.channels), '--public-ratio', str(args.public_ratio),
               '--latency-ms', str(args.latency_ms), '--concurrency-limit', str(args.concurrency_limit)]
    process = subprocess.Popen(command)
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(port_file) and open(port_file).read().strip():
            return process, 'http://127.0.0.1:%s' % open(port_file).read().strip()
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit('the emulator did not start')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--channels', type=int, default=10000)
    parser.add_argument('--public-ratio', type=float, default=0.9)
    parser.add_argument('--latency-ms', type=int, default=100, help="the emulated round trip, about Twilio's from Europe")
    parser.add_argument('--concurrency', type=int, default=25, help='the bulk module option')
    parser.add_argument('--concurrency-limit', type=int, default=30, help="the emulated account's concurrency limit")
    parser.add_argument('--min-efficiency', type=float, default=0.75, help='fail below this share of the bound')
    parser.add_argument('--json', help='also write the results to this file')
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix='twilio-bench-')
    channels_engine, client_module = import_engine(os.path.join(workdir, 'collections'))
    process, base_url = start_emulator(workdir, args)
    try:
        client = client_module.TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url=base_url, pool_size=args.concurrency)
        started = time.time()
        migration = channels_engine.BulkMigration(client, SERVICE, 'private', concurrency=args.concurrency)
        migration.run()
        elapsed = time.time() - started
        summary = migration.summary()
        stats = EmulatorClient(base_url).stats()
    finally:
        process.terminate()
        process.wait(timeout=10)

    writes = summary['changed']
    pages = -(-summary['total'] // PAGE_SIZE) or 1
    latency = args.latency_ms / 1000.0
    in_flight = min(args.concurrency, args.concurrency_limit)
    bound = pages * latency + writes * latency / in_flight
    efficiency = bound / elapsed if elapsed else 0.0
    result = {
        'channels': args.channels, 'migrated': writes, 'failed': summary['failed'], 'seconds': round(elapsed, 2),
        'writes_per_second': round(writes / elapsed, 1), 'bound_seconds': round(bound, 2), 'efficiency': round(efficiency, 3),
        'requests': stats['total'], 'http_429': stats['by_status'].get('429', 0),
        'max_in_flight': max(stats['max_in_flight'].values() or [0]),
    }
    print('bulk migration: %(migrated)d channels in %(seconds)ss (%(writes_per_second)s/s); round-trip bound %(bound_seconds)ss; '
          'efficiency %(efficiency)s; %(requests)d requests, %(http_429)d answered 429, at most %(max_in_flight)d in flight' % result)
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(result, handle, indent=2)
    if summary['failed'] or efficiency < args.min_efficiency:
        print('bench: below goal (failed channels or efficiency under %s)' % args.min_efficiency)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
