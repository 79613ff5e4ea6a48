/** Parsed Prometheus text: sample values and `TYPE` lines by metric name. */
export interface PrometheusText {
  readonly values: ReadonlyMap<string, number>;
  readonly types: ReadonlyMap<string, string>;
  readonly helpNames: ReadonlySet<string>;
}

/** Parses the unlabelled samples of a Prometheus text exposition. */
export function parsePrometheusText(text: string): PrometheusText {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  const helpNames = new Set<string>();
  for (const line of text.split('\n')) {
    const [first, second, third] = line.split(' ');
    if (first === '#' && second === 'TYPE' && third !== undefined) {
      types.set(third, line.split(' ')[3] ?? '');
    } else if (first === '#' && second === 'HELP' && third !== undefined) {
      helpNames.add(third);
    } else if (first && second !== undefined && !first.startsWith('#')) {
      values.set(first, Number(second));
    }
  }

  return { values, types, helpNames };
}
