# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Paging modes (keyset, offset over the live filtered list) and channels appearing part-way through a run."""

import pytest

from support import ACCOUNT, SERVICE, AdminError, Client, start_emulator

CHANNELS = '/v2/Services/%s/Channels' % SERVICE
V3_CHANNEL = '/v3/Services/%s/Channels/%%s' % SERVICE
PUBLIC_COUNT = 600
MAX_PAGES = 200
# The many migration writes here are ordinary ones, checked elsewhere; only the list pages are recorded
# for the conformance check (record=False keeps the run short).
# One service of 600 public channels, as in the convergence problem of the bulk engine.
SEED = {'accounts': [{'sid': ACCOUNT, 'auth_token': 'fake-token-account-a', 'messaging_services': ['MG' + 'a1' * 16],
                      'services': [{'sid': SERVICE, 'friendly_name': 'modes', 'channels': [],
                                    'generate': {'count': PUBLIC_COUNT, 'public_ratio': 1.0, 'seed': 3}}]}]}


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    emulator = start_emulator(tmp_path_factory.mktemp('modes'), seed=SEED)
    yield emulator
    emulator.stop()


@pytest.fixture
def api(server):
    client = Client(server.base_url)
    client.admin.reset()
    return client


def public_left(api):
    return sum(1 for channel in api.admin.channels(SERVICE) if channel['type'] == 'public')


def single_pass(api, page_size=50):
    """List public channels page by page, migrating each page before asking for the next (what one pass does)."""
    seen = []
    response = api.get(CHANNELS, params={'PageSize': page_size})
    for _page in range(MAX_PAGES):
        body = response.json()
        for channel in body['channels']:
            seen.append(channel['sid'])
            assert api.post(V3_CHANNEL % channel['sid'], {'Type': 'private'}, record=False).status == 200
        if not body['meta']['next_page_url']:
            return seen
        response = api.get(body['meta']['next_page_url'])
    raise AssertionError('paging did not end within %d pages' % MAX_PAGES)


class TestPaging:
    def test_keyset_is_the_default_and_one_pass_migrates_everything(self, api):
        assert api.admin.modes()['paging'] == 'keyset'
        seen = single_pass(api)
        assert len(seen) == len(set(seen)) == PUBLIC_COUNT
        assert public_left(api) == 0

    def test_offset_paging_over_the_live_list_makes_one_pass_miss_channels(self, api):
        api.admin.set_modes({'paging': 'offset'})
        seen = single_pass(api)
        left = public_left(api)
        assert len(seen) == len(set(seen)) and 0 < len(seen) < PUBLIC_COUNT
        assert left == PUBLIC_COUNT - len(seen) and left > 100
        # Listing again from the first page converges: each pass takes what is still public.
        for _pass in range(20):
            if not public_left(api):
                break
            single_pass(api)
        assert public_left(api) == 0

    def test_offset_pages_are_slices_of_the_filtered_list_at_request_time(self, api):
        api.admin.set_modes({'paging': 'offset'})
        first = api.get(CHANNELS, params={'PageSize': 10}).json()
        order = [channel['sid'] for channel in first['channels']]
        for sid in order[:4]:
            api.post(V3_CHANNEL % sid, {'Type': 'private'}, record=False)
        second = api.get(first['meta']['next_page_url']).json()
        public = [channel['sid'] for channel in api.admin.channels(SERVICE) if channel['type'] == 'public']
        assert [channel['sid'] for channel in second['channels']] == public[10:20]
        assert second['meta']['page'] == 1 and second['meta']['previous_page_url']
        again = api.get(CHANNELS, params={'PageSize': 10, 'Page': 1}).json()
        assert again['channels'] == second['channels']

    def test_offset_last_page_and_bad_tokens(self, api):
        api.admin.set_modes({'paging': 'offset'})
        last = api.get(CHANNELS, params={'PageSize': 100, 'Page': 5}).json()
        assert len(last['channels']) == 100 and last['meta']['next_page_url'] is None
        assert api.get(CHANNELS, params={'PageSize': 100, 'Page': 6}).json()['channels'] == []
        assert api.get(CHANNELS, params={'PageToken': 'garbage'}).status == 400


