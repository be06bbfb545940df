#!/usr/bin/env bash
# Packs the library, installs the tarball into a copy of examples/consumer in a scratch folder,
# type-checks the consumer against the shipped typings and synthesizes its bundle.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
# As on a fresh clone: no lib/. The prepack script must compile it.
rm -rf lib
mkdir -p artifacts
tarball="$root/artifacts/$(npm pack --silent --pack-destination artifacts | tail -n 1)"
echo "packed $(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) files"
unexpected="$(tar -tzf "$tarball" | grep -Ev '^package/(lib/.*\.(js|d\.ts)|package\.json|README\.md|LICENSE|\.jsii)$' || true)"
if [ -n "$unexpected" ]; then
  echo "consumer-check: the package ships more than the compiled library:" >&2
  echo "$unexpected" >&2
  exit 1
fi
listing="$(tar -tzf "$tarball")"
for f in package/lib/src/index.js package/lib/src/index.d.ts package/.jsii package/lib/src/projen/lab-project.js; do
  grep -qx "$f" <<<"$listing" || { echo "consumer-check: $f missing from the package (did prepack compile?)" >&2; exit 1; }
done
if grep -qx 'package/lib/src/main.js' <<<"$listing"; then
  echo "consumer-check: the package ships this repo's app entry lib/src/main.js" >&2
  exit 1
fi
if tar -xzOf "$tarball" --wildcards 'package/lib/*.js' | grep -c 'sourceMappingURL' >/dev/null; then
  echo "consumer-check: the package ships source maps that point at unshipped src/ files" >&2
  exit 1
fi

cp -R "$root/examples/consumer/." "$work/"
rm -rf "${work:?}/node_modules" "${work:?}/lib" "${work:?}/out"
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
for f in preflight apply verify teardown; do test -x "out/dist/team-a/$f.sh" || { echo "consumer-check: out/dist/team-a/$f.sh missing" >&2; exit 1; }; done

# The documented way: `npx cdk8s synth` with the example's cdk8s.yaml (its app command compiles first).
rm -rf lib out .cdk8s.out
npx --no-install cdk8s synth >cdk8s-synth.txt
if ! { test -s out/dist/bundle.json && test -s .cdk8s.out/team-a.k8s.yaml; }; then
  echo "consumer-check: npx cdk8s synth wrote no bundle" >&2
  cat cdk8s-synth.txt >&2
  exit 1
fi

# Foreign files survive a successful synth; a failed synth (the cdk8s CLI output folder set to one of the
# bundle folders) leaves everything byte-identical.
echo '# ours' > out/dist/README.md
mkdir -p out/kind && echo '# registry' > out/kind/registry.yaml
npm run --silent synth
test "$(cat out/dist/README.md)" = '# ours' && test "$(cat out/kind/registry.yaml)" = '# registry'
before="$(cd out && find . -type f -exec sha256sum {} + | sort)"
if CDK8S_OUTDIR=out/dist npm run --silent synth 2>synth-error.txt; then
  echo "consumer-check: a synth with CDK8S_OUTDIR=out/dist should have stopped" >&2
  exit 1
fi
grep -q 'output: .cdk8s.out' synth-error.txt
test "$(cd out && find . -type f -exec sha256sum {} + | sort)" = "$before" || { echo "consumer-check: a failed synth changed out/" >&2; exit 1; }
echo "consumer-check: OK (packed library installed, type-checked and synthesized in a fresh project)"

# The consumer's own lab: `npx cdk8s-kind-cilium init` and the README path of docs/consumer.md, from the same tarball.
bash "$root/scripts/lab-check.sh" "$tarball"
