# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""twilio_chat_channel's main(), offline, over a fake client."""

import pytest

from ansible_collections.twilio_ops.chat.plugins.modules import twilio_chat_channel
from ansible_collections.twilio_ops.chat.tests.unit.plugins.modules.utils import (
    AMBIGUOUS_CREDENTIALS,
    API_KEY,
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
    return connection(**dict({'service_sid': SERVICE, 'channel': 'channel 1'}, **options))


def test_public_channel_is_migrated_and_the_client_closed():
    fake = FakeTwilio([channel(1, 'public')])
    result, failed = run_module(twilio_chat_channel, task(webhook_enabled=False), fake)
    assert not failed
    assert result['changed'] is True
    assert result['channel']['type'] == 'private'
    assert result['channel']['messaging_service_sid'] == MG_DEFAULT
    assert fake.writes() == [('update_channel', channel_sid(1), {'Type': 'private'}, False)]
    assert fake.closed
    assert fake.client_options['pool_size'] == 10


def test_check_mode_reads_and_writes_nothing():
    fake = FakeTwilio([channel(1, 'public')])
    result, failed = run_module(twilio_chat_channel, task(messaging_service_sid=MG_WANTED), fake, check_mode=True, diff=True)
    assert not failed
    assert result['changed'] is True
    assert result['channel']['type'] == 'public'
    assert [call[0] for call in fake.calls] == ['fetch_channel']
    assert result['diff'] == {'before': {'type': 'public', 'messaging_service_sid': None},
                              'after': {'type': 'private', 'messaging_service_sid': MG_WANTED}}


def test_diff_after_a_write_shows_what_twilio_answered():
    fake = FakeTwilio([channel(1, 'public')])
    result, dummy = run_module(twilio_chat_channel, task(), fake, diff=True)
    assert result['diff'] == {'before': {'type': 'public', 'messaging_service_sid': None},
                              'after': {'type': 'private', 'messaging_service_sid': MG_DEFAULT}}


def test_no_diff_unless_asked():
    result, dummy = run_module(twilio_chat_channel, task(), FakeTwilio([channel(1, 'public')]))
    assert 'diff' not in result


def test_private_channel_on_another_messaging_service_is_moved():
    fake = FakeTwilio([channel(1, 'private', MG_OTHER)])
    result, dummy = run_module(twilio_chat_channel, task(messaging_service_sid=MG_WANTED), fake)
    assert result['changed'] is True
    assert fake.writes() == [('update_channel', channel_sid(1), {'Type': 'private', 'MessagingServiceSid': MG_WANTED}, None)]


def test_channel_already_as_wanted_is_not_changed():
    fake = FakeTwilio([channel(1, 'private', MG_WANTED)])
    result, failed = run_module(twilio_chat_channel, task(messaging_service_sid=MG_WANTED), fake)
    assert not failed
    assert result['changed'] is False
    assert fake.writes() == []


def test_public_is_refused_for_a_private_channel_with_the_channel_in_the_result():
    fake = FakeTwilio([channel(1, 'private')])
    result, failed = run_module(twilio_chat_channel, task(type='public'), fake)
    assert failed
    assert result['msg'] == 'Channel %s is private; Twilio does not allow migrating a channel to public' % channel_sid(1)
    assert result['channel']['sid'] == channel_sid(1)
    assert fake.writes() == []
    assert fake.closed


def test_missing_channel_fails_with_twilio_fields():
    fake = FakeTwilio([channel(1, 'public')])
    result, failed = run_module(twilio_chat_channel, task(channel='no such channel'), fake)
    assert failed
    assert result['msg'].startswith("Channel 'no such channel' was not found in Chat service %s" % SERVICE)
    assert result['status'] == 404
    assert result['error_code'] == 20404
    assert result['more_info'] == 'https://www.twilio.com/docs/errors/20404'
    assert result['request_id'] == 'RQ404'
    assert fake.closed


@pytest.mark.parametrize('options, message', [
    ({'account_sid': 'AC1234'}, 'account_sid must be an account SID: AC followed by 32 hexadecimal digits'),
    ({'service_sid': 'IS1e57000000000000000000000000d00z'}, 'service_sid must be a Chat service SID'),
    ({'messaging_service_sid': 'MG-not-a-sid'}, 'messaging_service_sid must be a messaging service SID'),
    ({'messaging_service_sid': SERVICE}, 'messaging_service_sid must be a messaging service SID'),
    ({'auth_token': None, 'api_key': 'SKshort', 'api_secret': 'any'}, 'api_key must be an API key SID'),
    # The SID is named first even when the credentials are also ambiguous.
    ({'api_key': 'SKshort', 'api_secret': 'any'}, 'api_key must be an API key SID'),
    ({'timeout': 0}, 'timeout must be a positive number of seconds, got 0'),
    ({'max_retries': 21}, 'max_retries must be between 0 and 20, got 21'),
    ({'max_retries': -1}, 'max_retries must be between 0 and 20, got -1'),
    ({'type': 'public', 'messaging_service_sid': MG_WANTED},
     'messaging_service_sid can only be set with type=private: a public channel has no messaging service'),
    ({'api_base_url': 'http://twilio-proxy.example.com'}, "api_base_url 'http://twilio-proxy.example.com' uses plain http"),
    ({'api_base_url': 'https://user:pw@twilio-proxy.example.com'}, 'api_base_url must not contain credentials'),
    ({'auth_token': None}, 'one of the following is required: auth_token, api_key'),
    ({'api_key': API_KEY, 'auth_token': None}, 'parameters are required together: api_key, api_secret'),
])
def test_bad_options_fail_before_any_client_exists(options, message):
    fake = FakeTwilio([channel(1, 'public')])
    result, failed = run_module(twilio_chat_channel, task(**options), fake)
    assert failed
    assert result['msg'].startswith(message)
    assert not fake.built


def test_the_sid_alias_names_the_channel():
    fake = FakeTwilio([channel(1, 'public')])
    args = task()
    del args['channel']
    args['sid'] = channel_sid(1)
    result, failed = run_module(twilio_chat_channel, args, fake)
    assert not failed
    assert result['channel']['sid'] == channel_sid(1)


def test_missing_requests_is_reported_before_any_client(monkeypatch):
    monkeypatch.setattr('ansible_collections.twilio_ops.chat.plugins.module_utils._module.HAS_REQUESTS', False)
    fake = FakeTwilio([channel(1, 'public')])
    result, failed = run_module(twilio_chat_channel, task(), fake)
    assert failed
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert not fake.built


def test_connection_options_reach_the_client():
    fake = FakeTwilio([channel(1, 'private')])
    run_module(twilio_chat_channel, task(region='ie1', edge='dublin', timeout=5, max_retries=0, validate_certs=False, api_base_url=None), fake)
    options = fake.client_options
    assert (options['region'], options['edge'], options['timeout'], options['max_retries'], options['validate_certs']) == (
        'ie1', 'dublin', 5.0, 0, False)
    assert options['auth_token'] == 'fake-auth-token'
    assert options['api_key'] is None


@pytest.mark.parametrize('case', sorted(AMBIGUOUS_CREDENTIALS))
def test_auth_token_with_api_key_is_ambiguous(case, monkeypatch):
    assert_ambiguous_credentials_refused(twilio_chat_channel, {'service_sid': SERVICE, 'channel': 'channel 1'}, case, monkeypatch)


def test_null_auth_token_ignores_the_environment(monkeypatch):
    assert_null_option_ignores_its_environment_variable(twilio_chat_channel, {'service_sid': SERVICE, 'channel': 'channel 1'},
                                                        monkeypatch)
