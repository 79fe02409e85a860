# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Behaviours Twilio does not document, made selectable: how filtered lists page, and channels appearing mid-run."""

from .state import add_appearing_channels

PAGING_MODES = ('keyset', 'offset')
APPEARING_KEYS = ('after_writes', 'count', 'times')


class ModeConfigError(ValueError):
    """A mode configuration the emulator cannot apply."""


def _count(doc, key, minimum, default=None):
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ModeConfigError('appearing.%s must be an integer of at least %d' % (key, minimum))
    return value


def _appearing(doc):
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise ModeConfigError('appearing must be null or an object')
    unknown = set(doc) - set(APPEARING_KEYS)
    if unknown:
        raise ModeConfigError('unknown appearing keys: %s' % ', '.join(sorted(unknown)))
    return {'after_writes': _count(doc, 'after_writes', 1), 'count': _count(doc, 'count', 1), 'times': _count(doc, 'times', 1, 1)}


class Modes:
    """The paging mode and the appearing-channels rule; the caller holds the server lock.

    ``paging``: ``keyset`` (default) pages after the last item seen, so items leaving a filter
    never shift later pages; ``offset`` returns items [Page*PageSize, (Page+1)*PageSize) of the
    list as filtered at request time, so they do.
    ``appearing``: after every ``after_writes`` successful writes to a Chat service, ``count``
    new public channels appear in that service, at most ``times`` times per service.
    """

    def __init__(self):
        self.paging = 'keyset'
        self.appearing = None
        self.writes_by_service = {}
        self.appeared_by_service = {}

    def configure(self, doc):
        """Replace the whole configuration (PUT semantics): absent keys go back to their defaults."""
        if not isinstance(doc, dict):
            raise ModeConfigError('the mode configuration must be a JSON object')
        unknown = set(doc) - {'paging', 'appearing'}
        if unknown:
            raise ModeConfigError('unknown keys: %s' % ', '.join(sorted(unknown)))
        paging = doc.get('paging', 'keyset')
        if paging not in PAGING_MODES:
            raise ModeConfigError('paging must be one of %s, not %r' % (', '.join(PAGING_MODES), paging))
        appearing = _appearing(doc.get('appearing'))
        self.paging = paging
        self.appearing = appearing
        self.writes_by_service = {}
        self.appeared_by_service = {}

    def describe(self):
        return {
            'paging': self.paging,
            'appearing': dict(self.appearing) if self.appearing else None,
            'writes_by_service': dict(self.writes_by_service),
            'appeared_by_service': dict(self.appeared_by_service),
        }

    @property
    def offset_paging(self):
        return self.paging == 'offset'

    def after_write(self, state, service):
        """Count a successful write to ``service``; make channels appear when the rule says so."""
        writes = self.writes_by_service.get(service.sid, 0) + 1
        self.writes_by_service[service.sid] = writes
        rule = self.appearing
        if not rule or writes % rule['after_writes']:
            return
        appeared = self.appeared_by_service.get(service.sid, 0)
        if appeared >= rule['count'] * rule['times']:
            return
        add_appearing_channels(state, service, rule['count'], appeared)
        self.appeared_by_service[service.sid] = appeared + rule['count']
