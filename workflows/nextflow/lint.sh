#!/usr/bin/env bash
# Offline lint of the Nextflow part: `nf-core modules lint` (every test nf-core runs on its own
# modules) on every module, and nextflow_schema.json against nextflow.config's params.
# Installs nothing: needs python3 with nf-core (PyPI), which brings jsonschema and PyYAML.
#
#   bash workflows/nextflow/lint.sh     # exit 0 clean, 1 a failure, 3 nf-core not installed
#
# nf-core tools validate meta.yml and environment.yml against the JSON schemas of a clone of
# nf-core/modules that they make on first use (network). Offline, point NFCORE_MODULES at a
# clone (a work tree or a bare git dir); nf-core's own cache (~/.config/nfcore/nf-core/modules)
# is used when present. Without either, those two schema checks run against an empty schema and
# the script says so; every other test runs in full. See lint.py for the details.
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")" && pwd)/lint.py" "$@"
