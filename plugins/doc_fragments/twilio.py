# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options every twilio_ops.chat module shares.
    DOCUMENTATION = r'''
options:
  account_sid:
    description:
      - The SID of the Twilio account (or subaccount) that owns the Chat service.
      - If not set, the value of the E(TWILIO_ACCOUNT_SID) environment variable is used.
      - Must be V(AC) followed by 32 hexadecimal digits; a malformed value fails before any request.
    type: str
    required: true
  auth_token:
    description:
      - The auth token of O(account_sid).
      - If not set, the value of the E(TWILIO_AUTH_TOKEN) environment variable is used.
      - One of O(auth_token), or O(api_key) with O(api_secret), is required.
      - O(auth_token) and O(api_key) together are ambiguous and fail before any request, whether they come from
        options, C(module_defaults) or the environment. To use an API key while E(TWILIO_AUTH_TOKEN) is set,
        unset the variable or set O(auth_token) to V(null) in the task (and the same for O(api_key) and E(TWILIO_API_KEY)).
      - Never logged, never returned.
    type: str
  api_key:
    description:
      - The SID of a Twilio API key (V(SK) followed by 32 hexadecimal digits), the alternative to O(auth_token).
      - If not set, the value of the E(TWILIO_API_KEY) environment variable is used.
    type: str
  api_secret:
    description:
      - The secret of O(api_key).
      - If not set, the value of the E(TWILIO_API_SECRET) environment variable is used.
      - Never logged, never returned.
    type: str
  region:
    description:
      - The Twilio region to send requests to, for example V(ie1) or V(au1).
      - Hosts are built as Twilio's SDKs build them, for example C(chat.dublin.ie1.twilio.com).
      - If not set, the value of the E(TWILIO_REGION) environment variable is used.
    type: str
  edge:
    description:
      - The Twilio edge location to send requests through, for example V(dublin) or V(sydney).
      - An edge without a region uses region V(us1).
      - If not set, the value of the E(TWILIO_EDGE) environment variable is used.
    type: str
  api_base_url:
    description:
      - Send every request (Chat and Conversations) to this base URL followed by the API path,
        for example V(https://twilio-proxy.example.com) or a local Twilio emulator.
      - Overrides O(region) and O(edge).
      - Plain V(http://) is refused unless the host is loopback (V(127.0.0.1), V(::1) or V(localhost)),
        so that credentials never travel in clear text.
      - If not set, the value of the E(TWILIO_API_BASE_URL) environment variable is used.
    type: str
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to verify TLS certificates. Only set to V(false) for a test endpoint you control.
    type: bool
    default: true
  max_retries:
    description:
      - How many times a request is retried after HTTP 429, 500, 502, 503, 504 or a connection error,
        with exponential backoff and jitter that honours a C(Retry-After) header (waits are capped at 30 seconds).
      - V(0) disables retries. At most V(20).
    type: int
    default: 5
notes:
  - The modules run on the controller (or wherever the task is delegated) and talk to Twilio over HTTPS;
    run them with a local connection or delegate them to C(localhost).
  - Set the connection options once for every module with C(module_defaults) and the action group
    C(group/twilio_ops.chat.twilio).
requirements:
  - requests
'''
