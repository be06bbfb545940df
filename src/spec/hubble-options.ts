import { invalid } from '../errors';
import { integer, list, optionalObject, stringList, text, wrongType } from './field-readers';
import { propKeys, rejectUnknownKeys } from '../private/props';
import { isPlainObject } from '../private/syntax';

/**
 * One Hubble metric with its options, the typed form of Cilium's `name:key=value;flag` string
 * (`{ name: 'dns', options: { query: true, ignoreAAAA: true } }` renders as `dns:query;ignoreAAAA`,
 * `{ name: 'httpV2', options: { exemplars: true, labelsContext: ['source_namespace', 'destination_namespace'] } }`
 * as `httpV2:exemplars=true;labelsContext=source_namespace,destination_namespace`: `exemplars` is read by value,
 * see {@link HUBBLE_METRIC_BOOLEAN_OPTIONS}).
 */
export interface HubbleMetric {
  /** A metric of Cilium's registry: see {@link HUBBLE_METRIC_NAMES}. `http` and `httpV2` are mutually exclusive. */
  readonly name: HubbleMetricName;
  /**
   * Options: `true` writes the bare flag (`query`) for an option Cilium reads by presence and `key=true` for one it
   * reads by value (`exemplars` of `http`/`httpV2`; a bare `exemplars` would leave exemplars off), `false` leaves the
   * option out; a string writes `key=value`, a list `key=a,b` (e.g. `labelsContext`). An option read by value takes
   * only `true` or `false` (as a boolean or a string), in typed and string metrics alike: any other value is refused,
   * since the agent would read it as off.
   * `sourceContext` / `destinationContext` alternatives are written as a list joined by `|` only when given as one
   * string, e.g. `'workload-name|reserved-identity'`. Keys and values are visible ASCII without `;`, `:` or `=`. @default - none
   */
  readonly options?: Record<string, boolean | string | string[]>;
}

/**
 * The Hubble metrics of Cilium's metric registry (`pkg/hubble/metrics`, the same names in 1.18, 1.19 and 1.20; see
 * https://docs.cilium.io/en/stable/observability/metrics/#hubble-exported-metrics).
 */
export const HUBBLE_METRIC_NAMES = [
  'dns', 'drop', 'flow', 'flows-to-world', 'http', 'httpV2', 'icmp', 'kafka', 'policy', 'port-distribution', 'tcp',
] as const;

/** A Hubble metric name (see {@link HUBBLE_METRIC_NAMES}). */
export type HubbleMetricName = typeof HUBBLE_METRIC_NAMES[number];

/**
 * The boolean options of Cilium's Hubble metric handlers and how each handler reads them. Cilium splits an option
 * at the first `=` and gives a bare `key` the value "" (`pkg/hubble/metrics/api/options.go` ParseOptions); a
 * `presence` option is on when the key is there at all (dns `query`/`ignoreAAAA`, `pkg/hubble/metrics/dns/handler.go`;
 * flows-to-world `any-drop`/`port`/`syn-only`, `flows-to-world/handler.go`), a `value` option only when its value is
 * exactly `true` (`exemplars`: `options["exemplars"] == "true"`, `pkg/hubble/metrics/http/handler.go`, used by `http`
 * and `httpV2`). Same in Cilium 1.18-1.20.
 */
export const HUBBLE_METRIC_BOOLEAN_OPTIONS: Readonly<Partial<Record<HubbleMetricName, Readonly<Record<string, 'presence' | 'value'>>>>> = {
  'dns': { query: 'presence', ignoreAAAA: 'presence' },
  'flows-to-world': { 'any-drop': 'presence', 'port': 'presence', 'syn-only': 'presence' },
  'http': { exemplars: 'value' },
  'httpV2': { exemplars: 'value' },
};

/**
 * Hubble's static flow exporter (Helm `hubble.export.static`, the same keys in Cilium 1.18-1.20): each agent writes
 * flows as JSON lines to a file on its node, rotated by size. Given as an object, it is enabled.
 */
export interface HubbleFlowExportOptions {
  /** File the agent writes (inside the agent container). @default '/var/run/cilium/hubble/events.log' */
  readonly filePath?: string;
  /** Flow fields to keep (`fieldMask`), e.g. ['time', 'source', 'destination', 'verdict']. @default - every field */
  readonly fieldMask?: string[];
  /** Export only flows matching one of these Hubble flow filters (`allowList`), e.g. [{ verdict: ['DROPPED'] }]. @default - every flow */
  readonly allowList?: Record<string, unknown>[];
  /** Drop flows matching one of these filters (`denyList`), e.g. [{ source_pod: ['kube-system/'] }]. @default - none */
  readonly denyList?: Record<string, unknown>[];
  /** Rotate the file at this size, in MB (1-1024). @default 10 */
  readonly fileMaxSizeMb?: number;
  /** Rotated files kept (0-100). @default 5 */
  readonly fileMaxBackups?: number;
}

