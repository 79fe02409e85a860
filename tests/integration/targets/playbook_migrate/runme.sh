#!/usr/bin/env bash
# Drives playbooks/migrate.yml and playbooks/audit.yml against the Twilio
# emulator with a two-account inventory (files/inventory.yml).
set -eux

TARGET_DIR="$(cd "$(dirname "$0")" && pwd)"
COLLECTION_ROOT="$(cd "${TARGET_DIR}/../../../.." && pwd)"
# The playbooks run by their collection names, as users run them from an installed collection;
# the example inventory is copied in by ansible-test (see aliases).
EXAMPLES="${COLLECTION_ROOT}/playbooks"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
WORK_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/playbook_migrate.XXXXXX")"
INVENTORY="${TARGET_DIR}/files/inventory.yml"
REPORTS="${WORK_DIR}/reports"
CHECK=("${PYTHON}" "${TARGET_DIR}/files/check.py")

# shellcheck source=../../../emulator/emulator.sh
source "${COLLECTION_ROOT}/tests/emulator/emulator.sh"
trap twilio_emulator_stop EXIT
twilio_emulator_start "${TARGET_DIR}/files/seed.json"
BASE_URL="${TWILIO_EMULATOR_URL}"

run_playbook() {
    # run_playbook LOG PLAYBOOK [ARGS...]: the log keeps the whole output for the checks below.
    local log="$1" playbook="$2"
    shift 2
    ansible-playbook -i "${INVENTORY}" "twilio_ops.chat.${playbook%.yml}" \
        -e "twilio_api_base_url=${BASE_URL}" -e "twilio_chat_migration_report_dir=${REPORTS}" "$@" > "${log}" 2>&1
}

"${CHECK[@]}" expect --base-url "${BASE_URL}" --inventory "${INVENTORY}" --out "${WORK_DIR}/expected.json"
"${CHECK[@]}" reset-stats --base-url "${BASE_URL}"

# 1. Role argument validation rejects a malformed inventory, naming the variable, before any request.
for bad in inventory-malformed.yml inventory-missing-sid.yml; do
    if ansible-playbook -i "${TARGET_DIR}/files/${bad}" twilio_ops.chat.migrate -e "twilio_api_base_url=${BASE_URL}" \
        > "${WORK_DIR}/${bad}.log" 2>&1; then
        echo "migrate.yml accepted ${bad}"; exit 1
    fi
    grep 'Validation of arguments failed' "${WORK_DIR}/${bad}.log"
done
grep -E "twilio_chat_services.*(sid|service_sid)|(sid|service_sid).*twilio_chat_services" "${WORK_DIR}/inventory-malformed.yml.log"
grep 'twilio_account_sid' "${WORK_DIR}/inventory-missing-sid.yml.log"
# Wrong credentials fail the preflight with a clear message and no write.
if run_playbook "${WORK_DIR}/bad-credentials.log" migrate.yml --limit alpha -e twilio_auth_token=wrong-token; then
    echo "migrate.yml accepted a wrong auth token"; exit 1
fi
grep 'Preflight failed for account AC2f1a000000000000000000000000a001' "${WORK_DIR}/bad-credentials.log"
grep 'HTTP 401' "${WORK_DIR}/bad-credentials.log"
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
# An auth token together with an API key, as variables or from the environment, is refused before any request.
"${CHECK[@]}" reset-stats --base-url "${BASE_URL}"
if run_playbook "${WORK_DIR}/token-and-key-vars.log" migrate.yml --limit alpha \
    -e twilio_api_key=SK2f1a000000000000000000000000b002 -e twilio_api_secret=playbook-test-api-secret-beta-0b9f; then
    echo "migrate.yml accepted twilio_auth_token together with twilio_api_key"; exit 1
fi
grep -F 'alpha: auth_token and api_key are both set (twilio_auth_token, twilio_api_key)' "${WORK_DIR}/token-and-key-vars.log"
if TWILIO_API_KEY=SK2f1a000000000000000000000000b002 TWILIO_API_SECRET=playbook-test-api-secret-beta-0b9f \
    run_playbook "${WORK_DIR}/token-and-key-env.log" audit.yml --limit alpha; then
    echo "audit.yml accepted twilio_auth_token together with TWILIO_API_KEY"; exit 1
fi
grep -F 'alpha: auth_token and api_key are both set (twilio_auth_token, TWILIO_API_KEY)' "${WORK_DIR}/token-and-key-env.log"
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0 | grep -F '(0 requests in all)'

