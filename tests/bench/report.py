# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bench's outputs: targets, a Markdown table, JSON, and a plot of seconds against channels."""

import json
import os
import shutil

LABELS = {
    'role': 'role (ansible-playbook playbooks/migrate.yml)',
    'fleet': 'fleet: accounts through playbooks/migrate.yml',
    'module-loop': 'loop over twilio_chat_channel',
    'uri-loop': 'ansible.builtin.uri loop',
    'sdk': "Twilio Python SDK, Twilio's sample",
}
SMALL_N_VARIANTS = ('module-loop', 'uri-loop', 'sdk')


def by_key(document):
    return dict((result['key'], result) for result in document['results'])


def label(result, settings):
    text = LABELS[result['variant']]
    if result['check_mode']:
        text += ', --check'
    if result['variant'] == 'role' and result['concurrency'] != settings['concurrency']:
        text += ', concurrency %d' % result['concurrency']
    if result['variant'] == 'role' and result['account_limit'] and result['account_limit'] < result['concurrency']:
        text += ', account limited to %d' % result['account_limit']
    if result['variant'] == 'fleet':
        text = 'fleet: %d accounts x %d through playbooks/migrate.yml, forks %d' % (
            result['accounts'], result['channels'] // result['accounts'], result['forks'])
    if result['variant'] in SMALL_N_VARIANTS:
        text += ' (small N)'
    return text


def _target(name, measured, goal, passed, unit='', detail=''):
    if measured is None:
        status, shown = 'N/A', 'not measured'
    else:
        status, shown = ('PASS' if passed else 'MISS'), '%s%s' % (measured, unit)
    return {'target': name, 'goal': goal, 'measured': measured, 'shown': shown, 'status': status, 'detail': detail}


def targets(document):
    """Each target of issue 8 with its measured value, PASS or MISS (or N/A when its run was not made)."""
    sizes = document['settings']['sizes']
    small, mid, large = sizes['role']
    results = by_key(document)
    middle = results.get('role-%d' % mid)
    biggest = results.get('role-%d' % large)
    limited = results.get('role-limited-%d' % sizes['limited'])
    check = results.get('role-check-%d' % sizes['check'])
    found = []

    ratio = middle and middle['work_ratio']
    found.append(_target('%s channels at concurrency %d: migration task within 1.10x of the bound' % (
        '{:,}'.format(mid), document['settings']['concurrency']), ratio, '<= 1.10x', ratio is not None and ratio <= 1.10, 'x',
        middle and 'task %.2f s, bound %.2f s; whole run %.2f s' % (middle['work_seconds'] or 0, middle['bound_seconds'], middle['seconds'])))

    limit = document['settings']['limited_account_limit']
    ratio = limited and limited['work_ratio']
    found.append(_target('%s channels, account limited to %d, concurrency %d: within 1.3x of the bound at %d' % (
        '{:,}'.format(sizes['limited']), limit, document['settings']['concurrency'], limit),
        ratio, '<= 1.30x', ratio is not None and ratio <= 1.30, 'x',
        limited and 'task %.2f s, bound %.2f s' % (limited['work_seconds'] or 0, limited['bound_seconds'])))
    share = round(100.0 * limited['http_429'] / limited['requests'], 2) if limited and limited['requests'] else None
    found.append(_target('account limited to %d: requests answered 429' % limit, share, '<= 5 %', share is not None and share <= 5.0, ' %',
                         limited and '%d of %d requests' % (limited['http_429'], limited['requests'])))

    # The per-channel comparisons use the mid-size run at the comparison concurrency (see run.comparison_scenarios),
    # and say what the run at the default concurrency reached.
    compare_concurrency = document['settings'].get('compare_concurrency', document['settings']['concurrency'])
    compared = results.get('role-%d-c%d' % (mid, compare_concurrency)) or middle
    for key, factor in (('sdk', 10), ('uri-loop', 300)):
        other = results.get(key)
        speedup = _speedup(compared, other)
        detail = ''
        if compared and other:
            detail = 'migrating part %.3f vs %.3f ms per channel; whole runs %.3f vs %.3f ms' % (
                compared['work_ms_per_channel'] or 0, other['work_ms_per_channel'] or 0, compared['ms_per_channel'], other['ms_per_channel'])
            if middle and compared is not middle:
                detail += '; at concurrency %d: %sx' % (middle['concurrency'], _speedup(middle, other))
        found.append(_target('per channel, role at %s (concurrency %d) vs %s: at least %dx faster' % (
            '{:,}'.format(mid), compared['concurrency'] if compared else compare_concurrency, key, factor),
            speedup, '>= %dx' % factor, speedup is not None and speedup >= factor, 'x', detail))

    linear = None
    scale = large / float(mid)
    if middle and biggest and middle['work_seconds'] and biggest['work_seconds']:
        linear = round(biggest['work_seconds'] / (middle['work_seconds'] * scale), 3)
    found.append(_target('%s channels within 10 %% of %g x the %s-channel time' % ('{:,}'.format(large), scale, '{:,}'.format(mid)),
                         linear, '<= 1.10', linear is not None and linear <= 1.10, 'x',
                         middle and biggest and 'migration task %.2f s vs %g x %.2f s; whole runs %.2f s vs %.2f s' % (
                             biggest['work_seconds'] or 0, scale, middle['work_seconds'] or 0, biggest['seconds'], middle['seconds'])))

    peak = biggest and biggest['max_rss_mb']
    found.append(_target('%s channels: peak RSS of every process of the run under 200 MB' % '{:,}'.format(large),
                         peak, '< 200 MB', peak is not None and peak < 200, ' MB',
                         biggest and 'largest process, by kind: %s' % ', '.join(
                             '%s %s MB' % item for item in sorted(biggest['rss_by_role_mb'].items()))))

    seconds = check and check['work_seconds']
    found.append(_target('check-mode plan of %s channels: the bulk task in --check' % '{:,}'.format(sizes['check']),
                         seconds, '< 5 s', seconds is not None and seconds < 5, ' s',
                         check and 'whole ansible-playbook --check run %.2f s' % check['seconds']))

    total = document.get('total_seconds')
    found.append(_target('the whole bench run', total, '< 900 s', total is not None and total < 900, ' s'))
    return found


def _speedup(role, other):
    if role and other and role['work_ms_per_channel'] and other['work_ms_per_channel']:
        return round(other['work_ms_per_channel'] / role['work_ms_per_channel'], 1)
    return None


def ratio_failures(document, max_ratio):
    """The one target the bench fails on, as the old bench did: the mid-size migration's ratio to the bound."""
    mid = document['settings']['sizes']['role'][1]
    middle = by_key(document).get('role-%d' % mid)
    ratio = middle['work_ratio'] if middle else None
    if ratio is None or ratio <= max_ratio:
        return []
    return ['the migration task of %d channels took %.2fx the bound (limit %.2fx)' % (mid, ratio, max_ratio)]


def _cell(value, fmt='%s'):
    return '' if value is None else fmt % value


def markdown(document, heading='##'):
    machine, settings = document['machine'], document['settings']
    lines = [
        '%s make bench (%s sizes), %s' % (heading, document['mode'], document['date']),
        '',
        'Emulator round trip %d ms; role `concurrency: %d` (per-channel comparisons: %d); account limit %d (limited run: %d). '
        'Machine: %d CPUs, %s, Python %s, ansible-core %s, twilio %s; load average at start %s. Whole bench: %ss.' % (
            settings['latency_ms'], settings['concurrency'], settings.get('compare_concurrency', settings['concurrency']),
            settings['account_limit'], settings['limited_account_limit'],
            machine['cpus'], machine['platform'], machine['python'], machine['ansible_core'], machine['twilio'],
            ' / '.join(str(x) for x in machine['load_average']), document['total_seconds']),
        '',
        '| variant | channels | writes | wall s | work s | requests | 429 | channels/s | ms/channel (work) '
        '| bound s (in flight) | ratio run | ratio work | peak RSS MB | load |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for result in document['results']:
        lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s (%s) | %s | %s | %s | %s |' % (
            label(result, document['settings']), '{:,}'.format(result['channels']), '{:,}'.format(result['write_requests']), _cell(result['seconds'], '%.2f'),
            _cell(result['work_seconds'], '%.2f'), '{:,}'.format(result['requests']), result['http_429'],
            _cell(result['channels_per_second'], '%.1f'), _cell(result['ms_per_channel'], '%.2f'),
            _cell(result['work_ms_per_channel'], '%.2f'), _cell(result['bound_seconds'], '%.2f'), result['bound_in_flight'],
            _cell(result['ratio'], '%.2f'), _cell(result['work_ratio'], '%.2f'), _cell(result['max_rss_mb'], '%.0f'),
            _cell(result['load_average_before'], '%.1f')))
    lines += [
        '',
        'Small N: the loops and the SDK cost a task or a round trip per channel, so they run on a few channels; '
        'compare them per channel (ms/channel). Bound = list pages x latency + writes x latency / requests in flight '
        '(`min(concurrency, account limit)` for the role and the fleet, 1 for the sequential variants; the fleet runs '
        '`ceil(accounts / forks)` accounts one after another). "work" is the migrating part alone: the bulk migration '
        'task for the role and the fleet, the loop tasks for the loops, the list and update calls for the SDK, without '
        'interpreter or Ansible start-up; "ratio run" divides the whole run (start-up, preflight, verify, reports) by the '
        'bound, "ratio work" the work. Peak RSS: the largest single process of the run (ansible-playbook, its workers, '
        'the module), in MB. Load: the 1-minute load average when the run started.',
        '',
        heading + '# Targets',
        '',
        '| target | goal | measured | status | detail |',
        '|---|---|---|---|---|',
    ]
    for target in document['targets']:
        lines.append('| %s | %s | %s | %s | %s |' % (target['target'], target['goal'], target['shown'], target['status'],
                                                     target['detail'] or ''))
    problems = [result for result in document['results'] if result['problems']]
    if problems:
        lines += ['', heading + '# Problems', '']
        lines += ['- %s: %s (log: %s)' % (result['key'], '; '.join(result['problems']), result['log']) for result in problems]
    return '\n'.join(lines) + '\n'


