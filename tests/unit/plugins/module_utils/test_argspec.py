# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared argument specs and SID checks."""

import pytest

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import (
    ArgumentSpec,
    bound_problem,
    channel_target_argument_spec,
    connection_argument_spec,
    credentials_problem,
    sid_problem,
)

ACCOUNT = 'AC' + '0' * 32
API_KEY = 'SK' + '0' * 32


def connection_params(**params):
    """What AnsibleModule leaves in params for the connection options, after defaults and fallbacks."""
    result = dict((option, spec.get('default')) for option, spec in connection_argument_spec().argument_spec.items())
    result.update(account_sid=ACCOUNT, auth_token='token')
    result.update(params)
    return result


@pytest.mark.parametrize('prefix', ['AC', 'IS', 'CH', 'MG', 'SK'])
def test_well_formed_sids_pass(prefix):
    assert sid_problem('x', prefix + '0123456789abcdefABCDEF0123456789', prefix) is None


@pytest.mark.parametrize('value', ['', 'AC123', 'IS' + '0' * 32, 'AC' + 'g' * 32, 'AC' + '0' * 33, ' AC' + '0' * 32, 'ac' + '0' * 32])
def test_malformed_account_sids_name_the_option_and_the_expected_shape(value):
    problem = sid_problem('account_sid', value, 'AC')
    assert problem.startswith('account_sid must be an account SID: AC followed by 32 hexadecimal digits')
    assert repr(value) in problem


def test_secrets_are_no_log_and_read_from_the_environment():
    spec = connection_argument_spec().argument_spec
    for secret in ('auth_token', 'api_secret'):
        assert spec[secret]['no_log'] is True
    assert spec['api_key']['no_log'] is False
    for option, variable in (('account_sid', 'TWILIO_ACCOUNT_SID'), ('auth_token', 'TWILIO_AUTH_TOKEN'), ('api_key', 'TWILIO_API_KEY'),
                             ('api_secret', 'TWILIO_API_SECRET'), ('region', 'TWILIO_REGION'), ('edge', 'TWILIO_EDGE'),
                             ('api_base_url', 'TWILIO_API_BASE_URL')):
        assert spec[option]['fallback'][1] == [variable]


def test_specs_merge_options_and_constraints():
    merged = connection_argument_spec().merge(channel_target_argument_spec()).merge(
        ArgumentSpec({'channels': {'type': 'list'}}, required_one_of=[('a', 'b')]))
    assert {'account_sid', 'service_sid', 'channels', 'messaging_service_sid'} <= set(merged.argument_spec)
    assert ('api_key', 'api_secret') in merged.required_together
    assert merged.required_one_of == [('auth_token', 'api_key'), ('a', 'b')]


def test_merged_specs_keep_every_group_s_checks():
    merged = connection_argument_spec().merge(channel_target_argument_spec()).merge(
        ArgumentSpec({'concurrency': {'type': 'int'}}, bounds={'concurrency': (1, 50)}, checks=[lambda params: None]))
    assert merged.sid_options == {'account_sid': 'AC', 'api_key': 'SK', 'service_sid': 'IS', 'messaging_service_sid': 'MG'}
    assert merged.bounds == {'max_retries': (0, 20), 'concurrency': (1, 50)}
    assert len(merged.checks) == 4


def test_problems_come_sids_first_then_bounds_then_checks():
    spec = connection_argument_spec()
    params = connection_params(account_sid='AC1', max_retries=99, timeout=0)
    assert [problem.split(' ')[0] for problem in spec.problems(params)] == ['account_sid', 'max_retries', 'timeout']


def test_options_left_unset_are_not_checked():
    spec = channel_target_argument_spec().merge(ArgumentSpec(bounds={'limit': (1, None)}))
    assert list(spec.problems({'service_sid': None, 'messaging_service_sid': None, 'limit': None, 'type': 'private'})) == []


@pytest.mark.parametrize('value, minimum, maximum, problem', [
    (0, 1, 50, 'concurrency must be between 1 and 50, got 0'),
    (51, 1, 50, 'concurrency must be between 1 and 50, got 51'),
    (1, 1, 50, None),
    (50, 1, 50, None),
    (0, 1, None, 'concurrency must be at least 1, got 0'),
    (10 ** 6, 1, None, None),
])
def test_bounds_name_the_option_and_the_range(value, minimum, maximum, problem):
    assert bound_problem('concurrency', value, minimum, maximum) == problem


@pytest.mark.parametrize('auth_token, api_key', [('token', None), (None, API_KEY), ('', API_KEY), ('token', '')])
def test_one_credential_is_fine(auth_token, api_key):
    assert credentials_problem({'auth_token': auth_token, 'api_key': api_key}) is None


def test_both_credentials_are_ambiguous_and_the_message_says_how_to_choose():
    problem = credentials_problem({'auth_token': 'secret-token', 'api_key': API_KEY})
    assert problem.startswith('auth_token and api_key are both set')
    for words in ('TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'set only one', 'api_secret', 'null'):
        assert words in problem
    assert 'secret-token' not in problem


def test_no_credential_at_all_is_refused_even_when_set_to_null():
    assert credentials_problem({'auth_token': None, 'api_key': None}) == 'one of the following is required: auth_token, api_key'
