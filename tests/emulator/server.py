# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP server: state and settings, authentication, concurrency accounting, faults, and dispatch.

Twilio routes live in api.py, the admin API in admin.py, the command line in cli.py.
"""

import base64
import binascii
import dataclasses
import ipaddress
import json
import os
import socket
import sys
import threading
import time
import typing
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import admin
from .api import ApiError, Request, authenticate_error, error_body, match_route, not_found, service_of
from .faults import Faults
from .modes import Modes
from .state import build_state, load_seed

DEFAULT_LIFETIME = 3600
DEFAULT_CONCURRENCY_LIMIT = 100
FAULT_MESSAGES = {
    429: (20429, 'Too Many Requests'),
    500: (20500, 'Internal Server Error'),
    503: (20503, 'Service Unavailable'),
}
PROXY_ERROR_PAGE = ('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n'
                    '<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n')


class Stats:
    """Counters of API requests (admin calls are not counted)."""

    def __init__(self):
        self.total = 0
        self.writes = 0
        self.by_method = {}
        self.by_route = {}
        self.by_status = {}
        self.max_in_flight = {}

    def record(self, method, route, status):
        self.total += 1
        if method != 'GET':
            self.writes += 1
        self.by_method[method] = self.by_method.get(method, 0) + 1
        route_key = '%s %s' % (method, route)
        self.by_route[route_key] = self.by_route.get(route_key, 0) + 1
        self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1

    def saw_in_flight(self, account_sid, count):
        if count > self.max_in_flight.get(account_sid, 0):
            self.max_in_flight[account_sid] = count

    def describe(self):
        return {
            'total': self.total,
            'writes': self.writes,
            'by_method': dict(self.by_method),
            'by_route': dict(self.by_route),
            'by_status': dict(self.by_status),
            'max_in_flight': dict(self.max_in_flight),
        }


@dataclasses.dataclass
class Options:  # pylint: disable=too-many-instance-attributes
    """Server settings; the command line fills these, tests may build them directly."""

    host: str = '127.0.0.1'
    port: int = 0
    seed_path: typing.Optional[str] = None
    generate: int = 0
    public_ratio: float = 0.9
    concurrency_limit: int = DEFAULT_CONCURRENCY_LIMIT
    latency_ms: int = 0
    random_seed: typing.Optional[int] = None
    faults: dict = dataclasses.field(default_factory=dict)
    quiet: bool = True
    lifetime: float = DEFAULT_LIFETIME
    port_file: typing.Optional[str] = None
    modes: dict = dataclasses.field(default_factory=dict)
    generate_subaccounts: int = 0


def loopback_address(host):
    """Return the address to bind, refusing anything but loopback: the emulator must never face a network."""
    if host == 'localhost':
        return '127.0.0.1'
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError('--host must be a loopback IP address (127.0.0.0/8 or ::1) or localhost, not %r' % host) from None
    if not address.is_loopback:
        raise ValueError('--host must be a loopback address; %s is not one' % host)
    return str(address)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


class Emulator:
    """The server and its state; one lock guards state, faults, modes, limits, stats and in-flight counts."""

    def __init__(self, options):
        self.options = options
        self.lock = threading.Lock()
        host = loopback_address(options.host)
        self.seed = load_seed(options.seed_path)
        self.state = None
        self.created_count = 0
        self.faults = Faults(options.random_seed)
        self.modes = Modes()
        self.limits = {}
        self.stats = Stats()
        self.in_flight = {}
        self._load()
        self.faults.configure(options.faults)
        server_class = EmulatorHTTPServer
        if ':' in host:
            server_class = type('EmulatorHTTPServer6', (EmulatorHTTPServer,), {'address_family': socket.AF_INET6})
        self.httpd = server_class((host, options.port), make_handler(self))
        self.port = self.httpd.server_address[1]
        self.base_url = 'http://%s:%d' % ('[%s]' % host if ':' in host else host, self.port)
        self._thread = None
        self._lifetime_timer = None
        self._stopping = threading.Event()

    def _load(self):
        """(Re)build the state from the seed; limits and modes go back to their start values."""
        self.state = build_state(self.seed, self.options.generate, self.options.public_ratio,
                                 generate_subaccounts=self.options.generate_subaccounts)
        self.created_count = 0
        self.limits = {'concurrency_limit': self.options.concurrency_limit, 'latency_ms': self.options.latency_ms}
        self.modes.configure(self.options.modes)

    def reset(self):
        with self.lock:
            self._load()
            self.stats = Stats()
            self.faults.clear()

    def reset_stats(self):
        with self.lock:
            self.stats = Stats()
            return self.stats.describe()

    def load_seed_document(self, seed):
        """Replace the seed (validated by building it first) and reset."""
        build_state(seed, self.options.generate, self.options.public_ratio, generate_subaccounts=self.options.generate_subaccounts)
        with self.lock:
            self.seed = seed
        self.reset()

    def serve_forever(self):
        if self.options.lifetime:
            self._lifetime_timer = threading.Timer(self.options.lifetime, self.shutdown)
            self._lifetime_timer.daemon = True
            self._lifetime_timer.start()
        if self.options.port_file:
            temporary = self.options.port_file + '.tmp'
            with open(temporary, 'w', encoding='utf-8') as handle:
                handle.write('%d\n' % self.port)
            os.replace(temporary, self.options.port_file)
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            if self._lifetime_timer:
                self._lifetime_timer.cancel()
            self.httpd.server_close()
            if self.options.port_file and os.path.exists(self.options.port_file):
                os.remove(self.options.port_file)

    def start(self):
        """Serve from a background thread (for in-process tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name='twilio-emulator')
        self._thread.daemon = True
        self._thread.start()
        return self

    def shutdown(self):
        if not self._stopping.is_set():
            self._stopping.set()
            self.httpd.shutdown()

    def stop(self):
        """Stop a server started with start() and wait for it."""
        self.shutdown()
        if self._thread:
            self._thread.join(10)


