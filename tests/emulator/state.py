# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-memory accounts, subaccounts, services and channels, loaded from a seed document."""

import bisect
import datetime
import email.utils
import hashlib
import json
import os
import random
import re

SID_PATTERNS = {
    'AC': re.compile(r'^AC[0-9a-fA-F]{32}$'),
    'SK': re.compile(r'^SK[0-9a-fA-F]{32}$'),
    'IS': re.compile(r'^IS[0-9a-fA-F]{32}$'),
    'CH': re.compile(r'^CH[0-9a-fA-F]{32}$'),
    'MG': re.compile(r'^MG[0-9a-fA-F]{32}$'),
}
CHANNEL_TYPES = ('public', 'private')
DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seeds', 'default.json')
# Generated channels get creation dates spaced from this instant, so ordering is deterministic.
GENERATED_EPOCH = datetime.datetime(2019, 1, 1, 0, 0, 0)


class SeedError(ValueError):
    """The seed document is inconsistent."""


def is_sid(prefix, value):
    return isinstance(value, str) and bool(SID_PATTERNS[prefix].match(value))


def derived_sid(prefix, *parts):
    digest = hashlib.sha256('/'.join(str(p) for p in parts).encode('utf-8')).hexdigest()
    return prefix + digest[:32]


def format_date(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def utc_now():
    return datetime.datetime.utcnow().replace(microsecond=0)


class Service:
    """A Chat service and its channels, kept sorted by (date_created, sid) for paging."""

    def __init__(self, sid, account_sid, friendly_name, date_created):
        self.sid = sid
        self.account_sid = account_sid
        self.friendly_name = friendly_name
        self.date_created = date_created
        self.channels = {}
        self.sid_by_unique_name = {}
        self.order = []

    def add(self, channel):
        if channel['sid'] in self.channels:
            raise SeedError('duplicate channel sid %s in service %s' % (channel['sid'], self.sid))
        unique_name = channel.get('unique_name')
        if unique_name is not None:
            if unique_name in self.sid_by_unique_name:
                raise SeedError('duplicate unique_name %r in service %s' % (unique_name, self.sid))
            self.sid_by_unique_name[unique_name] = channel['sid']
        self.channels[channel['sid']] = channel
        bisect.insort(self.order, (channel['date_created'], channel['sid']))

    def find(self, sid_or_unique_name):
        """Twilio accepts either the SID or the unique name wherever a channel SID goes in a path."""
        channel = self.channels.get(sid_or_unique_name)
        if channel is None:
            sid = self.sid_by_unique_name.get(sid_or_unique_name)
            channel = self.channels.get(sid) if sid else None
        return channel


class Account:
    """An account; a parent's ``owner_account_sid`` is its own SID, as Twilio has it."""

    def __init__(self, sid, auth_token, api_keys, messaging_services, friendly_name=None, status='active',
                 account_type='Full', owner_account_sid=None, date_created=None):
        self.sid = sid
        self.auth_token = auth_token
        # {key sid: (secret, 'standard' | 'main')}
        self.api_keys = api_keys
        self.messaging_services = messaging_services
        self.friendly_name = friendly_name if friendly_name is not None else sid
        self.status = status
        self.type = account_type
        self.owner_account_sid = owner_account_sid or sid
        self.date_created = date_created
        self.services = {}
        self.service_order = []

    @property
    def default_messaging_service(self):
        return self.messaging_services[0] if self.messaging_services else None

    @property
    def is_subaccount(self):
        return self.owner_account_sid != self.sid

    def add_service(self, service):
        self.services[service.sid] = service
        bisect.insort(self.service_order, (service.date_created, service.sid))


class State:
    """Everything the emulator knows; callers hold the server lock around any use."""

    def __init__(self):
        self.accounts = {}
        self.account_order = []
        self.services = {}
        self.key_owner = {}

    def add_account(self, account):
        if account.sid in self.accounts:
            raise SeedError('duplicate account %s' % account.sid)
        self.accounts[account.sid] = account
        bisect.insort(self.account_order, (account.date_created, account.sid))
        for key_sid in account.api_keys:
            if key_sid in self.key_owner:
                raise SeedError('duplicate api key %s' % key_sid)
            self.key_owner[key_sid] = account

    def add_service(self, account, service):
        if service.sid in self.services:
            raise SeedError('duplicate service %s' % service.sid)
        account.add_service(service)
        self.services[service.sid] = service

    def authenticate(self, username, password):
        """Return (account, credential kind) for valid credentials of an active account, else (None, None).

        The kind is ``auth_token``, ``standard_key`` or ``main_key``. Twilio answers 20003 to the
        credentials of a suspended or closed account as it does to wrong ones.
        """
        account = self.accounts.get(username)
        kind = 'auth_token'
        if account is not None:
            if password != account.auth_token:
                return None, None
        else:
            account = self.key_owner.get(username)
            if account is None or account.api_keys[username][0] != password:
                return None, None
            kind = account.api_keys[username][1] + '_key'
        if account.status != 'active':
            return None, None
        return account, kind

    def subaccounts(self, parent):
        return [self.accounts[sid] for _date, sid in self.account_order
                if self.accounts[sid].owner_account_sid == parent.sid and sid != parent.sid]

    def visible_accounts(self, account):
        """The accounts an account's own credentials see in the Accounts API: itself, and its subaccounts if a parent."""
        if account.is_subaccount:
            return [account]
        return [self.accounts[sid] for _date, sid in self.account_order
                if sid == account.sid or self.accounts[sid].owner_account_sid == account.sid]

    def service_for(self, account, service_sid):
        service = self.services.get(service_sid)
        if service is None or service.account_sid != account.sid:
            return None
        return service

    def first_service(self):
        for account in self.accounts.values():
            for service in account.services.values():
                return account, service
        raise SeedError('the seed has no service to generate channels into')


def new_channel(account, service, sid, fields, created):
    """Build a channel record; only private channels carry a messaging service."""
    channel_type = fields.get('type', 'public')
    if channel_type not in CHANNEL_TYPES:
        raise SeedError('channel type must be public or private, not %r' % (channel_type,))
    messaging_service_sid = fields.get('messaging_service_sid')
    if messaging_service_sid is not None:
        if channel_type != 'private':
            raise SeedError('channel %s: only private channels have a messaging service' % sid)
        if messaging_service_sid not in account.messaging_services:
            raise SeedError('channel %s: messaging service %s is not one of account %s' % (sid, messaging_service_sid, account.sid))
    date_created = fields.get('date_created') or format_date(created)
    return {
        'sid': sid,
        'account_sid': account.sid,
        'service_sid': service.sid,
        'friendly_name': fields.get('friendly_name'),
        'unique_name': fields.get('unique_name'),
        'attributes': fields.get('attributes', '{}'),
        'type': channel_type,
        'messaging_service_sid': messaging_service_sid,
        'date_created': date_created,
        'date_updated': fields.get('date_updated') or date_created,
        'created_by': fields.get('created_by', 'system'),
        'members_count': int(fields.get('members_count', 0)),
        'messages_count': int(fields.get('messages_count', 0)),
    }


def generate_channels(account, service, count, public_ratio, rng_seed, start_index=0):
    """Add deterministic channels named general-NNNNN; a share of private ones use the default messaging service."""
    if not 0.0 <= float(public_ratio) <= 1.0:
        raise SeedError('public_ratio must be between 0 and 1')
    rng = random.Random('%s/%s/%s' % (rng_seed, account.sid, service.sid))
    for index in range(start_index, start_index + int(count)):
        is_public = rng.random() < float(public_ratio)
        fields = {
            'unique_name': 'general-%05d' % index,
            'friendly_name': 'General %05d' % index,
            'attributes': json.dumps({'generated': True, 'index': index}, sort_keys=True),
            'type': 'public' if is_public else 'private',
            'members_count': rng.randint(0, 40),
            'messages_count': rng.randint(0, 5000),
            'created_by': 'system',
        }
        if not is_public and account.default_messaging_service and rng.random() < 0.5:
            fields['messaging_service_sid'] = account.default_messaging_service
        created = GENERATED_EPOCH + datetime.timedelta(minutes=index)
        service.add(new_channel(account, service, derived_sid('CH', account.sid, service.sid, index), fields, created))


def _require_sid(prefix, value, what):
    if not is_sid(prefix, value):
        raise SeedError('%s must match ^%s[0-9a-fA-F]{32}$, got %r' % (what, prefix, value))


ACCOUNT_STATUSES = ('active', 'suspended', 'closed')
ACCOUNT_TYPES = ('Full', 'Trial')
KEY_TYPES = ('standard', 'main')
# Accounts and services without a seeded date are spaced from this instant, in seed order.
SEEDED_EPOCH = GENERATED_EPOCH - datetime.timedelta(days=400)


def format_rfc2822(iso_date):
    """'2019-01-01T00:00:00Z' -> 'Tue, 01 Jan 2019 00:00:00 +0000', as the 2010-04-01 API writes dates."""
    moment = datetime.datetime.strptime(iso_date, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    return email.utils.format_datetime(moment)


def _account(doc, index, owner_sid=None):
    _require_sid('AC', doc.get('sid'), 'account sid')
    if not doc.get('auth_token'):
        raise SeedError('account %s needs an auth_token' % doc['sid'])
    keys = {}
    for key in doc.get('api_keys', []):
        _require_sid('SK', key.get('sid'), 'api key sid')
        key_type = key.get('type', 'standard')
        if key_type not in KEY_TYPES:
            raise SeedError('api key %s: type must be standard or main, not %r' % (key['sid'], key_type))
        keys[key['sid']] = (key['secret'], key_type)
    messaging_services = list(doc.get('messaging_services', []))
    for mg_sid in messaging_services:
        _require_sid('MG', mg_sid, 'messaging service sid')
    status = doc.get('status', 'active')
    if status not in ACCOUNT_STATUSES:
        raise SeedError('account %s: status must be one of %s, not %r' % (doc['sid'], ', '.join(ACCOUNT_STATUSES), status))
    account_type = doc.get('type', 'Full')
    if account_type not in ACCOUNT_TYPES:
        raise SeedError('account %s: type must be Full or Trial, not %r' % (doc['sid'], account_type))
    owner = doc.get('owner_account_sid') or owner_sid
    if owner is not None:
        _require_sid('AC', owner, 'owner_account_sid of %s' % doc['sid'])
    created = doc.get('date_created') or format_date(SEEDED_EPOCH + datetime.timedelta(hours=index))
    return Account(doc['sid'], doc['auth_token'], keys, messaging_services, doc.get('friendly_name'), status, account_type,
                   owner, created)


def _services(state, account, service_docs):
    base = GENERATED_EPOCH - datetime.timedelta(days=30)
    for service_doc in service_docs:
        _require_sid('IS', service_doc.get('sid'), 'service sid')
        created = service_doc.get('date_created') or format_date(SEEDED_EPOCH + datetime.timedelta(minutes=len(state.services)))
        service = Service(service_doc['sid'], account.sid, service_doc.get('friendly_name'), created)
        state.add_service(account, service)
        for index, channel_doc in enumerate(service_doc.get('channels', [])):
            sid = channel_doc.get('sid') or derived_sid('CH', account.sid, service.sid, 'seeded', index)
            _require_sid('CH', sid, 'channel sid')
            service.add(new_channel(account, service, sid, channel_doc, base + datetime.timedelta(minutes=index)))
        spec = service_doc.get('generate')
        if spec:
            generate_channels(account, service, spec.get('count', 0), spec.get('public_ratio', 0.9), spec.get('seed', 1))


def generated_subaccount_docs(parent_sid, spec, start_index=0):
    """Seed documents of ``spec['count']`` deterministic subaccounts of a parent (see README, generate_subaccounts)."""
    count = int(spec.get('count', 0))
    services = int(spec.get('services', 1))
    channels = int(spec.get('channels', 5))
    if count < 0 or services < 0 or channels < 0:
        raise SeedError('generate_subaccounts: count, services and channels must not be negative')
    name = spec.get('friendly_name', 'Subaccount %04d')
    docs = []
    for index in range(start_index, start_index + count):
        sid = derived_sid('AC', parent_sid, 'subaccount', index)
        token = 'fake-subaccount-token-' + derived_sid('', parent_sid, 'token', index)[:20]
        docs.append({
            'sid': sid, 'auth_token': token, 'friendly_name': name % (index + 1), 'status': 'active',
            'messaging_services': [derived_sid('MG', sid, 'default')],
            'services': [{'sid': derived_sid('IS', sid, number), 'friendly_name': 'Chat service %d of subaccount %04d' % (number + 1, index + 1),
                          'channels': [], 'generate': {'count': channels, 'public_ratio': spec.get('public_ratio', 0.8),
                                                       'seed': spec.get('seed', 1)}}
                         for number in range(services)],
        })
    return docs


def build_state(seed, generate=0, public_ratio=0.9, generate_seed=1, generate_subaccounts=0):
    """Turn a seed document (see README) into a State.

    ``generate`` adds channels to the first service; ``generate_subaccounts`` adds that many
    generated subaccounts to the first account.
    """
    state = State()
    entries = []  # (account document, owner sid from nesting)
    for account_doc in seed.get('accounts', []):
        entries.append((account_doc, None))
        subaccounts = list(account_doc.get('subaccounts', []))
        spec = dict(account_doc.get('generate_subaccounts') or {})
        extra = generate_subaccounts if account_doc is seed['accounts'][0] else 0
        if spec or extra:
            spec['count'] = int(spec.get('count', 0)) + extra
            subaccounts.extend(generated_subaccount_docs(account_doc.get('sid'), spec))
        for sub_doc in subaccounts:
            if sub_doc.get('subaccounts') or sub_doc.get('generate_subaccounts'):
                raise SeedError('subaccount %s: subaccounts cannot have subaccounts of their own' % sub_doc.get('sid'))
            entries.append((sub_doc, account_doc.get('sid')))
    for index, (doc, owner_sid) in enumerate(entries):
        state.add_account(_account(doc, index, owner_sid))
    for doc, _owner in entries:
        account = state.accounts[doc['sid']]
        if account.is_subaccount:
            parent = state.accounts.get(account.owner_account_sid)
            if parent is None:
                raise SeedError('account %s: owner_account_sid %s is not in the seed' % (account.sid, account.owner_account_sid))
            if parent.is_subaccount:
                raise SeedError('account %s: its owner %s is itself a subaccount' % (account.sid, parent.sid))
        _services(state, account, doc.get('services', []))
    if generate:
        account, service = state.first_service()
        already = sum(1 for name in service.sid_by_unique_name if name.startswith('general-'))
        generate_channels(account, service, generate, public_ratio, generate_seed, start_index=already)
    return state


def add_appearing_channels(state, service, count, first_index):
    """New public channels created now, as an application would create them while a migration runs."""
    account = state.accounts[service.account_sid]
    created = utc_now()
    for index in range(first_index, first_index + count):
        fields = {'unique_name': 'appeared-%05d' % index, 'friendly_name': 'Appeared %05d' % index, 'type': 'public',
                  'attributes': json.dumps({'appeared': True, 'index': index}, sort_keys=True)}
        service.add(new_channel(account, service, derived_sid('CH', account.sid, service.sid, 'appeared', index), fields, created))


def load_seed(path=None):
    with open(path or DEFAULT_SEED_PATH, encoding='utf-8') as handle:
        return json.load(handle)
