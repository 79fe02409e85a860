# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The report the role writes, built from registered results as Ansible hands them over."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.twilio_ops.chat.plugins.filter.migration_report import FilterModule, migration_report

IS_A = 'IS' + 'a' * 32
IS_B = 'IS' + 'b' * 32
MG_A = 'MG' + 'a' * 32
MG_B = 'MG' + 'b' * 32
ACCOUNT_SID = 'AC' + '1' * 32
LOOP_VAR = 'twilio_chat_migration_service'


def sid(n):
    return 'CH%032x' % n


def looped(service, **result):
    """One item of a looped task's registered results."""
    return dict(result, ansible_loop_var=LOOP_VAR, **{LOOP_VAR: service})


def census(total=0, public=(), private=0, by_ms=None, other=()):
    return {
        'total': total,
        'public': len(public),
        'public_sample': [{'sid': sid(n), 'unique_name': 'c%d' % n} for n in public],
        'private': private,
        'private_by_messaging_service': by_ms or {},
        'other_messaging_service': len(other),
        'other_messaging_service_sample': [{'sid': sid(n), 'unique_name': None} for n in other],
    }


def build(results, kind, **kwargs):
    return migration_report(results, kind, 'acme', ACCOUNT_SID, generated_at='2024-01-02T03:04:05Z', **kwargs)


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'migration_report': migration_report}


