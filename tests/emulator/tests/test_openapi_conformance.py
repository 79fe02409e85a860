# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests and responses checked against Twilio's official OpenAPI documents with openapi-core.

The documents are read from $TWILIO_OPENAPI_DIR, by default <repo root>/../shared/twilio-openapi.
This module runs last (see conftest.py) and also checks every exchange the other tests recorded.
"""

import copy
import json
import os
from urllib.parse import parse_qsl, quote, urlsplit

import jsonschema
import pytest
from openapi_core import OpenAPI
from werkzeug.datastructures import Headers, ImmutableMultiDict

from support import (
    ACCOUNT, API_KEY, API_SECRET, MG_DEFAULT, MG_OTHER, PRIVATE_CH, PUBLIC_CH, RECORDED, SERVICE, SMALL_SERVICE, SPACE_NAME,
    SUB_SERVICE, SUB_TOKEN, SUBACCOUNT, UNICODE_NAME,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOCS_DIR = os.environ.get('TWILIO_OPENAPI_DIR') or os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'twilio-openapi')
DOCUMENTS = {'v1': 'twilio_conversations_v1.json', 'v2': 'twilio_chat_v2.json', 'v3': 'twilio_chat_v3.json',
             '2010-04-01': 'twilio_api_v2010.json'}
# Twilio's error body; the documents do not describe error responses of these operations.
TWILIO_ERROR_SCHEMA = {
    'type': 'object',
    'required': ['code', 'message', 'more_info', 'status'],
    'additionalProperties': False,
    'properties': {
        'code': {'type': 'integer'},
        'message': {'type': 'string', 'minLength': 1},
        'more_info': {'type': 'string', 'pattern': r'^https://www\.twilio\.com/docs/errors/\d+$'},
        'status': {'type': 'integer', 'minimum': 400, 'maximum': 599},
    },
}
CHANNELS = '/v2/Services/%s/Channels' % SERVICE
CONVERSATIONS = '/v1/Services/%s/Conversations' % SERVICE
ACCOUNTS = '/2010-04-01/Accounts.json'
MAX_PAGES = 50
_RAW_DOCUMENTS = {}
_VALIDATORS = {}


class SpecRequest:
    """openapi-core's request protocol over a recorded exchange."""

    def __init__(self, method, url, headers, body):
        parts = urlsplit(url)
        self.host_url = '%s://%s' % (parts.scheme, parts.netloc)
        self.path = parts.path
        self.method = method.lower()
        self.body = body
        self.content_type = (headers.get('Content-Type') or '') if body is not None else ''
        self.parameters = _parameters(parts.query, headers)


def _parameters(query, headers):
    from openapi_core.datatypes import RequestParameters  # pylint: disable=import-outside-toplevel
    return RequestParameters(query=ImmutableMultiDict(parse_qsl(query, keep_blank_values=True)), header=Headers(list(headers.items())))


class SpecResponse:
    def __init__(self, response):
        self.status_code = response.status
        self.content_type = response.header('Content-Type') or ''
        self.headers = Headers(response.headers)
        self.data = response.body


def documents_dir():
    missing = [name for name in DOCUMENTS.values() if not os.path.isfile(os.path.join(DOCS_DIR, name))]
    if missing:
        pytest.fail('Twilio OpenAPI documents %s not found in %s. Set TWILIO_OPENAPI_DIR to the directory holding %s.'
                    % (', '.join(missing), DOCS_DIR, ', '.join(sorted(DOCUMENTS.values()))))
    return DOCS_DIR


def _with_servers(document, base_url):
    """Twilio repeats https://<product>.twilio.com servers on every path and operation: point them all at the emulator."""
    document = copy.deepcopy(document)
    servers = [{'url': base_url}]
    document['servers'] = servers
    for path_item in document['paths'].values():
        if 'servers' in path_item:
            path_item['servers'] = servers
        for operation in path_item.values():
            if isinstance(operation, dict) and 'servers' in operation:
                operation['servers'] = servers
    return document


def validator(url):
    """The OpenAPI object for the product version a URL belongs to, with servers rewritten to its base URL."""
    parts = urlsplit(url)
    version = parts.path.split('/')[1]
    base_url = '%s://%s' % (parts.scheme, parts.netloc)
    key = (version, base_url)
    if key not in _VALIDATORS:
        if version not in _RAW_DOCUMENTS:
            with open(os.path.join(documents_dir(), DOCUMENTS[version]), encoding='utf-8') as handle:
                _RAW_DOCUMENTS[version] = json.load(handle)
        _VALIDATORS[key] = OpenAPI.from_dict(_with_servers(_RAW_DOCUMENTS[version], base_url))
    return _VALIDATORS[key]


