# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print an ansible-playbook log, keeping only the first channels of each long diff.

The bulk module's diff holds every changed channel (a label line, then its old
and new state), thousands for a real service; on screen a few channels per
service show its shape, and the log keeps them all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

CHANNELS_SHOWN = int(sys.argv[1])
FULL_LOG = sys.argv[2]


def is_channel_label(line):
    return line.startswith(' CH') and line.rstrip().endswith(':')


def main():
    in_hunk = False
    channels = hidden = 0
    with open(FULL_LOG, encoding='utf-8') as log:
        lines = log.readlines()
    for line in lines:
        if line.startswith('@@'):
            in_hunk, channels, hidden = True, 0, 0
        elif in_hunk and line[:1] in (' ', '-', '+'):
            if is_channel_label(line):
                channels += 1
                if channels > CHANNELS_SHOWN:
                    hidden += 1
            if channels > CHANNELS_SHOWN:
                continue
        elif in_hunk:
            in_hunk = False
            if hidden:
                sys.stdout.write('  ... and %d more channels (every one is in %s)\n' % (hidden, FULL_LOG))
        sys.stdout.write(line)
        sys.stdout.flush()


if __name__ == '__main__':
    main()
