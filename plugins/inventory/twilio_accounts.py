# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: twilio_accounts
short_description: The subaccounts of a Twilio parent account as inventory hosts
version_added: 0.2.0
description:
  - Lists the subaccounts of a Twilio parent account with the Accounts API
    (C(GET https://api.twilio.com/2010-04-01/Accounts.json), every page) and makes one host per subaccount.
  - Every host is in the group C(twilio_accounts), which C(playbooks/migrate.yml) and C(playbooks/audit.yml) target,
    and in one group per account status, C(twilio_accounts_active), C(twilio_accounts_suspended) or C(twilio_accounts_closed).
  - Each host is named after its account SID, which is stable and unique; friendly names can collide and can change at
    any time, so they are only host variables. Use O(compose), O(keyed_groups) or O(groups) to group or label hosts by
    friendly name.
  - "Host variables: C(twilio_account_sid), C(twilio_account_friendly_name), C(twilio_account_status),
    C(twilio_parent_account_sid) (the parent's SID; not set on the parent's own host), and C(twilio_api_base_url)
    when O(api_base_url) is set, so that a proxy or an emulator applies to the play as well."
  - Values read from Twilio are marked unsafe, so a friendly name that holds a Jinja2 expression is never templated.
  - No secret is ever put in the inventory or the cache. The Accounts API returns each subaccount's auth token; it is
    dropped as soon as it is read. Plays obtain a subaccount's credential at run time (see the
    M(twilio_ops.chat.twilio_account_info) module).
  - Uses a YAML configuration file whose name ends with C(twilio_accounts.yml) or C(twilio_accounts.yaml), for example
    C(inventory.twilio_accounts.yml).
author:
  - twilio_ops.chat maintainers (@twilio-ops)
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; it must be set for the file to be read by this plugin.
    type: str
    required: true
    choices: [twilio_ops.chat.twilio_accounts]
  account_sid:
    description:
      - The SID of the parent account (V(AC) followed by 32 hexadecimal digits). Required.
      - Listing subaccounts needs the parent's auth token (O(auth_token)) or a Main API key of the parent.
        A Standard API key cannot reach the Accounts resource, and Twilio refuses it with error 20003.
    type: str
    env:
      - name: TWILIO_ACCOUNT_SID
  auth_token:
    description:
      - The auth token of the parent account O(account_sid).
      - One of O(auth_token) or O(api_key) and O(api_secret) is required. When both are given, the API key is used.
      - Never put in the inventory or the cache. Prefer the environment variable to writing it in the file.
    type: str
    env:
      - name: TWILIO_AUTH_TOKEN
  api_key:
    description:
      - The SID of a Main API key of the parent account (V(SK) followed by 32 hexadecimal digits), instead of O(auth_token).
      - Twilio creates Main keys in the Console only; a Standard API key cannot list subaccounts.
    type: str
    env:
      - name: TWILIO_API_KEY
  api_secret:
    description:
      - The secret of O(api_key). Never put in the inventory or the cache.
    type: str
    env:
      - name: TWILIO_API_SECRET
  region:
    description:
      - The Twilio region to send requests to, for example V(ie1); hosts are built as Twilio's SDKs build them,
        for example C(api.dublin.ie1.twilio.com).
    type: str
    env:
      - name: TWILIO_REGION
  edge:
    description:
      - The Twilio edge location to send requests through, for example V(dublin). An edge without a region uses region V(us1).
    type: str
    env:
      - name: TWILIO_EDGE
  api_base_url:
    description:
      - Send every request to this base URL followed by the API path, for example V(https://twilio-proxy.example.com)
        or a local Twilio emulator. Overrides O(region) and O(edge).
      - Plain V(http://) is refused unless the host is loopback (V(127.0.0.1), V(::1) or V(localhost)),
        so that credentials never travel in clear text.
      - When set, every host gets it as the host variable C(twilio_api_base_url).
    type: str
    env:
      - name: TWILIO_API_BASE_URL
  timeout:
    description: Seconds to wait for each HTTP request.
    type: float
    default: 30
  validate_certs:
    description: Whether to verify TLS certificates. Only set to V(false) for a test endpoint you control.
    type: bool
    default: true
  max_retries:
    description:
      - How many times a request is retried after HTTP 429, 500, 502, 503, 504 or a connection error,
        with exponential backoff and jitter that honours a C(Retry-After) header. At most V(20).
    type: int
    default: 5
  statuses:
    description:
      - Only make hosts of subaccounts with one of these statuses.
      - When exactly one status is asked for, it is also sent to Twilio as the C(Status) filter so that fewer pages
        are read; the list is always filtered again here, so the result is the same either way.
    type: list
    elements: str
    choices: [active, suspended, closed]
    default: [active]
  friendly_name_pattern:
    description:
      - Only make hosts of subaccounts whose whole friendly name matches this shell-style glob
        (Python C(fnmatch), case-sensitive), for example V(prod-*).
      - Filtered here, after reading the list; Twilio's own C(FriendlyName) filter only matches exactly.
    type: str
  include_parent:
    description:
      - Also make a host of the parent account itself, in the same groups, whatever O(statuses) and
        O(friendly_name_pattern) say. It has no C(twilio_parent_account_sid) variable.
    type: bool
    default: false
  page_size:
    description: How many accounts to ask for per page (Twilio allows at most 1000).
    type: int
    default: 100
notes:
  - The cache (O(cache)) holds only the non-secret account fields (SID, friendly name, status, type, owner, dates),
    keyed by the configuration file, the parent account and the endpoint.
  - Listing subaccounts needs the parent's auth token or a Main API key; a subaccount's own credentials see
    only that subaccount (the plugin warns, and makes no host).
requirements:
  - requests
seealso:
  - module: twilio_ops.chat.twilio_account_info
  - module: twilio_ops.chat.twilio_chat_service_info
'''

EXAMPLES = r'''
# The smallest inventory, inventory.twilio_accounts.yml, is one line: every active subaccount of the
# parent whose credentials are in TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, in the group twilio_accounts.
#
#   plugin: twilio_ops.chat.twilio_accounts
#
# production.twilio_accounts.yml: active and suspended subaccounts named prod-*, grouped and labelled,
# with the Accounts API read at most once an hour (the cache holds no secret).
plugin: twilio_ops.chat.twilio_accounts
statuses: [active, suspended]
friendly_name_pattern: prod-*
strict: true
compose:
  # A readable label next to the SID host name, for reports and templates.
  twilio_account_label: twilio_account_friendly_name | lower | regex_replace('[^a-z0-9]+', '-')
keyed_groups:
  # One group per friendly name, for example twilio_name_prod_eu.
  - key: twilio_account_friendly_name
    prefix: twilio_name
groups:
  # Accounts whose name says they are in Europe.
  twilio_eu: "'-eu' in twilio_account_friendly_name"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/twilio_ops_inventory
cache_timeout: 3600
'''

import hashlib
import json
import re

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.vars import combine_vars, load_extra_vars

from ansible_collections.twilio_ops.chat.plugins.module_utils._client import (
    ACCOUNT_STATUSES,
    ACCOUNTS_PAGE_SIZE_MAX,
    HAS_REQUESTS,
    TwilioClient,
    TwilioError,
    check_api_base_url,
    public_account_fields,
    select_subaccounts,
    status_to_send,
)

try:
    # ansible-core before 2.19 templates any string it is not told is unsafe; 2.19 and later
    # trust no string from a plugin by default and keep wrap_var as a no-op for compatibility.
    from ansible.utils.unsafe_proxy import wrap_var as make_unsafe
except ImportError:  # pragma: no cover - a future ansible-core without unsafe_proxy
    def make_unsafe(value):
        return value

display = Display()

GROUP = 'twilio_accounts'
ACCOUNT_SID_RE = re.compile(r'^AC[0-9a-fA-F]{32}$')
API_KEY_SID_RE = re.compile(r'^SK[0-9a-fA-F]{32}$')
STATUS_GROUP_RE = re.compile(r'^[a-z][a-z0-9_]*$')
# Bumped when the shape of a cached entry changes, so that an older entry is read as a miss.
CACHE_FORMAT = 1


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'twilio_ops.chat.twilio_accounts'

    def verify_file(self, path):
        if not super(InventoryModule, self).verify_file(path):
            return False
        return path.endswith(('twilio_accounts.yml', 'twilio_accounts.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        settings = self._settings()

        cache_key = self._cache_key(path, settings)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        found = None
        if use_cache:
            try:
                found = self._cache[cache_key]
            except KeyError:
                update_cache = True
            if not self._is_cache_entry(found):
                found, update_cache = None, True
        if found is None:
            found = self._read_accounts(settings)
        if update_cache:
            self._cache[cache_key] = found
        self._populate(found, settings)

    # --- configuration ------------------------------------------------------

    def _settings(self):
        """The options, checked before any request; every failure is one AnsibleParserError."""
        def text(option):
            value = self.get_option(option)
            # A vaulted value in the file decrypts when turned into text.
            return to_text(value) if value is not None else None

        settings = dict((option, text(option)) for option in (
            'account_sid', 'auth_token', 'api_key', 'api_secret', 'region', 'edge', 'api_base_url', 'friendly_name_pattern'))
        if not settings['account_sid']:
            raise AnsibleParserError('%s: account_sid (or TWILIO_ACCOUNT_SID) must be set to the parent account SID' % self.NAME)
        if not ACCOUNT_SID_RE.match(settings['account_sid']):
            raise AnsibleParserError('%s: account_sid must be an account SID: AC followed by 32 hexadecimal digits (34 characters)'
                                     % self.NAME)
        if settings['api_key']:
            if not API_KEY_SID_RE.match(settings['api_key']):
                raise AnsibleParserError('%s: api_key must be an API key SID: SK followed by 32 hexadecimal digits' % self.NAME)
            if not settings['api_secret']:
                raise AnsibleParserError('%s: api_key needs api_secret (or TWILIO_API_SECRET)' % self.NAME)
        elif not settings['auth_token']:
            raise AnsibleParserError("%s: set the parent account's auth_token (or TWILIO_AUTH_TOKEN), or api_key and api_secret "
                                     "of a Main API key; a Standard API key cannot list subaccounts" % self.NAME)
        if settings['api_base_url']:
            try:
                settings['api_base_url'] = check_api_base_url(settings['api_base_url'])
            except TwilioError as exc:
                raise AnsibleParserError('%s: %s' % (self.NAME, exc))
        settings['timeout'] = self.get_option('timeout')
        settings['validate_certs'] = self.get_option('validate_certs')
        settings['max_retries'] = self.get_option('max_retries')
        settings['page_size'] = self.get_option('page_size')
        settings['include_parent'] = self.get_option('include_parent')
        settings['statuses'] = list(self.get_option('statuses') or [])
        if settings['timeout'] <= 0:
            raise AnsibleParserError('%s: timeout must be a positive number of seconds, got %s' % (self.NAME, settings['timeout']))
        if not 0 <= settings['max_retries'] <= 20:
            raise AnsibleParserError('%s: max_retries must be between 0 and 20, got %s' % (self.NAME, settings['max_retries']))
        if not 1 <= settings['page_size'] <= ACCOUNTS_PAGE_SIZE_MAX:
            raise AnsibleParserError('%s: page_size must be between 1 and %d, got %s'
                                     % (self.NAME, ACCOUNTS_PAGE_SIZE_MAX, settings['page_size']))
        unknown = sorted(set(settings['statuses']) - set(ACCOUNT_STATUSES))
        if not settings['statuses'] or unknown:
            raise AnsibleParserError('%s: statuses must name one or more of %s, got %s'
                                     % (self.NAME, ', '.join(ACCOUNT_STATUSES), ', '.join(unknown) or 'none'))
        return settings

    def _cache_key(self, path, settings):
        """One entry per file, parent, endpoint and what is asked of Twilio (never a secret)."""
        scope = json.dumps([settings['account_sid'], settings['api_base_url'], settings['region'], settings['edge'],
                            status_to_send(settings['statuses']), settings['include_parent']])
        return '%s_%s' % (self.get_cache_key(path), hashlib.sha256(scope.encode('utf-8')).hexdigest()[:12])

    @staticmethod
    def _is_cache_entry(found):
        return isinstance(found, dict) and found.get('format') == CACHE_FORMAT and isinstance(found.get('accounts'), list)

    # --- Twilio -------------------------------------------------------------

    def _read_accounts(self, settings):
        """What the cache holds: the non-secret fields of the accounts Twilio lists, and of the parent."""
        if not HAS_REQUESTS:
            raise AnsibleParserError('%s: the Python library requests is needed on the controller (pip install requests)' % self.NAME)
        parent_sid = settings['account_sid']
        try:
            client = TwilioClient(
                account_sid=parent_sid, auth_token=settings['auth_token'], api_key=settings['api_key'],
                api_secret=settings['api_secret'], region=settings['region'], edge=settings['edge'],
                api_base_url=settings['api_base_url'], timeout=settings['timeout'],
                validate_certs=settings['validate_certs'], max_retries=settings['max_retries'], pool_size=1)
        except TwilioError as exc:
            raise AnsibleParserError('%s: %s' % (self.NAME, exc))
        try:
            # The client has already dropped every auth_token; copy only the public fields once more
            # so that nothing else Twilio may add one day reaches the cache.
            accounts = [public_account_fields(account) for account in client.list_accounts(
                status=status_to_send(settings['statuses']), page_size=settings['page_size'])]
            parent = next((account for account in accounts if account['sid'] == parent_sid), None)
            if parent is None and settings['include_parent']:
                parent = client.fetch_account(parent_sid)
        except TwilioError as exc:
            raise AnsibleParserError('%s: %s' % (self.NAME, exc))
        finally:
            client.close()
        return {'format': CACHE_FORMAT, 'parent': parent, 'accounts': accounts}

    # --- inventory ----------------------------------------------------------

    def _populate(self, found, settings):
        parent_sid = settings['account_sid']
        parent = found.get('parent')
        if parent and parent.get('owner_account_sid') not in (None, parent_sid):
            display.warning('%s: account_sid %s is a subaccount of %s, and its credentials see only itself; '
                            "use the parent account's SID and auth token to list subaccounts"
                            % (self.NAME, parent_sid, parent.get('owner_account_sid')))
        self.inventory.add_group(GROUP)
        if settings['include_parent'] and parent:
            self._add_account(parent, None, settings)
        for account in select_subaccounts(found['accounts'], parent_sid, settings['statuses'], settings['friendly_name_pattern']):
            self._add_account(account, parent_sid, settings)

    def _add_account(self, account, parent_sid, settings):
        sid = account.get('sid')
        if not isinstance(sid, str) or not ACCOUNT_SID_RE.match(sid):
            raise AnsibleParserError('%s: Twilio listed an account whose SID is not AC followed by 32 hexadecimal digits' % self.NAME)
        host_vars = {
            'twilio_account_sid': sid,
            'twilio_account_friendly_name': account.get('friendly_name'),
            'twilio_account_status': account.get('status'),
        }
        if parent_sid:
            host_vars['twilio_parent_account_sid'] = parent_sid
        host_vars = dict((name, make_unsafe(value)) for name, value in host_vars.items())
        if settings['api_base_url']:
            # From the plugin's own configuration, not from Twilio.
            host_vars['twilio_api_base_url'] = settings['api_base_url']

        host = self.inventory.add_host(sid, group=GROUP)
        status = account.get('status')
        if isinstance(status, str) and STATUS_GROUP_RE.match(status):
            status_group = self.inventory.add_group('%s_%s' % (GROUP, status))
            self.inventory.add_child(status_group, host)
        for name, value in host_vars.items():
            self.inventory.set_variable(host, name, value)

        strict = self.get_option('strict')
        variables = host_vars
        if self.get_option('use_extra_vars'):
            variables = combine_vars(host_vars, load_extra_vars(self.loader))
        self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)
