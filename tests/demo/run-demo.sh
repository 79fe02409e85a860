#!/usr/bin/env bash
# The demo behind `make demo`: migrate three Twilio accounts held by a local
# emulator, first as a dry run, then for real, then once more to show that
# nothing is left to do. Needs the virtual environment the Makefile creates
# (VENV, default .venv) with ansible-core and requests; never talks to Twilio.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-${REPO_ROOT}/.venv}"
PYTHON="${VENV}/bin/python"
ANSIBLE_PLAYBOOK="${VENV}/bin/ansible-playbook"
SEED="${DEMO_SEED:-${REPO_ROOT}/tests/emulator/seeds/demo.json}"
REPORT_DIR="${DEMO_REPORT_DIR:-${REPO_ROOT}/reports/demo}"
DIFF_CHANNELS_SHOWN="${DEMO_DIFF_CHANNELS:-4}"

if [ ! -x "${ANSIBLE_PLAYBOOK}" ]; then
    echo "No ansible-playbook in ${VENV}: run 'make demo' (it creates the virtual environment) or set VENV." >&2
    exit 1
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/twilio-chat-demo.XXXXXX")"
LOG_DIR="${REPO_ROOT}/reports/demo-logs"
mkdir -p "${LOG_DIR}"

export TWILIO_EMULATOR_PYTHON="${PYTHON}"
# shellcheck source=../emulator/emulator.sh
source "${REPO_ROOT}/tests/emulator/emulator.sh"
cleanup() {
    twilio_emulator_stop
    rm -rf "${WORK_DIR}"
}
trap cleanup EXIT

headline() {
    if [ -t 1 ]; then
        printf '\n\033[1m==> %s\033[0m\n\n' "$*"
    else
        printf '\n==> %s\n\n' "$*"
    fi
}

# ansible-playbook finds the collection as twilio_ops.chat through this
# directory, whatever the clone is called; nothing is installed.
mkdir -p "${WORK_DIR}/collections/ansible_collections/twilio_ops"
ln -s "${REPO_ROOT}" "${WORK_DIR}/collections/ansible_collections/twilio_ops/chat"
export ANSIBLE_COLLECTIONS_PATH="${WORK_DIR}/collections"
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false

headline "Starting the Twilio emulator with $(basename "${SEED}"): three accounts, a few thousand Chat channels"
twilio_emulator_start "${SEED}"
BASE_URL="${TWILIO_EMULATOR_URL}"

emulator_writes() {
    twilio_emulator_admin stats --get writes
}

# Each host is one Twilio account of the seed. A real inventory keeps the
# secrets in Ansible Vault: see playbooks/inventory.example.yml.
INVENTORY="${WORK_DIR}/inventory.yml"
cat > "${INVENTORY}" <<INVENTORY_END
twilio_accounts:
  hosts:
    acme:
      twilio_account_sid: AC000000000000000000000000dead0001
      twilio_auth_token: fake-demo-token-0001
      twilio_chat_services:
        - sid: IS000000000000000000000000dead000b
          messaging_service_sid: MG000000000000000000000000dead0010
        - sid: IS000000000000000000000000dead000c
    globex:
      twilio_account_sid: AC000000000000000000000000dead0002
      twilio_api_key: SK000000000000000000000000dead0002
      twilio_api_secret: fake-demo-key-secret-0002
      twilio_chat_services:
        - sid: IS000000000000000000000000dead0015
          messaging_service_sid: MG000000000000000000000000dead0020
        - sid: IS000000000000000000000000dead0016
    initech:
      twilio_account_sid: AC000000000000000000000000dead0003
      twilio_auth_token: fake-demo-token-0003
      twilio_chat_services:
        - sid: IS000000000000000000000000dead001f
          messaging_service_sid: MG000000000000000000000000dead0030
  vars:
    twilio_api_base_url: ${BASE_URL}
    twilio_chat_migration_report_dir: ${REPORT_DIR}
INVENTORY_END
echo "Emulator at ${BASE_URL}; inventory: acme, globex and initech, one host per Twilio account."

run_migration() {
    # run_migration LOG [ARGS...]: the full output goes to LOG.
    local log="$1"
    shift
    "${ANSIBLE_PLAYBOOK}" -i "${INVENTORY}" "${REPO_ROOT}/playbooks/migrate.yml" "$@" > "${log}" 2>&1
}

headline "Step 1 of 3: dry run (ansible-playbook playbooks/migrate.yml --check --diff)"
echo "Each service's diff shows every channel that would change; the first ${DIFF_CHANNELS_SHOWN} of each service are shown here."
status=0
run_migration "${LOG_DIR}/1-dry-run.log" --check --diff || status=$?
"${PYTHON}" "${REPO_ROOT}/tests/demo/shorten_diff.py" "${DIFF_CHANNELS_SHOWN}" "${LOG_DIR}/1-dry-run.log"
[ "${status}" -eq 0 ] || { echo "The dry run failed (exit ${status})." >&2; exit 1; }
echo
echo "A private channel on another messaging service is moved to the asked one, for example:"
grep -A2 -E '^ CH[0-9a-f]{32} \(billing-escalations\):$' "${LOG_DIR}/1-dry-run.log" || true
echo "Write requests the emulator received during the dry run: $(emulator_writes)"

headline "Step 2 of 3: migration (ansible-playbook playbooks/migrate.yml)"
status=0
run_migration "${LOG_DIR}/2-migration.log" || status=$?
cat "${LOG_DIR}/2-migration.log"
[ "${status}" -eq 0 ] || { echo "The migration failed (exit ${status})." >&2; exit 1; }
echo "Write requests the emulator received so far: $(emulator_writes)"

headline "Step 3 of 3: once more, to prove nothing is left (every host must show changed=0)"
status=0
# Its report goes to a subdirectory, so that the reports of step 2 stay.
run_migration "${LOG_DIR}/3-rerun.log" -e "twilio_chat_migration_report_dir=${REPORT_DIR}/rerun" || status=$?
sed -n '/^PLAY RECAP/,$p' "${LOG_DIR}/3-rerun.log"
[ "${status}" -eq 0 ] || { cat "${LOG_DIR}/3-rerun.log"; echo "The second run failed (exit ${status})." >&2; exit 1; }
# Every host line of the recap must say changed=0, and all three hosts must be there.
unchanged_hosts="$(sed -n '/^PLAY RECAP/,$p' "${LOG_DIR}/3-rerun.log" | grep -cE '^\S+ +: .*changed=0 .*failed=0' || true)"
if [ "${unchanged_hosts}" -ne 3 ]; then
    echo "Expected changed=0 for all 3 hosts, got it for ${unchanged_hosts}: see ${LOG_DIR}/3-rerun.log" >&2
    exit 1
fi
echo "changed=0 for every host: the migration is complete and running it again is harmless."

headline "Reports"
echo "Per account, JSON and Markdown, in ${REPORT_DIR} (those of step 3 in ${REPORT_DIR}/rerun):"
(cd "${REPORT_DIR}" && ls -1 ./*.json ./*.md) | sed 's|^\./|  |'
echo
cat "${REPORT_DIR}/acme.migration.md"
echo
echo "Full output of each step: ${LOG_DIR}/"
echo "Next: copy playbooks/inventory.example.yml, put your own accounts in it, and start with --check --diff."
