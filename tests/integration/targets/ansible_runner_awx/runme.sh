#!/usr/bin/env bash
# playbooks/migrate.yml through ansible-runner, the engine AWX and Automation Controller run jobs with, from a
# private data directory laid out as AWX lays it out: the project (a playbook importing the collection's),
# the twilio_accounts plugin file as the inventory source, the parent's credentials injected as environment
# variables the way a custom credential type's injector does (env/envvars), extra variables (env/extravars),
# the job's options (env/cmdline), the collection where AWX installs a project's collections
# (requirements_collections, on ANSIBLE_COLLECTIONS_PATH). A check-mode job with diff, the real job, then
# one more that changes nothing; process isolation off (AWX's container does the isolating).
set -eux -o pipefail

TARGET_DIR="$(cd "$(dirname "$0")" && pwd)"
COLLECTION_ROOT="$(cd "${TARGET_DIR}/../../../.." && pwd)"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
WORK_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/ansible_runner_awx.XXXXXX")"
CHECK=("${PYTHON}" "${TARGET_DIR}/files/check_runner.py")
PDD="${WORK_DIR}/private_data_dir"
PARENT_SID=ACa3c00000000000000000000000000001
PARENT_TOKEN=awx-parent-token-6f0d2e


# shellcheck source=../../../emulator/emulator.sh
source "${COLLECTION_ROOT}/tests/emulator/emulator.sh"
# Nothing of Twilio's in the environment but what each step gives.
twilio_unset_environment
trap twilio_emulator_stop EXIT
twilio_emulator_start "${TARGET_DIR}/files/seed.json"
BASE_URL="${TWILIO_EMULATOR_URL}"
"${PYTHON}" -m ansible_runner --version

# The private data directory.
mkdir -p "${PDD}/env" "${PDD}/requirements_collections/ansible_collections/twilio_ops"
cp -R "${TARGET_DIR}/files/project" "${TARGET_DIR}/files/inventory" "${PDD}/"
# The collection under test, wherever ansible-test (or the caller's ANSIBLE_COLLECTIONS_PATH) put it.
COLLECTION="$(ansible-galaxy collection list twilio_ops.chat --format json 2>/dev/null | "${PYTHON}" -c \
    'import json, sys; print(next(iter(json.load(sys.stdin))) + "/twilio_ops/chat")')"
[ -f "${COLLECTION}/galaxy.yml" ] || [ -f "${COLLECTION}/MANIFEST.json" ]
ln -s "${COLLECTION}" "${PDD}/requirements_collections/ansible_collections/twilio_ops/chat"
# What the credential type's injector sets (docs/awx.md), plus what AWX sets for the job itself.
cat > "${PDD}/env/envvars" <<ENVVARS_END
---
TWILIO_ACCOUNT_SID: ${PARENT_SID}
TWILIO_AUTH_TOKEN: ${PARENT_TOKEN}
TWILIO_API_BASE_URL: ${BASE_URL}
ANSIBLE_COLLECTIONS_PATH: ${PDD}/requirements_collections
ANSIBLE_NOCOLOR: "1"
ENVVARS_END
cat > "${PDD}/env/extravars" <<EXTRAVARS_END
---
twilio_chat_migration_report_dir: ${WORK_DIR}/reports
EXTRAVARS_END
# A bound on every job, as a job template's timeout sets it.
cat > "${PDD}/env/settings" <<'SETTINGS_END'
---
job_timeout: 300
SETTINGS_END

run_job() {
    # run_job IDENT [CMDLINE]: one job, as a job template launch; the cmdline file holds its options.
    local ident="$1"
    shift
    printf '%s\n' "$*" > "${PDD}/env/cmdline"
    timeout 360 "${PYTHON}" -m ansible_runner run "${PDD}" -p migrate.yml --ident "${ident}" \
        > "${WORK_DIR}/${ident}.log" 2>&1 || { tail -n 50 "${WORK_DIR}/${ident}.log"; return 1; }
}

# 1. The dry run (a job template with Check and Show Changes): successful, and no write request.
twilio_emulator_admin reset-stats > /dev/null
run_job dry-run --check --diff --forks 10
"${CHECK[@]}" job --base-url "${BASE_URL}" --private-data-dir "${PDD}" --ident dry-run --check
"${CHECK[@]}" state --base-url "${BASE_URL}" --writes 0

# 2. The migration: every public channel of every active subaccount, the suspended one untouched.
run_job migration --forks 10
"${CHECK[@]}" job --base-url "${BASE_URL}" --private-data-dir "${PDD}" --ident migration
"${CHECK[@]}" state --base-url "${BASE_URL}" --migrated

# 3. The same job again changes nothing and writes nothing.
twilio_emulator_admin reset-stats > /dev/null
run_job rerun --forks 10
"${CHECK[@]}" job --base-url "${BASE_URL}" --private-data-dir "${PDD}" --ident rerun --nothing-left
"${CHECK[@]}" state --base-url "${BASE_URL}" --migrated --writes 0

# 4. No secret in what AWX keeps and shows of a job: its events, its stdout, the reports. (The runner's
# artifacts/IDENT/command file records the environment it was given, injected credentials included, as
# env/envvars does: AWX never shows either, and neither is the job's output.)
twilio_emulator_admin no-secrets "${WORK_DIR}"/*.log "${WORK_DIR}/reports" \
    "${PDD}"/artifacts/*/job_events "${PDD}"/artifacts/*/stdout "${PDD}"/artifacts/*/fact_cache
