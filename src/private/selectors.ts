import { invalid } from '../errors';
import { checkProps, propsShape, required } from './props';
import { LABEL_KEY_RE, LABEL_VALUE_RE } from './syntax';

/** The shape of a label selector (structurally the public `LabelSelectorInput`). */
export interface LabelSelectorInput {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { readonly key: string; readonly operator: SelectorOperatorName; readonly values?: string[] }[];
}

/** Operators of a label selector requirement. */
export type SelectorOperatorName = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

const OPERATORS: readonly SelectorOperatorName[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
/** The shape of a label selector (see `checkProps`); the operator and the label syntax are checked by {@link resolveSelector}. */
export const LABEL_SELECTOR_SHAPE = propsShape<LabelSelectorInput>('label selector', {
  matchLabels: { map: 'string' },
  matchExpressions: {
    list: propsShape<NonNullable<LabelSelectorInput['matchExpressions']>[number]>('selector requirement', { key: required('string'), operator: required('string'), values: { list: 'string' } }),
  },
});

/**
 * Checks a label selector field by field and returns it normalised (empty parts dropped), or undefined
 * when it selects everything. Used by this library's Cilium constructs.
 */
export function resolveSelector(field: string, selector: LabelSelectorInput | undefined): LabelSelectorInput | undefined {
  if (selector === undefined) return undefined;
  selector = checkProps<LabelSelectorInput>(field, selector, LABEL_SELECTOR_SHAPE);
  const labelFix = 'use a qualified key (optional DNS prefix + "/" + name of at most 63 alphanumerics, "-", "_" or ".") and a value of at most 63 such characters';
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  for (const [key, value] of matchLabels) {
    if (!LABEL_KEY_RE.test(key) || typeof value !== 'string' || !LABEL_VALUE_RE.test(value)) {
      invalid('invalid-selector', `${field}.matchLabels["${key}"]`, `"${key}: ${value}" is not a valid label`, labelFix);
    }
  }
  const matchExpressions = selector.matchExpressions ?? [];
  matchExpressions.forEach((e, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    if (typeof e?.key !== 'string' || !LABEL_KEY_RE.test(e.key)) {
      invalid('invalid-selector', `${f}.key`, `${JSON.stringify(e?.key)} is not a valid label key`, labelFix);
    }
    if (!OPERATORS.includes(e.operator)) {
      invalid('invalid-selector', `${f}.operator`, `${JSON.stringify(e.operator)} is not a selector operator`, `use one of ${OPERATORS.join(', ')}`);
    }
    const values = e.values ?? [];
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues && values.length === 0) {
      invalid('invalid-selector', `${f}.values`, `operator ${e.operator} needs at least one value`, 'list the label values to match, or use Exists/DoesNotExist');
    }
    if (!needsValues && values.length > 0) {
      invalid('invalid-selector', `${f}.values`, `operator ${e.operator} takes no values`, 'drop values, or use In/NotIn');
    }
    values.forEach((value, j) => {
      if (typeof value !== 'string' || !LABEL_VALUE_RE.test(value)) {
        invalid('invalid-selector', `${f}.values[${j}]`, `${JSON.stringify(value)} is not a valid label value`, labelFix);
      }
    });
  });
  if (matchLabels.length === 0 && matchExpressions.length === 0) return undefined;
  return {
    ...(matchLabels.length > 0 ? { matchLabels: Object.fromEntries(matchLabels) } : {}),
    ...(matchExpressions.length > 0
      ? {
        matchExpressions: matchExpressions.map((e) => ({
          key: e.key,
          operator: e.operator,
          ...(e.values?.length ? { values: [...e.values] } : {}),
        })),
      }
      : {}),
  };
}

/**
 * @internal A checked selector in the shape of a generated CRD selector type. The generated operator
 * enums hold the same strings as {@link SelectorOperatorName}, so only the type changes.
 */
export function toCrdSelector<Operator extends string>(s: LabelSelectorInput): {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: Operator; values?: string[] }[];
} {
  return {
    matchLabels: s.matchLabels,
    matchExpressions: s.matchExpressions?.map((e) => ({ key: e.key, operator: e.operator as string as Operator, values: e.values })),
  };
}
