# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one client of the emulator's admin API (standard library only).

Tests, the integration targets, the demo and the bench use it, directly or through
``python3 tests/emulator admin ...`` (cli.py). It reads the emulator's own state, never
through the collection's code, so a bug in the collection cannot hide itself.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_TIMEOUT = 10


class AdminError(Exception):
    """The admin API answered with an error, or could not be reached."""

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.status = status
        self.body = body


class EmulatorClient:
    """Admin calls on one emulator, e.g. ``EmulatorClient('http://127.0.0.1:PORT').stats()['writes']``."""

    def __init__(self, base_url, timeout=DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout

    def call(self, method, action, payload=None, query=None):
        """One admin call; returns the decoded JSON answer or raises AdminError."""
        url = '%s/_emulator/%s' % (self.base_url, action)
        if query:
            url += '?' + urllib.parse.urlencode(query)
        data = json.dumps(payload).encode('utf-8') if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode('utf-8'))
        except urllib.error.HTTPError as exc:
            text = exc.read().decode('utf-8', 'replace')
            try:
                body = json.loads(text)
            except ValueError:
                body = text
            message = body.get('error', text) if isinstance(body, dict) else text
            raise AdminError('%s %s: HTTP %d: %s' % (method, url, exc.code, message), exc.code, body) from None
        except (urllib.error.URLError, OSError) as exc:
            raise AdminError('%s %s: %s' % (method, url, getattr(exc, 'reason', exc))) from None

    def health(self):
        return self.call('GET', 'health')

    def wait_healthy(self, timeout=30.0, interval=0.2):
        """Poll health until it answers; bounded."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.health()
            except AdminError:
                if time.monotonic() >= deadline:
                    raise
            time.sleep(interval)

    def stats(self):
        return self.call('GET', 'stats')

    def reset_stats(self):
        return self.call('POST', 'stats/reset')

    def reset(self):
        """Reload the seed; stats and faults cleared, limits and modes back to their start values."""
        return self.call('POST', 'reset')

    def faults(self):
        return self.call('GET', 'faults')

    def set_faults(self, config):
        """Replace the whole fault configuration (absent keys go back to their defaults)."""
        return self.call('PUT', 'faults', config)

    def clear_faults(self):
        return self.call('DELETE', 'faults')

    def limits(self):
        return self.call('GET', 'limits')

    def set_limits(self, concurrency_limit=None, latency_ms=None):
        """Change the given limits only."""
        changes = dict((key, value) for key, value in (('concurrency_limit', concurrency_limit), ('latency_ms', latency_ms))
                       if value is not None)
        return self.call('PUT', 'limits', changes)

    def modes(self):
        return self.call('GET', 'modes')

    def set_modes(self, config):
        """Replace the modes: {"paging": "keyset"|"offset", "appearing": null|{"after_writes", "count", "times"}}."""
        return self.call('PUT', 'modes', config)

    def channels(self, service_sid, account_sid=None):
        """Raw channel records of a service, in list order."""
        query = {'service': service_sid}
        if account_sid:
            query['account'] = account_sid
        return self.call('GET', 'channels', query=query)

    def accounts(self):
        """Every account with its owner, status, credentials and service SIDs."""
        return self.call('GET', 'accounts')

    def secrets(self):
        """Every credential secret of the emulator, each with what it is (never a part of it): the accounts'
        auth tokens and their API keys' secrets."""
        found = {}
        for account in self.accounts():
            if account.get('auth_token'):
                found[account['auth_token']] = 'the auth token of %s' % account['sid']
            for key in account.get('api_keys') or []:
                if key.get('secret'):
                    found[key['secret']] = 'the secret of API key %s' % key.get('sid')
        return found

    def load_seed(self, seed):
        """Replace the seed document and reset."""
        return self.call('PUT', 'seed', seed)

    def shutdown(self):
        return self.call('POST', 'shutdown')

    def wait_for_stat(self, key, at_least, timeout=60.0, interval=0.02, while_alive=None):
        """Poll stats until ``stats[key] >= at_least``; return the stats, or raise AdminError on timeout.

        ``while_alive`` (a callable) stops the wait early, with an error, once it returns False.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.stats()
            if current.get(key, 0) >= at_least:
                return current
            if while_alive is not None and not while_alive():
                raise AdminError('gave up waiting for %s >= %s: the watched process ended at %s' % (key, at_least, current.get(key)))
            if time.monotonic() >= deadline:
                raise AdminError('%s did not reach %s within %ss (last %s)' % (key, at_least, timeout, current.get(key)))
            time.sleep(interval)
