# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # What a migration aims at, shared by the single and bulk migration modules.
    # Paired with channel_target_argument_spec() in plugins/module_utils/_argspec.py.
    DOCUMENTATION = r'''
options:
  service_sid:
    description:
      - The SID of the Chat service (V(IS) followed by 32 hexadecimal digits).
    type: str
    required: true
  type:
    description:
      - The wanted type of the channels.
      - V(private) migrates a public channel. V(public) only asserts that a channel is still public;
        the module fails for a private channel because Twilio does not allow migrating to public.
    type: str
    choices: [private, public]
    default: private
  messaging_service_sid:
    description:
      - The SID of the messaging service (V(MG) followed by 32 hexadecimal digits) the channels' conversations should use.
      - When set, a private channel with another or no messaging service is updated too.
      - When not set, the messaging service is left as it is (Twilio assigns the account's default when it migrates a channel).
      - Only with O(type=private).
    type: str
  webhook_enabled:
    description:
      - Sent as the C(X-Twilio-Webhook-Enabled) header of every migration request, so that the service's webhooks
        fire (V(true)) or not (V(false)) for the change. Not sent when unset.
    type: bool
'''