def test_dry_run_report():
    runs = [
        looped({'sid': IS_A, 'messaging_service_sid': MG_A},
               summary={'total': 5, 'changed': 3, 'unchanged': 2, 'failed': 0}, channel_results=[]),
        looped({'sid': IS_B, 'channels': ['lobby']}, summary={'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0}),
    ]
    assert build(runs, 'dry-run') == {
        'kind': 'dry-run',
        'dry_run': True,
        'account': 'acme',
        'account_sid': ACCOUNT_SID,
        'account_friendly_name': None,
        'generated_at': '2024-01-02T03:04:05Z',
        'services': [
            {'service_sid': IS_A, 'friendly_name': None, 'messaging_service_sid': MG_A, 'selection': 'all', 'status': 'ok', 'error': None,
             'total': 5, 'changed': 3, 'unchanged': 2, 'failed': 0, 'failed_channels': [], 'verification': None, 'run': None},
            {'service_sid': IS_B, 'friendly_name': None, 'messaging_service_sid': None, 'selection': 'listed', 'status': 'ok', 'error': None,
             'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0, 'failed_channels': [], 'verification': None, 'run': None},
        ],
        'totals': {'services': 2, 'failed_services': 0, 'total': 6, 'changed': 4, 'unchanged': 2, 'failed': 0},
    }


def test_dry_run_ignores_the_skipped_verification():
    runs = [looped({'sid': IS_A}, summary={'total': 1, 'changed': 1, 'unchanged': 0, 'failed': 0})]
    skipped = [looped({'sid': IS_A}, skipped=True)]
    assert build(runs, 'dry-run', checks=skipped)['services'][0]['verification'] is None


def test_migration_with_a_failed_channel_and_a_passed_verification():
    channel_results = [
        {'sid': sid(1), 'unique_name': 'lobby', 'failed': True, 'msg': 'HTTP 400'},
        {'sid': sid(2), 'unique_name': None, 'failed': False, 'msg': 'migrated'},
    ]
    runs = [looped({'sid': IS_A, 'messaging_service_sid': MG_A}, msg='1 of 3 channels of service ... failed',
                   summary={'total': 3, 'changed': 2, 'unchanged': 0, 'failed': 1}, channel_results=channel_results)]
    checks = [looped({'sid': IS_A, 'messaging_service_sid': MG_A}, summary=census(total=3, public=[1], private=2))]
    report = build(runs, 'migration', checks=checks)
    service = report['services'][0]
    assert report['kind'] == 'migration' and report['dry_run'] is False
    assert service['status'] == 'failed'
    assert service['error'] == '1 of 3 channels of service ... failed'
    assert service['failed_channels'] == [{'sid': sid(1), 'unique_name': 'lobby', 'error': 'HTTP 400'}]
    assert service['verification'] == {
        'passed': False, 'error': None, 'public_left': 1, 'public_left_sample': [sid(1)],
        'other_messaging_service': 0, 'other_messaging_service_sample': []}
    assert report['totals'] == {'services': 1, 'failed_services': 1, 'total': 3, 'changed': 2, 'unchanged': 0, 'failed': 1}


def test_migration_whose_verification_fails_says_so():
    runs = [looped({'sid': IS_A, 'messaging_service_sid': MG_A}, summary={'total': 2, 'changed': 2, 'unchanged': 0, 'failed': 0})]
    checks = [looped({'sid': IS_A}, summary=census(total=30, private=30, by_ms={MG_B: 25, MG_A: 5}, other=range(25)))]
    service = build(runs, 'migration', checks=checks)['services'][0]
    assert service['status'] == 'verification failed'
    assert service['verification']['other_messaging_service'] == 25
    # The sample is bounded, whatever the module returned.
    assert service['verification']['other_messaging_service_sample'] == [sid(n) for n in range(20)]
    assert build(runs, 'migration', checks=checks, sample_size=2)['services'][0]['verification'][
        'other_messaging_service_sample'] == [sid(0), sid(1)]


def test_migration_whose_verification_read_failed():
    runs = [looped({'sid': IS_A}, summary={'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0})]
    checks = [looped({'sid': IS_A}, failed=True, msg='HTTP 503')]
    service = build(runs, 'migration', checks=checks)['services'][0]
    assert service['status'] == 'verification failed'
    assert service['error'] is None
    assert service['verification'] == {
        'passed': False, 'error': 'HTTP 503', 'public_left': 0, 'public_left_sample': [],
        'other_messaging_service': 0, 'other_messaging_service_sample': []}


def test_a_service_that_failed_before_any_summary_counts_zero():
    runs = [looped({'sid': IS_A}, failed=True, msg='HTTP 401')]
    report = build(runs, 'migration', checks=[looped({'sid': IS_A}, summary=census())])
    assert report['services'][0]['status'] == 'failed'
    assert report['services'][0]['total'] == 0
    assert report['totals']['failed_services'] == 1


def test_migration_needs_one_verification_per_service():
    runs = [looped({'sid': IS_A}, summary={'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0})]
    with pytest.raises(AnsibleFilterError, match='0 verification results for 1 services'):
        build(runs, 'migration')


def test_audit_report():
    reads = [
        looped({'sid': IS_A, 'messaging_service_sid': MG_A, 'friendly_name': 'Support'},
               summary=census(total=10, public=[1, 2], private=8, by_ms={MG_A: 5, MG_B: 2, 'none': 1}, other=[7, 8, 9])),
        looped({'sid': IS_B, 'channels': []}, summary=census()),
    ]
    report = build(reads, 'audit')
    assert report['kind'] == 'audit' and report['dry_run'] is True
    assert report['services'][0] == {
        'service_sid': IS_A, 'friendly_name': 'Support', 'messaging_service_sid': MG_A, 'selection': 'all', 'status': 'ok',
        'error': None, 'total': 10, 'changed': 5, 'unchanged': 5, 'failed': 0, 'failed_channels': [], 'verification': None, 'run': None,
        'public': 2, 'private': 8,
        'public_channels': [{'sid': sid(1), 'unique_name': 'c1'}, {'sid': sid(2), 'unique_name': 'c2'}],
        'private_channels_by_messaging_service': {MG_A: 5, MG_B: 2, 'none': 1},
    }
    assert report['services'][1]['selection'] == 'listed'
    assert report['services'][1]['total'] == 0
    assert report['totals'] == {'services': 2, 'failed_services': 0, 'total': 10, 'changed': 5, 'unchanged': 5, 'failed': 0}


def test_audit_of_a_service_that_cannot_be_read():
    report = build([looped({'sid': IS_A}, failed=True, msg='HTTP 404')], 'audit')
    service = report['services'][0]
    assert (service['status'], service['error'], service['total'], service['public_channels']) == ('failed', 'HTTP 404', 0, [])
    assert service['private_channels_by_messaging_service'] == {}
    assert report['totals']['failed_services'] == 1


def test_generated_at_defaults_to_now_in_utc():
    report = migration_report([], 'audit', 'acme', ACCOUNT_SID)
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', report['generated_at'])
    assert report['totals'] == {'services': 0, 'failed_services': 0, 'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0}


def test_the_service_comes_from_the_loop_variable_or_item():
    report = build([{'item': {'sid': IS_A}, 'summary': census()}], 'audit')
    assert report['services'][0]['service_sid'] == IS_A
    with pytest.raises(AnsibleFilterError, match='loop variable'):
        build([{'summary': census()}], 'audit')


@pytest.mark.parametrize('kind', ['audit-report', None, 'Migration'])
def test_unknown_kind_is_refused(kind):
    with pytest.raises(AnsibleFilterError, match='kind must be one of migration, dry-run, audit'):
        build([], kind)


def test_the_input_must_be_a_results_list():
    with pytest.raises(AnsibleFilterError, match='results list'):
        build({'results': []}, 'audit')


def test_the_account_friendly_name_is_reported_when_known():
    report = migration_report([], 'audit', 'ACx', ACCOUNT_SID, account_friendly_name='Tenant 7')
    assert report['account_friendly_name'] == 'Tenant 7'


def test_the_run_numbers_of_each_service_show_rate_and_throttling():
    summary = {'total': 900, 'changed': 800, 'unchanged': 100, 'failed': 0, 'left': 0, 'passes': 2,
               'elapsed_seconds': 4.5, 'retries': 7, 'throttled': 31, 'concurrency': 4}
    runs = [looped({'sid': IS_A}, summary=summary, journal='/reports/acme.%s.migration.journal.jsonl' % IS_A),
            looped({'sid': IS_B}, msg='Listing public channels failed')]
    report = build(runs, 'migration', checks=[{'summary': census(total=900, private=900)}, {'msg': 'unreadable'}])
    assert report['services'][0]['run'] == {
        'elapsed_seconds': 4.5, 'channels_per_second': 200.0, 'passes': 2, 'throttled': 31, 'retries': 7, 'concurrency': 4,
        'journal': '/reports/acme.%s.migration.journal.jsonl' % IS_A}
    # A task that failed before its summary has no numbers to show.
    assert report['services'][1]['run'] is None
