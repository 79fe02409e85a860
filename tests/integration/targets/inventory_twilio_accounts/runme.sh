#!/usr/bin/env bash
# The inventory contract of twilio_ops.chat.twilio_accounts against the emulator's fleet seed (a parent with
# 120 subaccounts over several pages, one suspended, one closed, and another customer's parent):
# an inventory that is only the plugin file lists every active subaccount, and no secret, with the
# parent's credentials in the environment or in the file; constructed options; the cache; a Standard key.
set -eux -o pipefail

TARGET_DIR="$(cd "$(dirname "$0")" && pwd)"
COLLECTION_ROOT="$(cd "${TARGET_DIR}/../../../.." && pwd)"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
WORK_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/inventory_twilio_accounts.XXXXXX")"
CHECK=("${PYTHON}" "${TARGET_DIR}/files/check_inventory.py")
PARENT_SID=ACf1ee7000000000000000000000000001
PARENT_TOKEN=fake-fleet-parent-token-0001
STANDARD_KEY=SKf1ee7000000000000000000000000001
STANDARD_SECRET=fake-fleet-standard-key-secret
MAIN_KEY=SKf1ee7000000000000000000000000002
MAIN_SECRET=fake-fleet-main-key-secret

export ANSIBLE_NOCOLOR=1

# shellcheck source=../../../emulator/emulator.sh
source "${COLLECTION_ROOT}/tests/emulator/emulator.sh"
# Nothing of Twilio's in the environment but what each step gives.
twilio_unset_environment
trap twilio_emulator_stop EXIT
twilio_emulator_start "${COLLECTION_ROOT}/tests/emulator/seeds/fleet.json"
BASE_URL="${TWILIO_EMULATOR_URL}"
# The emulator's own view of every account (tokens included, so not named *.json: the secret scan reads those): the expected hosts.
ACCOUNTS="${WORK_DIR}/emulator-accounts.data"
twilio_emulator_admin accounts > "${ACCOUNTS}"

with_parent_env() (
    # A subshell without xtrace, so that the trace of this line does not land in the command's log.
    set +x
    TWILIO_ACCOUNT_SID="${PARENT_SID}" TWILIO_AUTH_TOKEN="${PARENT_TOKEN}" TWILIO_API_BASE_URL="${BASE_URL}" exec "$@"
)
accounts_requests() {
    # (--get takes a dotted path, and this route's name has a dot.)
    twilio_emulator_admin stats | "${PYTHON}" -c 'import json, sys; print(json.load(sys.stdin)["by_route"].get("GET /2010-04-01/Accounts.json", 0))'
}

# 1. The parent's credentials in the environment, an inventory that is only `plugin: ...`.
PLAIN="${TARGET_DIR}/files/fleet.twilio_accounts.yml"
twilio_emulator_admin reset-stats > /dev/null
with_parent_env ansible-inventory -i "${PLAIN}" --list -vvvv --output "${WORK_DIR}/list.json" > "${WORK_DIR}/list.log" 2>&1
"${CHECK[@]}" list --accounts "${ACCOUNTS}" --base-url "${BASE_URL}" "${WORK_DIR}/list.json"
# 118 active subaccounts of 122 accounts at 100 a page: two pages (the Status filter is sent to Twilio).
[ "$(accounts_requests)" -eq 2 ]
[ "$(twilio_emulator_admin stats --get writes)" -eq 0 ]
with_parent_env ansible-inventory -i "${PLAIN}" --graph > "${WORK_DIR}/graph.txt" 2> "${WORK_DIR}/graph.log"
with_parent_env ansible-inventory -i "${PLAIN}" --graph -vvvv > "${WORK_DIR}/graph-verbose.log" 2>&1
"${CHECK[@]}" graph --accounts "${ACCOUNTS}" "${WORK_DIR}/graph.txt"

# 2. Constructed options, 50 accounts a page: three pages.
twilio_emulator_admin reset-stats > /dev/null
with_parent_env ansible-inventory -i "${TARGET_DIR}/files/constructed.twilio_accounts.yml" --list -vvvv \
    --output "${WORK_DIR}/constructed.json" > "${WORK_DIR}/constructed.log" 2>&1