def check_exchange(exchange):
    """2xx: request and response must match the documents; errors: Twilio's error body (or the injected proxy page)."""
    response = exchange['response']
    request = SpecRequest(exchange['method'], exchange['url'], exchange['headers'], exchange['body'])
    if 200 <= response.status < 300:
        openapi = validator(exchange['url'])
        openapi.validate_request(request)
        openapi.validate_response(request, SpecResponse(response))
    elif response.header('Content-Type') == 'text/html':
        assert response.status == 502 or response.status >= 500
    else:
        assert response.header('Content-Type') == 'application/json'
        body = json.loads(response.body.decode('utf-8'))
        jsonschema.validate(body, TWILIO_ERROR_SCHEMA)
        assert body['status'] == response.status and body['more_info'].endswith('/%d' % body['code'])
        assert response.header('Twilio-Request-Id').startswith('RQ')


def spec_rejects(exchange):
    request = SpecRequest(exchange['method'], exchange['url'], exchange['headers'], exchange['body'])
    try:
        validator(exchange['url']).validate_request(request)
    except Exception:  # pylint: disable=broad-except
        return True
    return False


def test_documents_are_present():
    directory = documents_dir()
    for name in DOCUMENTS.values():
        with open(os.path.join(directory, name), encoding='utf-8') as handle:
            assert json.load(handle)['openapi'].startswith('3.')


def test_every_endpoint_conforms(client):
    """Touch every emulated operation, with both kinds of credentials, and check each exchange as it happens."""
    start = len(RECORDED)

    def call(method, path, **kwargs):
        response = client.request(method, path, **kwargs)
        check_exchange(RECORDED[-1])
        return response

    def walk_pages(list_path, params, **kwargs):
        response = call('GET', list_path, params=params, **kwargs)
        for _page in range(MAX_PAGES):
            body = response.json()
            next_url = body['meta']['next_page_url'] if 'meta' in body else body['next_page_uri']
            if not next_url:
                return
            response = call('GET', next_url, **kwargs)

    for params in ({}, {'PageSize': 100}, [('Type', 'public'), ('Type', 'private'), ('PageSize', 60)], {'Type': 'private'}):
        walk_pages(CHANNELS, params)
    call('GET', '%s/%s' % (CHANNELS, PUBLIC_CH))
    call('GET', '%s/%s' % (CHANNELS, quote(SPACE_NAME, safe='')), auth=(API_KEY, API_SECRET))
    call('GET', '%s/%s' % (CHANNELS, quote(UNICODE_NAME, safe='')))
    created = call('POST', CHANNELS, form={'FriendlyName': 'Conformance', 'UniqueName': 'conformance room', 'Type': 'public',
                                           'Attributes': '{}', 'CreatedBy': 'tester'}, headers={'X-Twilio-Webhook-Enabled': 'false'})
    assert created.status == 201
    assert call('POST', '%s/%s' % (CHANNELS, created.json()['sid']), form={'FriendlyName': 'Renamed'}).status == 200
    v3 = '/v3/Services/%s/Channels/%%s' % SERVICE
    assert call('POST', v3 % PUBLIC_CH, form={'Type': 'private'}, headers={'X-Twilio-Webhook-Enabled': 'true'}).status == 200
    assert call('POST', v3 % quote(UNICODE_NAME, safe=''), form={'Type': 'private', 'MessagingServiceSid': MG_OTHER}).status == 200
    assert call('POST', v3 % PRIVATE_CH, form={'Type': 'private', 'MessagingServiceSid': MG_DEFAULT},
                auth=(API_KEY, API_SECRET)).status == 200
    for params in ({}, {'PageSize': 5}, {'State': 'active'}):
        walk_pages(CONVERSATIONS, params)
    call('GET', '%s/%s' % (CONVERSATIONS, PRIVATE_CH))
    call('GET', '%s/%s' % (CONVERSATIONS, quote(SPACE_NAME, safe='')))
    # The Accounts API (2010-04-01) and the Chat services list, as a parent and as its subaccount.
    for params in ({}, {'PageSize': 1}, {'Status': 'active', 'PageSize': 1}, {'FriendlyName': 'Subaccount of A'}):
        walk_pages(ACCOUNTS, params)
    walk_pages(ACCOUNTS, {}, auth=(SUBACCOUNT, SUB_TOKEN))
    call('GET', '/2010-04-01/Accounts/%s.json' % ACCOUNT)
    call('GET', '/2010-04-01/Accounts/%s.json' % SUBACCOUNT)
    call('GET', '/2010-04-01/Accounts/%s.json' % SUBACCOUNT, auth=(SUBACCOUNT, SUB_TOKEN))
    for params in ({}, {'PageSize': 1}):
        walk_pages('/v2/Services', params)
    walk_pages('/v2/Services', {}, auth=(SUBACCOUNT, SUB_TOKEN))
    call('GET', '/v2/Services/%s' % SMALL_SERVICE)
    call('GET', '/v2/Services/%s' % SUB_SERVICE, auth=(SUBACCOUNT, SUB_TOKEN))
    # Error answers: Twilio's error shape.
    for method, path, kwargs in (
            ('GET', CHANNELS, {'auth': None}),
            ('GET', '%s/nothing' % CHANNELS, {}),
            ('POST', v3 % PUBLIC_CH, {'form': {'Type': 'public'}}),
            ('POST', CHANNELS, {'form': {'UniqueName': 'conformance room'}}),
            ('GET', '%s/%s' % (CONVERSATIONS, quote('team lounge', safe='') + 'x'), {}),
            ('DELETE', '%s/%s' % (CHANNELS, PUBLIC_CH), {}),
            ('GET', ACCOUNTS, {'auth': (API_KEY, API_SECRET)}),
            ('GET', '/2010-04-01/Accounts/%s.json' % ACCOUNT, {'auth': (SUBACCOUNT, SUB_TOKEN)}),
            ('GET', '/v2/Services/%s' % SUB_SERVICE, {})):
        assert call(method, path, **kwargs).status >= 400
    statuses = [exchange['response'].status for exchange in RECORDED[start:]]
    assert {200, 201, 400, 401, 404, 405, 409} <= set(statuses)


