# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs shared by the modules of twilio_ops.chat, and SID checks.

This is a private module_utils of twilio_ops.chat, not a public API.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    HAS_REQUESTS,
    TwilioClient,
    TwilioError,
)

SID_KINDS = {
    'AC': 'an account',
    'IS': 'a Chat service',
    'CH': 'a channel',
    'MG': 'a messaging service',
    'SK': 'an API key',
}
MAX_CONCURRENCY = 50
MAX_ACCOUNT_CONCURRENCY = 1000
MAX_PASSES = 20


def sid_problem(option, value, prefix):
    """A message naming the option when value is not a SID of that kind, else None."""
    if re.match(r'^%s[0-9a-fA-F]{32}$' % prefix, value or ''):
        return None
    return '%s must be %s SID: %s followed by 32 hexadecimal digits (34 characters), got %r' % (
        option, SID_KINDS[prefix], prefix, value)


class ArgumentSpec:
    """An argument spec together with its constraints, so that specs can be merged."""

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None):
        self.argument_spec = dict(argument_spec or {})
        self.mutually_exclusive = list(mutually_exclusive or [])
        self.required_together = list(required_together or [])
        self.required_one_of = list(required_one_of or [])
        self.required_if = list(required_if or [])
        self.required_by = dict(required_by or {})

    def merge(self, other):
        self.argument_spec.update(other.argument_spec)
        self.mutually_exclusive.extend(other.mutually_exclusive)
        self.required_together.extend(other.required_together)
        self.required_one_of.extend(other.required_one_of)
        self.required_if.extend(other.required_if)
        self.required_by.update(other.required_by)
        return self

    def create_module(self, supports_check_mode=True):
        return AnsibleModule(
            argument_spec=self.argument_spec,
            mutually_exclusive=self.mutually_exclusive,
            required_together=self.required_together,
            required_one_of=self.required_one_of,
            required_if=self.required_if,
            required_by=self.required_by,
            supports_check_mode=supports_check_mode,
        )


def connection_argument_spec():
    """The connection options, documented once in the twilio_ops.chat.twilio doc fragment."""
    return ArgumentSpec(
        argument_spec=dict(
            account_sid=dict(type='str', required=True, fallback=(env_fallback, ['TWILIO_ACCOUNT_SID'])),
            auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['TWILIO_AUTH_TOKEN'])),
            api_key=dict(type='str', no_log=False, fallback=(env_fallback, ['TWILIO_API_KEY'])),
            api_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['TWILIO_API_SECRET'])),
            region=dict(type='str', fallback=(env_fallback, ['TWILIO_REGION'])),
            edge=dict(type='str', fallback=(env_fallback, ['TWILIO_EDGE'])),
            api_base_url=dict(type='str', fallback=(env_fallback, ['TWILIO_API_BASE_URL'])),
            timeout=dict(type='float', default=30),
            validate_certs=dict(type='bool', default=True),
            max_retries=dict(type='int', default=5),
        ),
        required_together=[('api_key', 'api_secret')],
        required_one_of=[('auth_token', 'api_key')],
    )


def channel_target_argument_spec():
    """What the single and bulk migration modules both ask for."""
    return ArgumentSpec(
        argument_spec=dict(
            service_sid=dict(type='str', required=True),
            type=dict(type='str', default='private', choices=['private', 'public']),
            messaging_service_sid=dict(type='str'),
            webhook_enabled=dict(type='bool'),
        ),
    )


def check_module_params(module, sid_options):
    """Fail the module, before any request, on malformed SIDs and impossible combinations.

    sid_options maps option names to the SID prefix their value must have.
    """
    params = module.params
    for option, prefix in sorted(sid_options.items()):
        if params.get(option) is not None:
            problem = sid_problem(option, params[option], prefix)
            if problem:
                module.fail_json(msg=problem)
    if params['timeout'] <= 0:
        module.fail_json(msg='timeout must be a positive number of seconds, got %s' % params['timeout'])
    if not 0 <= params['max_retries'] <= 20:
        module.fail_json(msg='max_retries must be between 0 and 20, got %s' % params['max_retries'])
    if params.get('type') == 'public' and params.get('messaging_service_sid'):
        module.fail_json(msg='messaging_service_sid can only be set with type=private: a public channel has no messaging service')


def client_from_module(module, pool_size=10):
    """Build the task's client from the connection options, failing the module cleanly."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'))
    params = module.params
    check_module_params(module, {'account_sid': 'AC', 'api_key': 'SK', 'service_sid': 'IS', 'messaging_service_sid': 'MG'})
    try:
        return TwilioClient(
            account_sid=params['account_sid'],
            auth_token=params['auth_token'],
            api_key=params['api_key'],
            api_secret=params['api_secret'],
            region=params['region'],
            edge=params['edge'],
            api_base_url=params['api_base_url'],
            timeout=params['timeout'],
            validate_certs=params['validate_certs'],
            max_retries=params['max_retries'],
            pool_size=pool_size,
        )
    except TwilioError as exc:
        module.fail_json(msg=str(exc))
