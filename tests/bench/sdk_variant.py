#!/usr/bin/env python
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Migrate a service with Twilio's own Python SDK, the way Twilio's sample does it.

List the public channels (Chat v2), update each in turn to private (Chat v3), and list
again from the first page until none is left, one request at a time. The SDK is pointed
at the emulator by an HTTP client that rewrites the scheme and host of every URL.
"""

import argparse
import json
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client


class LocalHttpClient(TwilioHttpClient):
    """Sends what the SDK addresses to https://chat.twilio.com (or any Twilio host) to a local base URL."""

    def __init__(self, base_url, **kwargs):
        super(LocalHttpClient, self).__init__(**kwargs)
        base = urlsplit(base_url)
        self.scheme, self.netloc = base.scheme, base.netloc

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        parts = urlsplit(url)
        return super(LocalHttpClient, self).request(
            method, urlunsplit((self.scheme, self.netloc, parts.path, parts.query, parts.fragment)), *args, **kwargs)


def migrate(client, service_sid, page_size=100, max_passes=1000):
    """Twilio's sample: while the first page of public channels is not empty, migrate what it holds."""
    pages = migrated = 0
    for _pass in range(max_passes):
        public = client.chat.v2.services(service_sid).channels.list(type='public', limit=page_size, page_size=page_size)
        pages += 1
        if not public:
            break
        for channel in public:
            client.chat.v3.channels(service_sid, channel.sid).update(type='private')
            migrated += 1
    return {'list_pages': pages, 'migrated': migrated}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--base-url', required=True)
    parser.add_argument('--account-sid', required=True)
    parser.add_argument('--auth-token', required=True)
    parser.add_argument('--service-sid', required=True)
    parser.add_argument('--result', help='write the counts to this JSON file')
    args = parser.parse_args()
    client = Client(args.account_sid, args.auth_token, http_client=LocalHttpClient(args.base_url))
    started = time.monotonic()
    result = migrate(client, args.service_sid)
    result['seconds'] = round(time.monotonic() - started, 3)
    print(json.dumps(result))
    if args.result:
        with open(args.result, 'w', encoding='utf-8') as handle:
            json.dump(result, handle)
    return 0


if __name__ == '__main__':
    sys.exit(main())
