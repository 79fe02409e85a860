# -*- coding: utf-8 -*-
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: migration_report
short_description: Build the per-account report of a Chat migration, dry run or audit
version_added: 0.2.0
description:
  - Turns the registered results of the looped tasks of the role C(twilio_ops.chat.twilio_chat_migration) into the
    report it writes for each account, as JSON and Markdown.
  - For a migration or a dry run, the input is the results of M(twilio_ops.chat.twilio_chat_channels) for each service,
    and, for a migration, the results of M(twilio_ops.chat.twilio_chat_channel_info) with O(twilio_ops.chat.twilio_chat_channel_info#module:summary_only=true)
    read back after it, in the same order (O(checks)).
  - For an audit, the input is the results of M(twilio_ops.chat.twilio_chat_channel_info) with
    O(twilio_ops.chat.twilio_chat_channel_info#module:summary_only=true) for each service.
  - Each result names its service by its loop variable (C(ansible_loop_var), else C(item)), a dict with C(sid) and
    optionally C(messaging_service_sid), C(channels) and C(friendly_name), as in the role's C(twilio_chat_services).
  - A result with C(msg) is a service that failed; it is reported with its error, and counts as a failed service.
  - Holds no credentials, only SIDs, counts and error messages.
author:
  - twilio_ops.chat maintainers (@twilio-ops)
positional: _input, kind, account, account_sid
options:
  _input:
    description: The C(results) of the looped task, one per service.
    type: list
    elements: dict
    required: true
  kind:
    description:
      - V(migration) and V(dry-run) for the results of M(twilio_ops.chat.twilio_chat_channels) (V(dry-run) in check mode),
        V(audit) for those of M(twilio_ops.chat.twilio_chat_channel_info).
    type: str
    choices: [migration, dry-run, audit]
    required: true
  account:
    description: The account's name in the report, the inventory host name.
    type: str
    required: true
  account_sid:
    description: The account SID.
    type: str
    required: true
  checks:
    description:
      - With O(kind=migration), the results of M(twilio_ops.chat.twilio_chat_channel_info) with
        O(twilio_ops.chat.twilio_chat_channel_info#module:summary_only=true) for each service, in the order of the input.
      - Ignored for the other kinds.
    type: list
    elements: dict
  account_friendly_name:
    description: The account's friendly name, when known (the C(twilio_ops.chat.twilio_accounts) inventory plugin sets it).
    type: str
    version_added: 0.2.0
  generated_at:
    description: When the report was made, as written in it. Defaults to now, in UTC, as V(YYYY-MM-DDTHH:MM:SSZ).
    type: str
  sample_size:
    description: How many channel SIDs each sample of a verification lists at most.
    type: int
    default: 20
'''

EXAMPLES = r'''
- name: Build the report of a migration or dry run
  ansible.builtin.set_fact:
    report: >-
      {{ migration_runs.results | twilio_ops.chat.migration_report(
           kind='dry-run' if ansible_check_mode else 'migration', account=inventory_hostname,
           account_sid=twilio_account_sid, checks=verification_reads.results | default([])) }}

- name: Build the report of an audit
  ansible.builtin.set_fact:
    report: >-
      {{ audit_reads.results | twilio_ops.chat.migration_report('audit', inventory_hostname, twilio_account_sid) }}

- name: Write it
  ansible.builtin.copy:
    content: "{{ report | to_nice_json }}\n"
    dest: "reports/{{ inventory_hostname }}.{{ report.kind }}.json"
    mode: "0644"
  delegate_to: localhost
'''

RETURN = r'''
_value:
  description: The report.
  type: dict
  contains:
    kind:
      description: V(migration), V(dry-run) or V(audit).
      type: str
    dry_run:
      description: Whether nothing was changed (a dry run or an audit).
      type: bool
    account:
      description: O(account).
      type: str
    account_sid:
      description: O(account_sid).
      type: str
    account_friendly_name:
      description: O(account_friendly_name), or V(null).
      type: str
      version_added: 0.2.0
    generated_at:
      description: O(generated_at).
      type: str
    services:
      description: One entry per service, in the order of the input.
      type: list
      elements: dict
      contains:
        service_sid:
          description: The Chat service SID.
          type: str
        friendly_name:
          description: The service's friendly name when the role found the service itself, else V(null).
          type: str
          version_added: 0.2.0
        messaging_service_sid:
          description: The messaging service asked for, or V(null).
          type: str
        selection:
          description: V(all) for every channel, V(listed) when the service lists its channels.
          type: str
        status:
          description: V(ok), V(failed) or V(verification failed).
          type: str
        error:
          description: Why the service failed, or V(null).
          type: str
        total:
          description:
            - In a migration or dry run, how many channels were looked at; in an audit, how many channels were selected.
          type: int
        changed:
          description: How many channels were migrated (in a dry run or audit, would be).
          type: int
        unchanged:
          description: How many channels were already as asked.
          type: int
        failed:
          description: How many channels failed.
          type: int
        failed_channels:
          description: The channels that failed, with C(sid), C(unique_name) and C(error).
          type: list
          elements: dict
        verification:
          description:
            - In a migration, what the service holds after it; V(null) in a dry run or audit.
            - C(passed), C(error), C(public_left) and C(other_messaging_service) (private channels on another messaging
              service), each count with a C(_sample) list of at most O(sample_size) channel SIDs.
          type: dict
        run:
          description:
            - In a migration or dry run, the numbers of the bulk task that worked on the service, from its C(summary), namely
              C(elapsed_seconds), C(channels_per_second) (channels looked at per second), C(passes), C(throttled)
              (HTTP 429 answers met), C(retries) and C(concurrency) (the width the engine ended at), and C(journal),
              the path of the service's migration journal (V(null) when none was written).
            - V(null) in an audit, or when the task failed before it ran.
          type: dict
          version_added: 0.2.0
        public:
          description: In an audit only, how many of the selected channels are public.
          type: int
          version_added: 0.2.0
        private:
          description: In an audit only, how many of the selected channels are private.
          type: int
          version_added: 0.2.0
        public_channels:
          description: In an audit only, the public channels (C(sid), C(unique_name)) the channel_info results list.
          type: list
          elements: dict
        private_channels_by_messaging_service:
          description: In an audit only, how many private channels use each messaging service (V(none) for none).
          type: dict
    totals:
      description:
        - Over the account, C(services), C(failed_services) (with a status other than V(ok)), C(total), C(changed),
          C(unchanged) and C(failed).
      type: dict
'''

import datetime

from ansible.errors import AnsibleFilterError
from ansible_collections.twilio_ops.chat.plugins.module_utils._channels import SAMPLE_SIZE

KINDS = ('migration', 'dry-run', 'audit')
EMPTY_SUMMARY = {'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0}
EMPTY_CENSUS = {'total': 0, 'public': 0, 'public_sample': [], 'private': 0, 'private_by_messaging_service': {},
                'other_messaging_service': 0, 'other_messaging_service_sample': []}


def _service_of(result):
    """The twilio_chat_services entry a looped result was made for."""
    service = result.get(result.get('ansible_loop_var', 'item'))
    if not isinstance(service, dict) or not service.get('sid'):
        raise AnsibleFilterError('migration_report: each result must carry its service (a dict with sid) in its loop variable')
    return service


def _service_entry(service, error, counts):
    entry = {
        'service_sid': service['sid'],
        # Known when the service was found by the role rather than listed in the inventory.
        'friendly_name': service.get('friendly_name'),
        'messaging_service_sid': service.get('messaging_service_sid'),
        'selection': 'all' if service.get('channels') is None else 'listed',
        'status': 'failed' if error is not None else 'ok',
        'error': error,
        'failed_channels': [],
        'verification': None,
        'run': None,
    }
    entry.update((key, counts[key]) for key in ('total', 'changed', 'unchanged', 'failed'))
    return entry


def _census(read):
    """The census a twilio_chat_channel_info summary_only result holds (empty when the read failed)."""
    return EMPTY_CENSUS if read.get('msg') is not None else read.get('summary') or EMPTY_CENSUS


def _to_change(census):
    """How many counted channels a migration would change: the public ones, and the private ones on another messaging service."""
    return census['public'] + census['other_messaging_service']


def _verification(check, sample_size):
    error = check.get('msg')
    census = _census(check)
    public_left = [channel['sid'] for channel in census['public_sample']]
    other = [channel['sid'] for channel in census['other_messaging_service_sample']]
    return {
        'passed': error is None and _to_change(census) == 0,
        'error': error,
        'public_left': census['public'],
        'public_left_sample': public_left[:sample_size],
        'other_messaging_service': census['other_messaging_service'],
        'other_messaging_service_sample': other[:sample_size],
    }


def _run_numbers(run):
    """How the bulk task went: time, rate and throttling, so that a run that succeeded after heavy throttling says so."""
    summary = run.get('summary')
    if not summary or 'elapsed_seconds' not in summary:
        return None
    elapsed = summary['elapsed_seconds']
    return {
        'elapsed_seconds': elapsed,
        'channels_per_second': round(summary['total'] / elapsed, 1) if elapsed > 0 else None,
        'passes': summary.get('passes'),
        'throttled': summary.get('throttled', 0),
        'retries': summary.get('retries', 0),
        'concurrency': summary.get('concurrency'),
        'journal': run.get('journal'),
    }


def _migration_services(runs, checks, dry_run, sample_size):
    if not dry_run and len(checks) != len(runs):
        raise AnsibleFilterError('migration_report: %d verification results for %d services' % (len(checks), len(runs)))
    services = []
    for index, run in enumerate(runs):
        entry = _service_entry(_service_of(run), run.get('msg'), run.get('summary') or EMPTY_SUMMARY)
        entry['failed_channels'] = [
            {'sid': channel.get('sid'), 'unique_name': channel.get('unique_name'), 'error': channel.get('msg')}
            for channel in run.get('channel_results') or [] if channel.get('failed')]
        entry['run'] = _run_numbers(run)
        if not dry_run:
            entry['verification'] = _verification(checks[index], sample_size)
            if entry['status'] == 'ok' and not entry['verification']['passed']:
                entry['status'] = 'verification failed'
        services.append(entry)
    return services


def _audit_services(reads):
    services = []
    for read in reads:
        service = _service_of(read)
        error = read.get('msg')
        census = _census(read)
        would_change = _to_change(census)
        counts = {'total': census['total'], 'changed': would_change, 'unchanged': census['total'] - would_change, 'failed': 0}
        entry = _service_entry(service, error, counts)
        entry['public'] = census['public']
        entry['private'] = census['private']
        entry['public_channels'] = [{'sid': c['sid'], 'unique_name': c.get('unique_name')} for c in census['public_sample']]
        entry['private_channels_by_messaging_service'] = dict(sorted(census['private_by_messaging_service'].items()))
        services.append(entry)
    return services


def migration_report(results, kind, account, account_sid, checks=None, generated_at=None, sample_size=SAMPLE_SIZE,
                     account_friendly_name=None):
    """The per-account report, from the registered results of the role's looped tasks."""
    if kind not in KINDS:
        raise AnsibleFilterError('migration_report: kind must be one of %s, got %r' % (', '.join(KINDS), kind))
    if not isinstance(results, list):
        raise AnsibleFilterError('migration_report: the input must be the results list of a looped task')
    if kind == 'audit':
        services = _audit_services(results)
    else:
        services = _migration_services(results, list(checks or []), kind == 'dry-run', sample_size)
    if generated_at is None:
        generated_at = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    totals = {'services': len(services), 'failed_services': sum(1 for s in services if s['status'] != 'ok')}
    for key in ('total', 'changed', 'unchanged', 'failed'):
        totals[key] = sum(s[key] for s in services)
    return {
        'kind': kind,
        'dry_run': kind != 'migration',
        'account': account,
        'account_sid': account_sid,
        'account_friendly_name': account_friendly_name,
        'generated_at': generated_at,
        'services': services,
        'totals': totals,
    }


class FilterModule(object):
    def filters(self):
        return {'migration_report': migration_report}
