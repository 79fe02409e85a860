# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Option groups shared by the modules of twilio_ops.chat, each with the checks it needs.

This is a private module_utils of twilio_ops.chat, not a public API.

An option group is an ArgumentSpec: Ansible's argument spec and constraints,
plus what Ansible cannot check itself (SID shapes, numeric bounds, rules
across options). Groups merge; TwilioModule (_module.py) runs the checks of
the merged spec before any request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.basic import env_fallback

SID_KINDS = {
    'AC': 'an account',
    'IS': 'a Chat service',
    'CH': 'a channel',
    'MG': 'a messaging service',
    'SK': 'an API key',
}
MAX_CONCURRENCY = 50
MAX_RETRIES = 20
MAX_PAGE_SIZE = 100
MAX_ACCOUNT_CONCURRENCY = 1000
MAX_PASSES = 20


def sid_problem(option, value, prefix):
    """A message naming the option when value is not a SID of that kind, else None."""
    if re.match(r'^%s[0-9a-fA-F]{32}$' % prefix, value or ''):
        return None
    return '%s must be %s SID: %s followed by 32 hexadecimal digits (34 characters), got %r' % (
        option, SID_KINDS[prefix], prefix, value)


def bound_problem(option, value, minimum, maximum=None):
    """A message naming the option when value is outside [minimum, maximum] (maximum None: no upper bound), else None."""
    if maximum is None:
        if value < minimum:
            return '%s must be at least %s, got %s' % (option, minimum, value)
    elif not minimum <= value <= maximum:
        return '%s must be between %s and %s, got %s' % (option, minimum, maximum, value)
    return None


class ArgumentSpec:
    """An argument spec together with its constraints and checks, so that option groups can be merged.

    Besides what AnsibleModule takes, a group declares:

    - sid_options: option name -> the SID prefix its value must have;
    - bounds: option name -> (minimum, maximum) for integer options, maximum None for no upper bound;
    - checks: functions taking the module's params and returning a message when they are wrong, else None.

    SIDs, bounds and checks apply to options that are set (not None), in that order.
    """

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None, sid_options=None, bounds=None, checks=None):
        self.argument_spec = dict(argument_spec or {})
        self.mutually_exclusive = list(mutually_exclusive or [])
        self.required_together = list(required_together or [])
        self.required_one_of = list(required_one_of or [])
        self.required_if = list(required_if or [])
        self.required_by = dict(required_by or {})
        self.sid_options = dict(sid_options or {})
        self.bounds = dict(bounds or {})
        self.checks = list(checks or [])

    def merge(self, other):
        self.argument_spec.update(other.argument_spec)
        self.mutually_exclusive.extend(other.mutually_exclusive)
        self.required_together.extend(other.required_together)
        self.required_one_of.extend(other.required_one_of)
        self.required_if.extend(other.required_if)
        self.required_by.update(other.required_by)
        self.sid_options.update(other.sid_options)
        self.bounds.update(other.bounds)
        self.checks.extend(other.checks)
        return self

    def module_kwargs(self):
        """The keyword arguments AnsibleModule takes for this spec."""
        return dict(
            argument_spec=self.argument_spec,
            mutually_exclusive=self.mutually_exclusive,
            required_together=self.required_together,
            required_one_of=self.required_one_of,
            required_if=self.required_if,
            required_by=self.required_by,
        )

    def problems(self, params):
        """Yield a message for every SID, bound and check that params fail, in that order."""
        for option, prefix in sorted(self.sid_options.items()):
            if params.get(option) is not None:
                problem = sid_problem(option, params[option], prefix)
                if problem:
                    yield problem
        for option, limits in sorted(self.bounds.items()):
            if params.get(option) is not None:
                problem = bound_problem(option, params[option], *limits)
                if problem:
                    yield problem
        for check in self.checks:
            problem = check(params)
            if problem:
                yield problem


def timeout_problem(params):
    if params['timeout'] <= 0:
        return 'timeout must be a positive number of seconds, got %s' % params['timeout']
    return None


def credentials_problem(params):
    """Exactly one credential, after environment fallbacks: both is ambiguous, so say so instead of picking one."""
    if not params.get('auth_token') and not params.get('api_key'):
        # required_one_of counts an option set to null as given; this catches it (same words as Ansible's check).
        return 'one of the following is required: auth_token, api_key'
    if params.get('auth_token') and params.get('api_key'):
        return ('auth_token and api_key are both set (as options, through module_defaults, or from the TWILIO_AUTH_TOKEN '
                'and TWILIO_API_KEY environment variables), so the credential to use is ambiguous; set only one: '
                'auth_token for the account auth token, or api_key with api_secret for an API key '
                '(setting an option to null in a task ignores its environment variable)')
    return None


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
        sid_options={'account_sid': 'AC', 'api_key': 'SK'},
        bounds={'max_retries': (0, MAX_RETRIES)},
        checks=[timeout_problem, credentials_problem],
    )


def public_without_messaging_service_problem(params):
    if params.get('type') == 'public' and params.get('messaging_service_sid'):
        return 'messaging_service_sid can only be set with type=private: a public channel has no messaging service'
    return None


def channel_target_argument_spec():
    """What the single and bulk migration modules both ask for, documented once in the channel_target doc fragment."""
    return ArgumentSpec(
        argument_spec=dict(
            service_sid=dict(type='str', required=True),
            type=dict(type='str', default='private', choices=['private', 'public']),
            messaging_service_sid=dict(type='str'),
            webhook_enabled=dict(type='bool'),
        ),
        sid_options={'service_sid': 'IS', 'messaging_service_sid': 'MG'},
        checks=[public_without_messaging_service_problem],
    )