# 2. The audit only reads and reports what a migration would change.
run_playbook "${WORK_DIR}/audit-before.log" audit.yml
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind audit --expected "${WORK_DIR}/expected.json"

# 3. The dry run makes no write, shows the bulk module's diff through the role and reports the right counts.
run_playbook "${WORK_DIR}/dry-run.log" migrate.yml --check --diff
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
grep -E '^\+\+\+ after: Chat service IS2f1a000000000000000000000000d001' "${WORK_DIR}/dry-run.log"
# Each channel is a label line shared by both sides, followed by its old and new state.
grep -A2 -E '^ CH2f1a000000000000000000000000e001 \(lobby\):$' "${WORK_DIR}/dry-run.log" \
    | grep -E '^\+  type=private messaging_service_sid=MG2f1a000000000000000000000000c001$'
grep -A2 -E '^ CH2f1a000000000000000000000000e002 \(other-ms\):$' "${WORK_DIR}/dry-run.log" \
    | grep -E '^-  type=private messaging_service_sid=MG2f1a000000000000000000000000c002$'
grep -A2 -E '^ CH2f1a000000000000000000000000e101 \(news\):$' "${WORK_DIR}/dry-run.log" | grep -E '^\+  type=private '
if grep -E 'CH2f1a000000000000000000000000e103' "${WORK_DIR}/dry-run.log"; then
    echo "the dry run shows a channel that was not selected"; exit 1
fi
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind dry-run --expected "${WORK_DIR}/expected.json"
grep 'Dry run (check mode): nothing was changed' "${REPORTS}/alpha.dry-run.md"

# 4. A channel that fails permanently fails its service and the host, after everything else was migrated.
"${CHECK[@]}" fault --base-url "${BASE_URL}" --channel-sid CH2f1a000000000000000000000000e001
if run_playbook "${WORK_DIR}/faulty.log" migrate.yml; then
    echo "migrate.yml succeeded although a channel failed"; exit 1
fi
"${CHECK[@]}" recap --log "${WORK_DIR}/faulty.log" --hosts alpha --where failed=1
"${CHECK[@]}" recap --log "${WORK_DIR}/faulty.log" --hosts beta --where failed=0
grep '1 of 2 service(s) of alpha failed (IS2f1a000000000000000000000000d001)' "${WORK_DIR}/faulty.log"
"${CHECK[@]}" state --base-url "${BASE_URL}" --inventory "${INVENTORY}" --still-public CH2f1a000000000000000000000000e001
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind migration --expected "${WORK_DIR}/expected.json" \
    --failed-service IS2f1a000000000000000000000000d001 --failed-channel CH2f1a000000000000000000000000e001
grep -F '| IS2f1a000000000000000000000000d001 | CH2f1a000000000000000000000000e001 | lobby |' "${REPORTS}/alpha.migration.md"

# 5. Once the fault is gone, running again finishes the job: only the failed channel is left to migrate.
"${CHECK[@]}" clear-faults --base-url "${BASE_URL}"
run_playbook "${WORK_DIR}/resume.log" migrate.yml
"${CHECK[@]}" state --base-url "${BASE_URL}" --inventory "${INVENTORY}"
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind migration --expected "${WORK_DIR}/expected.json" \
    --nothing-left --changed IS2f1a000000000000000000000000d001=1
"${CHECK[@]}" recap --log "${WORK_DIR}/resume.log" --hosts alpha --where changed=1 failed=0
"${CHECK[@]}" recap --log "${WORK_DIR}/resume.log" --hosts beta --where changed=0 failed=0

# 6. Nothing is left: every host reports changed=0, and no write is made. Run at -vvvv to check no secret shows.
"${CHECK[@]}" reset-stats --base-url "${BASE_URL}"
run_playbook "${WORK_DIR}/idempotent.log" migrate.yml --diff -vvvv
"${CHECK[@]}" recap --log "${WORK_DIR}/idempotent.log" --hosts alpha beta --where changed=0 failed=0
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind migration --expected "${WORK_DIR}/expected.json" --nothing-left

# 7. The audit after the migration finds nothing left to do.
run_playbook "${WORK_DIR}/audit-after.log" audit.yml
"${CHECK[@]}" report --inventory "${INVENTORY}" --report-dir "${REPORTS}" --kind audit --expected "${WORK_DIR}/expected.json" --nothing-left
"${CHECK[@]}" writes --base-url "${BASE_URL}" --expected 0

