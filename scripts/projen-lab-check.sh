#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2119 # node -e script: its ${} are JavaScript's; npm_install takes no arguments here
# The projen way to a lab, end to end from the packed library (docs/consumer.md, "3. projen"):
# `npx projen new --from <tarball> --no-git` in an empty folder (projen installs the tarball and finds the project
# type in its .jsii manifest), then `npm install`, `npx cdk8s synth` (bundle at the root, report and next step on the
# terminal, shellcheck of dist/*/*.sh), a misspelt prop showing tsc's message, .gitignore keeping the bundle and
# ignoring .kind-cilium/ and the synthesis state, `npx projen check-bundle` passing on a fresh bundle and failing on
# a stale one, and `npx projen` (re-synthesis from .projenrc.json) changing nothing.
# projen is the version this repository builds with (npm's cache serves it); `projen new` would otherwise install
# `projen@latest` into the lab.
# Usage: scripts/projen-lab-check.sh <path to cdk8s-kind-cilium-<version>.tgz>
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CDK8S_CHECK_UPGRADE=false npm_config_prefer_offline=true
# shellcheck source=scripts/lab-check-lib.sh
. "$root/scripts/lab-check-lib.sh"
projen_version="$(node -p "require('$root/node_modules/projen/package.json').version")"

echo "==> the projen project type: npx projen new --from <tarball>"
mkdir "$work/pjlab" && cd "$work/pjlab"
npx --yes "projen@$projen_version" new --from "$tarball" --no-git --projen-version "$projen_version" >"$work/new.out" 2>&1 \
  || { cat "$work/new.out" >&2; die "projen new --from failed"; }
grep -q '"type": "cdk8s-kind-cilium.KindCiliumLabProject"' .projenrc.json || { cat .projenrc.json >&2; die "no .projenrc.json naming the project type"; }
node -e '
  const pkg = require("./package.json");
  const want = { "@types/node": "^20", typescript: "~5.9.3" };
  for (const [k, v] of Object.entries(want)) if (pkg.devDependencies[k] !== v) throw new Error(`devDependencies.${k} is ${pkg.devDependencies[k]}, not ${v}`);
  if (!pkg.devDependencies.projen) throw new Error("no projen devDependency");
  if (!pkg.dependencies["cdk8s-kind-cilium"].startsWith("file:")) throw new Error("the lab does not depend on the tarball");
' || die "pjlab/package.json"
grep -qx 'output: .cdk8s.out' cdk8s.yaml || die "pjlab/cdk8s.yaml: the cdk8s CLI output is not .cdk8s.out"
grep -q 'runSynthesis' src/main.ts || die "pjlab/src/main.ts has no runSynthesis"
npm_install
cd "$work"
synth_ok pjlab pjlab
misspelt_prop_shows_tsc pjlab src/main.ts
gitignore_ok pjlab pjlab
cd pjlab
git add -A && git commit -qm lab
npx --no-install projen check-bundle >"$work/check.out" 2>&1 || { cat "$work/check.out" >&2; die "pjlab: projen check-bundle fails on a fresh bundle"; }
# Re-synthesis from .projenrc.json changes no file of the lab (src/main.ts and README.md are written once).
npx --no-install projen >"$work/default.out" 2>&1 || { cat "$work/default.out" >&2; die "pjlab: npx projen failed"; }
test -z "$(git status --porcelain)" || { git status --porcelain >&2; die "pjlab: npx projen changed files of a fresh lab"; }
sed -i 's/workers: 1,/workers: 2,/' src/main.ts
if npx --no-install projen check-bundle >"$work/check.out" 2>&1; then die "pjlab: projen check-bundle passed on a stale bundle"; fi
grep -q 'dist/pjlab/' "$work/check.out" || { cat "$work/check.out" >&2; die "pjlab: check-bundle did not list the stale files"; }
echo "projen-lab-check: OK (npx projen new --from the packed library, synth, shellcheck, check-bundle)"
