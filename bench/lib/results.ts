/**
 * One line of the report. Every figure carries the baseline it was measured against in the same run, and
 * ratio = figure / baseline, because on a small, noisy machine only the ratio means anything.
 */
export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  baseline?: { label: string; value: number };
  ratio?: number;
  target?: Target;
  /** PASS/MISS against the target; info when the line has no target. */
  verdict: 'PASS' | 'MISS' | 'info';
  note?: string;
  /** The individual measurements behind a median, so the JSON shows how noisy the run was. */
  samples?: { value: number[]; baseline?: number[] };
}

/** What a figure should be: a bound on the ratio, or on the figure itself (e.g. memory in MB). */
export interface Target {
  on: 'ratio' | 'value';
  op: '>=' | '<';
  limit: number;
}

export interface Skipped {
  scenario: string;
  reason: string;
}

export interface Failed {
  scenario: string;
  error: string;
}

export function row(fields: Omit<Row, 'ratio' | 'verdict'>): Row {
  const ratio = fields.baseline && fields.baseline.value > 0 ? fields.value / fields.baseline.value : undefined;
  let verdict: Row['verdict'] = 'info';
  if (fields.target) {
    const measured = fields.target.on === 'ratio' ? ratio : fields.value;
    const met = measured !== undefined && (fields.target.op === '>=' ? measured >= fields.target.limit : measured < fields.target.limit);
    verdict = met ? 'PASS' : 'MISS';
  }
  return { ...fields, ratio, verdict };
}
