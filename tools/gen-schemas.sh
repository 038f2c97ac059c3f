#!/bin/sh
# Regenerates the bundled provider schemas under schemas/ from the cdktf provider
# packages on the npm registry (see schemas/README.md). Fetching needs npm and a network;
# the build and the tests do not.
#
# Usage: tools/gen-schemas.sh [OUT_DIR]     fetch what is missing, then regenerate
#                                           (default OUT_DIR: schemas)
#        tools/gen-schemas.sh --fetch-only  fetch what is missing, generate nothing
#
# The unpacked packages are kept in target/schema-packages/<name>/package (.jsii,
# package.json, and the compiled lib/**/*.js that give the exact names of computed
# attributes), so a second run needs no network, and tests/schema_gen.rs finds them
# there and checks that the generator reproduces the committed schemas byte for byte.
set -eu
cd "$(dirname "$0")/.."
fetch_only=false
if [ "${1:-}" = --fetch-only ]; then
  fetch_only=true
  shift
fi
out=${1:-schemas}
case $out in /*) ;; *) out=$PWD/$out ;; esac
cache=$PWD/target/schema-packages
# package@version of every bundled schema, one per schema file; the provider version is in
# the package's package.json (cdktf.provider.version). tests/schema_gen.rs reads this list.
packages="
@cdktf/provider-aws@19.65.1
@cdktn/provider-aws@25.7.0
@cdktn/provider-archive@14.0.1
@cdktf/provider-local@11.1.1
@cdktf/provider-null@11.0.1
@cdktn/provider-random@15.0.1
@cdktf/provider-time@11.0.1
@cdktf/provider-tls@11.0.1
"
dirs=""
for p in $packages; do
  # @cdktf/provider-aws@19.65.1 -> cdktf-provider-aws-19.65.1
  name=$(echo "$p" | sed -e 's/^@//' -e 's/[^a-zA-Z0-9.]/-/g')
  dir=$cache/$name
  if [ ! -f "$dir/package/.jsii" ] || [ ! -f "$dir/package/package.json" ] || [ ! -d "$dir/package/lib" ]; then
    echo "fetching $p into $dir" >&2
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm pack --silent "$p" >/dev/null && tar -xzf ./*.tgz --wildcards package/.jsii package/package.json 'package/lib/*.js' && rm -f ./*.tgz)
    mv "$dir.tmp" "$dir"
  fi
  dirs="$dirs $dir/package"
done
if $fetch_only; then
  exit 0
fi
# shellcheck disable=SC2086
cargo run --release --example gen-schema -- "$out" $dirs
