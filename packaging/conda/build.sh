#!/usr/bin/env bash
# bioconda build script: install the release binary into $PREFIX/bin.
set -euxo pipefail
export CARGO_NET_OFFLINE="${CARGO_NET_OFFLINE:-false}"
cargo install --locked --no-track --root "$PREFIX" --path "${SRC_DIR:-.}"
"$PREFIX/bin/immunoprofile" --version
