// Output for people: aligned columns with a header, and "none" for an empty list.

export type Column<T> = [header: string, value: (row: T) => unknown];

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '-';
  return String(v);
}

export function table<T>(rows: readonly T[], columns: Column<T>[], empty = 'None.'): string {
  if (rows.length === 0) return `${empty}\n`;
  const grid = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, f]) => cell(f(r))))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i].length)));
  return grid.map((line) => line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** "in 23h 59m" for a future time, as the dashboard's lease countdown says it. */
export function timeLeft(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (!Number.isFinite(ms)) return iso;
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  return `in ${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