/** Hubble observability settings. */
export interface HubbleOptions {
  /** @default true */
  readonly enabled?: boolean;
  /** Deploy hubble-relay. @default true */
  readonly relay?: boolean;
  /** Deploy hubble-ui. It needs hubble-relay: `ui: true` with `relay: false` is rejected. @default - same as relay */
  readonly ui?: boolean;
  /**
   * Hubble metrics to enable (Helm `hubble.metrics.enabled`, a list): typed ({@link HubbleMetric}) or Cilium's own
   * strings (`'dns:query;ignoreAAAA'`). Names outside Cilium's registry are refused (the agent would fail to start:
   * "metric ... does not exist"), as are duplicates and `http` together with `httpV2` (they register the same series).
   * @default ['dns','drop','tcp','flow','icmp','httpV2']
   */
  readonly metrics?: (string | HubbleMetric)[];
  /** Serve the metrics in OpenMetrics format (`hubble.metrics.enableOpenMetrics`; needed for exemplars). @default false */
  readonly openMetrics?: boolean;
  /** Export flows to a file on each node (`hubble.export.static`). @default - no export */
  readonly export?: HubbleFlowExportOptions;
}

/** Hubble settings with every default applied; metrics are Cilium's strings. */
export interface ResolvedHubbleOptions {
  readonly enabled: boolean;
  readonly relay: boolean;
  readonly ui: boolean;
  /** Cilium metric strings, e.g. `dns:query;ignoreAAAA`. */
  readonly metrics: string[];
  readonly openMetrics: boolean;
  /** The static exporter; undefined when flows are not exported. */
  readonly export?: Required<Omit<HubbleFlowExportOptions, 'allowList' | 'denyList'>> & { readonly allowList: string[]; readonly denyList: string[] };
}

/** Default Hubble metrics (Helm `hubble.metrics.enabled` is a list in Cilium 1.18). */
export const DEFAULT_HUBBLE_METRICS = ['dns', 'drop', 'tcp', 'flow', 'icmp', 'httpV2'];

// Every key of each props object, so that a key JavaScript/JSON callers misspell is refused (rule `unknown-prop`).
const HUBBLE_METRIC_PROPS = propKeys<HubbleMetric>()('name', 'options');
const HUBBLE_EXPORT_PROPS = propKeys<HubbleFlowExportOptions>()('filePath', 'fieldMask', 'allowList', 'denyList', 'fileMaxSizeMb', 'fileMaxBackups');
/** The keys of {@link HubbleOptions} (checked where the cluster description reads `hubble`). */
export const HUBBLE_PROPS = propKeys<HubbleOptions>()('enabled', 'relay', 'ui', 'metrics', 'openMetrics', 'export');

/**
 * Cilium's own metric option syntax: `;` separates options, `=` a value, `:` the name; none may appear inside, and
 * option names and values (label and context names) are visible ASCII: a space, control or line break never is one.
 */
const METRIC_OPTION_TEXT_RE = /^[\x21-\x39\x3c\x3e-\x7e]+$/;

function metricNameCheck(field: string, name: string): void {
  if (!(HUBBLE_METRIC_NAMES as readonly string[]).includes(name)) {
    invalid('unknown-hubble-metric', field, `"${name}" is not a Hubble metric; the Cilium agent fails to start ("metric ... does not exist")`,
      `use one of ${HUBBLE_METRIC_NAMES.join(', ')}`);
  }
}

/**
 * An option the metric's handler reads by value ({@link HUBBLE_METRIC_BOOLEAN_OPTIONS}) must be `true` or `false`:
 * a bare flag or any other value is read as off although it looks on.
 */
function valueReadCheck(field: string, name: string, key: string, value: string | undefined): void {
  if (HUBBLE_METRIC_BOOLEAN_OPTIONS[name as HubbleMetricName]?.[key] !== 'value' || value === 'true' || value === 'false') return;
  invalid('invalid-hubble-metric-option', field,
    `${name} option ${value === undefined ? `"${key}" without a value` : `"${key}=${value}"`} leaves ${key} off: the agent turns it on only for the value "true"`,
    `write ${key}=true (in a typed metric: options: { ${key}: true })`);
}

