#!/usr/bin/env bash
# shellcheck disable=SC2016 # sed patterns: $ and backquotes are literal on purpose
# The consumer's first hour, end to end, from the packed library (docs/consumer.md):
#  1. the one command: `npx cdk8s-kind-cilium init <dir>`, then `npm install && npx cdk8s synth`;
#  2. the README path: a project as `cdk8s init typescript-app` writes it (its template, from the installed
#     cdk8s-cli: `cdk8s init` itself runs `cdk8s import`, which needs the internet), then the documented install line.
# Each: the bundle at the repository root, the library's report and next step through the cdk8s CLI, a
# misspelt prop showing tsc's message, .gitignore keeping the bundle and ignoring local secrets and synthesis
# state, shellcheck of the scripts, and the lab's stale-bundle check.
# (3. the projen project type is scripts/projen-lab-check.sh, run at the end.)
# Usage: scripts/lab-check.sh <path to cdk8s-kind-cilium-<version>.tgz>
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CDK8S_CHECK_UPGRADE=false
# shellcheck source=scripts/lab-check-lib.sh
. "$root/scripts/lab-check-lib.sh"

echo "==> the one command: npx cdk8s-kind-cilium init"
cd "$work"
npx --yes --prefer-offline --package "$tarball" cdk8s-kind-cilium init mylab --from "$tarball" 2>init.err \
  || { cat init.err >&2; die "init failed"; }
grep -Fq 'next: cd mylab && npm install && npx cdk8s synth' init.err || { cat init.err >&2; die "init printed no next step"; }
(cd mylab && npm_install)
synth_ok mylab mylab
# From another folder, the compiled app still writes at the repository root, never into the current folder.
(mkdir -p elsewhere && cd elsewhere && node ../mylab/lib/main.js 2>/dev/null)
test -z "$(ls -A elsewhere)" || die "node lib/main.js from another folder wrote there: $(ls -A elsewhere)"
misspelt_prop_shows_tsc mylab src/main.ts
gitignore_ok mylab mylab
(cd mylab && git add -A && git commit -qm lab && npm run --silent check >/dev/null) || die "mylab: npm run check fails on a fresh bundle"
sed -i 's/workers: 1,/workers: 2,/' mylab/src/main.ts
if (cd mylab && npm run --silent check >/dev/null 2>&1); then die "mylab: npm run check passed on a stale bundle"; fi
# init overwrites nothing.
if mylab/node_modules/.bin/cdk8s-kind-cilium init mylab 2>/dev/null; then die "init over an existing lab succeeded"; fi

echo "==> the README path: cdk8s init typescript-app, then the install line of docs/consumer.md"
template="$work/mylab/node_modules/cdk8s-cli/templates/typescript-app"
mkdir app && cp "$template"/{cdk8s.yaml,package.json,tsconfig.json,main.ts} app/ && cp "$template/{{}}.gitignore" app/.gitignore
v() { node -p "require('$work/mylab/node_modules/$1/package.json').version"; }
sed -i -e 's/{{ \$base }}/app/' -e "s/{{ cdk8s_core_version }}/$(v cdk8s)/" -e "s/{{ constructs_version }}/$(v constructs)/" \
  -e "s/{{ cdk8s_plus_version }}/$(npm view cdk8s-plus-33 version)/" -e "s/\"{{ cdk8s_cli_spec }}\"/\"^$(v cdk8s-cli)\"/" app/package.json app/main.ts
grep -q '"@types/node": "\^14"' app/package.json || die "the cdk8s init template changed: @types/node is no longer ^14"
cd app
npm_install
# The install line of docs/consumer.md, with the tarball standing for the registry name:
npm_install "$tarball" @types/node@^20
# The cdk8s.yaml, .gitignore lines and main.ts of docs/consumer.md.
sed -n '/^```yaml cdk8s.yaml$/,/^```$/p' "$root/docs/consumer.md" | sed '1d;$d' >cdk8s.yaml
grep -q '^output: .cdk8s.out$' cdk8s.yaml || die "docs/consumer.md has no cdk8s.yaml block"

sed -i '/^dist\/$/d' .gitignore
sed -n '/^```gitignore$/,/^```$/p' "$root/docs/consumer.md" | sed '1d;$d' >>.gitignore
sed -n '/^```ts main.ts$/,/^```$/p' "$root/docs/consumer.md" | sed '1d;$d' >main.ts
grep -q 'runSynthesis' main.ts || die "docs/consumer.md has no main.ts block"
cd "$work"
synth_ok app app
misspelt_prop_shows_tsc app main.ts
gitignore_ok app app
echo "lab-check: OK (init and the README path both synthesize from the packed library)"

# The third way: the projen project type (`npx projen new --from`), from the same tarball.
bash "$root/scripts/projen-lab-check.sh" "$tarball"
