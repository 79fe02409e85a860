# shellcheck shell=bash
# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the demo and the runme.sh integration targets: start, drive and stop
# the Twilio emulator from bash. Every wait is bounded; the emulator also stops
# by itself after its lifetime.

TWILIO_EMULATOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TWILIO_EMULATOR_PYTHON="${TWILIO_EMULATOR_PYTHON:-${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}}"
TWILIO_EMULATOR_PID=
TWILIO_EMULATOR_WORKDIR=

# twilio_unset_environment: unset every TWILIO_* variable but the emulator's own, so that no credential or
# base URL of a real Twilio account reaches a demo or a test that did not set it itself.
twilio_unset_environment() {
    local name
    for name in $(compgen -e | grep '^TWILIO_' | grep -v '^TWILIO_EMULATOR_' || true); do
        unset "${name}"
    done
}

# twilio_emulator_start SEED_FILE [EXTRA_ARGS...]: sets TWILIO_EMULATOR_URL.
twilio_emulator_start() {
    local seed="$1"
    shift
    TWILIO_EMULATOR_WORKDIR="$(mktemp -d)"
    "${TWILIO_EMULATOR_PYTHON}" "${TWILIO_EMULATOR_DIR}" --port 0 --port-file "${TWILIO_EMULATOR_WORKDIR}/port" \
        --seed "${seed}" --lifetime 900 --quiet "$@" \
        </dev/null >"${TWILIO_EMULATOR_WORKDIR}/emulator.log" 2>&1 &
    TWILIO_EMULATOR_PID=$!
    local attempt
    for attempt in $(seq 1 150); do
        if [ -s "${TWILIO_EMULATOR_WORKDIR}/port" ]; then
            TWILIO_EMULATOR_URL="http://127.0.0.1:$(cat "${TWILIO_EMULATOR_WORKDIR}/port")"
            export TWILIO_EMULATOR_URL
            return 0
        fi
        if ! kill -0 "${TWILIO_EMULATOR_PID}" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    echo "The Twilio emulator did not start (attempt ${attempt}):" >&2
    cat "${TWILIO_EMULATOR_WORKDIR}/emulator.log" >&2
    return 1
}

# twilio_emulator_admin VERB [ARGS...]: the admin command line (python3 tests/emulator admin) on this
# emulator; prints the JSON answer, or one value of it with --get KEY. Examples:
#   twilio_emulator_admin stats --get writes
#   twilio_emulator_admin channels --service IS... --type public --count
twilio_emulator_admin() {
    "${TWILIO_EMULATOR_PYTHON}" "${TWILIO_EMULATOR_DIR}" admin --url "${TWILIO_EMULATOR_URL}" "$@"
}

twilio_emulator_stop() {
    if [ -n "${TWILIO_EMULATOR_PID}" ]; then
        twilio_emulator_admin shutdown >/dev/null 2>&1 || true
        local attempt
        for attempt in $(seq 1 50); do
            kill -0 "${TWILIO_EMULATOR_PID}" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "${TWILIO_EMULATOR_PID}" 2>/dev/null; then
            kill "${TWILIO_EMULATOR_PID}" 2>/dev/null || true
        fi
        TWILIO_EMULATOR_PID=
    fi
    if [ -n "${TWILIO_EMULATOR_WORKDIR}" ]; then
        rm -rf "${TWILIO_EMULATOR_WORKDIR}"
        TWILIO_EMULATOR_WORKDIR=
    fi
}