@pytest.mark.parametrize('method,path,kwargs,status', [
    ('GET', CHANNELS, {'params': {'PageSize': 101}}, 400),
    ('GET', CHANNELS, {'params': {'PageSize': 0}}, 400),
    ('GET', CHANNELS, {'params': {'Type': 'secret'}}, 400),
    ('GET', CONVERSATIONS, {'params': {'State': 'bogus'}}, 400),
    ('GET', '/v2/Services/ISnot-a-sid/Channels', {}, 404),
    ('POST', '/v3/Services/%s/Channels/%s' % (SERVICE, PUBLIC_CH), {'form': {'Type': 'private', 'MessagingServiceSid': 'MG1'}}, 400),
    ('POST', '/v3/Services/%s/Channels/%s' % (SERVICE, PUBLIC_CH), {'form': {'Type': 'secret'}}, 400),
    ('POST', '/v3/Services/%s/Channels/%s' % (SERVICE, PUBLIC_CH), {'form': {'Type': 'private'}, 'headers': {'X-Twilio-Webhook-Enabled': 'yes'}}, 400),
    ('GET', ACCOUNTS, {'params': {'Status': 'gone'}}, 400),
    ('GET', ACCOUNTS, {'params': {'PageSize': 1001}}, 400),
    ('GET', '/2010-04-01/Accounts/ACnot-a-sid.json', {}, 404),
    ('GET', '/v2/Services', {'params': {'PageSize': 101}}, 400),
])
def test_emulator_rejects_what_the_documents_reject(client, method, path, kwargs, status):
    response = client.request(method, path, **kwargs)
    assert response.status == status
    check_exchange(RECORDED[-1])
    assert spec_rejects(RECORDED[-1]), 'the OpenAPI document accepts a request the emulator refused'


def test_every_recorded_exchange_conforms():
    """Every request the test run made and every answer it got (admin calls excluded)."""
    assert RECORDED, 'no exchange was recorded'
    failures = []
    for exchange in RECORDED:
        try:
            check_exchange(exchange)
        except Exception as exc:  # pylint: disable=broad-except
            failures.append('%s %s -> %s: %s' % (exchange['method'], exchange['url'], exchange['response'].status, str(exc)[:300]))
    assert not failures, '%d of %d exchanges do not conform:\n%s' % (len(failures), len(RECORDED), '\n'.join(failures[:20]))
