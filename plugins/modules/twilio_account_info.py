#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: twilio_account_info
short_description: Read a Twilio subaccount, or list the subaccounts of a parent account
version_added: 0.2.0
description:
  - With the parent account's credentials, reads one account by O(sid), or lists the parent's subaccounts filtered
    as the P(twilio_ops.chat.twilio_accounts#inventory) inventory plugin filters them (O(statuses), O(friendly_name_pattern)).
    Uses the Accounts API, C(https://api.twilio.com/2010-04-01/Accounts).
  - Twilio's documentation on subaccounts says that resources on product subdomains, such as C(chat.twilio.com) and
    C(conversations.twilio.com), must be reached with the subaccount's own credentials; the parent's credentials reach
    a subaccount only in the 2010-04-01 API. With O(return_auth_token=true) this module reads a subaccount's auth token
    through the parent, so that a play can work on that subaccount's Chat services without a token of its own in the inventory.
  - Which parent credential works. O(account_sid) with the parent's O(auth_token) lists subaccounts and reads their auth
    tokens. Twilio documents that a Main API key (created in the Console only) reaches the Accounts resource as well.
    A Standard API key cannot reach the Accounts resource at all; Twilio refuses it with error 20003, and the module fails
    with that explanation. A subaccount's own credentials see only that subaccount.
  - Account auth tokens are dropped as soon as they are read, unless O(return_auth_token=true).
  - Never writes anything.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
extends_documentation_fragment:
  - twilio_ops.chat.twilio
  - twilio_ops.chat.attributes
  - twilio_ops.chat.attributes.info_module
  - twilio_ops.chat.attributes.actiongroup_twilio
options:
  sid:
    description:
      - Read only this account (V(AC) followed by 32 hexadecimal digits), a subaccount of O(account_sid) or O(account_sid) itself.
        The task fails if the credentials cannot see it.
      - When not set, the subaccounts of O(account_sid) are listed (never O(account_sid) itself), filtered by O(statuses)
        and O(friendly_name_pattern).
    type: str
  statuses:
    description:
      - When listing, only return subaccounts with one of these statuses.
      - When exactly one status is asked for, it is also sent to Twilio as the C(Status) filter.
    type: list
    elements: str
    choices: [active, suspended, closed]
    default: [active]
  friendly_name_pattern:
    description:
      - When listing, only return subaccounts whose whole friendly name matches this shell-style glob
        (Python C(fnmatch), case-sensitive), for example V(prod-*).
    type: str
  page_size:
    description:
      - How many accounts to ask for per page when listing (Twilio allows at most 1000).
    type: int
    default: 100
  return_auth_token:
    description:
      - Also return the auth token of the account read by O(sid), as RV(accounts[].auth_token). Needs O(sid).
      - "B(Only use it on a task with C(no_log: true)), and hand the token straight to the next task's O(auth_token)
        (itself never logged). Do not register it into facts that are cached, printed or written into reports."
      - Fails if Twilio returns no auth token for the account.
    type: bool
    default: false
notes:
  - Set O(account_sid) to the parent account; O(sid) names the subaccount to read.
seealso:
  - plugin: twilio_ops.chat.twilio_accounts
    plugin_type: inventory
  - module: twilio_ops.chat.twilio_chat_service_info
  - name: Twilio API keys, types of keys
    description: Standard keys cannot reach the Accounts resource; Main keys and the auth token can.
    link: https://www.twilio.com/docs/iam/api-keys/keys-in-console
  - name: Twilio subaccounts, authentication
    description: Which credentials reach a subaccount's resources.
    link: https://www.twilio.com/docs/iam/api/subaccounts
'''

EXAMPLES = r'''
# Credentials of the parent account come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.
- name: List the active subaccounts whose name starts with prod-
  twilio_ops.chat.twilio_account_info:
    friendly_name_pattern: prod-*
  register: fleet

- name: Read the first one's auth token through the parent, without logging it
  twilio_ops.chat.twilio_account_info:
    sid: "{{ fleet.accounts[0].sid }}"
    return_auth_token: true
  register: subaccount
  no_log: true

- name: List that subaccount's Chat services with its own credentials
  twilio_ops.chat.twilio_chat_service_info:
    account_sid: "{{ fleet.accounts[0].sid }}"
    auth_token: "{{ subaccount.accounts[0].auth_token }}"
  register: chat
'''

RETURN = r'''
accounts:
  description:
    - The accounts found, in Twilio's order. With O(sid), a list of that one account.
  returned: success
  type: list
  elements: dict
  contains:
    sid:
      description: The account SID.
      type: str
      sample: ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    friendly_name:
      description: The account's friendly name (user-controlled text).
      type: str
      sample: prod-eu
    status:
      description: The account status, V(active), V(suspended) or V(closed).
      type: str
      sample: active
    type:
      description: The account type, V(Trial) or V(Full).
      type: str
      sample: Full
    owner_account_sid:
      description: The SID of the parent account; for a parent account, its own SID.
      type: str
      sample: ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    date_created:
      description: When the account was created (RFC 2822).
      type: str
      sample: 'Thu, 30 Jul 2015 20:00:00 +0000'
    date_updated:
      description: When the account was last updated (RFC 2822).
      type: str
      sample: 'Thu, 30 Jul 2015 20:00:00 +0000'
    auth_token:
      description: The account's auth token. Keep it out of logs, facts and reports.
      type: str
      returned: when O(return_auth_token=true)
      sample: null
'''

from ansible_collections.twilio_ops.chat.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    ACCOUNT_STATUSES,
    ACCOUNTS_PAGE_SIZE_MAX,
    TwilioError,
    select_subaccounts,
    status_to_send,
)
from ansible_collections.twilio_ops.chat.plugins.module_utils._module import TwilioModule


def read_accounts(client, params):
    if params['sid']:
        account = client.fetch_account(params['sid'], with_auth_token=params['return_auth_token'])
        if params['return_auth_token'] and not account.get('auth_token'):
            raise TwilioError('Reading account %s returned no auth token; reading a subaccount\'s auth token needs the parent '
                              'account\'s auth token (account_sid with auth_token)' % params['sid'])
        return [account]
    found = client.list_accounts(status=status_to_send(params['statuses']), page_size=params['page_size'])
    return select_subaccounts(found, params['account_sid'], params['statuses'], params['friendly_name_pattern'])


def statuses_problem(params):
    if not params['statuses']:
        return 'statuses must name at least one of %s' % ', '.join(ACCOUNT_STATUSES)
    return None


def main():
    module = TwilioModule(ArgumentSpec(
        argument_spec=dict(
            sid=dict(type='str'),
            statuses=dict(type='list', elements='str', choices=list(ACCOUNT_STATUSES), default=['active']),
            friendly_name_pattern=dict(type='str'),
            page_size=dict(type='int', default=100),
            return_auth_token=dict(type='bool', default=False),
        ),
        required_if=[('return_auth_token', True, ['sid'])],
        sid_options={'sid': 'AC'},
        bounds={'page_size': (1, ACCOUNTS_PAGE_SIZE_MAX)},
        checks=[statuses_problem],
    ))
    with module.client() as client:
        accounts = read_accounts(client, module.params)
    module.exit_json(changed=False, accounts=accounts)


if __name__ == '__main__':
    main()
