import { App } from 'cdk8s';
import { KindCiliumCluster, PlatformConfigError } from '../../src';
import { HUBBLE_METRIC_BOOLEAN_OPTIONS } from '../../src/spec/cluster-spec';

/**
 * A boolean Hubble metric option must reach the agent as on. Cilium splits `name:opts` at `;` and each option at
 * the first `=` (pkg/hubble/metrics/api/options.go ParseOptions: a bare `key` has the value ""). Some handlers read
 * an option by presence (dns `query`), others by value (http/httpV2 `exemplars`: `options["exemplars"] == "true"`,
 * pkg/hubble/metrics/http/handler.go), so a bare `exemplars` leaves exemplars off.
 */

/** Cilium's ParseOptions, for the test: the option map of one metric string. */
function ciliumOptions(metric: string): Record<string, string> {
  const [, opts = ''] = metric.split(/:(.*)/s);
  return Object.fromEntries(opts.split(';').filter((o) => o !== '').map((o) => {
    const i = o.indexOf('=');
    return i < 0 ? [o, ''] : [o.slice(0, i), o.slice(i + 1)];
  }));
}

/** Whether the handler sees the option as on, by the way it reads it. */
function seenOn(metric: string, key: string, readBy: 'presence' | 'value'): boolean {
  const options = ciliumOptions(metric);
  return readBy === 'presence' ? key in options : options[key] === 'true';
}

function renderedMetrics(metrics: unknown[]): string[] {
  const cluster = new KindCiliumCluster(new App(), 'c', { clusterName: 'c', hubble: { metrics: metrics as never } });
  return (cluster.ciliumValues() as { hubble: { metrics: { enabled: string[] } } }).hubble.metrics.enabled;
}

function refusal(metrics: unknown[]): PlatformConfigError {
  try {
    renderedMetrics(metrics);
  } catch (e) {
    if (e instanceof PlatformConfigError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(metrics)}`);
}

const cases = Object.entries(HUBBLE_METRIC_BOOLEAN_OPTIONS).flatMap(([metric, options]) =>
  Object.entries(options!).map(([key, readBy]) => [metric, key, readBy] as const));

test('the table holds the boolean options of the metrics that have them (read by presence or by value)', () => {
  expect(cases).toContainEqual(['httpV2', 'exemplars', 'value']);
  expect(cases).toContainEqual(['http', 'exemplars', 'value']);
  expect(cases).toContainEqual(['dns', 'query', 'presence']);
});

test.each(cases)('%s option %s: true renders what the agent reads as on (read by %s)', (metric, key, readBy) => {
  const [typed] = renderedMetrics([{ name: metric, options: { [key]: true } }]);
  expect(seenOn(typed, key, readBy)).toBe(true);
  // false leaves it out, so the agent's default (off) applies
  expect(renderedMetrics([{ name: metric, options: { [key]: false } }])).toEqual([metric]);
});

test.each(cases.filter(([, , readBy]) => readBy === 'value'))('%s option %s: a bare flag or another value is refused, since the agent would read it as off',
  (metric, key) => {
    for (const metrics of [[`${metric}:${key}`], [`${metric}:${key}=yes`], [{ name: metric, options: { [key]: 'yes' } }]]) {
      const error = refusal(metrics);
      expect(error.violations.map((v) => [v.rule, v.field])).toEqual([['invalid-hubble-metric-option', 'c.hubble.metrics[0]' + (typeof metrics[0] === 'string' ? '' : `.options["${key}"]`)]]);
      expect(error.violations[0].fix).toContain(`${key}=true`);
    }
    expect(renderedMetrics([`${metric}:${key}=true`])).toEqual([`${metric}:${key}=true`]);
    expect(renderedMetrics([`${metric}:${key}=false`])).toEqual([`${metric}:${key}=false`]);
  });

test('the documented example renders as written in the HubbleMetric doc', () => {
  expect(renderedMetrics([
    { name: 'dns', options: { query: true, ignoreAAAA: true } },
    { name: 'httpV2', options: { exemplars: true, labelsContext: ['source_namespace', 'destination_namespace'] } },
  ])).toEqual(['dns:query;ignoreAAAA', 'httpV2:exemplars=true;labelsContext=source_namespace,destination_namespace']);
});