class TestAppearing:
    def test_channels_appear_after_every_k_writes_up_to_times(self, api):
        api.admin.set_modes({'appearing': {'after_writes': 10, 'count': 5, 'times': 2}})
        before = public_left(api)
        sids = [channel['sid'] for channel in api.admin.channels(SERVICE)][:35]
        for index, sid in enumerate(sids, 1):
            assert api.post(V3_CHANNEL % sid, {'Type': 'private'}, record=False).status == 200
            if index == 9:
                assert public_left(api) == before - 9
            if index == 10:
                assert public_left(api) == before - 10 + 5
        assert public_left(api) == before - 35 + 10
        appeared = [c for c in api.admin.channels(SERVICE) if (c['unique_name'] or '').startswith('appeared-')]
        assert sorted(c['unique_name'] for c in appeared) == ['appeared-%05d' % n for n in range(10)]
        assert all(c['type'] == 'public' for c in appeared)
        modes = api.admin.modes()
        assert modes['writes_by_service'] == {SERVICE: 35} and modes['appeared_by_service'] == {SERVICE: 10}
        # Appeared channels are ordinary channels: listed, fetched and migrated like the others.
        assert api.get(CHANNELS + '/appeared-00003').json()['type'] == 'public'

    def test_a_single_keyset_pass_that_lists_first_misses_channels_that_appear_later(self, api):
        api.admin.set_modes({'appearing': {'after_writes': 50, 'count': 20}})
        listed = []
        response = api.get(CHANNELS, params={'PageSize': 100})
        for _page in range(MAX_PAGES):
            body = response.json()
            listed.extend(channel['sid'] for channel in body['channels'])
            if not body['meta']['next_page_url']:
                break
            response = api.get(body['meta']['next_page_url'])
        for sid in listed:
            api.post(V3_CHANNEL % sid, {'Type': 'private'}, record=False)
        assert len(listed) == PUBLIC_COUNT and public_left(api) == 20
        assert len(single_pass(api)) == 20 and public_left(api) == 0

    def test_failed_writes_and_reads_do_not_count(self, api):
        api.admin.set_modes({'appearing': {'after_writes': 1, 'count': 1}})
        api.get(CHANNELS)
        assert api.post(V3_CHANNEL % ('CH' + 'ee' * 16), {'Type': 'private'}).status == 404
        assert api.admin.modes()['appeared_by_service'] == {}


class TestModeAdmin:
    @pytest.mark.parametrize('config', [{'paging': 'random'}, {'bogus': 1}, {'appearing': {'after_writes': 0, 'count': 1}},
                                        {'appearing': {'count': 1}}, {'appearing': {'after_writes': 1, 'count': 1, 'when': 2}},
                                        {'appearing': 'soon'}, []])
    def test_bad_configuration(self, api, config):
        with pytest.raises(AdminError) as caught:
            api.admin.set_modes(config)
        assert caught.value.status == 400

    def test_put_replaces_and_reset_restores_the_start_modes(self, tmp_path):
        server = start_emulator(tmp_path, seed=SEED, modes={'paging': 'offset'})
        try:
            admin = Client(server.base_url).admin
            assert admin.modes()['paging'] == 'offset'
            assert admin.set_modes({'appearing': {'after_writes': 3, 'count': 2}}) == {
                'paging': 'keyset', 'appearing': {'after_writes': 3, 'count': 2, 'times': 1},
                'writes_by_service': {}, 'appeared_by_service': {}}
            admin.reset()
            assert admin.modes()['paging'] == 'offset' and admin.modes()['appearing'] is None
        finally:
            server.stop()

    def test_limits(self, api):
        assert api.admin.limits() == {'concurrency_limit': 100, 'latency_ms': 0}
        assert api.admin.set_limits(concurrency_limit=4) == {'concurrency_limit': 4, 'latency_ms': 0}
        for bad in ({'latency_ms': -1}, {'concurrency_limit': 'x'}, {'other': 1}):
            with pytest.raises(AdminError):
                api.admin.call('PUT', 'limits', bad)
        api.admin.reset()
        assert api.admin.limits()['concurrency_limit'] == 100
