# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""twilio_chat_channels' main(), offline, over a fake client."""

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import TwilioError
from ansible_collections.twilio_ops.chat.plugins.modules import twilio_chat_channels
from ansible_collections.twilio_ops.chat.tests.unit.plugins.modules.utils import (
    AMBIGUOUS_CREDENTIALS,
    MG_DEFAULT,
    MG_OTHER,
    MG_WANTED,
    SERVICE,
    FakeTwilio,
    assert_ambiguous_credentials_refused,
    assert_null_option_ignores_its_environment_variable,
    channel,
    channel_sid,
    connection,
    run_module,
)


def task(**options):
    return connection(**dict({'service_sid': SERVICE}, **options))


def service():
    return FakeTwilio([channel(1, 'public'), channel(2, 'private', MG_WANTED), channel(3, 'public'), channel(4, 'private', MG_OTHER)])


def counts(result):
    """The channel counts of the summary (its timing and throttling numbers vary from run to run)."""
    return dict((key, result['summary'][key]) for key in ('total', 'changed', 'unchanged', 'failed'))


def test_whole_service_migrates_the_public_channels():
    fake = service()
    result, failed = run_module(twilio_chat_channels, task(concurrency=3), fake)
    assert not failed
    assert result['changed'] is True
    assert counts(result) == {'total': 2, 'changed': 2, 'unchanged': 0, 'failed': 0}
    assert result['stopped_early'] is False
    assert sorted(call[1] for call in fake.writes()) == [channel_sid(1), channel_sid(3)]
    by_sid = dict((r['sid'], r) for r in result['channel_results'])
    assert by_sid[channel_sid(1)]['msg'] == 'migrated'
    assert by_sid[channel_sid(1)]['after'] == {'type': 'private', 'messaging_service_sid': MG_DEFAULT}
    assert fake.closed
    # One connection more than the writers, for the page reads.
    assert fake.client_options['pool_size'] == 4


def test_check_mode_plans_everything_and_writes_nothing():
    fake = service()
    result, failed = run_module(twilio_chat_channels, task(messaging_service_sid=MG_WANTED), fake, check_mode=True)
    assert not failed
    assert fake.writes() == []
    assert counts(result) == {'total': 3, 'changed': 3, 'unchanged': 0, 'failed': 0}
    assert (result['summary']['passes'], result['summary']['left'], result['summary']['throttled']) == (1, 0, 0)
    assert set(r['msg'] for r in result['channel_results']) == {'would migrate (check mode)'}


def test_diff_is_one_block_per_service():
    result, dummy = run_module(twilio_chat_channels, task(messaging_service_sid=MG_WANTED), service(), check_mode=True, diff=True)
    diff = result['diff']
    assert sorted(diff) == ['after', 'after_header', 'before', 'before_header']
    assert diff['before_header'] == diff['after_header'] == 'Chat service %s' % SERVICE
    header = '# Chat service %s: 3 channel(s) to change\n' % SERVICE
    assert diff['before'].startswith(header) and diff['after'].startswith(header)
    assert '%s (channel 4):\n  type=private messaging_service_sid=%s\n' % (channel_sid(4), MG_OTHER) in diff['before']
    assert '%s (channel 4):\n  type=private messaging_service_sid=%s\n' % (channel_sid(4), MG_WANTED) in diff['after']


def test_no_diff_unless_asked():
    result, dummy = run_module(twilio_chat_channels, task(), service())
    assert 'diff' not in result


def test_selected_channels_only():
    fake = service()
    result, failed = run_module(twilio_chat_channels, task(channels=['channel 3', channel_sid(2)]), fake)
    assert not failed
    assert [call[1] for call in fake.writes()] == [channel_sid(3)]
    assert [(r['sid'], r['msg']) for r in result['channel_results']] == [(channel_sid(3), 'migrated'), (channel_sid(2), 'already private')]


def test_failed_channel_fails_the_task_and_keeps_every_result():
    fake = FakeTwilio([channel(1, 'public'), channel(2, 'public'), channel(3, 'public')], failing_updates=[channel_sid(2)])
    result, failed = run_module(twilio_chat_channels, task(), fake)
    assert failed
    assert result['msg'].startswith('1 of 3 channels of service %s failed; first: Migrating channel %s' % (SERVICE, channel_sid(2)))
    assert counts(result) == {'total': 3, 'changed': 2, 'unchanged': 0, 'failed': 1}
    assert result['changed'] is True
    assert result['stopped_early'] is False
    assert len(result['channel_results']) == 3
    assert fake.closed


def test_max_failures_stops_early_and_says_so():
    fake = service()
    result, failed = run_module(twilio_chat_channels, task(channels=['nope 1', 'nope 2', 'nope 3'], max_failures=1), fake)
    assert failed
    assert result['stopped_early'] is True
    assert '(stopped early after max_failures)' in result['msg']
    assert result['summary']['failed'] == 1
    assert [call[1] for call in fake.calls if call[0] == 'fetch_channel'] == ['nope 1']


def test_a_failed_read_of_the_service_reports_what_was_done_before_it():
    failure = TwilioError('Listing public channels of service %s failed: Internal error' % SERVICE, status=500, code=20500,
                          request_id='RQ500')
    fake = FakeTwilio([channel(1, 'public'), channel(2, 'public')], failing_list=(1, failure))
    result, failed = run_module(twilio_chat_channels, task(), fake)
    assert failed
    assert result['msg'] == str(failure)
    assert (result['status'], result['error_code'], result['request_id']) == (500, 20500, 'RQ500')
    assert result['stopped_early'] is True
    assert [(r['sid'], r['msg']) for r in result['channel_results']] == [(channel_sid(1), 'migrated')]
    assert counts(result) == {'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0}
    assert fake.closed


@pytest.mark.parametrize('options, message', [
    ({'concurrency': 0}, 'concurrency must be between 1 and 50, got 0'),
    ({'concurrency': 51}, 'concurrency must be between 1 and 50, got 51'),
    ({'max_failures': 0}, 'max_failures must be at least 1, got 0'),
    ({'service_sid': 'IS'}, 'service_sid must be a Chat service SID'),
    ({'messaging_service_sid': 'MG1'}, 'messaging_service_sid must be a messaging service SID'),
    ({'type': 'public', 'messaging_service_sid': MG_WANTED}, 'messaging_service_sid can only be set with type=private'),
    ({'timeout': 0}, 'timeout must be a positive number of seconds'),
])
def test_bad_options_fail_before_any_client_exists(options, message):
    fake = service()
    result, failed = run_module(twilio_chat_channels, task(**options), fake)
    assert failed
    assert result['msg'].startswith(message)
    assert not fake.built


@pytest.mark.parametrize('case', sorted(AMBIGUOUS_CREDENTIALS))
def test_auth_token_with_api_key_is_ambiguous(case, monkeypatch):
    assert_ambiguous_credentials_refused(twilio_chat_channels, {'service_sid': SERVICE}, case, monkeypatch)


def test_null_auth_token_ignores_the_environment(monkeypatch):
    assert_null_option_ignores_its_environment_variable(twilio_chat_channels, {'service_sid': SERVICE}, monkeypatch)
