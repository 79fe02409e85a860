# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The attributes every module documents; a module adds its own support and details.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return a prediction of the changed status without modifying anything.
  diff_mode:
    description: Returns details on what has changed, or would change in check mode, when in diff mode.
'''

    # For modules that only read.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details:
      - The module changes nothing, so there is no diff.
'''

    # Membership of the action group declared in meta/runtime.yml.
    ACTIONGROUP_TWILIO = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/twilio_ops.chat.twilio) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - twilio_ops.chat.twilio
'''
