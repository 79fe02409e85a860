# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stateful HTTP emulator of the Twilio APIs the collection's tests use (Accounts, Chat v2/v3, Conversations v1)."""
