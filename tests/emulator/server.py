# -*- coding: utf-8 -*-
# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP server, authentication, concurrency accounting, fault injection, admin API and command line."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import base64
import binascii
import ipaddress
import json
import os
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .api import ApiError, Request, error_body, match_route, not_found
from .faults import FaultConfigError, Faults
from .state import SeedError, build_state, load_seed

ADMIN_PREFIX = '/_emulator/'
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


class Options:
    """Server settings; the command line fills these, tests may build them directly."""

    def __init__(self, host='127.0.0.1', port=0, seed_path=None, generate=0, public_ratio=0.9, concurrency_limit=DEFAULT_CONCURRENCY_LIMIT,
                 latency_ms=0, random_seed=None, faults=None, quiet=True, lifetime=DEFAULT_LIFETIME, port_file=None):
        self.host = host
        self.port = port
        self.seed_path = seed_path
        self.generate = generate
        self.public_ratio = public_ratio
        self.concurrency_limit = concurrency_limit
        self.latency_ms = latency_ms
        self.random_seed = random_seed
        self.faults = faults or {}
        self.quiet = quiet
        self.lifetime = lifetime
        self.port_file = port_file


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
    """The server and its state; one lock guards state, faults, stats and in-flight counts."""

    def __init__(self, options):
        self.options = options
        self.lock = threading.Lock()
        host = loopback_address(options.host)
        self.seed = load_seed(options.seed_path)
        self.state = None
        self.created_count = 0
        self.faults = Faults(options.random_seed)
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
        self.state = build_state(self.seed, self.options.generate, self.options.public_ratio)
        self.created_count = 0

    def reset(self):
        with self.lock:
            self._load()
            self.stats = Stats()
            self.faults.clear()

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
        if url.path.startswith(ADMIN_PREFIX) or url.path == ADMIN_PREFIX.rstrip('/'):
            self.handle_admin(url, body)
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
        raw_segments = url.path.split('/')
        segments = [unquote(segment) for segment in raw_segments]
        decoded_path = '/'.join(segments)
        routed = match_route(segments)
        route = routed[0] if routed else '(unmatched)'
        username, password = parse_basic_auth(self.headers.get('Authorization'))
        with emulator.lock:
            account = emulator.state.authenticate(username, password) if username else None
            fault = emulator.faults.pick(self.command, (self.path, decoded_path))
        if fault is not None:
            self.answer_fault(fault, account, route)
            return
        if account is None:
            self.answer_error(None, route, ApiError(401, 20003, 'Authenticate', {'WWW-Authenticate': 'Basic realm="Twilio API"'}))
            return
        with emulator.lock:
            count = emulator.in_flight.get(account.sid, 0) + 1
            emulator.in_flight[account.sid] = count
            emulator.stats.saw_in_flight(account.sid, count)
        try:
            try:
                limit = emulator.options.concurrency_limit
                if limit and count > limit:
                    raise ApiError(429, 20429, 'Too Many Requests')
                if emulator.options.latency_ms:
                    time.sleep(emulator.options.latency_ms / 1000.0)
                status, payload = self.call_route(routed, url, body, account, decoded_path)
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

    def call_route(self, routed, url, body, account, decoded_path):
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
                          self.headers, account, self.emulator.base_url)
        with self.emulator.lock:
            return handler(self.emulator, request)

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

    # ---- admin API --------------------------------------------------------

    def admin_reply(self, status, payload):
        self.send(status, payload)

    def handle_admin(self, url, body):
        action = url.path[len(ADMIN_PREFIX):].strip('/')
        query = parse_qs(url.query)
        routes = {
            ('GET', 'health'): self.admin_health,
            ('GET', 'stats'): self.admin_stats,
            ('POST', 'stats/reset'): self.admin_stats_reset,
            ('GET', 'faults'): self.admin_faults,
            ('PUT', 'faults'): self.admin_faults_put,
            ('DELETE', 'faults'): self.admin_faults_delete,
            ('GET', 'channels'): self.admin_channels,
            ('POST', 'reset'): self.admin_reset,
            ('POST', 'shutdown'): self.admin_shutdown,
        }
        handler = routes.get((self.command, action))
        if handler is None:
            known = [method for method, name in routes if name == action]
            if known:
                self.send(405, {'error': 'method %s not allowed on %s' % (self.command, url.path)}, {'Allow': ', '.join(sorted(known))})
            else:
                self.admin_reply(404, {'error': 'no admin endpoint %s' % url.path})
            return
        handler(query, body)

    def admin_health(self, _query, _body):
        self.admin_reply(200, {'status': 'ok', 'port': self.emulator.port, 'base_url': self.emulator.base_url})

    def admin_stats(self, _query, _body):
        with self.emulator.lock:
            payload = self.emulator.stats.describe()
        self.admin_reply(200, payload)

    def admin_stats_reset(self, _query, _body):
        with self.emulator.lock:
            self.emulator.stats = Stats()
            payload = self.emulator.stats.describe()
        self.admin_reply(200, payload)

    def admin_faults(self, _query, _body):
        with self.emulator.lock:
            payload = self.emulator.faults.describe()
        self.admin_reply(200, payload)

    def admin_faults_put(self, _query, body):
        try:
            doc = json.loads(body.decode('utf-8') or '{}')
            with self.emulator.lock:
                self.emulator.faults.configure(doc)
                payload = self.emulator.faults.describe()
        except (ValueError, FaultConfigError) as exc:
            self.admin_reply(400, {'error': str(exc)})
            return
        self.admin_reply(200, payload)

    def admin_faults_delete(self, _query, _body):
        with self.emulator.lock:
            self.emulator.faults.clear()
            payload = self.emulator.faults.describe()
        self.admin_reply(200, payload)

    def admin_channels(self, query, _body):
        service_sid = (query.get('service') or [None])[-1]
        account_sid = (query.get('account') or [None])[-1]
        if not service_sid:
            self.admin_reply(400, {'error': 'query parameter service=IS... is required'})
            return
        with self.emulator.lock:
            service = self.emulator.state.services.get(service_sid)
            if service is None or (account_sid and service.account_sid != account_sid):
                payload = None
            else:
                payload = [dict(service.channels[sid]) for _date, sid in service.order]
        if payload is None:
            self.admin_reply(404, {'error': 'no service %s%s' % (service_sid, ' in account %s' % account_sid if account_sid else '')})
            return
        self.admin_reply(200, payload)

    def admin_reset(self, _query, _body):
        self.emulator.reset()
        self.admin_reply(200, {'status': 'reset'})

    def admin_shutdown(self, _query, _body):
        self.admin_reply(200, {'status': 'shutting down'})
        self.close_connection = True
        threading.Thread(target=self.emulator.shutdown).start()


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='python3 tests/emulator', description='Twilio Chat/Conversations API emulator for tests (loopback only).')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to bind (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=0, help='TCP port; 0 picks a free one (default 0)')
    parser.add_argument('--port-file', help='write the bound port to this file once listening')
    parser.add_argument('--seed', help='seed JSON file (default: the built-in seeds/default.json)')
    parser.add_argument('--generate', type=int, default=0, metavar='N', help='add N generated channels to the first service of the first account')
    parser.add_argument('--public-ratio', type=float, default=0.9, metavar='R', help='share of generated channels that are public (default 0.9)')
    parser.add_argument('--concurrency-limit', type=int, default=DEFAULT_CONCURRENCY_LIMIT, metavar='N',
                        help='in-flight requests allowed per account before 429/20429; 0 = unlimited (default 100)')
    parser.add_argument('--latency-ms', type=int, default=0, metavar='N', help='delay every API request by N ms while it counts as in flight')
    parser.add_argument('--fault-429', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 429 with Retry-After: 1')
    parser.add_argument('--fault-500', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 500')
    parser.add_argument('--fault-503', type=float, default=0.0, metavar='RATE', help='fraction of API requests answered 503')
    parser.add_argument('--fault-drop', type=float, default=0.0, metavar='RATE', help='fraction of API requests whose connection is closed unanswered')
    parser.add_argument('--ragged-pages', action='store_true', help='return short (and some empty) pages while more items remain')
    parser.add_argument('--random-seed', type=int, help='seed of the fault random generator, for repeatable runs')
    parser.add_argument('--lifetime', type=float, default=DEFAULT_LIFETIME, metavar='SECONDS', help='stop by itself after this long (default 3600)')
    parser.add_argument('--quiet', action='store_true', help='no access log on stderr')
    args = parser.parse_args(argv)
    if args.lifetime <= 0:
        parser.error('--lifetime must be positive: the emulator never runs unbounded')
    if args.concurrency_limit < 0 or args.latency_ms < 0 or args.generate < 0:
        parser.error('--concurrency-limit, --latency-ms and --generate must not be negative')
    try:
        loopback_address(args.host)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def options_from_args(args):
    faults = {'rate_429': args.fault_429, 'rate_500': args.fault_500, 'rate_503': args.fault_503,
              'rate_drop': args.fault_drop, 'ragged_pages': args.ragged_pages}
    return Options(host=args.host, port=args.port, seed_path=args.seed, generate=args.generate, public_ratio=args.public_ratio,
                   concurrency_limit=args.concurrency_limit, latency_ms=args.latency_ms, random_seed=args.random_seed,
                   faults=faults, quiet=args.quiet, lifetime=args.lifetime, port_file=args.port_file)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        emulator = Emulator(options_from_args(args))
    except (SeedError, FaultConfigError, OSError, ValueError, KeyError) as exc:
        sys.stderr.write('twilio emulator: cannot start: %s\n' % exc)
        return 2
    sys.stderr.write('twilio emulator listening on %s (lifetime %ss)\n' % (emulator.base_url, args.lifetime))
    sys.stderr.flush()
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
