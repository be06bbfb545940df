import * as fs from 'fs';
import { bundleSynthChildren, runKillCampaign, SynthChildren } from '../support/kill-campaign';

/**
 * The kill -9 campaign at CI size (`node scripts/kill-campaign.js` runs it at full size). Every trial kills a child
 * synthesis with SIGKILL at a random filesystem operation or after a random delay, sometimes twice so that recovery
 * itself is killed; the next run must then find exactly one whole bundle (see runKillCampaign).
 */
describe('kill -9 at random points of a synthesis', () => {
  let children: SynthChildren;
  beforeAll(() => {
    children = bundleSynthChildren();
  });
  afterAll(() => {
    fs.rmSync(children.dir, { recursive: true, force: true });
  });

  test('the next run always finds the old bundle or the new one, exactly, with nothing left over', async () => {
    // 20 trials (about 30 child processes): seconds on an idle 2-core machine, about 80 s at a load of 20.
    const result = await runKillCampaign({ trials: 20, seed: 7, childJs: children.write, concurrency: 2 });
    expect(result.failures).toEqual([]);
    expect(result.inconsistent).toBe(0);
    // Not vacuous: most trials really killed a child, before the commit point (rolled back) and after it (rolled
    // forward), and some kills hit the recovery of an earlier kill.
    expect(result.kills.atOperation + result.kills.timed).toBeGreaterThanOrEqual(15);
    expect(result.kills.duringRecovery).toBeGreaterThan(0);
    const recoveries = Object.keys(result.outcomes).map((o) => o.split('/')[1]);
    expect(recoveries).toEqual(expect.arrayContaining(['rolled-back', 'rolled-forward', 'cleaned']));
  }, 240_000);
});
