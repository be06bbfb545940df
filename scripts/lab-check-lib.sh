#!/usr/bin/env bash
# shellcheck disable=SC2016 # sed patterns: $ and backquotes are literal on purpose
# Checks shared by scripts/lab-check.sh and scripts/projen-lab-check.sh (sourced; they set $work, a scratch folder).
: "${work:?lab-check-lib.sh: set work (a scratch folder) before sourcing}"
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
    cd "$dir" || exit 1
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
