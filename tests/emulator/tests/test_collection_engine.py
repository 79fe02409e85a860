# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's bulk engine over real HTTP, in every paging behaviour the emulator offers.

Twilio does not document how a filtered list pages while its items leave the filter, and
applications may create public channels while a migration runs. Whatever the behaviour,
a run must end with no public channel left, each channel written once, or fail saying so.
"""

import json

import pytest

from support import ACCOUNT, SERVICE, TOKEN, EmulatorClient, import_collection, start_emulator

_channels = import_collection('plugins.module_utils._channels')
_client = import_collection('plugins.module_utils._client')

PUBLIC_COUNT = 600
PAGE_SIZE = 100
SEED = {'accounts': [{'sid': ACCOUNT, 'auth_token': TOKEN, 'messaging_services': ['MG' + 'a1' * 16],
                      'services': [{'sid': SERVICE, 'friendly_name': 'convergence', 'channels': [],
                                    'generate': {'count': PUBLIC_COUNT, 'public_ratio': 1.0, 'seed': 5}}]}]}
MODES = {
    'keyset': {'paging': 'keyset'},
    'offset': {'paging': 'offset'},
    'offset-appearing': {'paging': 'offset', 'appearing': {'after_writes': 150, 'count': 40, 'times': 3}},
    'keyset-appearing': {'paging': 'keyset', 'appearing': {'after_writes': 150, 'count': 40, 'times': 3}},
}


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    emulator = start_emulator(tmp_path_factory.mktemp('engine'), seed=SEED)
    yield emulator
    emulator.stop()


@pytest.fixture
def admin(server):
    client = EmulatorClient(server.base_url)
    client.reset()
    return client


def run_engine(base_url, tmp_path, **options):
    client = _client.TwilioClient(ACCOUNT, auth_token=TOKEN, api_base_url=base_url, max_retries=3, pool_size=11)
    journal_path = str(tmp_path / 'journal.jsonl')
    journal = _channels.MigrationJournal(journal_path)
    options.setdefault('concurrency', 10)
    try:
        migration = _channels.BulkMigration(client, SERVICE, 'private', journal=journal, **options)
        migration.run()
    finally:
        journal.close()
        client.close()
    with open(journal_path, encoding='utf-8') as handle:
        lines = [json.loads(line) for line in handle]
    return migration.summary(), lines


def public_sids(admin):
    return set(channel['sid'] for channel in admin.channels(SERVICE) if channel['type'] == 'public')


@pytest.mark.parametrize('mode', sorted(MODES))
def test_a_run_leaves_no_public_channel_and_writes_each_once(server, admin, tmp_path, mode):
    admin.set_modes(MODES[mode])
    summary, journal = run_engine(server.base_url, tmp_path)
    appeared = sum(1 for channel in admin.channels(SERVICE) if (channel.get('unique_name') or '').startswith('appeared-'))
    assert public_sids(admin) == set()
    assert summary['left'] == 0 and summary['failed'] == 0
    assert summary['changed'] == PUBLIC_COUNT + appeared
    # Every write was needed: no channel was sent twice.
    assert admin.stats()['writes'] == PUBLIC_COUNT + appeared
    migrated = [line['sid'] for line in journal if line['outcome'] == 'migrated']
    assert len(migrated) == len(set(migrated)) == PUBLIC_COUNT + appeared
    if mode.endswith('appearing'):
        assert appeared == 120


def test_offset_paging_really_shifts_pages_past_a_single_pass(server, admin, tmp_path):
    """The mode the convergence test relies on: one pass misses channels, and the engine says so and fails."""
    admin.set_modes(MODES['offset'])
    summary, journal = run_engine(server.base_url, tmp_path, max_passes=1)
    left = public_sids(admin)
    assert left, 'offset paging did not shift any page: the convergence tests would prove nothing'
    assert summary['left'] == len(left)
    assert summary['changed'] == PUBLIC_COUNT - len(left)
    assert set(line['sid'] for line in journal) & left == set()


def test_check_mode_plans_every_public_channel_once_and_writes_nothing(server, admin, tmp_path):
    admin.set_modes(MODES['offset'])
    summary, journal = run_engine(server.base_url, tmp_path, check_mode=True)
    assert admin.stats()['writes'] == 0
    assert summary['changed'] == len(journal) == PUBLIC_COUNT
    assert set(line['outcome'] for line in journal) == {'would_migrate'}


def test_at_the_account_limit_the_engine_own_list_reads_cause_no_429(server, admin, tmp_path):
    """Twilio counts list reads against the same limit as writes: with concurrency at the account's limit, the
    reader listing the next pages while the pool writes must take one of the places, not push the account over."""
    admin.set_limits(concurrency_limit=4, latency_ms=5)
    summary, dummy = run_engine(server.base_url, tmp_path, concurrency=4)
    stats = admin.stats()
    assert public_sids(admin) == set() and summary['changed'] == PUBLIC_COUNT
    assert stats['by_route']['GET /v2/Services/{ServiceSid}/Channels'] >= PUBLIC_COUNT // PAGE_SIZE
    assert stats['by_status'].get('429', 0) == 0 and summary['throttled'] == 0
    assert stats['max_in_flight'][ACCOUNT] == 4
