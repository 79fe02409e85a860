# -*- coding: utf-8 -*-
# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory accounts, services and channels, loaded from a seed document."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import bisect
import datetime
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

    def __init__(self, sid, account_sid, friendly_name):
        self.sid = sid
        self.account_sid = account_sid
        self.friendly_name = friendly_name
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
    def __init__(self, sid, auth_token, api_keys, messaging_services):
        self.sid = sid
        self.auth_token = auth_token
        self.api_keys = api_keys
        self.messaging_services = messaging_services
        self.services = {}

    @property
    def default_messaging_service(self):
        return self.messaging_services[0] if self.messaging_services else None


class State:
    """Everything the emulator knows; callers hold the server lock around any use."""

    def __init__(self):
        self.accounts = {}
        self.services = {}
        self.key_owner = {}

    def authenticate(self, username, password):
        """Return the account for an account SID + auth token or an API key SID + secret, else None."""
        account = self.accounts.get(username)
        if account is not None:
            return account if password == account.auth_token else None
        owner = self.key_owner.get(username)
        if owner is not None and owner.api_keys.get(username) == password:
            return owner
        return None

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


def build_state(seed, generate=0, public_ratio=0.9, generate_seed=1):
    """Turn a seed document (see README) into a State; ``generate`` adds channels to the first service."""
    state = State()
    base = GENERATED_EPOCH - datetime.timedelta(days=30)
    for account_doc in seed.get('accounts', []):
        _require_sid('AC', account_doc.get('sid'), 'account sid')
        keys = {}
        for key in account_doc.get('api_keys', []):
            _require_sid('SK', key.get('sid'), 'api key sid')
            keys[key['sid']] = key['secret']
        messaging_services = list(account_doc.get('messaging_services', []))
        for mg_sid in messaging_services:
            _require_sid('MG', mg_sid, 'messaging service sid')
        account = Account(account_doc['sid'], account_doc['auth_token'], keys, messaging_services)
        if account.sid in state.accounts:
            raise SeedError('duplicate account %s' % account.sid)
        state.accounts[account.sid] = account
        for key_sid in keys:
            state.key_owner[key_sid] = account
        for service_doc in account_doc.get('services', []):
            _require_sid('IS', service_doc.get('sid'), 'service sid')
            if service_doc['sid'] in state.services:
                raise SeedError('duplicate service %s' % service_doc['sid'])
            service = Service(service_doc['sid'], account.sid, service_doc.get('friendly_name'))
            account.services[service.sid] = service
            state.services[service.sid] = service
            for index, channel_doc in enumerate(service_doc.get('channels', [])):
                sid = channel_doc.get('sid') or derived_sid('CH', account.sid, service.sid, 'seeded', index)
                _require_sid('CH', sid, 'channel sid')
                created = base + datetime.timedelta(minutes=index)
                service.add(new_channel(account, service, sid, channel_doc, created))
            spec = service_doc.get('generate')
            if spec:
                generate_channels(account, service, spec.get('count', 0), spec.get('public_ratio', 0.9), spec.get('seed', 1))
    if generate:
        account, service = state.first_service()
        already = sum(1 for name in service.sid_by_unique_name if name.startswith('general-'))
        generate_channels(account, service, generate, public_ratio, generate_seed, start_index=already)
    return state


def load_seed(path=None):
    with open(path or DEFAULT_SEED_PATH, encoding='utf-8') as handle:
        return json.load(handle)
