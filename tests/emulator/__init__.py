# -*- coding: utf-8 -*-
# Copyright: Contributors to the twilio_ops.chat collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stateful HTTP emulator of the Twilio Chat v2/v3 and Conversations v1 APIs used by the collection's tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type
