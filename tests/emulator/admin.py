# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The admin API under /_emulator/: no auth, not counted, never faulted. client.py is its one client."""

import json
from urllib.parse import parse_qs

from .faults import FaultConfigError
from .modes import ModeConfigError
from .state import SeedError

ADMIN_PREFIX = '/_emulator/'
LIMIT_KEYS = ('concurrency_limit', 'latency_ms')


class AdminError(Exception):
    """Answered as {"error": message} with an HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def is_admin_path(path):
    return path.startswith(ADMIN_PREFIX) or path == ADMIN_PREFIX.rstrip('/')


def _json_body(body):
    try:
        return json.loads(body.decode('utf-8') or '{}')
    except ValueError as exc:
        raise AdminError(400, 'the body is not JSON: %s' % exc) from None


def health(emulator, _query, _body):
    return {'status': 'ok', 'port': emulator.port, 'base_url': emulator.base_url}


def stats(emulator, _query, _body):
    with emulator.lock:
        return emulator.stats.describe()


def stats_reset(emulator, _query, _body):
    return emulator.reset_stats()


def _describe(settings, emulator):
    with emulator.lock:
        return settings.describe()


def _replace(settings, emulator, body, refused):
    """PUT semantics for the faults and the modes: the whole configuration, validated, or a 400."""
    doc = _json_body(body)
    try:
        with emulator.lock:
            settings.configure(doc)
            return settings.describe()
    except refused as exc:
        raise AdminError(400, str(exc)) from None


def faults(emulator, _query, _body):
    return _describe(emulator.faults, emulator)


def faults_put(emulator, _query, body):
    return _replace(emulator.faults, emulator, body, FaultConfigError)


def faults_delete(emulator, _query, _body):
    with emulator.lock:
        emulator.faults.clear()
        return emulator.faults.describe()


def limits(emulator, _query, _body):
    with emulator.lock:
        return dict(emulator.limits)


def limits_put(emulator, _query, body):
    """Change some limits (absent keys keep their value): {"concurrency_limit": N (0 = none), "latency_ms": N}."""
    doc = _json_body(body)
    if not isinstance(doc, dict) or set(doc) - set(LIMIT_KEYS):
        raise AdminError(400, 'limits take only %s' % ', '.join(LIMIT_KEYS))
    for key, value in doc.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AdminError(400, '%s must be a non-negative integer' % key)
    with emulator.lock:
        emulator.limits.update(doc)
        return dict(emulator.limits)


def modes(emulator, _query, _body):
    return _describe(emulator.modes, emulator)


def modes_put(emulator, _query, body):
    return _replace(emulator.modes, emulator, body, ModeConfigError)


def channels(emulator, query, _body):
    service_sid = (query.get('service') or [None])[-1]
    account_sid = (query.get('account') or [None])[-1]
    if not service_sid:
        raise AdminError(400, 'query parameter service=IS... is required')
    with emulator.lock:
        service = emulator.state.services.get(service_sid)
        if service is not None and (not account_sid or service.account_sid == account_sid):
            return [dict(service.channels[sid]) for _date, sid in service.order]
    raise AdminError(404, 'no service %s%s' % (service_sid, ' in account %s' % account_sid if account_sid else ''))


def accounts(emulator, _query, _body):
    """Every account with its credentials and services, in list order: what tests need to check secrets."""
    with emulator.lock:
        state = emulator.state
        return [{
            'sid': account.sid,
            'owner_account_sid': account.owner_account_sid,
            'friendly_name': account.friendly_name,
            'status': account.status,
            'type': account.type,
            'auth_token': account.auth_token,
            'api_keys': [{'sid': sid, 'secret': secret, 'type': key_type} for sid, (secret, key_type) in account.api_keys.items()],
            'messaging_services': list(account.messaging_services),
            'services': [sid for _date, sid in account.service_order],
        } for account in (state.accounts[sid] for _date, sid in state.account_order)]


def seed_put(emulator, _query, body):
    """Replace the seed document and reset (as if started with it)."""
    doc = _json_body(body)
    if not isinstance(doc, dict):
        raise AdminError(400, 'a seed document is a JSON object')
    try:
        emulator.load_seed_document(doc)
    except (SeedError, KeyError, TypeError, ValueError) as exc:
        raise AdminError(400, 'seed refused: %s' % exc) from None
    with emulator.lock:
        return {'status': 'reset', 'accounts': len(emulator.state.accounts), 'services': len(emulator.state.services)}


def reset(emulator, _query, _body):
    emulator.reset()
    return {'status': 'reset'}


def shutdown(_emulator, _query, _body):
    return {'status': 'shutting down'}


ROUTES = {
    ('GET', 'health'): health,
    ('GET', 'stats'): stats,
    ('POST', 'stats/reset'): stats_reset,
    ('GET', 'faults'): faults,
    ('PUT', 'faults'): faults_put,
    ('DELETE', 'faults'): faults_delete,
    ('GET', 'limits'): limits,
    ('PUT', 'limits'): limits_put,
    ('GET', 'modes'): modes,
    ('PUT', 'modes'): modes_put,
    ('GET', 'channels'): channels,
    ('GET', 'accounts'): accounts,
    ('PUT', 'seed'): seed_put,
    ('POST', 'reset'): reset,
    ('POST', 'shutdown'): shutdown,
}


def handle(emulator, method, url, body):
    """Answer one admin call: (status, JSON payload, headers, callable to run after answering or None)."""
    action = url.path[len(ADMIN_PREFIX):].strip('/')
    handler = ROUTES.get((method, action))
    if handler is None:
        known = sorted(known_method for known_method, name in ROUTES if name == action)
        if known:
            return 405, {'error': 'method %s not allowed on %s' % (method, url.path)}, {'Allow': ', '.join(known)}, None
        return 404, {'error': 'no admin endpoint %s' % url.path}, {}, None
    try:
        payload = handler(emulator, parse_qs(url.query), body)
    except AdminError as exc:
        return exc.status, {'error': str(exc)}, {}, None
    return 200, payload, {}, emulator.shutdown if handler is shutdown else None
