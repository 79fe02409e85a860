#!/usr/bin/env bash
# `make lint`: ansible-lint (production profile) on the collection, the
# documentation lint of antsibull-docs (markup and references in every plugin
# and role doc), then galaxy-importer on the built artifact, as Galaxy would import it.
# Both resolve twilio_ops.chat through a temporary collections directory, so
# the checkout may have any name; nothing is installed outside .venvs/lint.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
LINT_VENV="${REPO_ROOT}/.venvs/lint"
REQUIREMENTS="${REPO_ROOT}/tests/ci/requirements-lint.txt"
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/twilio-chat-lint.XXXXXX")"
trap 'rm -rf "${WORK_DIR}"' EXIT

# Rebuilt only when the pins change.
if ! cmp -s "${REQUIREMENTS}" "${LINT_VENV}/.installed" 2>/dev/null; then
    rm -rf "${LINT_VENV}"
    "${PYTHON}" -m venv "${LINT_VENV}"
    "${LINT_VENV}/bin/python" -m pip install --quiet --upgrade pip
    "${LINT_VENV}/bin/python" -m pip install --quiet -r "${REQUIREMENTS}"
    cp "${REQUIREMENTS}" "${LINT_VENV}/.installed"
fi
export PATH="${LINT_VENV}/bin:${PATH}"

# The tracked files only, in a tree shaped like an installed collection.
COLLECTION="${WORK_DIR}/collections/ansible_collections/twilio_ops/chat"
mkdir -p "${COLLECTION}"
(cd "${REPO_ROOT}" && git ls-files --cached --others --exclude-standard | tar -cf - -T -) | tar -xf - -C "${COLLECTION}"
export ANSIBLE_COLLECTIONS_PATH="${WORK_DIR}/collections"
export ANSIBLE_LINT_SKIP_SCHEMA_UPDATE=1

echo "lint: ansible-lint --profile production"
(cd "${COLLECTION}" && ansible-lint --offline --nocolor --profile production)

echo "lint: antsibull-docs lint-collection-docs"
(cd "${COLLECTION}" && antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all .)

echo "lint: ansible-galaxy collection build + galaxy-importer"
ansible-galaxy collection build --output-path "${WORK_DIR}/dist" "${COLLECTION}"
(cd "${WORK_DIR}" && python -m galaxy_importer.main "${WORK_DIR}"/dist/*.tar.gz) > "${WORK_DIR}/importer.log" 2>&1 || {
    cat "${WORK_DIR}/importer.log"
    exit 1
}
grep -v '^$' "${WORK_DIR}/importer.log" | tail -n 3
grep -q 'Importer processing completed successfully' "${WORK_DIR}/importer.log"
