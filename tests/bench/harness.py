# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every bench variant needs: a seeded emulator, its admin API, and a measured child process.

Every process started here is started in its own process group and ended by its PID
(or that group), never by name; every wait has a deadline.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
EMULATOR = os.path.join(ROOT, 'tests', 'emulator')
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from emulator.client import AdminError, EmulatorClient  # noqa: E402  pylint: disable=wrong-import-position
PAGE_SIZE = 100


def account_sid(index):
    return 'AC%032x' % (0xbe0000 + index)


def service_sid(index):
    return 'IS%032x' % (0xbe0000 + index)


def messaging_service_sid(index):
    return 'MG%032x' % (0xbe0000 + index)


def auth_token(index):
    return 'bench-token-%04d' % index


def write_seed(path, accounts, channels, public_ratio):
    """A seed of `accounts` accounts, each with one service of `channels` generated channels (see tests/emulator/README.md)."""
    seed = {'accounts': [{
        'sid': account_sid(index),
        'auth_token': auth_token(index),
        'messaging_services': [messaging_service_sid(index)],
        'services': [{'sid': service_sid(index), 'friendly_name': 'Bench service %d' % index,
                      'generate': {'count': channels, 'public_ratio': public_ratio, 'seed': 1}}],
    } for index in range(1, accounts + 1)]}
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(seed, handle)
    return path


class Emulator:
    """One emulator process with its own seed, latency and account concurrency limit."""

    def __init__(self, workdir, name, seed_path, latency_ms, concurrency_limit, lifetime):
        self.port_file = os.path.join(workdir, '%s.port' % name)
        self.log_path = os.path.join(workdir, '%s.emulator.log' % name)
        self.command = [sys.executable, EMULATOR, '--port', '0', '--port-file', self.port_file, '--quiet',
                        '--seed', seed_path, '--latency-ms', str(latency_ms),
                        '--concurrency-limit', str(concurrency_limit), '--lifetime', str(int(lifetime))]
        self.process = None
        self.base_url = None
        self.admin = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_exc):
        self.stop()

    def start(self, timeout=120):
        with open(self.log_path, 'w', encoding='utf-8') as log:
            self.process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file, encoding='utf-8') as handle:
                    port = handle.read().strip()
                if port:
                    self.base_url = 'http://127.0.0.1:%s' % port
                    # Listing 100,000 channels through the admin API takes a while.
                    self.admin = EmulatorClient(self.base_url, timeout=300)
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        with open(self.log_path, encoding='utf-8') as handle:
            raise RuntimeError('the emulator did not start within %ss: %s' % (timeout, handle.read()[-2000:]))

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        if self.base_url:
            try:
                self.admin.shutdown()
                self.process.wait(timeout=15)
                return
            except (AdminError, subprocess.TimeoutExpired):
                pass
        end_group(self.process)

    def stats(self):
        return self.admin.stats()

    def cpu_seconds(self):
        """CPU time the emulator used so far: near the wall time of a run, the emulator was what bounded it."""
        try:
            with open('/proc/%d/stat' % self.process.pid, encoding='utf-8') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))
        except (OSError, IndexError, ValueError):
            return None

    def reset_stats(self):
        self.admin.reset_stats()

    def public_left(self, service):
        """How many channels of the service are still public, read from the emulator's own records."""
        return sum(1 for channel in self.admin.channels(service)
                   if channel['type'] == 'public')

    def channel_sids(self, service):
        return [channel['sid'] for channel in self.admin.channels(service)]


def end_group(process):
    """End a child started with start_new_session=True, and whatever it started in its group."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


class TreeMemory:
    """Samples the peak RSS (VmHWM) of every process under a root PID, by role, from /proc."""

    def __init__(self, root_pid, interval=0.05):
        self.root_pid = root_pid
        self.interval = interval
        self.peaks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name='bench-memory', daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self):
        pending = [self.root_pid]
        while pending:
            pid = pending.pop()
            pending.extend(_children(pid))
            peak = _peak_rss_kib(pid)
            if peak:
                role = self._role(pid)
                self.peaks[role] = max(self.peaks.get(role, 0), peak)

    def _role(self, pid):
        if pid == self.root_pid:
            return 'ansible-playbook' if 'ansible-playbook' in _cmdline(pid) else 'main'
        command = _cmdline(pid)
        if 'AnsiballZ' in command or 'ansible_module' in command:
            return 'module'
        if 'python' in command:
            return 'worker'
        return 'other'


def _children(pid):
    """Direct children of a process, from every one of its threads (Linux /proc/PID/task/TID/children)."""
    found = []
    try:
        threads = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return found
    for thread in threads:
        try:
            with open('/proc/%d/task/%s/children' % (pid, thread), encoding='ascii') as handle:
                found.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return found


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode('utf-8', 'replace')
    except OSError:
        return ''


def _peak_rss_kib(pid):
    try:
        with open('/proc/%d/status' % pid, encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Measured:
    """The outcome of one measured command."""

    def __init__(self, returncode, seconds, max_rss_mb, rss_by_role_mb, log_path, timed_out):
        self.returncode = returncode
        self.seconds = seconds
        self.max_rss_mb = max_rss_mb
        self.rss_by_role_mb = rss_by_role_mb
        self.log_path = log_path
        self.timed_out = timed_out


def run_measured(command, log_path, env=None, timeout=900, cwd=None):
    """Run a command in its own process group; return wall time and the peak RSS of its largest process.

    The peak is the largest VmHWM (a process's own high-water mark of resident memory) sampled every
    50 ms in every process of the run's tree, from /proc; sampling also says which process it was.
    """
    with open(log_path, 'w', encoding='utf-8') as log:
        started = time.monotonic()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=env, cwd=cwd, start_new_session=True)
        memory = TreeMemory(process.pid).start()
        deadline = started + timeout
        status, usage, timed_out = None, None, False
        try:
            while status is None:
                pid, wait_status, wait_usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    status, usage = wait_status, wait_usage
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    end_group(process)
                    status = process.returncode if process.returncode is not None else -signal.SIGKILL
                    break
                time.sleep(0.05)
        except BaseException:
            # Interrupted (Ctrl-C): leave nothing of this run behind.
            end_group(process)
            raise
        finally:
            memory.stop()
        seconds = time.monotonic() - started
    if isinstance(status, int) and usage is not None:
        returncode = os.waitstatus_to_exitcode(status)
        process.returncode = returncode
    else:
        returncode = status
    by_role = dict((role, round(kib / 1024.0, 1)) for role, kib in memory.peaks.items())
    # Not wait4's ru_maxrss: Linux keeps a process's high-water mark across exec, so the child's count
    # starts at this bench process's own size at fork time (large after reading 100,000 channels), not
    # at the size of anything the run itself held. VmHWM, sampled in each process of the run, is its own.
    peak_kib = max(list(memory.peaks.values()) or [0])
    return Measured(returncode, seconds, round(peak_kib / 1024.0, 1), by_role, log_path, timed_out)
