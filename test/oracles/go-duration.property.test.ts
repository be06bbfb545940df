import * as fc from 'fast-check';
import { parseGoDuration } from '../../src/private/syntax';
import { runTool } from '../support/run';
import { helmBin } from '../support/tools';

/**
 * Our Go-duration parser (src/private/syntax.ts) against Go itself: helm parses its `--timeout` flag with
 * pflag's DurationVar, i.e. Go's `time.ParseDuration`, before it looks at the chart. A refused duration exits
 * with `invalid argument "<d>" for "--timeout" flag`; an accepted one goes on and fails only on the missing
 * chart path. So each helm run (~50 ms, no cluster, no chart) answers "does Go accept this duration?".
 */

const GO_REFUSES = /invalid argument .* for "--timeout" flag/;

async function goAccepts(duration: string): Promise<boolean> {
  const r = await runTool(helmBin(), ['template', 'oracle', '/nonexistent-chart-for-duration-oracle', `--timeout=${duration}`]);
  if (GO_REFUSES.test(r.stderr)) return false;
  if (/path "\/nonexistent-chart-for-duration-oracle" not found/.test(r.stderr)) return true;
  throw new Error(`unexpected helm answer for ${JSON.stringify(duration)} (exit ${r.code}): ${r.stderr}`);
}

/** Strings near the grammar `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`: mostly pieces of it, plus noise. */
const piece = fc.oneof(
  fc.constantFrom('0', '1', '5', '00', '10', '999', '9223372036854775807', '9223372036854775808', '18446744073709551616'),
  fc.constantFrom('.', '.5', '5.', '.05', '1.5', '0.000000001', '.00000000000000000001'),
  fc.constantFrom('ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h', 'd', 'S', 'H', 'sec', 'mss', ''),
  fc.constantFrom('+', '-', ' ', 'e', 'x', '_'),
);
const num = fc.oneof(fc.nat({ max: 9999 }).map(String), fc.constantFrom('', '.', '5.', '.5', '0.25', '9223372036854775807', '9223372036854775808', '1.0000000000000000000001'));
const unit = fc.constantFrom('ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h', 'h', 's', 'd', 'S', '');
/** Mostly well-formed: a sign, then components number+unit. */
const structured = fc.tuple(fc.constantFrom('', '', '+', '-'), fc.array(fc.tuple(num, unit), { minLength: 1, maxLength: 4 }))
  .map(([sign, parts]) => sign + parts.map(([n, u]) => n + u).join(''));
const durationish = fc.oneof(
  { weight: 4, arbitrary: structured },
  { weight: 2, arbitrary: fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789.+-smhnuµμ'.split('')), maxLength: 8 }) },
);

const FIXED = ['.5s', '+5s', '-5s', '0', '+0', '-0', '00', '0s', '.s', '5.s', '1h30m', '1.5h', '2562047h47m16.854775807s', '2562047h47m16.854775808s',
  '-2562047h47m16.854775808s', '9223372036854775807ns', '9223372036854775808ns', '-9223372036854775808ns', '1.0000000000000000000001s', '', '+', 's'];

test('parseGoDuration accepts exactly what Go\'s time.ParseDuration accepts (helm --timeout as the oracle)', async () => {
  const generated = fc.sample(durationish, { numRuns: 240, seed: 20250601 });
  const inputs = [...new Set([...FIXED, ...generated])];
  const answers = await Promise.all(inputs.map(async (d) => ({ d, go: await goAccepts(d), ours: parseGoDuration(d) !== undefined })));
  const disagreements = answers.filter((a) => a.go !== a.ours);
  expect(disagreements).toEqual([]);
  // the sample exercises both outcomes
  expect(answers.filter((a) => a.go).length).toBeGreaterThan(30);
  expect(answers.filter((a) => !a.go).length).toBeGreaterThan(30);
}, 120_000);
