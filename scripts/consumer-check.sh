#!/usr/bin/env bash
# Packs the library, installs the tarball into a copy of examples/consumer in a scratch folder,
# type-checks the consumer against the shipped typings and synthesizes its bundle.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
npx tsc -p tsconfig.json
mkdir -p artifacts
tarball="$root/artifacts/$(npm pack --silent --pack-destination artifacts | tail -n 1)"
echo "packed $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files"
unexpected="$(tar -tzf "$tarball" | grep -Ev '^package/(lib/.*\.(js|d\.ts)|package\.json|README\.md|LICENSE)$' || true)"
if [ -n "$unexpected" ]; then
  echo "consumer-check: the package ships more than the compiled library:" >&2
  echo "$unexpected" >&2
  exit 1
fi

cp -R "$root/examples/consumer/." "$work/"
rm -rf "$work/node_modules" "$work/lib" "$work/out"
cd "$work"
npm install --no-audit --no-fund --silent
npm install --no-audit --no-fund --silent --no-save "$tarball"
npm run --silent build
npm run --silent synth
for f in out/kind/team-a.yaml out/cilium-values/team-a.yaml out/dist/team-a/team-a.k8s.yaml out/dist/bundle.json; do
  test -s "$f" || { echo "consumer-check: $f missing" >&2; exit 1; }
done
grep -q 'kind: CiliumLoadBalancerIPPool' out/dist/team-a/team-a.k8s.yaml
grep -q 'k8sServiceHost: team-a-control-plane' out/cilium-values/team-a.yaml
echo "consumer-check: OK (packed library installed, type-checked and synthesized in a fresh project)"
