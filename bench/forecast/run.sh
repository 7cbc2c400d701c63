#!/usr/bin/env bash
# Cross-checks corridor's forecast engine against two Python simulators from
# PyPI, SimPy and Ciw, on the same parameters (params.json), and prints the
# results side by side with the time each took.
#
# Usage: bench/forecast/run.sh [params.json]
# Needs python3 with venv, and cargo. Installs simpy and ciw (and their
# dependencies) into bench/forecast/.venv; nothing else is downloaded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
params="$(realpath "${1:-$here/params.json}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check simpy ciw

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build --quiet --release -p corridor-sim --example forecast_peer)
corridor="$CARGO_TARGET_DIR/release/examples/forecast_peer"

echo "parameters: $params"
echo "running corridor, then SimPy, then Ciw (Ciw takes a while) ..."
"$corridor" "$params" > "$work/corridor.json"
"$corridor" "$params" 20000 > "$work/reference.json"
(cd "$here" && .venv/bin/python peer_simpy.py "$params") > "$work/simpy.json"
(cd "$here" && .venv/bin/python peer_ciw.py "$params") > "$work/ciw.json"
echo
"$here/.venv/bin/python" "$here/compare.py" "$work/corridor.json" "$work/reference.json" "$work/simpy.json" "$work/ciw.json"
