# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Injected failures: random rates and targeted rules, set from the command line or the admin API."""

import random
import re

RATE_KEYS = ('rate_429', 'rate_500', 'rate_503', 'rate_drop')
RULE_KEYS = ('method', 'path_regex', 'status', 'times', 'html', 'drop', 'retry_after')


class FaultConfigError(ValueError):
    """A fault configuration the emulator cannot apply."""


class Fault:
    """What to answer instead of the real response."""

    def __init__(self, status=None, drop=False, html=False, retry_after=None):
        self.status = status
        self.drop = drop
        self.html = html
        self.retry_after = retry_after


def _rate(value, name):
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise FaultConfigError('%s must be a number between 0 and 1' % name) from None
    if not 0.0 <= rate <= 1.0:
        raise FaultConfigError('%s must be between 0 and 1' % name)
    return rate


def _rule(doc):
    if not isinstance(doc, dict):
        raise FaultConfigError('each rule must be an object')
    unknown = set(doc) - set(RULE_KEYS)
    if unknown:
        raise FaultConfigError('unknown rule keys: %s' % ', '.join(sorted(unknown)))
    try:
        pattern = re.compile(doc.get('path_regex') or '')
    except re.error as exc:
        raise FaultConfigError('path_regex does not compile: %s' % exc) from None
    html = bool(doc.get('html', False))
    status = doc.get('status')
    if status is None:
        status = 502 if html else 500
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise FaultConfigError('rule status must be an integer between 400 and 599')
    times = doc.get('times')
    if times is not None and (not isinstance(times, int) or times < 0):
        raise FaultConfigError('rule times must be null or a non-negative integer')
    retry_after = doc.get('retry_after')
    if retry_after is None and status == 429:
        retry_after = 1
    return {
        'method': (doc.get('method') or '').upper() or None,
        'path_regex': pattern.pattern,
        'compiled': pattern,
        'status': status,
        'times': times,
        'html': html,
        'drop': bool(doc.get('drop', False)),
        'retry_after': retry_after,
    }


class Faults:
    """Fault settings and the random source; the caller holds the server lock."""

    def __init__(self, random_seed=None):
        self.random = random.Random(random_seed)
        self.rates = dict.fromkeys(RATE_KEYS, 0.0)
        self.ragged_pages = False
        self.rules = []

    def configure(self, doc):
        """Replace the whole configuration (PUT semantics): absent keys go back to their defaults."""
        if not isinstance(doc, dict):
            raise FaultConfigError('the fault configuration must be a JSON object')
        unknown = set(doc) - set(RATE_KEYS) - {'ragged_pages', 'rules'}
        if unknown:
            raise FaultConfigError('unknown keys: %s' % ', '.join(sorted(unknown)))
        rates = dict((key, _rate(doc.get(key, 0.0), key)) for key in RATE_KEYS)
        if sum(rates.values()) > 1.0:
            raise FaultConfigError('the fault rates add up to more than 1')
        rules = doc.get('rules') or []
        if not isinstance(rules, list):
            raise FaultConfigError('rules must be a list')
        compiled = [_rule(rule) for rule in rules]
        self.rates = rates
        self.ragged_pages = bool(doc.get('ragged_pages', False))
        self.rules = compiled

    def clear(self):
        self.configure({})

    def describe(self):
        doc = dict(self.rates)
        doc['ragged_pages'] = self.ragged_pages
        doc['rules'] = [dict((key, rule[key]) for key in RULE_KEYS) for rule in self.rules]
        return doc

    def pick(self, method, targets):
        """Return the Fault for this request, if any; a matching rule wins over the random rates."""
        for rule in self.rules:
            if rule['times'] == 0:
                continue
            if rule['method'] and rule['method'] != method:
                continue
            if not any(rule['compiled'].search(target) for target in targets):
                continue
            if rule['times'] is not None:
                rule['times'] -= 1
            return Fault(status=rule['status'], drop=rule['drop'], html=rule['html'], retry_after=rule['retry_after'])
        if not any(self.rates.values()):
            return None
        draw = self.random.random()
        threshold = 0.0
        for key, fault in (('rate_drop', Fault(drop=True)), ('rate_429', Fault(status=429, retry_after=1)),
                           ('rate_500', Fault(status=500)), ('rate_503', Fault(status=503))):
            threshold += self.rates[key]
            if draw < threshold:
                return fault
        return None
