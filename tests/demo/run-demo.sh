#!/usr/bin/env bash
# The demo behind `make demo`: discover the subaccounts of a Twilio parent
# account held by a local emulator (the inventory is only the twilio_accounts
# plugin file and the parent's credentials), audit them, migrate them as a dry
# run, then for real, then once more to show that nothing is left to do. Every
# Chat service is found by the role itself. Needs the virtual environment the
# Makefile creates (VENV, default .venv) with ansible-core and requests; never
# talks to Twilio.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-${REPO_ROOT}/.venv}"
PYTHON="${VENV}/bin/python"
ANSIBLE_PLAYBOOK="${VENV}/bin/ansible-playbook"
ANSIBLE_INVENTORY="${VENV}/bin/ansible-inventory"
SEED="${DEMO_SEED:-${REPO_ROOT}/tests/emulator/seeds/demo-fleet.json}"
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

headline "Starting the Twilio emulator with $(basename "${SEED}"): a parent account, five subaccounts, a few thousand Chat channels"
twilio_emulator_start "${SEED}"
BASE_URL="${TWILIO_EMULATOR_URL}"

emulator_writes() {
    twilio_emulator_admin stats --get writes
}

# The whole inventory: one line naming the plugin. The parent's credentials come
# from the environment, as they would from a CI secret or an AWX credential; no
# subaccount's token is written anywhere: the role reads each one through the
# parent, in memory, when it needs it.
INVENTORY="${WORK_DIR}/demo.twilio_accounts.yml"
echo 'plugin: twilio_ops.chat.twilio_accounts' > "${INVENTORY}"
twilio_unset_environment
export TWILIO_ACCOUNT_SID=AC000000000000000000000000dead0100
export TWILIO_AUTH_TOKEN=fake-demo-parent-token-0100
export TWILIO_API_BASE_URL="${BASE_URL}"
echo "Emulator at ${BASE_URL}. The inventory file is one line:"
sed 's/^/  /' "${INVENTORY}"
echo "and the parent's TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are in the environment."

run_playbook() {
    # run_playbook LOG PLAYBOOK [ARGS...]: the full output goes to LOG.
    local log="$1" playbook="$2"
    shift 2
    "${ANSIBLE_PLAYBOOK}" -i "${INVENTORY}" "twilio_ops.chat.${playbook}" -f 5 \
        -e "twilio_chat_migration_report_dir=${REPORT_DIR}" "$@" > "${log}" 2>&1
}
recap() {
    sed -n '/^PLAY RECAP/,$p' "$1"
}

headline "Step 1 of 5: the fleet (ansible-inventory --graph)"
"${ANSIBLE_INVENTORY}" -i "${INVENTORY}" --graph
"${ANSIBLE_INVENTORY}" -i "${INVENTORY}" --list --output "${WORK_DIR}/inventory.json"
"${PYTHON}" - "${WORK_DIR}/inventory.json" <<'NAMES_END'
import json, sys
with open(sys.argv[1]) as handle:
    hostvars = json.load(handle)['_meta']['hostvars']
def plain(value):
    return value.get('__ansible_unsafe', value) if isinstance(value, dict) else value
for host, variables in sorted(hostvars.items(), key=lambda item: plain(item[1]['twilio_account_friendly_name'])):
    print('  %s  %s' % (host, plain(variables['twilio_account_friendly_name'])))
NAMES_END
echo "Hosts are named after their account SIDs (stable and unique); the suspended subaccount is not one of them."

headline "Step 2 of 5: audit (ansible-playbook twilio_ops.chat.audit): every Chat service, found by itself"
status=0
run_playbook "${LOG_DIR}/1-audit.log" audit || status=$?
recap "${LOG_DIR}/1-audit.log"
[ "${status}" -eq 0 ] || { cat "${LOG_DIR}/1-audit.log"; echo "The audit failed (exit ${status})." >&2; exit 1; }
"${PYTHON}" - "${WORK_DIR}/inventory.json" "${REPORT_DIR}" <<'AUDIT_END'
import json, os, sys
with open(sys.argv[1]) as handle:
    hosts = sorted(json.load(handle)['twilio_accounts']['hosts'])
