# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated Twilio endpoints: resource shapes, paging, validation and error answers."""

import base64
import bisect
import datetime
import json
from urllib.parse import urlencode

from .state import ACCOUNT_STATUSES, CHANNEL_TYPES, derived_sid, format_date, format_rfc2822, is_sid, new_channel, utc_now

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# The 2010-04-01 API allows larger pages than the product APIs.
MAX_PAGE_SIZE_2010 = 1000
API_2010 = '/2010-04-01'
AUTHENTICATE_HEADERS = {'WWW-Authenticate': 'Basic realm="Twilio API"'}
CONVERSATION_STATES = ('inactive', 'active', 'closed', 'initializing')
WEBHOOK_ENABLED_VALUES = ('true', 'false')
# Sorts before every real (date_created, sid) key: the position before the first item.
START_KEY = ('', '')


class ApiError(Exception):
    """Answered as a Twilio error body."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self):
        return error_body(self.status, self.code, self.message)


def error_body(status, code, message):
    return {
        'code': code,
        'message': message,
        'more_info': 'https://www.twilio.com/docs/errors/%d' % code,
        'status': status,
    }


def not_found(path):
    """Twilio names the resource path without the version prefix of the product APIs (2010-04-01 keeps it)."""
    segments = path.split('/')
    if len(segments) > 2 and segments[1] in ('v1', 'v2', 'v3'):
        path = '/' + '/'.join(segments[2:])
    return ApiError(404, 20404, 'The requested resource %s was not found' % path)


def invalid_parameter(message):
    return ApiError(400, 20001, message)


def authenticate_error(message='Authenticate'):
    return ApiError(401, 20003, message, dict(AUTHENTICATE_HEADERS))


class Request:
    """One authenticated API call, already routed."""

    def __init__(self, method, path, params, query, form, headers, account, base_url, credential='auth_token'):
        self.method = method
        self.path = path
        self.params = params
        self.query = query
        self.form = form
        self.headers = headers
        self.account = account
        self.base_url = base_url
        # How the caller authenticated: auth_token, standard_key or main_key.
        self.credential = credential

    def query_value(self, name):
        values = self.query.get(name)
        return values[-1] if values else None

    def form_value(self, name):
        values = self.form.get(name)
        return values[-1] if values else None


# The fields Chat v2 and Chat v3 channels share; v3 adds messaging_service_sid, v2 adds links.
CHANNEL_FIELDS = ('sid', 'account_sid', 'service_sid', 'friendly_name', 'unique_name', 'attributes', 'type',
                  'date_created', 'date_updated', 'created_by', 'members_count', 'messages_count')


def channel_v2(channel, base_url):
    url = '%s/v2/Services/%s/Channels/%s' % (base_url, channel['service_sid'], channel['sid'])
    resource = dict((field, channel[field]) for field in CHANNEL_FIELDS)
    resource['url'] = url
    resource['links'] = {
        'members': url + '/Members',
        'messages': url + '/Messages',
        'invites': url + '/Invites',
        'webhooks': url + '/Webhooks',
        'last_message': None,
    }
    return resource


def channel_v3(channel, base_url):
    resource = dict((field, channel[field]) for field in CHANNEL_FIELDS)
    resource['messaging_service_sid'] = channel['messaging_service_sid']
    resource['url'] = '%s/v3/Services/%s/Channels/%s' % (base_url, channel['service_sid'], channel['sid'])
    return resource


def conversation(channel, base_url):
    url = '%s/v1/Services/%s/Conversations/%s' % (base_url, channel['service_sid'], channel['sid'])
    return {
        'account_sid': channel['account_sid'],
        'chat_service_sid': channel['service_sid'],
        'messaging_service_sid': channel['messaging_service_sid'],
        'sid': channel['sid'],
        'friendly_name': channel['friendly_name'],
        'unique_name': channel['unique_name'],
        'attributes': channel['attributes'],
        'state': 'active',
        'date_created': channel['date_created'],
        'date_updated': channel['date_updated'],
        'timers': {},
        'url': url,
        'links': {
            'participants': url + '/Participants',
            'messages': url + '/Messages',
            'webhooks': url + '/Webhooks',
            'export': url + '/Export',
        },
        'bindings': None,
    }


def encode_page_token(direction, key):
    raw = json.dumps(list(key), separators=(',', ':')).encode('utf-8')
    return direction + base64.urlsafe_b64encode(raw).decode('ascii').rstrip('=')


def decode_page_token(token):
    """Return ('PA' or 'PB', key); the token is opaque to clients."""
    direction, payload = token[:2], token[2:]
    try:
        if direction not in ('PA', 'PB'):
            raise ValueError(direction)
        key = json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)).decode('utf-8'))
        if not (isinstance(key, list) and len(key) == 2 and all(isinstance(part, str) for part in key)):
            raise ValueError(key)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise invalid_parameter('Invalid PageToken: %s' % token) from None
    return direction, tuple(key)


def ragged_take(page, page_size):
    """How many items a ragged page returns: Twilio filters after fetching, so pages come back short or even empty."""
    if page % 7 == 5:
        return 0
    if page % 3 == 1:
        return max(1, page_size // 2)
    if page % 3 == 2:
        return max(1, page_size - 1)
    return page_size


def _int_param(request, name, default, minimum, maximum=None):
    raw = request.query_value(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter('Invalid %s: %s' % (name, raw)) from None
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise invalid_parameter('%s must be at least %d' % (name, minimum))
        raise invalid_parameter('%s must be between %d and %d' % (name, minimum, maximum))
    return value


def select_page(order, selected, page, page_size, token, ragged, offset):
    """Pick the indexes into ``order`` (sorted keys) of one page of the items ``selected`` accepts.

    Returns (indexes, cursor, has_more); ``cursor`` is the index the next page starts after.
    Keyset paging follows the page token; offset paging (a mode) counts whole pages of the list
    as filtered now, so items that left the filter since the last page shift what comes next.
    """
    direction, key = decode_page_token(token) if token is not None else ('PA', None)
    if offset:
        live = [index for index in range(len(order)) if selected(index)]
        indexes = live[page * page_size:(page + 1) * page_size]
        return indexes, (indexes[-1] if indexes else -1), len(live) > (page + 1) * page_size
    take = ragged_take(page, page_size) if ragged else page_size
    indexes = []
    if direction == 'PB':
        position = bisect.bisect_left(order, key) - 1
        while position >= 0 and len(indexes) < page_size:
            if selected(position):
                indexes.append(position)
            position -= 1
        indexes.reverse()
        cursor = indexes[-1] if indexes else bisect.bisect_left(order, key) - 1
    else:
        if key is not None:
            start = bisect.bisect_right(order, key)
        else:
            # Without a token, Page is an offset in whole pages, as on Twilio's first request.
            start, skipped = 0, 0
            while start < len(order) and skipped < page * page_size:
                if selected(start):
                    skipped += 1
                start += 1
        position = start
        while position < len(order) and len(indexes) < take:
            if selected(position):
                indexes.append(position)
            position += 1
        cursor = indexes[-1] if indexes else start - 1
    has_more = any(selected(index) for index in range(cursor + 1, len(order)))
    return indexes, cursor, has_more


class Listing:
    """One list request over sorted keys: its paging parameters and the page it selects."""

    def __init__(self, emulator, request, order, matches, lookup, max_page_size=MAX_PAGE_SIZE):
        self.page_size = _int_param(request, 'PageSize', DEFAULT_PAGE_SIZE, 1, max_page_size)
        self.page = _int_param(request, 'Page', 0, 0)
        self.token = request.query_value('PageToken')
        self.order = order

        def selected(index):
            return matches(lookup(order[index][1]))

        self.indexes, cursor, has_more = select_page(order, selected, self.page, self.page_size, self.token,
                                                     emulator.faults.ragged_pages, emulator.modes.offset_paging)
        self.items = [lookup(order[index][1]) for index in self.indexes]
        self.next_token = encode_page_token('PA', order[cursor] if cursor >= 0 else START_KEY) if has_more else None
        self.previous_token = encode_page_token('PB', order[self.indexes[0]]) if self.page > 0 and self.indexes else None

    def url(self, base, filters, number, page_token=None):
        pairs = list(filters) + [('PageSize', str(self.page_size)), ('Page', str(number))]
        if page_token:
            pairs.append(('PageToken', page_token))
        return base + '?' + urlencode(pairs)


def paginate(emulator, request, order, lookup, matches, render, key, filters):
    """Answer one product-API list page (Chat, Conversations), Twilio style: items under ``key`` and a ``meta`` block."""
    listing = Listing(emulator, request, order, matches, lookup)
    list_url = '%s%s' % (request.base_url, request.path)
    return 200, {
        key: [render(item, request.base_url) for item in listing.items],
        'meta': {
            'page': listing.page,
            'page_size': listing.page_size,
            'first_page_url': listing.url(list_url, filters, 0),
            'previous_page_url': listing.url(list_url, filters, listing.page - 1, listing.previous_token) if listing.previous_token else None,
            'url': listing.url(list_url, filters, listing.page, listing.token),
            'next_page_url': listing.url(list_url, filters, listing.page + 1, listing.next_token) if listing.next_token else None,
            'key': key,
        },
    }


def paginate_channels(emulator, request, service, matches, render, key, filters):
    return paginate(emulator, request, service.order, service.channels.get, matches, render, key, filters)


def _service(state, request, service_param='ServiceSid'):
    service_sid = request.params[service_param]
    service = state.services.get(service_sid) if is_sid('IS', service_sid) else None
    if service is None:
        raise not_found(request.path)
    if service.account_sid != request.account.sid:
        # Product-subdomain resources of a subaccount need the subaccount's own credentials:
        # its parent's are refused (Twilio error 20003); any other account's service is not found.
        if state.accounts[service.account_sid].owner_account_sid == request.account.sid:
            raise authenticate_error()
        raise not_found(request.path)
    return service


def _channel(service, request):
    channel = service.find(request.params['Sid'])
    if channel is None:
        raise not_found(request.path)
    return channel


def _webhook_header(request):
    value = request.headers.get('X-Twilio-Webhook-Enabled')
    if value is not None and value not in WEBHOOK_ENABLED_VALUES:
        raise invalid_parameter("Invalid value '%s' for header X-Twilio-Webhook-Enabled: must be 'true' or 'false'" % value)


def _type_values(request):
    values = request.query.get('Type') or ['public']
    for value in values:
        if value not in CHANNEL_TYPES:
            raise invalid_parameter("Invalid value '%s' for parameter Type: must be 'public' or 'private'" % value)
    return values


def _parse_date(value, name):
    try:
        return format_date(datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ'))
    except ValueError:
        raise invalid_parameter('Invalid %s: %s is not an ISO 8601 date (YYYY-MM-DDTHH:MM:SSZ)' % (name, value)) from None


def _attributes(value):
    try:
        json.loads(value)
    except ValueError:
        raise invalid_parameter('Invalid Attributes: must be a valid JSON string') from None
    return value


def list_channels(emulator, request):
    service = _service(emulator.state, request)
    types = _type_values(request)
    filters = [('Type', value) for value in request.query.get('Type', [])]
    return paginate_channels(emulator, request, service, lambda channel: channel['type'] in types, channel_v2, 'channels', filters)


def fetch_channel(emulator, request):
    service = _service(emulator.state, request)
    return 200, channel_v2(_channel(service, request), request.base_url)


def create_channel(emulator, request):
    _webhook_header(request)
    service = _service(emulator.state, request)
    channel_type = request.form_value('Type') or 'public'
    if channel_type not in CHANNEL_TYPES:
        raise invalid_parameter("Invalid value '%s' for parameter Type: must be 'public' or 'private'" % channel_type)
    unique_name = request.form_value('UniqueName')
    if unique_name is not None and unique_name in service.sid_by_unique_name:
        raise ApiError(409, 50307, 'Channel with provided unique name already exists')
    fields = {'type': channel_type, 'unique_name': unique_name, 'friendly_name': request.form_value('FriendlyName'),
              'created_by': request.form_value('CreatedBy') or 'system'}
    if request.form_value('Attributes') is not None:
        fields['attributes'] = _attributes(request.form_value('Attributes'))
    for name, field in (('DateCreated', 'date_created'), ('DateUpdated', 'date_updated')):
        if request.form_value(name) is not None:
            fields[field] = _parse_date(request.form_value(name), name)
    account = request.account
    emulator.created_count += 1
    sid = derived_sid('CH', account.sid, service.sid, 'created', emulator.created_count)
    channel = new_channel(account, service, sid, fields, utc_now())
    if channel_type == 'private' and account.default_messaging_service:
        channel['messaging_service_sid'] = account.default_messaging_service
    service.add(channel)
    return 201, channel_v2(channel, request.base_url)


def update_channel_v2(emulator, request):
    _webhook_header(request)
    service = _service(emulator.state, request)
    channel = _channel(service, request)
    unique_name = request.form_value('UniqueName')
    if unique_name is not None and service.sid_by_unique_name.get(unique_name, channel['sid']) != channel['sid']:
        raise ApiError(409, 50307, 'Channel with provided unique name already exists')
    updates = {}
    for name, field in (('FriendlyName', 'friendly_name'), ('CreatedBy', 'created_by')):
        if request.form_value(name) is not None:
            updates[field] = request.form_value(name)
    if request.form_value('Attributes') is not None:
        updates['attributes'] = _attributes(request.form_value('Attributes'))
    if request.form_value('DateCreated') is not None:
        updates['date_created'] = _parse_date(request.form_value('DateCreated'), 'DateCreated')
    if unique_name is not None:
        updates['unique_name'] = unique_name
    updates['date_updated'] = format_date(utc_now())
    if request.form_value('DateUpdated') is not None:
        updates['date_updated'] = _parse_date(request.form_value('DateUpdated'), 'DateUpdated')
    if 'unique_name' in updates:
        service.sid_by_unique_name.pop(channel['unique_name'], None)
        service.sid_by_unique_name[unique_name] = channel['sid']
    if 'date_created' in updates:
        service.order.remove((channel['date_created'], channel['sid']))
        bisect.insort(service.order, (updates['date_created'], channel['sid']))
    channel.update(updates)
    return 200, channel_v2(channel, request.base_url)


def update_channel_v3(emulator, request):
    """The migration call: public -> private, and the messaging service of private channels."""
    _webhook_header(request)
    service = _service(emulator.state, request)
    new_type = request.form_value('Type')
    # Twilio documents 50393 for a missing Type as well as for Type=public.
    if new_type is None:
        raise ApiError(400, 50393, "Type parameter value is required and should be 'private'")
    if new_type == 'public':
        raise ApiError(400, 50393, "Migration to 'public' type is not allowed")
    if new_type not in CHANNEL_TYPES:
        raise invalid_parameter("Invalid value '%s' for parameter Type: must be 'private'" % new_type)
    messaging_service_sid = request.form_value('MessagingServiceSid')
    if messaging_service_sid is not None:
        if not is_sid('MG', messaging_service_sid):
            raise ApiError(400, 50341, 'Invalid MessagingServiceSid: %s' % messaging_service_sid)
        if messaging_service_sid not in request.account.messaging_services:
            raise ApiError(400, 50342, 'Messaging Service %s was not found' % messaging_service_sid)
    channel = _channel(service, request)
    updated = dict(channel)
    if channel['type'] == 'public':
        updated['type'] = 'private'
        updated['messaging_service_sid'] = messaging_service_sid or request.account.default_messaging_service
    elif messaging_service_sid is not None:
        updated['messaging_service_sid'] = messaging_service_sid
    if (updated['type'], updated['messaging_service_sid']) != (channel['type'], channel['messaging_service_sid']):
        channel['type'] = updated['type']
        channel['messaging_service_sid'] = updated['messaging_service_sid']
        channel['date_updated'] = format_date(utc_now())
    return 200, channel_v3(channel, request.base_url)


def _conversation_state(request):
    value = request.query_value('State')
    if value is not None and value not in CONVERSATION_STATES:
        raise invalid_parameter("Invalid value '%s' for parameter State" % value)
    return value


def list_conversations(emulator, request):
    service = _service(emulator.state, request, 'ChatServiceSid')
    wanted_state = _conversation_state(request)
    filters = [('State', wanted_state)] if wanted_state else []

    def matches(channel):
        # Every emulated conversation is active; only private channels are conversations.
        return channel['type'] == 'private' and wanted_state in (None, 'active')

    return paginate_channels(emulator, request, service, matches, conversation, 'conversations', filters)


def fetch_conversation(emulator, request):
    service = _service(emulator.state, request, 'ChatServiceSid')
    channel = _channel(service, request)
    if channel['type'] != 'private':
        raise not_found(request.path)
    return 200, conversation(channel, request.base_url)


def chat_service(service, base_url):
    """A Chat v2 service; settings the emulator does not model have Twilio's defaults."""
    url = '%s/v2/Services/%s' % (base_url, service.sid)
    return {
        'sid': service.sid,
        'account_sid': service.account_sid,
        'friendly_name': service.friendly_name,
        'date_created': service.date_created,
        'date_updated': service.date_created,
        'default_service_role_sid': derived_sid('RL', service.sid, 'service'),
        'default_channel_role_sid': derived_sid('RL', service.sid, 'channel'),
        'default_channel_creator_role_sid': derived_sid('RL', service.sid, 'channel creator'),
        'read_status_enabled': True,
        'reachability_enabled': False,
        'typing_indicator_timeout': 5,
        'consumption_report_interval': 10,
        'limits': {'channel_members': 100, 'user_channels': 250},
        'pre_webhook_url': None,
        'post_webhook_url': None,
        'webhook_method': 'POST',
        'webhook_filters': [],
        'pre_webhook_retry_count': 0,
        'post_webhook_retry_count': 0,
        'notifications': {},
        'media': {'size_limit_mb': 150, 'compatibility_message': 'Media messages are not supported by this client'},
        'url': url,
        'links': {
            'channels': url + '/Channels',
            'users': url + '/Users',
            'roles': url + '/Roles',
            'bindings': url + '/Bindings',
        },
    }


