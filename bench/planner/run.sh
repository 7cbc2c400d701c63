#!/usr/bin/env bash
# Cross-checks corridor's exact day planner against a MILP solved by HiGHS
# on random small days, and reports how much the greedy baseline loses.
#
# Usage: bench/planner/run.sh [N [SEED]]    (default: 500 instances, seed 1)
# Needs python3 with venv, and cargo. Installs highspy into
# bench/planner/.venv; nothing else is downloaded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
count="${1:-500}"
seed="${2:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check highspy

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo run --quiet --release -p corridor-planner --example instances -- "$count" "$seed") > "$work/instances.json"
"$here/.venv/bin/python" "$here/compare.py" "$work/instances.json"