def plot(document, path):
    """Seconds against channels, log-log: a line per variant; small-N variants extrapolated per channel."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    results = [result for result in document['results'] if not result['problems'] or result['seconds']]
    largest = max([result['channels'] for result in results] + [1000])
    figure, axes = plt.subplots(figsize=(12, 5.5), dpi=100)
    settings = document['settings']
    role = sorted((r for r in results if r['variant'] == 'role' and not r['check_mode']
                   and r['account_limit'] >= r['concurrency'] and r['concurrency'] == settings['concurrency']), key=lambda r: r['channels'])
    if role:
        axes.plot([r['channels'] for r in role], [r['seconds'] for r in role], 'o-', color='tab:blue', label=LABELS['role'])
        tasks = [r for r in role if r['work_seconds']]
        axes.plot([r['channels'] for r in tasks], [r['work_seconds'] for r in tasks], 'o--', color='tab:blue', alpha=0.6,
                  label='  its bulk migration task')
        axes.plot([r['channels'] for r in role], [r['bound_seconds'] for r in role], ':', color='grey',
                  label='round-trip bound, %d in flight' % role[0]['bound_in_flight'])
    styles = {'sdk': ('s', 'tab:green'), 'module-loop': ('^', 'tab:orange'), 'uri-loop': ('v', 'tab:red'),
              'fleet': ('D', 'tab:purple')}
    for result in results:
        if result['variant'] in styles:
            marker, color = styles[result['variant']]
            axes.plot([result['channels']], [result['seconds']], marker, color=color, markersize=8, label=label(result, settings))
            if result['variant'] in SMALL_N_VARIANTS and result['work_seconds']:
                # Start-up once, then the measured cost of each channel.
                per_channel = result['work_seconds'] / float(result['channels'])
                fixed = max(0.0, result['seconds'] - result['work_seconds'])
                axes.plot([result['channels'], largest], [result['seconds'], fixed + per_channel * largest], '--', color=color,
                          alpha=0.4, label='  extrapolated: %.1f ms per channel' % (1000 * per_channel))
        elif result['variant'] == 'role' and result not in role:
            if result['check_mode']:
                marker, color = 'x', 'tab:cyan'
            elif result['account_limit'] < result['concurrency']:
                marker, color = 'P', 'tab:brown'
            else:
                marker, color = '*', 'tab:olive'
            axes.plot([result['channels']], [result['seconds']], marker, color=color, markersize=9, label=label(result, settings))
    axes.set_xscale('log')
    axes.set_yscale('log')
    axes.set_xlabel('channels')
    axes.set_ylabel('seconds (wall time)')
    axes.set_title('Migrating Chat channels on the emulator, %d ms per request (%s sizes, %d CPUs)' % (
        document['settings']['latency_ms'], document['mode'], document['machine']['cpus']), fontsize=10)
    axes.grid(True, which='both', alpha=0.3)
    axes.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


DOCS_START = '<!-- bench results: written by tests/bench/run.py, do not edit by hand -->'
DOCS_END = '<!-- end of bench results -->'


def update_docs(document, markdown_path, png_source, png_target):
    """Put this run's table between the markers of docs/performance.md, and its plot next to it."""
    with open(markdown_path, encoding='utf-8') as handle:
        text = handle.read()
    if DOCS_START not in text or DOCS_END not in text:
        raise ValueError('%s has no bench result markers' % markdown_path)
    before, rest = text.split(DOCS_START, 1)
    after = rest.split(DOCS_END, 1)[1]
    image = '![Seconds against channels for each variant](%s)\n' % os.path.basename(png_target)
    with open(markdown_path, 'w', encoding='utf-8') as handle:
        handle.write(before + DOCS_START + '\n' + markdown(document, heading='###') + '\n' + image + DOCS_END + after)
    shutil.copyfile(png_source, png_target)
    return [markdown_path, png_target]


def write_all(document, directory):
    json_path = os.path.join(directory, 'bench.json')
    with open(json_path, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write('\n')
    markdown_path = os.path.join(directory, 'bench.md')
    with open(markdown_path, 'w', encoding='utf-8') as handle:
        handle.write(markdown(document))
    png_path = os.path.join(directory, 'bench.png')
    plot(document, png_path)
    return [markdown_path, json_path, png_path]
