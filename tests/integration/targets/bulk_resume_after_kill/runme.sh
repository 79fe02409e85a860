#!/usr/bin/env bash
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A bulk migration killed half-way (SIGKILL, no cleanup) is finished by running it
# again: no channel is left public, none is written twice, and a third run changes nothing.
# Its journal stays true: every line the killed run wrote is whole, every channel it says was
# migrated really was, and only the writes in flight at the kill (at most `concurrency`) are missing.
set -eu -o pipefail

source ../../../emulator/emulator.sh

python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
workdir="$(mktemp -d)"
playbook_pid=
killed_pids=

descendants() {
    # descendants PID: the PIDs of every process below PID, found through parent links only.
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "${child}"
        descendants "${child}"
    done
}

kill_tree() {
    # kill_tree PID: SIGKILL PID, its process group and every descendant, each by PID. Ansible's
    # workers call setsid(), so the module is outside the playbook's group: it is found by walking
    # the tree down from the process this script started. The tree is frozen (SIGSTOP) first, and
    # walked again, so that nothing started during the walk is missed.
    local root="$1" pass
    killed_pids="${root}"
    for pass in 1 2 3; do
        killed_pids="${root} $(descendants "${root}" | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill -STOP ${killed_pids} 2>/dev/null || true
    done
    echo "killing the run's processes:"
    # shellcheck disable=SC2086
    ps -o pid,pgid,sid,args -p "$(echo ${killed_pids} | tr ' ' ',')" || true
    kill -KILL -- "-${root}" 2>/dev/null || true
    # shellcheck disable=SC2086
    kill -KILL ${killed_pids} 2>/dev/null || true
}

gone() {
    # gone PID...: true when none of these processes runs any more (a zombie has ended).
    local pid
    for pid in "$@"; do
        if [ -e "/proc/${pid}" ] && ! grep -qE '^State:[[:space:]]+Z' "/proc/${pid}/status" 2>/dev/null; then
            return 1
        fi
    done
}

cleanup() {
    if [ -n "${playbook_pid}" ]; then
        kill_tree "${playbook_pid}" >/dev/null 2>&1 || true
    fi
    twilio_emulator_stop
    rm -rf "${workdir}"
}
trap cleanup EXIT

# Slow round trips make the run long enough to be killed in the middle.
twilio_emulator_start "$(pwd)/files/seed.json" --latency-ms 40

export TWILIO_ACCOUNT_SID=ACb1110000000000000000000000000001
export TWILIO_AUTH_TOKEN=resume-auth-token-5c7d21
export TWILIO_API_BASE_URL="${TWILIO_EMULATOR_URL}"
export ANSIBLE_PYTHON_INTERPRETER="${python}"
unset TWILIO_API_KEY TWILIO_API_SECRET TWILIO_REGION TWILIO_EDGE

service=ISb1110000000000000000000000000001
public_count() { twilio_emulator_admin channels --service "${service}" --type public --count; }
writes() { twilio_emulator_admin stats --get writes; }
public_before="$(public_count)"
[ "${public_before}" -gt 100 ] || { echo "the seed should hold well over 100 public channels, has ${public_before}"; exit 1; }

# 1. Start the migration in a session of its own and kill every process of it once half the writes went through.
journal="${workdir}/journal.jsonl"
setsid ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/killed.json" -e "journal_file=${journal}" \
    >"${workdir}/killed.log" 2>&1 &
playbook_pid=$!
if ! twilio_emulator_admin wait-stat writes --at-least "$((public_before / 2))" --wait-timeout 120 --while-pid "${playbook_pid}" >/dev/null; then
    cat "${workdir}/killed.log"; echo "the run ended (or stalled) before it was half-way"; exit 1
fi
kill_tree "${playbook_pid}"
wait "${playbook_pid}" 2>/dev/null || true
playbook_pid=
for _ in $(seq 1 50); do
    # shellcheck disable=SC2086
    gone ${killed_pids} && break
    sleep 0.1