print('%-34s  %-20s %-34s %7s %7s' % ('account', 'name', 'Chat service', 'public', 'private'))
for host in hosts:
    with open(os.path.join(sys.argv[2], host + '.audit.json')) as handle:
        report = json.load(handle)
    for service in report['services'] or [{'service_sid': '(no Chat service)', 'public': 0, 'private': 0}]:
        print('%-34s  %-20s %-34s %7d %7d' % (report['account_sid'], report.get('account_friendly_name') or '',
                                             service['service_sid'], service['public'], service['private']))
AUDIT_END
echo "Write requests the emulator received during the audit: $(emulator_writes)"

headline "Step 3 of 5: dry run (ansible-playbook twilio_ops.chat.migrate --check --diff)"
echo "Each service's diff shows every channel that would change; the first ${DIFF_CHANNELS_SHOWN} of each service are shown here."
status=0
run_playbook "${LOG_DIR}/2-dry-run.log" migrate --check --diff || status=$?
"${PYTHON}" "${REPO_ROOT}/tests/demo/shorten_diff.py" "${DIFF_CHANNELS_SHOWN}" "${LOG_DIR}/2-dry-run.log"
[ "${status}" -eq 0 ] || { echo "The dry run failed (exit ${status})." >&2; exit 1; }
dry_run_writes="$(emulator_writes)"
echo "Write requests the emulator received so far (audit and dry run): ${dry_run_writes}"
[ "${dry_run_writes}" -eq 0 ] || { echo "The dry run wrote to the emulator." >&2; exit 1; }

headline "Step 4 of 5: migration (ansible-playbook twilio_ops.chat.migrate)"
status=0
SECONDS=0
run_playbook "${LOG_DIR}/3-migration.log" migrate || status=$?
migration_seconds="${SECONDS}"
recap "${LOG_DIR}/3-migration.log"
[ "${status}" -eq 0 ] || { cat "${LOG_DIR}/3-migration.log"; echo "The migration failed (exit ${status})." >&2; exit 1; }
echo "The emulator received $(emulator_writes) write requests (one per migrated channel) in ${migration_seconds}s; accounts run in parallel."

headline "Step 5 of 5: once more, to prove nothing is left (every host must show changed=0)"
status=0
# Its report goes to a subdirectory, so that the reports of step 4 stay.
run_playbook "${LOG_DIR}/4-rerun.log" migrate -e "twilio_chat_migration_report_dir=${REPORT_DIR}/rerun" || status=$?
recap "${LOG_DIR}/4-rerun.log"
[ "${status}" -eq 0 ] || { cat "${LOG_DIR}/4-rerun.log"; echo "The second run failed (exit ${status})." >&2; exit 1; }
# Every host line of the recap must say changed=0, and every host of the inventory must be there.
hosts="$("${PYTHON}" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["twilio_accounts"]["hosts"]))' "${WORK_DIR}/inventory.json")"
unchanged_hosts="$(recap "${LOG_DIR}/4-rerun.log" | grep -cE '^AC[0-9a-f]{32} +: .*changed=0 .*failed=0' || true)"
if [ "${unchanged_hosts}" -ne "${hosts}" ]; then
    echo "Expected changed=0 for all ${hosts} hosts, got it for ${unchanged_hosts}: see ${LOG_DIR}/4-rerun.log" >&2
    exit 1
fi
echo "changed=0 for all ${hosts} hosts: the migration is complete and running it again is harmless."

headline "Reports"
echo "Per account, JSON and Markdown, in ${REPORT_DIR} (those of step 5 in ${REPORT_DIR}/rerun):"
(cd "${REPORT_DIR}" && ls -1 ./*.json ./*.md) | sed 's|^\./|  |'
echo
cat "${REPORT_DIR}/AC000000000000000000000000dead0001.migration.md"
echo
echo "Full output of each step: ${LOG_DIR}/"
echo "Next: put your parent account's SID and auth token in TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, then"
echo "  ansible-inventory -i playbooks/inventory.twilio_accounts.yml --graph"
echo "  ansible-playbook -i playbooks/inventory.twilio_accounts.yml twilio_ops.chat.audit"
