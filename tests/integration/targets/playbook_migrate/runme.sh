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
"${CHECK[@]}" no-secrets --inventory "${INVENTORY}" "${WORK_DIR}"/*.log "${REPORTS}"/*

# 9. The example inventory's vaulted values open with the example vault password file.
ansible acme-production,acme-eu -i "${EXAMPLES}/inventory.example.yml" -c local \
    --vault-password-file "${EXAMPLES}/vault-password.example.txt" -m ansible.builtin.assert \
    -a '{"that": ["(twilio_auth_token | default(twilio_api_secret)) is match(\"example-.*-not-real\")"], "quiet": true}'
