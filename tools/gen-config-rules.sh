#!/bin/sh
# Regenerates schemas/aws-config-managed-rules.txt, the identifiers of AWS Config managed
# rules (`source { owner = "AWS", source_identifier = … }`), from the
# `ManagedRuleIdentifiers` class of the npm package aws-cdk-lib (Apache-2.0). Fetching
# needs npm and a network; the build and the tests do not.
#
# Usage: tools/gen-config-rules.sh
set -eu
cd "$(dirname "$0")/.."
package=aws-cdk-lib@2.276.0
cache=$PWD/target/config-rules-package
mkdir -p "$cache"
if [ ! -f "$cache/package/aws-config/lib/rule.d.ts" ]; then
  (cd "$cache" && npm pack --silent "$package" >/dev/null && tar xzf aws-cdk-lib-*.tgz package/aws-config/lib/rule.d.ts)
fi
out=schemas/aws-config-managed-rules.txt
{
  echo "# AWS Config managed rule identifiers, from the ManagedRuleIdentifiers class of npm"
  echo "# $package (aws-config/lib/rule.d.ts, Apache-2.0); tools/gen-config-rules.sh writes it."
  sed -n -E 's/.*static readonly [A-Z0-9_]+ = "([A-Za-z0-9_-]+)".*/\1/p' \
    "$cache/package/aws-config/lib/rule.d.ts" | LC_ALL=C sort -u
} > "$out"
echo "$(grep -vc '^#' "$out") identifiers in $out"
