#!/bin/sh
# Regenerates the bundled provider schemas under schemas/ from the cdktf provider
# packages on the npm registry (see schemas/README.md). Needs npm and a network; the build
# and the tests do not. Usage: tools/gen-schemas.sh [OUT_DIR]   (default: schemas)
set -eu
cd "$(dirname "$0")/.."
out=${1:-schemas}
case $out in /*) ;; *) out=$PWD/$out ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# package@version of every bundled schema; the provider version is in its package.json.
packages="@cdktf/provider-aws@19.65.1 @cdktn/provider-aws@25.7.0"
dirs=""
for p in $packages; do
  name=$(echo "$p" | tr -c 'a-zA-Z0-9.\n' '-')
  mkdir -p "$tmp/$name"
  (cd "$tmp/$name" && npm pack --silent "$p" >/dev/null && tar -xzf ./*.tgz package/.jsii package/package.json)
  dirs="$dirs $tmp/$name/package"
done
# shellcheck disable=SC2086
cargo run --release --example gen-schema -- "$out" $dirs