def list_services(emulator, request):
    account = request.account
    return paginate(emulator, request, account.service_order, account.services.get, lambda _service: True, chat_service,
                    'services', [])


def fetch_service(emulator, request):
    service = _service(emulator.state, request, 'Sid')
    return 200, chat_service(service, request.base_url)


# The subresources Twilio lists on every account (uris relative to https://api.twilio.com).
ACCOUNT_SUBRESOURCES = (
    ('available_phone_numbers', 'AvailablePhoneNumbers'), ('calls', 'Calls'), ('conferences', 'Conferences'),
    ('incoming_phone_numbers', 'IncomingPhoneNumbers'), ('notifications', 'Notifications'),
    ('outgoing_caller_ids', 'OutgoingCallerIds'), ('recordings', 'Recordings'), ('transcriptions', 'Transcriptions'),
    ('addresses', 'Addresses'), ('signing_keys', 'SigningKeys'), ('connect_apps', 'ConnectApps'), ('sip', 'SIP'),
    ('authorized_connect_apps', 'AuthorizedConnectApps'), ('usage', 'Usage'), ('keys', 'Keys'),
    ('applications', 'Applications'), ('short_codes', 'SMS/ShortCodes'), ('queues', 'Queues'), ('messages', 'Messages'),
    ('balance', 'Balance'),
)


