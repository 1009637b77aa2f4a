// The package ships no types: what test/integration/operator-tools.test.ts reads of it.
declare module 'parse-prometheus-text-format' {
  type Sample = { value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> };
  export type MetricFamily = { name: string; help: string; type: string; metrics: Sample[] };
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
