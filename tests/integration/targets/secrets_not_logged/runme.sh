#!/usr/bin/env bash
# Runs every module with secrets at -vvvv, on success and failure paths, and fails if any secret
# shows in the output.
set -eu -o pipefail

source ../../../emulator/emulator.sh

output="$(mktemp)"
trap 'twilio_emulator_stop; rm -f "${output}"' EXIT

twilio_emulator_start "$(pwd)/files/secrets_seed.json"

# The first two are in files/secrets_seed.json; the wrong ones only ever travel to the emulator.
export SECRET_AUTH_TOKEN=SecretAuthToken-d41d8cd98f00b204
export SECRET_API_SECRET=SecretApiSecret-e9800998ecf8427e
export SECRET_WRONG_AUTH_TOKEN=WrongAuthToken-8f14e45fceea167a
export SECRET_WRONG_API_SECRET=WrongApiSecret-c9f0f895fb98ab91
unset TWILIO_ACCOUNT_SID TWILIO_API_KEY TWILIO_API_SECRET TWILIO_API_BASE_URL
# For the environment fallback; tasks that pass auth_token or api_key override it.
export TWILIO_AUTH_TOKEN="${SECRET_AUTH_TOKEN}"

status=0
ANSIBLE_NOCOLOR=1 timeout 300 ansible-playbook -i "${INVENTORY_PATH}" use_secrets.yml -vvvv "$@" >"${output}" 2>&1 || status=$?
if [ "${status}" -ne 0 ]; then
    tail -n 200 "${output}"
    echo "use_secrets.yml failed (exit ${status})" >&2
    exit 1
fi

# The absence of secrets only means something if the output is verbose and every task ran.
for expected in 'task path: ' 'TASK [No result holds a secret]' 'All assertions passed'; do
    if ! grep -qF -- "${expected}" "${output}"; then
        echo "The -vvvv output lacks '${expected}'" >&2
        exit 1
    fi
done

leaked=0
for name in SECRET_AUTH_TOKEN SECRET_API_SECRET SECRET_WRONG_AUTH_TOKEN SECRET_WRONG_API_SECRET; do
    if grep -qF -- "${!name}" "${output}"; then
        echo "${name} appears in the -vvvv output:" >&2
        grep -nF -- "${!name}" "${output}" | sed "s/${!name}/<${name}>/g" >&2
        leaked=1
    fi
done
if [ "${leaked}" -ne 0 ]; then
    exit 1
fi
echo "No secret in $(wc -l <"${output}") lines of -vvvv output."
