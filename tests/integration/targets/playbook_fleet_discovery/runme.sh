#!/usr/bin/env bash
# The fleet contract end to end: an inventory that is only the twilio_accounts plugin file, the parent's
# credentials in the environment, and the playbooks by their collection names. The audit reports every
# Chat service of every active subaccount, the dry run plans every public channel with no write, the
# migration moves them all, a third run changes nothing; suspended, closed and other customers' accounts
# are never touched, and no secret shows at -vvvv or in a report. Then the plugin's options in the file,
# nothing in the environment, and the parent's token as a vaulted twilio_parent_auth_token.
#
# files/seed.json is a small fleet (4 active subaccounts, one with two services, one with none, one
# suspended, one closed, another parent) so that the four runs stay short; inventory_twilio_accounts
# lists the 120 subaccounts of the emulator's fleet seed.
set -eux -o pipefail

TARGET_DIR="$(cd "$(dirname "$0")" && pwd)"
COLLECTION_ROOT="$(cd "${TARGET_DIR}/../../../.." && pwd)"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
WORK_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/playbook_fleet_discovery.XXXXXX")"
CHECK=("${PYTHON}" "${TARGET_DIR}/files/check_fleet.py")
INVENTORY="${TARGET_DIR}/files/fleet.twilio_accounts.yml"
REPORTS="${WORK_DIR}/reports"
PARENT_SID=ACd15c0000000000000000000000000001
PARENT_TOKEN=discovery-parent-token-3b7e91
FORKS=10

export ANSIBLE_NOCOLOR=1

# shellcheck source=../../../emulator/emulator.sh
source "${COLLECTION_ROOT}/tests/emulator/emulator.sh"
# Nothing of Twilio's in the environment but what each step gives.
twilio_unset_environment
trap twilio_emulator_stop EXIT
twilio_emulator_start "${TARGET_DIR}/files/seed.json"
BASE_URL="${TWILIO_EMULATOR_URL}"

run_playbook() (
    # run_playbook LOG PLAYBOOK [ARGS...]: the parent's credentials in the environment, nothing else of Twilio's.
    # A subshell without xtrace, so that the trace of the token does not reach any log.
    set +x
    log="$1" playbook="$2"
    shift 2
    TWILIO_ACCOUNT_SID="${PARENT_SID}" TWILIO_AUTH_TOKEN="${PARENT_TOKEN}" TWILIO_API_BASE_URL="${BASE_URL}" \
        ansible-playbook -i "${INVENTORY}" "twilio_ops.chat.${playbook}" -f "${FORKS}" \
        -e "twilio_chat_migration_report_dir=${REPORTS}" -vvvv "$@" > "${log}" 2>&1 || {
        status=$?
        grep -E '^(fatal|failed):|FAILED!|ERROR' "${log}" | cut -c1-2000 | tail -n 20
        sed -n '/^PLAY RECAP/,$p' "${log}"
        return "${status}"
    }
)
elapsed() {
    echo "$1 took $(( $(date +%s) - STARTED ))s"
    STARTED="$(date +%s)"
}
STARTED="$(date +%s)"

"${CHECK[@]}" expect --base-url "${BASE_URL}" --out "${WORK_DIR}/expected.json"
twilio_emulator_admin reset-stats > /dev/null

# 1. The audit: every service of every active subaccount, with its public and private channels; no write.
run_playbook "${WORK_DIR}/audit.log" audit
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" reports --report-dir "${REPORTS}" --kind audit --expected "${WORK_DIR}/expected.json"
"${CHECK[@]}" recap --log "${WORK_DIR}/audit.log" --expected "${WORK_DIR}/expected.json" --where changed=0 failed=0
elapsed audit

# 2. The dry run plans every public channel of every service, with no write.
run_playbook "${WORK_DIR}/dry-run.log" migrate --check --diff
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" reports --report-dir "${REPORTS}" --kind dry-run --expected "${WORK_DIR}/expected.json"
"${CHECK[@]}" recap --log "${WORK_DIR}/dry-run.log" --expected "${WORK_DIR}/expected.json" --where failed=0
grep -E '^\+\+\+ after: Chat service ISd15c0000000000000000000000000a14' "${WORK_DIR}/dry-run.log"
elapsed "dry run"