# 8. No secret in any output or report.
twilio_emulator_admin no-secrets "${WORK_DIR}"/*.log "${REPORTS}"/*

# 9. The example inventory's vaulted values open with the example vault password file.
ansible acme-production,acme-eu -i "${EXAMPLES}/inventory.example.yml" -c local \
    --vault-password-file "${EXAMPLES}/vault-password.example.txt" -m ansible.builtin.assert \
    -a '{"that": ["(twilio_auth_token | default(twilio_api_secret)) is match(\"example-.*-not-real\")"], "quiet": true}'

# 10. Inline-vaulted secrets, as the example inventory holds them, pass the role's argument validation on every
#     ansible-core (2.16 refuses a !vault value of an option marked no_log there), and never show, even at -vvvv.
VAULT_PASSWORD_FILE="${WORK_DIR}/vault-password.txt"
VAULTED_INVENTORY="${WORK_DIR}/inventory-vaulted.yml"
echo "playbook-migrate-vault-password" > "${VAULT_PASSWORD_FILE}"
host_var() {
    "${PYTHON}" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["twilio_accounts"]["hosts"][sys.argv[2]][sys.argv[3]])' \
        "${INVENTORY}" "$1" "$2"
}
vaulted() {
    # vaulted HOST NAME: the host's variable NAME of the plain inventory, as an inline !vault value.
    ansible-vault encrypt_string --vault-password-file "${VAULT_PASSWORD_FILE}" --name "$2" "$(host_var "$1" "$2")" 2>/dev/null \
        | sed 's/^/      /'
}
{
    echo 'twilio_accounts:'
    echo '  hosts:'
    echo '    alpha:'
    echo "      twilio_account_sid: $(host_var alpha twilio_account_sid)"
    vaulted alpha twilio_auth_token
    echo '    beta:'
    echo "      twilio_account_sid: $(host_var beta twilio_account_sid)"
    echo "      twilio_api_key: $(host_var beta twilio_api_key)"
    vaulted beta twilio_api_secret
} > "${VAULTED_INVENTORY}"
grep -c '!vault' "${VAULTED_INVENTORY}" | grep -qx 2
ansible-playbook -i "${VAULTED_INVENTORY}" twilio_ops.chat.audit --vault-password-file "${VAULT_PASSWORD_FILE}" -vvvv \
    -e "twilio_api_base_url=${BASE_URL}" -e "twilio_chat_migration_report_dir=${WORK_DIR}/vaulted-reports" > "${WORK_DIR}/vaulted.log" 2>&1
"${CHECK[@]}" recap --log "${WORK_DIR}/vaulted.log" --hosts alpha beta --where changed=0 failed=0
twilio_emulator_admin no-secrets "${WORK_DIR}/vaulted.log" "${WORK_DIR}"/vaulted-reports/*

# 11. Subaccounts of a parent, with no credential of their own: the role reads each one's auth token through the
#     parent, in memory, and works on every Chat service it finds (files/seed-fleet.json). Nothing in the
#     environment but the parent's credentials and the base URL.
twilio_emulator_stop
twilio_emulator_start "${TARGET_DIR}/files/seed-fleet.json"
FLEET_SEED="${TARGET_DIR}/files/seed-fleet.json"
FLEET_REPORTS="${WORK_DIR}/fleet-reports"
FLEET=("${PYTHON}" "${TARGET_DIR}/files/check_fleet.py")
PARENT_SID=AC2f1a00000000000000000000000f0001
run_as_parent() {
    # run_as_parent LOG INVENTORY PLAYBOOK [ARGS...]: TWILIO_* holds only what the arguments before the command add.
    local log="$1" inventory="$2" playbook="$3"
    shift 3
    env -u TWILIO_AUTH_TOKEN -u TWILIO_API_KEY -u TWILIO_API_SECRET -u TWILIO_ACCOUNT_SID -u TWILIO_API_BASE_URL \
        TWILIO_API_BASE_URL="${TWILIO_EMULATOR_URL}" "${PARENT_ENV[@]}" \
        ansible-playbook -i "${inventory}" "twilio_ops.chat.${playbook%.yml}" \
        -e "twilio_chat_migration_report_dir=${FLEET_REPORTS}" -vvvv "$@" > "${log}" 2>&1
}
HAND_WRITTEN="${TARGET_DIR}/files/inventory-subaccount.yml"
# 10a. A Standard API key of the parent cannot read a subaccount's token: the host fails, saying which credential can.
PARENT_ENV=(TWILIO_API_KEY=SK2f1a00000000000000000000000f0001 TWILIO_API_SECRET=playbook-test-parent-standard-key-7a0c)
if run_as_parent "${WORK_DIR}/fleet-standard-key.log" "${HAND_WRITTEN}" audit.yml -e "twilio_api_base_url=${TWILIO_EMULATOR_URL}"; then
    echo "audit.yml read a subaccount's token with a Standard API key"; exit 1
fi
grep -F "(HTTP 401). The parent's auth token can list subaccounts and read their auth tokens" "${WORK_DIR}/fleet-standard-key.log"
grep -F 'a standard API key cannot reach the Accounts resource' "${WORK_DIR}/fleet-standard-key.log"
# 10b. The parent's token as a vaulted variable, nothing else: the account-wide messaging service and a per-service override.
PARENT_ENV=()
echo 'twilio_parent_auth_token: playbook-test-parent-token-5d21' > "${WORK_DIR}/parent-credentials.yml"
echo 'fleet-test-vault-password' > "${WORK_DIR}/vault-password"
ansible-vault encrypt --vault-password-file "${WORK_DIR}/vault-password" "${WORK_DIR}/parent-credentials.yml"
run_as_parent "${WORK_DIR}/fleet-overrides.log" "${HAND_WRITTEN}" migrate.yml --check -e "twilio_api_base_url=${TWILIO_EMULATOR_URL}" \
    -e "@${WORK_DIR}/parent-credentials.yml" --vault-password-file "${WORK_DIR}/vault-password" \
    -e "twilio_chat_migration_report_dir=${WORK_DIR}/subaccount-reports"
"${FLEET[@]}" overrides --report "${WORK_DIR}/subaccount-reports/tenant-two-services.dry-run.json"
"${CHECK[@]}" writes --base-url "${TWILIO_EMULATOR_URL}" --expected 0
# 10c. The inventory plugin over the parent (active subaccounts only): audit, dry run, migration, and a re-run with nothing left.
FLEET_INVENTORY="${TARGET_DIR}/files/fleet.twilio_accounts.yml"
PARENT_ENV=(TWILIO_ACCOUNT_SID="${PARENT_SID}" TWILIO_AUTH_TOKEN=playbook-test-parent-token-5d21)
run_as_parent "${WORK_DIR}/fleet-audit.log" "${FLEET_INVENTORY}" audit.yml
to_change="$("${FLEET[@]}" reports --report-dir "${FLEET_REPORTS}" --kind audit)"
grep -F '| IS2f1a00000000000000000000000f0a11 | Community chat |' "${FLEET_REPORTS}/AC2f1a00000000000000000000000f0a01.audit.md"
run_as_parent "${WORK_DIR}/fleet-dry-run.log" "${FLEET_INVENTORY}" migrate.yml --check --diff
[ "$("${FLEET[@]}" reports --report-dir "${FLEET_REPORTS}" --kind dry-run)" -eq "${to_change}" ]
"${CHECK[@]}" writes --base-url "${TWILIO_EMULATOR_URL}" --expected 0
run_as_parent "${WORK_DIR}/fleet-migration.log" "${FLEET_INVENTORY}" migrate.yml
[ "$("${FLEET[@]}" reports --report-dir "${FLEET_REPORTS}" --kind migration)" -eq "${to_change}" ]
"${CHECK[@]}" writes --base-url "${TWILIO_EMULATOR_URL}" --expected "${to_change}"
"${CHECK[@]}" recap --log "${WORK_DIR}/fleet-migration.log" --hosts AC2f1a00000000000000000000000f0a01 --where changed=1 failed=0
"${CHECK[@]}" reset-stats --base-url "${TWILIO_EMULATOR_URL}"
run_as_parent "${WORK_DIR}/fleet-rerun.log" "${FLEET_INVENTORY}" migrate.yml
"${CHECK[@]}" recap --log "${WORK_DIR}/fleet-rerun.log" --hosts AC2f1a00000000000000000000000f0a01 AC2f1a00000000000000000000000f0a02 \
    --where changed=0 failed=0
"${CHECK[@]}" writes --base-url "${TWILIO_EMULATOR_URL}" --expected 0
"${FLEET[@]}" reports --report-dir "${FLEET_REPORTS}" --kind migration --nothing-left
# 10d. No token or secret of the parent or of any subaccount in any output (all at -vvvv) or report.
twilio_emulator_admin no-secrets "${WORK_DIR}"/fleet-*.log "${FLEET_REPORTS}"/* "${WORK_DIR}"/subaccount-reports/*