"${CHECK[@]}" constructed --accounts "${ACCOUNTS}" "${WORK_DIR}/constructed.json"
[ "$(accounts_requests)" -eq 3 ]

# 3. The jsonfile cache: the second listing makes no Accounts request, and the cache holds no secret.
CACHED="${WORK_DIR}/cached.twilio_accounts.yml"
cat > "${CACHED}" <<CACHED_END
plugin: twilio_ops.chat.twilio_accounts
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ${WORK_DIR}/cache
cache_timeout: 600
CACHED_END
twilio_emulator_admin reset-stats > /dev/null
with_parent_env ansible-inventory -i "${CACHED}" --list --output "${WORK_DIR}/cached-1.json" > "${WORK_DIR}/cached-1.log" 2>&1
[ "$(accounts_requests)" -eq 2 ]
[ -n "$(ls -A "${WORK_DIR}/cache")" ]
twilio_emulator_admin reset-stats > /dev/null
with_parent_env ansible-inventory -i "${CACHED}" --list -vvvv --output "${WORK_DIR}/cached-2.json" > "${WORK_DIR}/cached-2.log" 2>&1
[ "$(twilio_emulator_admin stats --get total)" -eq 0 ]
"${CHECK[@]}" list --accounts "${ACCOUNTS}" --base-url "${BASE_URL}" "${WORK_DIR}/cached-2.json"

# 4. The options in the plugin file and nothing in the environment: the same hosts, each with the
# file's api_base_url (the file holds the parent's token; the hosts never do).
OPTIONS="${WORK_DIR}/options.twilio_accounts.yml"
cat > "${OPTIONS}" <<OPTIONS_END
plugin: twilio_ops.chat.twilio_accounts
account_sid: ${PARENT_SID}
auth_token: ${PARENT_TOKEN}
api_base_url: ${BASE_URL}
OPTIONS_END
ansible-inventory -i "${OPTIONS}" --list -vvvv --output "${WORK_DIR}/options.json" > "${WORK_DIR}/options.log" 2>&1
"${CHECK[@]}" list --accounts "${ACCOUNTS}" --base-url "${BASE_URL}" "${WORK_DIR}/options.json"

# 5. A Main API key of the parent lists them too; a Standard one fails, saying what is needed.
with_key_env() (
    set +x
    TWILIO_ACCOUNT_SID="${PARENT_SID}" TWILIO_API_KEY="$1" TWILIO_API_SECRET="$2" TWILIO_API_BASE_URL="${BASE_URL}" \
        ANSIBLE_INVENTORY_UNPARSED_FAILED=true exec "${@:3}"
)
with_key_env "${MAIN_KEY}" "${MAIN_SECRET}" ansible-inventory -i "${PLAIN}" --list -vvvv --output "${WORK_DIR}/main-key.json" > "${WORK_DIR}/main-key.log" 2>&1
"${CHECK[@]}" list --accounts "${ACCOUNTS}" --base-url "${BASE_URL}" "${WORK_DIR}/main-key.json"
if with_key_env "${STANDARD_KEY}" "${STANDARD_SECRET}" ansible-inventory -i "${PLAIN}" --list -vvvv --output "${WORK_DIR}/standard-key.json" > "${WORK_DIR}/standard-key.log" 2>&1; then
    echo "a Standard API key listed subaccounts"; exit 1
fi
# ansible-core before 2.19 wraps warnings at the terminal's width: compare with the lines joined.
tr -s '[:space:]' ' ' < "${WORK_DIR}/standard-key.log" > "${WORK_DIR}/standard-key.joined"
grep -F "a Standard API key cannot reach the Accounts resource" "${WORK_DIR}/standard-key.joined"
grep -F "needs the parent account's auth token" "${WORK_DIR}/standard-key.joined"

# 6. No token or secret of any account in any output (at -vvvv) or in the cache.
twilio_emulator_admin no-secrets "${WORK_DIR}"/*.json "${WORK_DIR}"/*.log "${WORK_DIR}/graph.txt" "${WORK_DIR}/cache"