/** Metrics as Cilium strings: typed metrics rendered, strings checked (name in the registry, no duplicates, not http with httpV2). */
export function hubbleMetrics(field: string, value: unknown): string[] {
  const fix = 'list metrics as Cilium strings ("dns:query;ignoreAAAA") or objects ({ name: "dns", options: { query: true } })';
  const items = list(field, value, DEFAULT_HUBBLE_METRICS, fix);
  const names: string[] = [];
  const out = items.map((item, i) => {
    const itemField = `${field}[${i}]`;
    if (typeof item === 'string') {
      const name = item.split(':')[0];
      metricNameCheck(itemField, name);
      names.push(name);
      for (const option of item.slice(name.length + 1).split(';').filter((o) => o !== '')) {
        const [key, ...rest] = option.split('=');
        valueReadCheck(itemField, name, key, rest.length === 0 ? undefined : rest.join('='));
      }
      return item;
    }
    if (!isPlainObject(item)) wrongType(itemField, item, 'a metric string or object', fix);
    rejectUnknownKeys(itemField, item, HUBBLE_METRIC_PROPS, 'Hubble metric');
    const m = item as Partial<HubbleMetric>;
    const name = text(`${itemField}.name`, m.name, undefined, 'name the metric, e.g. { name: "dns" }');
    metricNameCheck(`${itemField}.name`, name);
    names.push(name);
    const options = m.options === undefined ? {} : m.options;
    if (!isPlainObject(options)) wrongType(`${itemField}.options`, options, 'an object', 'write options as an object, e.g. { query: true }');
    const parts = Object.entries(options as Record<string, unknown>).flatMap(([key, option]) => {
      const optionField = `${itemField}.options["${key}"]`;
      const optionFix = 'use true for a flag, a string or a list of strings of visible ASCII without ";", ":", "=" or spaces';
      if (!METRIC_OPTION_TEXT_RE.test(key)) invalid('invalid-hubble-metric-option', optionField, `"${key}" is not a metric option name`, optionFix);
      const readByValue = HUBBLE_METRIC_BOOLEAN_OPTIONS[name as HubbleMetricName]?.[key] === 'value';
      if (option === true) return [readByValue ? `${key}=true` : key];
      if (option === false) return [];
      if (readByValue) valueReadCheck(optionField, name, key, String(option));
      const values = typeof option === 'string' ? [option] : Array.isArray(option) ? option : wrongType(optionField, option, 'true, a string or a list', optionFix);
      values.forEach((x, j) => {
        if (typeof x !== 'string' || !METRIC_OPTION_TEXT_RE.test(x)) {
          invalid('invalid-hubble-metric-option', `${optionField}[${j}]`, `${JSON.stringify(x)} is not a metric option value`, optionFix);
        }
      });
      return [`${key}=${values.join(',')}`];
    });
    return parts.length > 0 ? `${name}:${parts.join(';')}` : name;
  });
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      invalid('duplicate-hubble-metric', `${field}[${i}]`, `"${name}" is listed twice; the agent refuses to register a metric twice`, 'list each metric once, with all its options');
    }
  });
  if (names.includes('http') && names.includes('httpV2')) {
    invalid('duplicate-hubble-metric', `${field}[${names.indexOf('httpV2')}]`, '"http" and "httpV2" are both listed; they are mutually exclusive in Cilium',
      'keep httpV2 (it supersedes http) and drop http');
  }
  return out;
}

/** The static flow exporter with its defaults applied; undefined when `hubble.export` is not given. */
export function hubbleExport(field: string, value: HubbleFlowExportOptions | undefined): ResolvedHubbleOptions['export'] {
  const props = optionalObject(field, value, '{ filePath: "/var/run/cilium/hubble/events.log" }', HUBBLE_EXPORT_PROPS, 'hubble.export');
  if (props === undefined) return undefined;
  const filters = (key: 'allowList' | 'denyList') => list(`${field}.${key}`, props[key], [], 'list Hubble flow filters as objects, e.g. [{ verdict: ["DROPPED"] }]')
    .map((filter, i) => {
      if (!isPlainObject(filter)) wrongType(`${field}.${key}[${i}]`, filter, 'an object', 'write each filter as an object, e.g. { verdict: ["DROPPED"] }');
      return JSON.stringify(filter);
    });
  const filePath = text(`${field}.filePath`, props.filePath, '/var/run/cilium/hubble/events.log', 'write an absolute path as a string');
  if (!filePath.startsWith('/')) invalid('invalid-path', `${field}.filePath`, `"${filePath}" is not an absolute path`, 'use an absolute path, e.g. /var/run/cilium/hubble/events.log');
  return {
    filePath,
    fieldMask: stringList(`${field}.fieldMask`, props.fieldMask, [], 'list flow field names, e.g. ["time", "source", "destination", "verdict"]'),
    allowList: filters('allowList'),
    denyList: filters('denyList'),
    fileMaxSizeMb: integer(`${field}.fileMaxSizeMb`, props.fileMaxSizeMb, 10, 1, 1024, 'use 1-1024 MB'),
    fileMaxBackups: integer(`${field}.fileMaxBackups`, props.fileMaxBackups, 5, 0, 100, 'use 0-100 rotated files'),
  };
}
