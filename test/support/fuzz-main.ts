import { sampleDescriptions, FuzzDescription } from './fuzz-descriptions';
import { checkDescription, FuzzOutcome, ORACLES, OracleName } from './fuzz-oracles';

/**
 * The `npm run fuzz` runner (bundled and started by scripts/fuzz.js). Options: `--count N` (default 1000),
 * `--seed S` (default: time-based, printed so a run can be replayed), `--concurrency C` (descriptions checked
 * at once, default 3; test/support/run.ts caps tool processes anyway), `--samples K` (rejections shown, 30).
 * Exit code 1 when any accepted description fails an oracle.
 */

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  const raw = inline ? inline.split('=')[1] : i >= 0 ? args[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

interface Record_ {
  readonly desc: FuzzDescription;
  readonly outcome: FuzzOutcome;
}

/** Runs the fuzz; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const count = option(args, 'count', 1000);
  const seed = option(args, 'seed', Date.now() % 2 ** 31);
  const concurrency = option(args, 'concurrency', 3);
  const samples = option(args, 'samples', 30);
  const started = Date.now();
  console.log(`fuzz: ${count} descriptions, seed ${seed}, concurrency ${concurrency}`);
  const descs = sampleDescriptions(count, seed);
  const results: Record_[] = new Array(descs.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < descs.length) {
      const i = next++;
      results[i] = { desc: descs[i], outcome: await checkDescription(descs[i]) };
      done++;
      if (done % 50 === 0 || done === descs.length) {
        const acc = results.filter((r) => r?.outcome.status === 'accepted').length;
        const bad = results.filter((r) => r?.outcome.status === 'accepted' && r.outcome.failures.length > 0).length;
        console.log(`  ${done}/${descs.length} checked (${acc} accepted, ${bad} failing) ${((Date.now() - started) / 1000).toFixed(0)}s`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));

  const accepted = results.filter((r) => r.outcome.status === 'accepted');
  const rejected = results.filter((r) => r.outcome.status === 'rejected');
  const failedBy = new Map<OracleName, Record_[]>(ORACLES.map((o) => [o, []]));
  for (const r of accepted) {
    if (r.outcome.status !== 'accepted') continue;
    for (const o of new Set(r.outcome.failures.map((f) => f.oracle))) failedBy.get(o)!.push(r);
  }
  const failing = accepted.filter((r) => r.outcome.status === 'accepted' && r.outcome.failures.length > 0);

  // Failures: description + oracle message.
  for (const r of failing.slice(0, 20)) {
    if (r.outcome.status !== 'accepted') continue;
    console.log('\nFAILED description:');
    console.log(JSON.stringify(r.desc));
    for (const f of r.outcome.failures) console.log(`  [${f.oracle}] ${f.message.slice(0, 2000)}`);
  }
  if (failing.length > 20) console.log(`\n... ${failing.length - 20} more failing descriptions not printed`);

  // Rejection sample, grouped by rule id (evenly spread over the run).
  const step = Math.max(1, Math.floor(rejected.length / Math.max(1, samples)));
  const sample = rejected.filter((_, i) => i % step === 0).slice(0, samples);
  const groups = new Map<string, string[]>();
  for (const r of sample) {
    if (r.outcome.status !== 'rejected') continue;
    const key = [...new Set(r.outcome.rules)].join(' + ');
    groups.set(key, [...(groups.get(key) ?? []), r.outcome.message]);
  }
  console.log(`\nRejection sample (${sample.length} of ${rejected.length}), by rule id:`);
  for (const [rule, messages] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`\n  ${rule} (${messages.length})`);
    for (const m of messages) console.log(`    - ${m.replace(/\n/g, '\n      ')}`);
  }
  const allRules = new Map<string, number>();
  for (const r of rejected) if (r.outcome.status === 'rejected') for (const id of new Set(r.outcome.rules)) allRules.set(id, (allRules.get(id) ?? 0) + 1);
  console.log(`\nRule ids over all ${rejected.length} rejections: ${[...allRules].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(', ')}`);

  const disputed = rejected.filter((r) => r.outcome.status === 'rejected' && r.outcome.disputed);
  for (const r of disputed.slice(0, 20)) {
    if (r.outcome.status !== 'rejected') continue;
    console.log('\nDISPUTED refusal (the models find it working):');
    console.log(JSON.stringify(r.desc));
    console.log(`  ${r.outcome.disputed}\n  ${r.outcome.message.replace(/\n/g, '\n  ')}`);
  }

  const rows: [string, number][] = [
    ['generated', results.length], ['rejected', rejected.length], ['accepted', accepted.length],
    ...ORACLES.map((o): [string, number] => [`failed: ${o}`, failedBy.get(o)!.length]),
    ['failed (any oracle)', failing.length],
    ['disputed refusals', disputed.length],
  ];
  console.log(`\nSummary (seed ${seed}):`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(22)} ${String(v).padStart(6)}`);
  console.log(`  ${'elapsed'.padEnd(22)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`);
  return failing.length > 0 || disputed.length > 0 ? 1 : 0;
}
