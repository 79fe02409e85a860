#!/usr/bin/env bash
# A bulk migration killed half-way (SIGKILL, no cleanup) is finished by running it
# again: no channel is left public, none is written twice, and a third run changes nothing.
set -eu -o pipefail

source ../../../emulator/emulator.sh

python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
workdir="$(mktemp -d)"
playbook_pid=
cleanup() {
    if [ -n "${playbook_pid}" ]; then
        kill -KILL -- "-${playbook_pid}" 2>/dev/null || true
        pkill -KILL -f 'AnsiballZ_twilio_chat_channels' || true
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

count() {
    # count public|writes: public channels left, or write requests received so far.
    twilio_emulator_admin GET "$1" | "${python}" -c '
import json, sys
answer = json.load(sys.stdin)
if isinstance(answer, list):
    print(sum(1 for channel in answer if channel["type"] == "public"))
else:
    print(answer["writes"])'
}
public_url="/_emulator/channels?service=ISb1110000000000000000000000000001"
public_before="$(count "${public_url}")"
[ "${public_before}" -gt 100 ] || { echo "the seed should hold well over 100 public channels, has ${public_before}"; exit 1; }

# 1. Start the migration in its own process group and kill the whole group once some writes went through.
setsid ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/killed.json" >"${workdir}/killed.log" 2>&1 &
playbook_pid=$!
for _ in $(seq 1 300); do
    [ "$(count /_emulator/stats)" -ge 20 ] && break
    kill -0 "${playbook_pid}" 2>/dev/null || { cat "${workdir}/killed.log"; echo "the run ended before it could be killed"; exit 1; }
    sleep 0.1
done
# Ansible runs each task in a worker of its own session, so the module is killed by name as well,
# as a crash of the whole machine would.
kill -KILL -- "-${playbook_pid}"
pkill -KILL -f 'AnsiballZ_twilio_chat_channels' || true
wait "${playbook_pid}" 2>/dev/null || true
playbook_pid=
for _ in $(seq 1 50); do
    pgrep -f 'AnsiballZ_twilio_chat_channels' >/dev/null || break
    sleep 0.1
done
if pgrep -f 'AnsiballZ_twilio_chat_channels' >/dev/null; then
    echo "the module is still running after it was killed"; exit 1
fi
# Requests sent before the kill are answered within one emulated round trip.
sleep 1
writes_at_kill="$(count /_emulator/stats)"
public_at_kill="$(count "${public_url}")"
echo "killed after ${writes_at_kill} writes; ${public_at_kill} of ${public_before} channels still public"
[ "${public_at_kill}" -gt 0 ] || { echo "the run finished before it was killed: nothing to resume"; exit 1; }
[ ! -e "${workdir}/killed.json" ] || { echo "the killed run still wrote its summary"; exit 1; }

# 2. Running it again finishes the job, writing only what is left.
ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/resumed.json" >"${workdir}/resumed.log" 2>&1 \
    || { cat "${workdir}/resumed.log"; exit 1; }
"${python}" - "${workdir}/resumed.json" "${public_at_kill}" <<'PYTHON'
import json
import sys

summary = json.load(open(sys.argv[1]))
left = int(sys.argv[2])
assert summary == {'total': left, 'changed': left, 'unchanged': 0, 'failed': 0}, (summary, left)
PYTHON
[ "$(count "${public_url}")" -eq 0 ] || { echo "public channels are left after the resumed run"; exit 1; }
# Every channel was written exactly once over both runs: the killed run's requests were either
# answered (and the channel is private now) or never arrived.
[ "$(count /_emulator/stats)" -eq "${public_before}" ] || { echo "expected ${public_before} writes in all, got $(count /_emulator/stats)"; exit 1; }

# 3. A third run has nothing left to do.
ansible-playbook -i localhost, migrate.yml -e "summary_file=${workdir}/again.json" >"${workdir}/again.log" 2>&1 \
    || { cat "${workdir}/again.log"; exit 1; }
grep -E 'localhost +: ok=2 +changed=0 ' "${workdir}/again.log" || { cat "${workdir}/again.log"; exit 1; }
[ "$(count /_emulator/stats)" -eq "${public_before}" ] || { echo "the third run wrote again"; exit 1; }
echo "resumed: ${public_at_kill} channels after the kill, ${public_before} writes in all, then changed=0"
