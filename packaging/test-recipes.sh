#!/usr/bin/env bash
# Runs the packaging recipes' own build steps as plain commands (no conda channel or Docker
# engine is reachable in CI): the conda build.sh into a scratch PREFIX, then the recipe's test
# commands against the installed binary. The Dockerfile's build step is the same
# `cargo install --locked --root ... --path .`.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
# Reuse the checkout's target folder so CI does not build twice.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
PREFIX="$prefix" SRC_DIR="$PWD" bash packaging/conda/build.sh
"$prefix/bin/immunoprofile" --version | grep -q "immunoprofile 0.1.0"
"$prefix/bin/immunoprofile" tmb --help >/dev/null
grep -q 'pin_subpackage("immunoprofile"' packaging/conda/meta.yaml
# Every Nextflow module's meta.yml must be valid YAML (nf-core modules lint stops on it).
python3 - <<'PY'
import glob, yaml
for f in sorted(glob.glob("workflows/nextflow/modules/local/*/meta.yml")):
    yaml.safe_load(open(f))
PY
echo "packaging recipes: ok"
