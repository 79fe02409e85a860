#!/usr/bin/env bash
# Runs the EXAMPLES of every module of the collection against the emulator, twice:
# the first run must succeed, the second must change nothing.
set -eu -o pipefail

source ../../../emulator/emulator.sh

python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
workdir="$(mktemp -d)"
trap 'twilio_emulator_stop; rm -rf "${workdir}"' EXIT

twilio_emulator_start "$(pwd)/files/examples_seed.json"

# The account of files/examples_seed.json; the EXAMPLES name its service, channels and messaging service.
export TWILIO_ACCOUNT_SID=ACeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
export TWILIO_AUTH_TOKEN=examples-auth-token-93be1c
export TWILIO_API_BASE_URL="${TWILIO_EMULATOR_URL}"
unset TWILIO_API_KEY TWILIO_API_SECRET TWILIO_REGION TWILIO_EDGE

ansible-doc -t module --list --json twilio_ops.chat >"${workdir}/modules.json"
modules="$("${python}" -c 'import json, sys; print("\n".join(sorted(json.load(open(sys.argv[1])))))' "${workdir}/modules.json")"
if [ -z "${modules}" ]; then
    echo "ansible-doc listed no module of twilio_ops.chat" >&2
    exit 1
fi

for module in ${modules}; do
    ansible-doc -t module --json "${module}" >"${workdir}/doc.json"
    playbook="${workdir}/${module##*.}.yml"
    "${python}" - "${module}" "${workdir}/doc.json" "${playbook}" <<'PYTHON'
import json
import sys

import yaml

module, doc_path, playbook_path = sys.argv[1:4]
examples = json.load(open(doc_path))[module].get('examples') or ''
tasks = yaml.safe_load(examples)
if not tasks:
    sys.exit('%s has no EXAMPLES' % module)
with open(playbook_path, 'w') as playbook:
    yaml.safe_dump([{'name': 'EXAMPLES of %s' % module, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}],
                   playbook, allow_unicode=True, sort_keys=False)
PYTHON

    echo "=== EXAMPLES of ${module}"
    twilio_emulator_admin reset >/dev/null
    timeout 120 ansible-playbook -i "${INVENTORY_PATH}" "${playbook}" "$@"

    echo "=== EXAMPLES of ${module}, again: nothing may change"
    timeout 120 ansible-playbook -i "${INVENTORY_PATH}" "${playbook}" "$@" | tee "${workdir}/again.log"
    if ! grep -Eq 'localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "${workdir}/again.log"; then
        echo "Running the EXAMPLES of ${module} a second time changed something or failed" >&2
        exit 1
    fi
done
