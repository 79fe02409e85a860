# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""twilio_chat_channel_info's main(), offline, over a fake client."""

import pytest

from ansible_collections.twilio_ops.chat.plugins.modules import twilio_chat_channel_info
from ansible_collections.twilio_ops.chat.tests.unit.plugins.modules.utils import (
    AMBIGUOUS_CREDENTIALS,
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


def test_lists_every_channel_with_the_messaging_service_of_private_ones():
    fake = service()
    result, failed = run_module(twilio_chat_channel_info, task(), fake)
    assert not failed
    assert result['changed'] is False
    assert [(c['sid'], c['type'], c['messaging_service_sid']) for c in result['channels']] == [
        (channel_sid(1), 'public', None), (channel_sid(2), 'private', MG_WANTED),
        (channel_sid(3), 'public', None), (channel_sid(4), 'private', MG_OTHER)]
    assert fake.writes() == []
    assert fake.closed


def test_public_only_does_not_read_conversations():
    fake = service()
    result, dummy = run_module(twilio_chat_channel_info, task(type=['public']), fake)
    assert [c['sid'] for c in result['channels']] == [channel_sid(1), channel_sid(3)]
    assert [call[0] for call in fake.calls] == ['list_channels']


def test_limit_caps_the_result_and_the_page_size():
    fake = service()
    result, dummy = run_module(twilio_chat_channel_info, task(type=['public'], limit=1), fake)
    assert [c['sid'] for c in result['channels']] == [channel_sid(1)]
    assert fake.calls == [('list_channels', ('public',), 1)]


def test_page_size_is_passed_to_the_list_calls():
    fake = service()
    run_module(twilio_chat_channel_info, task(page_size=7), fake)
    assert ('list_channels', ('public', 'private'), 7) in fake.calls
    assert ('list_conversations', 7) in fake.calls


def test_one_channel_by_unique_name_with_its_messaging_service():
    fake = service()
    result, dummy = run_module(twilio_chat_channel_info, task(channel='channel 2'), fake)
    assert [(c['sid'], c['messaging_service_sid']) for c in result['channels']] == [(channel_sid(2), MG_WANTED)]


def test_one_channel_of_another_type_gives_an_empty_list():
    result, failed = run_module(twilio_chat_channel_info, task(channel='channel 2', type=['public']), service())
    assert not failed
    assert result['channels'] == []


def test_check_mode_runs_the_same():
    result, failed = run_module(twilio_chat_channel_info, task(), service(), check_mode=True)
    assert not failed
    assert len(result['channels']) == 4


def test_missing_channel_fails_with_twilio_fields():
    fake = service()
    result, failed = run_module(twilio_chat_channel_info, task(channel=channel_sid(404)), fake)
    assert failed
    assert channel_sid(404) in result['msg'] and SERVICE in result['msg']
    assert (result['status'], result['error_code']) == (404, 20404)
    assert fake.closed


@pytest.mark.parametrize('options, message', [
    ({'page_size': 0}, 'page_size must be between 1 and 100, got 0'),
    ({'page_size': 101}, 'page_size must be between 1 and 100, got 101'),
    ({'limit': 0}, 'limit must be at least 1, got 0'),
    ({'type': []}, 'type must name at least one of public, private'),
    ({'service_sid': 'IS123'}, 'service_sid must be a Chat service SID'),
    ({'account_sid': 'AC123'}, 'account_sid must be an account SID'),
    ({'timeout': -1}, 'timeout must be a positive number of seconds, got -1'),
    ({'max_retries': 50}, 'max_retries must be between 0 and 20, got 50'),
])
def test_bad_options_fail_before_any_client_exists(options, message):
    fake = service()
    result, failed = run_module(twilio_chat_channel_info, task(**options), fake)
    assert failed
    assert result['msg'].startswith(message)
    assert not fake.built


@pytest.mark.parametrize('case', sorted(AMBIGUOUS_CREDENTIALS))
def test_auth_token_with_api_key_is_ambiguous(case, monkeypatch):
    assert_ambiguous_credentials_refused(twilio_chat_channel_info, {'service_sid': SERVICE}, case, monkeypatch)


def test_null_auth_token_ignores_the_environment(monkeypatch):
    assert_null_option_ignores_its_environment_variable(twilio_chat_channel_info, {'service_sid': SERVICE}, monkeypatch)