def parse_basic_auth(header):
    if not header or not header.startswith('Basic '):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    username, separator, password = decoded.partition(':')
    if not separator:
        return None, None
    return username, password


def make_handler(emulator):
    class Handler(TwilioHandler):
        pass
    Handler.emulator = emulator
    return Handler


class TwilioHandler(BaseHTTPRequestHandler):
    """Answers one HTTP request; ``emulator`` is set on a per-server subclass."""

    protocol_version = 'HTTP/1.1'
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle's algorithm holds the body
    # until the client's delayed ACK (about 40 ms), which would be a second, invented round trip.
    disable_nagle_algorithm = True
    server_version = 'twilio-emulator'
    emulator = None

    def version_string(self):
        return self.server_version

    def do_GET(self):  # pylint: disable=invalid-name
        self.dispatch()

    def do_POST(self):  # pylint: disable=invalid-name
        self.dispatch()

    def do_PUT(self):  # pylint: disable=invalid-name
        self.dispatch()

    def do_DELETE(self):  # pylint: disable=invalid-name
        self.dispatch()

    def do_PATCH(self):  # pylint: disable=invalid-name
        self.dispatch()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        # The request line and status only: the Authorization header is never logged.
        if not self.emulator.options.quiet:
            sys.stderr.write('%s - [%s] %s\n' % (self.address_string(), self.log_date_time_string(), format % args))

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def send(self, status, body, headers=None, content_type='application/json'):
        if isinstance(body, (dict, list)):
            payload = json.dumps(body, ensure_ascii=False).encode('utf-8')
        else:
            payload = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    def dispatch(self):
        url = urlsplit(self.path)
        body = self.read_body()
        if len(body) < int(self.headers.get('Content-Length') or 0):
            # The client went away in the middle of its request (killed, say): nothing to answer or count.
            self.close_connection = True
            return
        if admin.is_admin_path(url.path):
            status, payload, headers, after = admin.handle(self.emulator, self.command, url, body)
            if after is not None:
                self.close_connection = True
            self.send(status, payload, headers)
            if after is not None:
                threading.Thread(target=after).start()
        else:
            self.handle_api(url, body)

    # ---- Twilio API -------------------------------------------------------

    def twilio_headers(self, account_sid, extra=None):
        with self.emulator.lock:
            count = self.emulator.in_flight.get(account_sid, 0) if account_sid else 0
        headers = {'Twilio-Request-Id': 'RQ' + uuid.uuid4().hex, 'Twilio-Concurrent-Requests': str(count)}
        headers.update(extra or {})
        return headers

    def handle_api(self, url, body):
        emulator = self.emulator
        segments = [unquote(segment) for segment in url.path.split('/')]
        decoded_path = '/'.join(segments)
        routed = match_route(segments)
        route = routed[0] if routed else '(unmatched)'
        username, password = parse_basic_auth(self.headers.get('Authorization'))
        with emulator.lock:
            account, credential = emulator.state.authenticate(username, password) if username else (None, None)
            fault = emulator.faults.pick(self.command, (self.path, decoded_path))
            limit, latency_ms = emulator.limits['concurrency_limit'], emulator.limits['latency_ms']
        if fault is not None:
            self.answer_fault(fault, account, route)
            return
        if account is None:
            self.answer_error(None, route, authenticate_error())
            return
        with emulator.lock:
            count = emulator.in_flight.get(account.sid, 0) + 1
            emulator.in_flight[account.sid] = count
            emulator.stats.saw_in_flight(account.sid, count)
        try:
            try:
                if limit and count > limit:
                    raise ApiError(429, 20429, 'Too Many Requests')
                if latency_ms:
                    time.sleep(latency_ms / 1000.0)
                status, payload = self.call_route(routed, url, body, account, credential, decoded_path)
                extra = None
            except ApiError as exc:
                status, payload, extra = exc.status, exc.body(), exc.headers
            headers = self.twilio_headers(account.sid, extra)
        finally:
            # Released before the answer is written: a client that waits for each answer before
            # its next request must never be counted twice (nor get a spurious 429 at the limit).
            with emulator.lock:
                emulator.in_flight[account.sid] -= 1
        with emulator.lock:
            emulator.stats.record(self.command, route, status)
        self.send(status, payload, headers)

    def call_route(self, routed, url, body, account, credential, decoded_path):
        if routed is None:
            raise not_found(decoded_path)
        _template, handlers, params = routed
        handler = handlers.get(self.command)
        if handler is None:
            allowed = ', '.join(sorted(handlers))
            raise ApiError(405, 20004, 'Method not allowed', {'Allow': allowed} if allowed else {})
        form = {}
        if self.command == 'POST' and body:
            form = parse_qs(body.decode('utf-8'), keep_blank_values=True)
        request = Request(self.command, decoded_path, params, parse_qs(url.query, keep_blank_values=True), form,
                          self.headers, account, self.emulator.base_url, credential)
        with self.emulator.lock:
            status, payload = handler(self.emulator, request)
            if self.command != 'GET' and status < 300:
                service = service_of(self.emulator.state, params)
                if service is not None:
                    self.emulator.modes.after_write(self.emulator.state, service)
            return status, payload

    def answer(self, account, route, status, payload, extra=None):
        with self.emulator.lock:
            self.emulator.stats.record(self.command, route, status)
        self.send(status, payload, self.twilio_headers(account.sid if account else None, extra))

    def answer_error(self, account, route, exc):
        self.answer(account, route, exc.status, exc.body(), exc.headers)

    def answer_fault(self, fault, account, route):
        if fault.drop:
            with self.emulator.lock:
                self.emulator.stats.record(self.command, route, 'dropped')
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault.html:
            # A proxy in front of Twilio answers with its own page and none of Twilio's headers.
            with self.emulator.lock:
                self.emulator.stats.record(self.command, route, fault.status)
            self.send(fault.status, PROXY_ERROR_PAGE.replace('502 Bad Gateway', '%d Bad Gateway' % fault.status),
                      content_type='text/html')
            return
        code, message = FAULT_MESSAGES.get(fault.status, (20000 + fault.status, 'Injected fault'))
        extra = {'Retry-After': str(fault.retry_after)} if fault.retry_after is not None else {}
        self.answer(account, route, fault.status, error_body(fault.status, code, message), extra)
