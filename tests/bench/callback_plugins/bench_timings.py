# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: bench_timings
type: aggregate
short_description: Write each task's wall time per host, for make bench
description:
  - Appends one JSON object per finished task and host to the file named by E(BENCH_TIMINGS_FILE)
    (C(task), C(host), C(start), C(end), C(status)), and for the bulk module the C(summary) of each service.
  - Only used by tests/bench/run.py; not part of the collection.
options: {}
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timings'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_TIMINGS_FILE')
        self._started = {}

    def _write(self, record):
        if self._path:
            with open(self._path, 'a') as handle:
                handle.write(json.dumps(record, sort_keys=True) + '\n')

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _finished(self, result, status):
        host, task = result._host.get_name(), result._task
        record = {'task': task.get_name(), 'action': task.action, 'host': host, 'status': status,
                  'start': self._started.pop((host, task._uuid), None), 'end': time.time()}
        summaries = [item.get('summary') for item in result._result.get('results', []) if isinstance(item, dict)]
        summaries = [summary for summary in summaries if isinstance(summary, dict)]
        if summaries:
            record['summaries'] = summaries
        self._write(record)

    def v2_runner_on_ok(self, result):
        self._finished(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finished(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._finished(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._finished(result, 'unreachable')
