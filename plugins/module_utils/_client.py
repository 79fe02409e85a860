# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP client for the Twilio REST APIs this collection uses.

This is a private module_utils of twilio_ops.chat, not a public API: it may
change in any release.

It is the one place that knows Twilio's hosts, URL shapes, authentication,
retries, paging and error bodies. One client is made per task; it holds
pooled requests Sessions and no per-request state, so the bulk module may call
it from several threads at once (urllib3 keeps retry state per request).

The bulk module's writes go through send_channel_update(), which does not
retry a 429 itself: the bulk engine sees each one, slows its whole pool down
and sends the channel again (see _throttle.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import contextlib
import fnmatch
import inspect
import ipaddress
import platform

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.six.moves.urllib.parse import quote, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InvalidHeader, NewConnectionError, TimeoutError as Urllib3TimeoutError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    Retry = object
else:
    HAS_REQUESTS = True

COLLECTION_NAME = 'twilio_ops.chat'
COLLECTION_VERSION = '0.2.0'

# Twilio answers these when a request may succeed if sent again.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# The v3 channel update only sets Type and MessagingServiceSid, so sending it
# twice has the same effect as sending it once: it is safe to retry.
RETRYABLE_METHODS = frozenset(('GET', 'POST'))
BACKOFF_FACTOR = 0.5
BACKOFF_MAX_SECONDS = 20.0
BACKOFF_JITTER_SECONDS = 0.5
# A server may ask for any Retry-After; never wait longer than this per retry.
RETRY_AFTER_CAP_SECONDS = 30.0
# What the bulk engine reads from an answer's headers (never a credential).
ANSWER_HEADERS = ('Retry-After', 'Twilio-Concurrent-Requests', 'Twilio-Request-Id')
# Paging stops by itself even if a server kept sending next_page_url.
MAX_PAGES = 100000
PAGE_SIZE = 100

TWILIO_ERROR_DOCS = 'https://www.twilio.com/docs/errors/%s'


class TwilioError(Exception):
    """Every failure talking to Twilio, turned into one readable message."""

    def __init__(self, message, status=None, code=None, more_info=None, request_id=None, retries=0, headers=None):
        super(TwilioError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.more_info = more_info
        self.request_id = request_id
        self.retries = retries
        # The ANSWER_HEADERS of the error answer, when there was one.
        self.headers = headers or {}

    @property
    def throttled(self):
        """Twilio said too many requests (HTTP 429, or its error 20429 behind some other status)."""
        return self.status == 429 or self.code == 20429

    def __str__(self):
        details = []
        if self.status is not None:
            details.append('HTTP %s' % self.status)
        if self.code is not None:
            details.append('Twilio error %s' % self.code)
        if self.retries:
            details.append('after %d retries' % self.retries)
        if self.request_id:
            details.append('Twilio-Request-Id %s' % self.request_id)
        text = self.message
        if details:
            text = '%s (%s)' % (text, ', '.join(details))
        if self.more_info:
            text = '%s. See %s' % (text, self.more_info)
        return text

    def as_result(self):
        """The structured fields a module adds next to ``msg``."""
        return {
            'status': self.status,
            'error_code': self.code,
            'more_info': self.more_info,
            'request_id': self.request_id,
        }


class TwilioRetry(Retry):
    """urllib3's Retry, with a ceiling on how long a Retry-After may make us wait."""

    def parse_retry_after(self, retry_after):
        return min(super(TwilioRetry, self).parse_retry_after(retry_after), RETRY_AFTER_CAP_SECONDS)


class TwilioRetryExcept429(TwilioRetry):
    """The same policy, except that a 429 goes back to the caller at once: the bulk engine handles it for its whole pool."""

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == 429:
            return False
        return super(TwilioRetryExcept429, self).is_retry(method, status_code, has_retry_after)


TwilioAnswer = collections.namedtuple('TwilioAnswer', ['body', 'headers', 'retries'])
TwilioAnswer.__doc__ = """A successful answer: its JSON body, its ANSWER_HEADERS, and how many retries urllib3 made for it."""


def answer_headers(response):
    return dict((name, response.headers[name]) for name in ANSWER_HEADERS if name in response.headers)


def retry_after_seconds(headers):
    """The Retry-After of answer headers in seconds (capped like every retry), or None when absent or unreadable."""
    value = headers.get('Retry-After')
    if value is None:
        return None
    try:
        return TwilioRetry().parse_retry_after(value)
    except InvalidHeader:
        # A malformed value is treated as absent.
        return None


def concurrent_requests(headers):
    """Twilio-Concurrent-Requests of answer headers: the account's requests in flight, or None."""
    try:
        return int(headers['Twilio-Concurrent-Requests'])
    except (KeyError, TypeError, ValueError):
        return None


def build_retry(max_retries, retry_class=TwilioRetry):
    """The one retry policy: exponential backoff with jitter, honouring Retry-After."""
    options = dict(
        total=max_retries,
        connect=max_retries,
        read=max_retries,
        status=max_retries,
        other=0,
        redirect=0,
        backoff_factor=BACKOFF_FACTOR,
        status_forcelist=RETRYABLE_STATUSES,
        allowed_methods=RETRYABLE_METHODS,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    accepted = inspect.signature(Retry.__init__).parameters
    # backoff_max and backoff_jitter arrived in urllib3 2; older releases have a fixed backoff ceiling.
    if 'backoff_max' in accepted:
        options['backoff_max'] = BACKOFF_MAX_SECONDS
    if 'backoff_jitter' in accepted:
        options['backoff_jitter'] = BACKOFF_JITTER_SECONDS
    return retry_class(**options)


def is_loopback_host(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_base_url(api_base_url):
    """Return the normalised base URL, or raise TwilioError saying why it is refused."""
    parts = urlsplit(api_base_url)
    # Messages name the scheme and host only: a malformed value may still hold a password or token.
    if parts.username or parts.password:
        raise TwilioError('api_base_url must not contain credentials; use account_sid with auth_token or api_key/api_secret')
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise TwilioError('api_base_url must be an absolute http(s) URL such as https://twilio-proxy.example.com '
                          '(got scheme %r, host %r)' % (parts.scheme, parts.hostname))
    if parts.query or parts.fragment:
        raise TwilioError('api_base_url must not contain a query or fragment')
    if parts.scheme == 'http' and not is_loopback_host(parts.hostname):
        raise TwilioError(
            'api_base_url %r uses plain http to a host that is not loopback; credentials never travel in clear text, '
            'use https (plain http is accepted only for 127.0.0.1, ::1 or localhost)' % api_base_url)
    return api_base_url.rstrip('/')


def twilio_host(product, region=None, edge=None):
    """The host Twilio's SDKs use: {product}[.{edge}].{region}.twilio.com, edge implying region us1."""
    if edge:
        region = region or 'us1'
    labels = [label for label in (product, edge, region) if label]
    return '%s.twilio.com' % '.'.join(labels)


def user_agent():
    requests_version = requests.__version__ if HAS_REQUESTS else 'missing'
    return '%s/%s (ansible-core/%s; python-requests/%s; Python/%s)' % (
        COLLECTION_NAME, COLLECTION_VERSION, ANSIBLE_CORE_VERSION, requests_version, platform.python_version())


def retries_of(response):
    return len(response.raw.retries.history) if getattr(response.raw, 'retries', None) else 0


def _twilio_error_from_response(response, action):
    request_id = response.headers.get('Twilio-Request-Id')
    retries = retries_of(response)
    headers = answer_headers(response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ('code' in body or 'message' in body):
        code = body.get('code')
        message = body.get('message') or response.reason
        more_info = body.get('more_info') or (TWILIO_ERROR_DOCS % code if code else None)
        return TwilioError('%s failed: %s' % (action, message), status=response.status_code, code=code,
                           more_info=more_info, request_id=request_id, retries=retries, headers=headers)
    content_type = response.headers.get('Content-Type', 'unknown content type')
    return TwilioError('%s failed: HTTP %s %s with a non-JSON body (%s), likely from a proxy or load balancer in front of Twilio'
                       % (action, response.status_code, response.reason, content_type.split(';')[0]),
                       status=response.status_code, request_id=request_id, retries=retries, headers=headers)


# --- Accounts (2010-04-01 API): what may leave the client ---------------------

# The non-secret fields of an Account resource. The Accounts API also returns each
# account's auth_token; everything outside the client sees only these fields unless a
# caller asks for the token explicitly (twilio_account_info with return_auth_token).
ACCOUNT_FIELDS = ('sid', 'friendly_name', 'status', 'type', 'owner_account_sid', 'date_created', 'date_updated')
ACCOUNT_STATUSES = ('active', 'suspended', 'closed')
# The Accounts list allows larger pages than the product APIs.
ACCOUNTS_PAGE_SIZE_MAX = 1000

# Twilio's documentation (API keys, "Types of keys"): a Standard API key reaches every resource
# except Accounts (/Accounts) and Keys; a Main key (created in the Console only) or the account's
# auth token reaches them. Subaccount credentials only ever see that subaccount.
ACCOUNTS_ACCESS_HELP = (
    "listing subaccounts and reading their credentials needs the parent account's auth token "
    "(account_sid with auth_token) or a Main API key of the parent; a Standard API key cannot reach "
    "the Accounts resource (/2010-04-01/Accounts), and a subaccount's credentials see only that subaccount")


def public_account_fields(account):
    """The Account resource without its auth_token (or anything else not in ACCOUNT_FIELDS)."""
    return dict((field, account.get(field)) for field in ACCOUNT_FIELDS)


def status_to_send(statuses):
    """The Status filter to send: Twilio filters on one status only, so only when exactly one is wanted."""
    wanted = set(statuses or ())
    return wanted.pop() if len(wanted) == 1 else None


def select_subaccounts(accounts, parent_sid, statuses=None, friendly_name_pattern=None):
    """The subaccounts of parent_sid among accounts, in Twilio's order, filtered on the client.

    statuses: keep only these statuses (None keeps every status). friendly_name_pattern: a
    shell-style glob (fnmatch, case-sensitive) the whole friendly name must match.
    """
    selected = []
    for account in accounts:
        if account.get('sid') == parent_sid:
            continue
        if account.get('owner_account_sid') not in (None, parent_sid):
            continue
        if statuses is not None and account.get('status') not in statuses:
            continue
        if friendly_name_pattern is not None and not fnmatch.fnmatchcase(account.get('friendly_name') or '', friendly_name_pattern):
            continue
        selected.append(account)
    return selected


class TwilioClient:
    """Talks to Chat v2, Chat v3, Conversations v1 and the Accounts API for one account and one task."""

    def __init__(self, account_sid, auth_token=None, api_key=None, api_secret=None, region=None, edge=None,
                 api_base_url=None, timeout=30, validate_certs=True, max_retries=5, pool_size=10):
        self.timeout = timeout
        self.region = region
        self.edge = edge
        self.api_base_url = check_api_base_url(api_base_url) if api_base_url else None
        self.max_retries = max_retries
        # An API key takes precedence: it is the narrower credential.
        credentials = (api_key, api_secret) if api_key else (account_sid, auth_token)
        self.session = self._new_session(credentials, validate_certs, build_retry(max_retries), pool_size)
        # The bulk writes: same policy but a 429 is the engine's to handle (send_channel_update).
        self.pool_session = self._new_session(credentials, validate_certs, build_retry(max_retries, TwilioRetryExcept429), pool_size)

    @staticmethod
    def _new_session(credentials, validate_certs, retry, pool_size):
        session = requests.Session()
        session.auth = credentials
        session.verify = validate_certs
        session.headers.update({'User-Agent': user_agent(), 'Accept': 'application/json'})
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=max(pool_size, 1))
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        return session

    def close(self):
        self.session.close()
        self.pool_session.close()

    # --- URLs -------------------------------------------------------------

    def base_url(self, product):
        if self.api_base_url:
            return self.api_base_url
        return 'https://' + twilio_host(product, self.region, self.edge)

    def url(self, product, path):
        return self.base_url(product) + path

    def follow_url(self, product, absolute_url):
        """Map a next_page_url Twilio sent back onto our configured base (proxy, region, emulator)."""
        parts = urlsplit(absolute_url)
        return self.url(product, parts.path + ('?' + parts.query if parts.query else ''))

    # --- HTTP -------------------------------------------------------------

    def request(self, method, product, path, action, params=None, data=None, headers=None, absolute_url=None):
        """Send one request and return its JSON body, or raise TwilioError."""
        return self.request_answer(method, product, path, action, params, data, headers, absolute_url).body

    def request_answer(self, method, product, path, action, params=None, data=None, headers=None, absolute_url=None,
                       session=None):
        """Like request(), with the answer's headers and retry count (a TwilioAnswer)."""
        url = absolute_url or self.url(product, path)
        host = urlsplit(url).netloc
        timed_out = TwilioError('%s failed: no answer from %s within %s seconds (timeout)' % (action, host, self.timeout))
        try:
            # requests would follow a redirect itself (urllib3's redirect=0 does not stop it) and turn a
            # POST into a GET on 301/302/303: a migration would then look done without having been sent.
            response = (session or self.session).request(method, url, params=params, data=data, headers=headers,
                                                         timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise TwilioError('%s failed: TLS error talking to %s: %s' % (action, host, _innermost(exc)))
        except requests.exceptions.ConnectionError as exc:
            # Once retries are spent, urllib3 reports a read timeout as a connection error: tell them apart
            # (NewConnectionError derives from a timeout class for historical reasons, but is a refusal).
            cause = _innermost(exc)
            if isinstance(cause, Urllib3TimeoutError) and not isinstance(cause, NewConnectionError):
                raise timed_out
            raise TwilioError('%s failed: cannot connect to %s: %s' % (action, host, cause))
        except requests.exceptions.Timeout:
            raise timed_out
        except requests.exceptions.RequestException as exc:
            raise TwilioError('%s failed: %s' % (action, _innermost(exc)))
        if response.status_code >= 400:
            raise _twilio_error_from_response(response, action)
        if 300 <= response.status_code < 400:
            location = urlsplit(response.headers.get('Location') or '')
            raise TwilioError('%s failed: HTTP %s redirect to %s, which is not followed; Twilio does not redirect API calls, '
                              'check api_base_url, region and edge' % (action, response.status_code, location.netloc or 'an unknown place'),
                              status=response.status_code, request_id=response.headers.get('Twilio-Request-Id'))
        try:
            return TwilioAnswer(response.json(), answer_headers(response), retries_of(response))
        except ValueError:
            raise TwilioError('%s failed: HTTP %s with a body that is not JSON' % (action, response.status_code),
                              status=response.status_code, request_id=response.headers.get('Twilio-Request-Id'))

    def iter_list(self, product, path, key, action, params=None, gate=None):
        """Yield every item of a Twilio list, following meta.next_page_url until it is null.

        A page may hold fewer items than asked for while more remain, so the
        end is only ever taken from next_page_url. gate: see _iter_pages.
        """
        return self._iter_pages(product, path, key, action, params, 'next_page_url',
                                lambda page: (page.get('meta') or {}).get('next_page_url'), gate)

    def iter_list_2010(self, product, path, key, action, params=None):
        """Yield every item of a 2010-04-01 API list, following next_page_uri until it is null.

        The 2010 API puts its paging at the top level of the page, and next_page_uri is
        relative to the API host (it already holds the whole query, page token included).
        """
        return self._iter_pages(product, path, key, action, params, 'next_page_uri', lambda page: page.get('next_page_uri'))

    def _iter_pages(self, product, path, key, action, params, link_name, next_link, gate=None):
        """The one paging loop: items under key, page after page, bounded in pages and stopped on a repeated link.

        gate: None, or a function returning a context manager held around each page's request (the
        bulk engine's limiter, so that its list reads take a place among its requests in flight).
        """
        gate = gate or _ungated
        query = dict(params or {})
        query.setdefault('PageSize', PAGE_SIZE)
        with gate():
            page = self.request('GET', product, path, action, params=query)
        seen_links = set()
        for dummy in range(MAX_PAGES):
            yield from page.get(key) or []
            link = next_link(page)
            if not link:
                return
            if link in seen_links:
                raise TwilioError('%s failed: Twilio sent the same %s twice (%s)' % (action, link_name, link))
            seen_links.add(link)
            with gate():
                page = self.request('GET', product, None, action, absolute_url=self.follow_url(product, link))
        raise TwilioError('%s failed: more than %d pages' % (action, MAX_PAGES))

    # --- Chat and Conversations resources ----------------------------------

    @staticmethod
    def channel_path(version, service_sid, channel):
        return '/%s/Services/%s/Channels/%s' % (version, quote(service_sid, safe=''), quote(channel, safe=''))

    @staticmethod
    def conversation_path(service_sid, conversation=None):
        path = '/v1/Services/%s/Conversations' % quote(service_sid, safe='')
        if conversation:
            path += '/' + quote(conversation, safe='')
        return path

    def fetch_channel(self, service_sid, channel):
        return self.request('GET', 'chat', self.channel_path('v2', service_sid, channel),
                            'Reading channel %r of service %s' % (channel, service_sid))

    def list_channels(self, service_sid, types, page_size=PAGE_SIZE, gate=None):
        return self.iter_list('chat', '/v2/Services/%s/Channels' % quote(service_sid, safe=''), 'channels',
                              'Listing %s channels of service %s' % ('/'.join(types), service_sid),
                              params={'Type': list(types), 'PageSize': page_size}, gate=gate)

    def fetch_conversation(self, service_sid, conversation):
        return self.request('GET', 'conversations', self.conversation_path(service_sid, conversation),
                            'Reading conversation %s of service %s' % (conversation, service_sid))

    def list_conversations(self, service_sid, page_size=PAGE_SIZE, gate=None):
        return self.iter_list('conversations', self.conversation_path(service_sid), 'conversations',
                              'Listing conversations of service %s' % service_sid, params={'PageSize': page_size}, gate=gate)

    def update_channel(self, service_sid, channel_sid, fields, webhook_enabled=None):
        """The Chat v3 channel update: the only write this collection makes."""
        return self._send_update(self.session, service_sid, channel_sid, fields, webhook_enabled).body

    def send_channel_update(self, service_sid, channel_sid, fields, webhook_enabled=None):
        """update_channel() for the bulk engine: a TwilioAnswer, and a 429 raised at once (not retried here).

        Other retryable statuses and connection errors are retried as everywhere.
        """
        return self._send_update(self.pool_session, service_sid, channel_sid, fields, webhook_enabled)

    def _send_update(self, session, service_sid, channel_sid, fields, webhook_enabled):
        headers = None
        if webhook_enabled is not None:
            headers = {'X-Twilio-Webhook-Enabled': 'true' if webhook_enabled else 'false'}
        return self.request_answer('POST', 'chat', self.channel_path('v3', service_sid, channel_sid),
                                   'Migrating channel %s of service %s' % (channel_sid, service_sid),
                                   data=fields, headers=headers, session=session)

    # --- Accounts (2010-04-01 API) and Chat services --------------------------

    def _accounts_refused(self, exc):
        """Explain a 401/403 from the Accounts resource: usually a Standard API key or a subaccount's token."""
        if exc.status not in (401, 403):
            return exc
        user = self.session.auth[0] if self.session.auth else None
        if user and user.startswith('SK'):
            refused = 'Twilio refused API key %s for the Accounts resource' % user
        else:
            refused = 'Twilio refused the credentials of account_sid for the Accounts resource'
        return TwilioError('%s: %s; %s' % (exc.message, refused, ACCOUNTS_ACCESS_HELP), status=exc.status, code=exc.code,
                           more_info=exc.more_info, request_id=exc.request_id, retries=exc.retries)

    def list_accounts(self, status=None, friendly_name=None, page_size=PAGE_SIZE):
        """Yield the accounts the credentials see (a parent sees itself and its subaccounts), without auth tokens.

        status and friendly_name are sent as Twilio's exact-match Status and FriendlyName filters.
        """
        params = {'PageSize': page_size}
        if status:
            params['Status'] = status
        if friendly_name:
            params['FriendlyName'] = friendly_name
        found = self.iter_list_2010('api', '/2010-04-01/Accounts.json', 'accounts', 'Listing accounts', params=params)
        try:
            for account in found:
                yield public_account_fields(account)
        except TwilioError as exc:
            raise self._accounts_refused(exc)

    def fetch_account(self, sid, with_auth_token=False):
        """One account, without its auth_token unless with_auth_token (then keep the result out of logs)."""
        try:
            account = self.request('GET', 'api', '/2010-04-01/Accounts/%s.json' % quote(sid, safe=''), 'Reading account %s' % sid)
        except TwilioError as exc:
            raise self._accounts_refused(exc)
        result = public_account_fields(account)
        if with_auth_token:
            result['auth_token'] = account.get('auth_token')
        return result

    def list_chat_services(self, page_size=PAGE_SIZE):
        return self.iter_list('chat', '/v2/Services', 'services', 'Listing Chat services', params={'PageSize': page_size})

    def fetch_chat_service(self, sid):
        return self.request('GET', 'chat', '/v2/Services/%s' % quote(sid, safe=''), 'Reading Chat service %s' % sid)


@contextlib.contextmanager
def _ungated():
    """The gate of a listing nobody limits."""
    yield


def _innermost(exc):
    """The innermost cause of a requests/urllib3 exception, without the wrappers around it."""
    reason = exc
    for dummy in range(5):
        inner = getattr(reason, 'reason', None)
        if not isinstance(inner, Exception) and reason.args and isinstance(reason.args[0], Exception):
            inner = reason.args[0]
        if not isinstance(inner, Exception) or inner is reason:
            break
        reason = inner
    return reason
