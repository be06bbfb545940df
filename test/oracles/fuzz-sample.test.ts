import { sampleDescriptions } from '../support/fuzz-descriptions';
import { checkDescription, FuzzOutcome } from '../support/fuzz-oracles';
import { describeWithReference } from '../support/reference';

/**
 * The CI-sized sample of `npm run fuzz`: a fixed seed's random descriptions through the public API, every
 * upstream oracle (helm template, kubectl/helm read-back, kustomize, schemas + CEL, RE2, kind schema) on
 * each accepted one. The full run (1,000 descriptions) is `npm run fuzz`.
 */

const SEED = 20240601;
const COUNT = 20;

describeWithReference('fuzz sample: random descriptions pass every oracle or are rejected with a rule id', ['charts', 'kind-schema', 'helm-values', 'crds'], () => {
  const descs = sampleDescriptions(COUNT, SEED);
  const outcomes: FuzzOutcome[] = [];
  beforeAll(async () => {
    for (const d of descs) outcomes.push(await checkDescription(d));
  }, 120_000);

  test('the sample holds both accepted and rejected descriptions', () => {
    expect(outcomes.filter((o) => o.status === 'accepted').length).toBeGreaterThanOrEqual(5);
    expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThanOrEqual(1);
  });

  test('no accepted description fails an oracle', () => {
    const failing = outcomes.flatMap((o, i) => (o.status === 'accepted' && o.failures.length > 0 ? [{ description: descs[i], failures: o.failures }] : []));
    expect(failing).toEqual([]);
  });

  test('no refusal made only of intended-outcome ids is disputed by the controller models (a working platform is never refused)', () => {
    const disputed = outcomes.flatMap((o, i) => (o.status === 'rejected' && o.disputed ? [{ description: descs[i], disputed: o.disputed }] : []));
    expect(disputed).toEqual([]);
  });

  test('every rejection names rule ids and carries a message', () => {
    for (const o of outcomes) {
      if (o.status !== 'rejected') continue;
      expect(o.rules.length).toBeGreaterThan(0);
      expect(o.message).toMatch(/Fix: /);
    }
  });
});