def account_v2010(account, _base_url=None):
    uri = '%s/Accounts/%s' % (API_2010, account.sid)
    date = format_rfc2822(account.date_created)
    return {
        'auth_token': account.auth_token,
        'date_created': date,
        'date_updated': date,
        'friendly_name': account.friendly_name,
        'owner_account_sid': account.owner_account_sid,
        'sid': account.sid,
        'status': account.status,
        'subresource_uris': dict((name, '%s/%s.json' % (uri, path)) for name, path in ACCOUNT_SUBRESOURCES),
        'type': account.type,
        'uri': uri + '.json',
    }


def _accounts_credential(request):
    """Only an auth token or a Main API key reaches the Accounts resource; Standard keys get 20003."""
    if request.credential == 'standard_key':
        raise authenticate_error('Authentication Error - invalid username')


def list_accounts(emulator, request):
    """GET /2010-04-01/Accounts.json: the caller and, for a parent, its subaccounts; 2010-style paging."""
    _accounts_credential(request)
    state = emulator.state
    status = request.query_value('Status')
    if status is not None and status not in ACCOUNT_STATUSES:
        raise invalid_parameter("Invalid value '%s' for parameter Status: must be one of %s" % (status, ', '.join(ACCOUNT_STATUSES)))
    friendly_name = request.query_value('FriendlyName')
    visible = set(account.sid for account in state.visible_accounts(request.account))

    def matches(account):
        return (account.sid in visible and (status is None or account.status == status)
                and (friendly_name is None or account.friendly_name == friendly_name))

    listing = Listing(emulator, request, state.account_order, matches, state.accounts.get, MAX_PAGE_SIZE_2010)
    filters = [(name, value) for name, value in (('FriendlyName', friendly_name), ('Status', status)) if value is not None]
    list_uri = API_2010 + '/Accounts.json'
    start = listing.page * listing.page_size
    return 200, {
        'accounts': [account_v2010(account) for account in listing.items],
        'first_page_uri': listing.url(list_uri, filters, 0),
        'previous_page_uri': listing.url(list_uri, filters, listing.page - 1, listing.previous_token) if listing.previous_token else None,
        'next_page_uri': listing.url(list_uri, filters, listing.page + 1, listing.next_token) if listing.next_token else None,
        'uri': listing.url(list_uri, filters, listing.page, listing.token),
        'page': listing.page,
        'page_size': listing.page_size,
        'start': start,
        'end': start + len(listing.items) - 1 if listing.items else start,
    }