# 3. The migration moves them all; suspended, closed and other customers' accounts keep theirs.
run_playbook "${WORK_DIR}/migration.log" migrate
"${CHECK[@]}" state --base-url "${BASE_URL}" --expected "${WORK_DIR}/expected.json"
"${CHECK[@]}" reports --report-dir "${REPORTS}" --kind migration --expected "${WORK_DIR}/expected.json"
"${CHECK[@]}" recap --log "${WORK_DIR}/migration.log" --expected "${WORK_DIR}/expected.json" --where failed=0
elapsed migration

# 4. Once more: changed=0 on every host, and no write.
twilio_emulator_admin reset-stats > /dev/null
REPORTS="${WORK_DIR}/reports-rerun" run_playbook "${WORK_DIR}/rerun.log" migrate
"${CHECK[@]}" recap --log "${WORK_DIR}/rerun.log" --expected "${WORK_DIR}/expected.json" --where changed=0 failed=0
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" reports --report-dir "${WORK_DIR}/reports-rerun" --kind migration --expected "${WORK_DIR}/expected.json" --nothing-left
elapsed "second migration"

# 5. The plugin's options in the file, nothing in the environment, the parent's token in a vaulted variable:
# the same hosts, each with the file's api_base_url, and the dry run over them makes no write.
twilio_emulator_admin reset > /dev/null
OPTIONS="${WORK_DIR}/options.twilio_accounts.yml"
cat > "${OPTIONS}" <<OPTIONS_END
plugin: twilio_ops.chat.twilio_accounts
account_sid: ${PARENT_SID}
auth_token: ${PARENT_TOKEN}
api_base_url: ${BASE_URL}
OPTIONS_END
echo 'fleet-discovery-vault-password' > "${WORK_DIR}/vault-password"
cat > "${WORK_DIR}/parent_vars.yml" <<VARS_END
twilio_parent_auth_token: ${PARENT_TOKEN}
VARS_END
ansible-vault encrypt --vault-password-file "${WORK_DIR}/vault-password" "${WORK_DIR}/parent_vars.yml"
if grep -qF "${PARENT_TOKEN}" "${WORK_DIR}/parent_vars.yml"; then
    echo "ansible-vault left the token in clear"; exit 1
fi
ansible-inventory -i "${OPTIONS}" --host ACd15c0000000000000000000000000a04 > "${WORK_DIR}/options-host.json"
grep -F "\"${BASE_URL}\"" "${WORK_DIR}/options-host.json"
ansible-playbook -i "${OPTIONS}" twilio_ops.chat.migrate --check --diff -f "${FORKS}" -vvvv \
    -e "@${WORK_DIR}/parent_vars.yml" --vault-password-file "${WORK_DIR}/vault-password" \
    -e "twilio_chat_migration_report_dir=${WORK_DIR}/reports-vaulted" > "${WORK_DIR}/vaulted-dry-run.log" 2>&1
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" reports --report-dir "${WORK_DIR}/reports-vaulted" --kind dry-run --expected "${WORK_DIR}/expected.json"
"${CHECK[@]}" recap --log "${WORK_DIR}/vaulted-dry-run.log" --expected "${WORK_DIR}/expected.json" --where failed=0
elapsed "dry run with the vaulted token"

# 6. No auth token or API secret of any account (parent, subaccounts, the other customer) in any output or report.
for expected in 'task path: ' 'PLAY RECAP'; do
    grep -qF -- "${expected}" "${WORK_DIR}/migration.log"
done
twilio_emulator_admin no-secrets "${WORK_DIR}"/*.log "${WORK_DIR}"/options-host.json \
    "${REPORTS}" "${WORK_DIR}/reports-rerun" "${WORK_DIR}/reports-vaulted"
