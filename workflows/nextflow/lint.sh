#!/usr/bin/env bash
# Offline lint of the Nextflow part: `nf-core modules lint` on every module, and
# nextflow_schema.json against nextflow.config's params. Installs nothing: needs `nf-core`
# (PyPI nf-core) and python3 with jsonschema and PyYAML (both nf-core dependencies).
#
#   bash workflows/nextflow/lint.sh            # exit 0 clean, 1 a lint failure, 3 tool missing
#
# How the modules are linted: nf-core tools lint a module strictly only inside an nf-core
# *modules repository* (in a pipeline, local modules get warnings only). The script copies our
# modules into a throwaway modules repository laid out as nf-core/modules is
# (modules/immunoprofile/immunoprofile/<stage>/, so a module's name `immunoprofile/tmb` matches
# its process IMMUNOPROFILE_TMB) and lints that with every test nf-core runs on its own modules.
#
# nf-core tools take the meta.yml and environment.yml JSON schemas from a git clone of
# nf-core/modules that they make on first use (network). Offline, give that clone with
# NFCORE_MODULES=/path/to/modules (a work tree or a bare git dir); else nf-core's own cache
# (~/.config/nfcore/nf-core/modules) is used when present. Without either, the two schema
# checks (meta_yml_valid, environment_yml_valid) run against an empty schema and the script says
# so; every other test runs in full.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v nf-core >/dev/null; then
  echo "skipped: nf-core is not installed (python3 -m pip install nf-core)"
  exit 3
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
repo="$tmp/modules-repo"
ref="$tmp/reference"
mkdir -p "$repo/modules/immunoprofile/immunoprofile" "$ref/modules" "$repo/tests/config"

# --- the reference "nf-core/modules" clone nf-core tools read their schemas from -------------
src="${NFCORE_MODULES:-${XDG_CONFIG_HOME:-$HOME/.config}/nfcore/nf-core/modules}"
schemas="stand-in (empty: meta_yml_valid and environment_yml_valid check nothing)"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1 &&
  git -C "$src" show HEAD:modules/meta-schema.json >"$ref/modules/meta-schema.json" 2>/dev/null &&
  git -C "$src" show HEAD:modules/environment-schema.json >"$ref/modules/environment-schema.json" 2>/dev/null; then
  schemas="nf-core/modules $(git -C "$src" rev-parse --short HEAD) ($src)"
else
  echo '{}' >"$ref/modules/meta-schema.json"
  echo '{}' >"$ref/modules/environment-schema.json"
fi
printf 'repository_type: modules\norg_path: immunoprofile\n' >"$ref/.nf-core.yml"
git -C "$ref" init -q -b master
git -C "$ref" add -A
git -C "$ref" -c user.name=lint -c user.email=lint@localhost commit -q -m reference

# --- our modules as an nf-core modules repository ------------------------------------------
printf 'repository_type: modules\norg_path: immunoprofile\n' >"$repo/.nf-core.yml"
cp -r "$here"/modules/local/* "$repo/modules/immunoprofile/immunoprofile/"
git -C "$repo" init -q -b master

# nf-core tools read every directory's Nextflow config with `nextflow config -o json` (for
# pipeline params; module lint does not use them). Nextflow downloads its runtime on first use,
# so without it a stand-in answers that question with an empty config.
if ! command -v nextflow >/dev/null; then
  mkdir -p "$tmp/bin"
  cat >"$tmp/bin/nextflow" <<'NF'
#!/bin/sh
# `-v`: version 0.0.0, too old for `nextflow inspect`, so containers are read from main.nf.
[ "$1" = -v ] && { echo "lint.sh nextflow stand-in 0.0.0"; exit 0; }
[ "$1" = config ] && { echo '{}'; exit 0; }
echo "nextflow stand-in (lint.sh): only '-v' and 'config' are answered" >&2
exit 1
NF
  chmod +x "$tmp/bin/nextflow"
  export PATH="$tmp/bin:$PATH"
fi

export XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" HIDE_PROGRESS=1 NFCORE_NO_VERSION_CHECK=1
echo "schemas: $schemas"
status=0
# A relative remote: nf-core tools name their clone after the remote's path (an absolute path
# would make them use the reference itself as the clone).
(cd "$tmp" && nf-core --log-file "$tmp/nf-core.log" modules --git-remote reference --branch master --no-pull \
  lint --dir modules-repo --all --plain-text "$@") || status=$?
exit $status
