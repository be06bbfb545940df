#!/usr/bin/env bash
# shellcheck disable=SC2016 # sed patterns: $ and backquotes are literal on purpose
# The consumer's first hour, end to end, from the packed library (docs/consumer.md):
#  1. the one command: `npx cdk8s-kind-cilium init <dir>`, then `npm install && npx cdk8s synth`;
#  2. the README path: a project as `cdk8s init typescript-app` writes it (its template, from the installed
#     cdk8s-cli: `cdk8s init` itself runs `cdk8s import`, which needs the internet), then the documented install line.
# Each: the bundle at the repository root, the library's report and next step through the cdk8s CLI, a
# misspelt prop showing tsc's message, .gitignore keeping the bundle and ignoring local secrets and synthesis
# state, shellcheck of the scripts, and the lab's stale-bundle check.
# Usage: scripts/lab-check.sh <path to cdk8s-kind-cilium-<version>.tgz>
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CDK8S_CHECK_UPGRADE=false
npm_install() { npm install --prefer-offline --no-audit --no-fund --silent "$@"; }
die() { echo "lab-check: $*" >&2; exit 1; }

# synth_ok <dir> <cluster>: `npx cdk8s synth` writes the bundle at the root and reports it on stderr.
synth_ok() {
  local dir="$1" c="$2"
  (cd "$dir" && npx --no-install cdk8s synth >synth.out 2>synth.err) || { cat "$dir/synth.out" "$dir/synth.err" >&2; die "$dir: npx cdk8s synth failed"; }
  for f in "kind/$c.yaml" "cilium-values/$c.yaml" "dist/$c/$c.k8s.yaml" dist/bundle.json; do
    test -s "$dir/$f" || die "$dir: $f missing after synth"
  done
  for s in preflight apply verify teardown; do test -x "$dir/dist/$c/$s.sh" || die "$dir: dist/$c/$s.sh missing"; done
  grep -Eq '^cdk8s-kind-cilium: wrote [0-9]+ files' "$dir/synth.err" || { cat "$dir/synth.err" >&2; die "$dir: no 'wrote N files' report through the cdk8s CLI"; }
  grep -Fq "bash dist/$c/preflight.sh, then bash dist/$c/apply.sh" "$dir/synth.err" || die "$dir: no next step through the cdk8s CLI"
  shellcheck "$dir"/dist/"$c"/*.sh
}

# misspelt_prop_shows_tsc <dir> <main file>: a misspelt prop fails synth with TypeScript's own message on the terminal.
misspelt_prop_shows_tsc() {
  local dir="$1" main="$2"
  cp "$dir/$main" "$work/main.bak"
  sed -i 's/workers: 1,/wrokers: 1,/' "$dir/$main"
  grep -q 'wrokers' "$dir/$main" || die "$dir/$main has no 'workers: 1,' to misspell"
  if (cd "$dir" && npx --no-install cdk8s synth >synth.out 2>synth.err); then die "$dir: synth of a misspelt prop succeeded"; fi
  grep -Eq "error TS[0-9]+: .*'wrokers'" "$dir/synth.err" "$dir/synth.out" \
    || { cat "$dir/synth.out" "$dir/synth.err" >&2; die "$dir: tsc's message about 'wrokers' did not reach the terminal"; }
  cp "$work/main.bak" "$dir/$main"
}

# gitignore_ok <dir> <cluster>: the bundle is committed; local CAs, keys and synthesis state are not.
gitignore_ok() {
  local dir="$1" c="$2"
  (
    cd "$dir"
    git init -q . && git config user.email lab@example.invalid && git config user.name lab
    for f in "dist/$c/apply.sh" dist/bundle.json "kind/$c.yaml" "cilium-values/$c.yaml"; do
      if git check-ignore -q "$f"; then die "$dir: .gitignore hides $f, which is committed"; fi
    done
    mkdir -p .kind-cilium .synth-lock .synth-staging-1-x && touch .kind-cilium/ca.key .synth-lock/owner .synth-journal.json .synth-staging-1-x/f
    for f in .kind-cilium/ca.key .synth-lock/owner .synth-journal.json .synth-staging-1-x/f; do
      git check-ignore -q "$f" || die "$dir: .gitignore does not ignore $f"
    done
    rm -rf .kind-cilium .synth-lock .synth-staging-1-x .synth-journal.json synth.out synth.err
  )
}

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