def fetch_account(emulator, request):
    """GET /2010-04-01/Accounts/{Sid}.json: the caller itself, or a subaccount of the calling parent."""
    _accounts_credential(request)
    sid = request.params['Sid']
    if not is_sid('AC', sid):
        raise not_found(request.path)
    account = emulator.state.accounts.get(sid)
    if account is None or account not in emulator.state.visible_accounts(request.account):
        # Twilio does not tell an unknown account from one the credentials may not see.
        raise authenticate_error()
    return 200, account_v2010(account)


# (template, {method: handler}); templates are the OpenAPI paths, so stats name routes as the documents do.
ROUTES = (
    ('/2010-04-01/Accounts.json', {'GET': list_accounts}),
    ('/2010-04-01/Accounts/{Sid}.json', {'GET': fetch_account}),
    ('/v2/Services', {'GET': list_services}),
    ('/v2/Services/{Sid}', {'GET': fetch_service}),
    ('/v2/Services/{ServiceSid}/Channels', {'GET': list_channels, 'POST': create_channel}),
    ('/v2/Services/{ServiceSid}/Channels/{Sid}', {'GET': fetch_channel, 'POST': update_channel_v2}),
    ('/v3/Services/{ServiceSid}/Channels', {}),
    ('/v3/Services/{ServiceSid}/Channels/{Sid}', {'POST': update_channel_v3}),
    ('/v1/Services/{ChatServiceSid}/Conversations', {'GET': list_conversations}),
    ('/v1/Services/{ChatServiceSid}/Conversations/{Sid}', {'GET': fetch_conversation}),
)


def _match_part(part, segment, params):
    """Match one template segment ('Channels', '{Sid}' or '{Sid}.json') against a path segment."""
    if not part.startswith('{'):
        return part == segment
    name, _brace, suffix = part[1:].partition('}')
    if not segment.endswith(suffix) or len(segment) <= len(suffix):
        return False
    params[name] = segment[:len(segment) - len(suffix)] if suffix else segment
    return True


def match_route(segments):
    """Return (template, handlers, params) for percent-decoded path segments, or None."""
    for template, handlers in ROUTES:
        parts = template.split('/')
        if len(parts) != len(segments):
            continue
        params = {}
        if all(_match_part(part, segment, params) for part, segment in zip(parts, segments)):
            return template, handlers, params
    return None


def service_of(state, params):
    """The Chat service a routed request addresses, if any (for the write counters of the modes)."""
    sid = params.get('ServiceSid') or params.get('ChatServiceSid')
    return state.services.get(sid) if sid else None