done
# shellcheck disable=SC2086
gone ${killed_pids} || { echo "processes of the killed run are still running: ${killed_pids}"; exit 1; }
# Requests sent before the kill are answered within one emulated round trip; after that nothing writes.
sleep 1
writes_at_kill="$(writes)"
sleep 1
[ "$(writes)" -eq "${writes_at_kill}" ] || { echo "writes go on after the kill: something of the run survived"; exit 1; }
public_at_kill="$(public_count)"
echo "killed after ${writes_at_kill} writes; ${public_at_kill} of ${public_before} channels still public"
[ "${public_at_kill}" -gt 0 ] || { echo "the run finished before it was killed: nothing to resume"; exit 1; }
[ ! -e "${workdir}/killed.json" ] || { echo "the killed run still wrote its summary"; exit 1; }
check_journal() {
    # check_journal: the journal against the emulator's channels; prints how many channels it says were migrated.
    twilio_emulator_admin channels --service "${service}" > "${workdir}/channels.json"
    "${python}" - "${journal}" "${workdir}/channels.json" "$(writes)" <<'PYTHON'
import json
import sys

journal, channels, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(journal, encoding='utf-8') as handle:
    text = handle.read()
assert text.endswith('\n'), 'the last journal line is cut short'
lines = [json.loads(line) for line in text.splitlines()]
private = set(c['sid'] for c in json.load(open(channels, encoding='utf-8')) if c['type'] == 'private')
migrated = [line['sid'] for line in lines if line['outcome'] == 'migrated']
assert set(line['outcome'] for line in lines) <= {'migrated'}, set(line['outcome'] for line in lines)
assert len(migrated) == len(set(migrated)), 'a channel is journaled as migrated twice'
assert set(migrated) <= private, 'the journal says migrated, the emulator says public: %s' % sorted(set(migrated) - private)[:3]
# Every write the emulator saw is journaled, but for those the killed run had in flight: at most
# concurrency (4) sent, and 1 answered that the main thread had not collected yet (it collects before each send).
assert writes - 5 <= len(migrated) <= writes, (len(migrated), writes)
print(len(migrated))
PYTHON
}
journaled_at_kill="$(check_journal)"
echo "the killed run journaled ${journaled_at_kill} of its ${writes_at_kill} writes"

# 2. Running it again finishes the job, writing only what is left.
ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/resumed.json" -e "journal_file=${journal}" \
    >"${workdir}/resumed.log" 2>&1 \
    || { cat "${workdir}/resumed.log"; exit 1; }
"${python}" - "${workdir}/resumed.json" "${public_at_kill}" <<'PYTHON'
import json
import sys

summary = json.load(open(sys.argv[1]))
left = int(sys.argv[2])
counts = dict((key, summary[key]) for key in ('total', 'changed', 'unchanged', 'failed', 'left'))
assert counts == {'total': left, 'changed': left, 'unchanged': 0, 'failed': 0, 'left': 0}, (summary, left)
PYTHON
[ "$(public_count)" -eq 0 ] || { echo "public channels are left after the resumed run"; exit 1; }
# Every channel was written exactly once over both runs: the killed run's requests were either
# answered (and the channel is private now) or never arrived.
[ "$(writes)" -eq "${public_before}" ] || { echo "expected ${public_before} writes in all, got $(writes)"; twilio_emulator_admin stats; exit 1; }
# The resumed run appended to the same journal: still true, and only the killed run's in-flight writes are missing.
check_journal > /dev/null

# 3. A third run has nothing left to do.
ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/again.json" -e "journal_file=${workdir}/again.jsonl" \
    >"${workdir}/again.log" 2>&1 \
    || { cat "${workdir}/again.log"; exit 1; }
grep -E 'localhost +: ok=2 +changed=0 ' "${workdir}/again.log" || { cat "${workdir}/again.log"; exit 1; }
[ "$(writes)" -eq "${public_before}" ] || { echo "the third run wrote again"; exit 1; }
echo "resumed: ${public_at_kill} channels after the kill, ${public_before} writes in all, then changed=0"
