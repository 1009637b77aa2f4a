// Reads what `wg showconf` prints, for tests that compare it with what they loaded.

export type WgSection = Record<string, string>;

/** `wg showconf` output as sections of key → value; repeated keys are joined with ', '. */
export function parseWgConfig(text: string): { interface: WgSection; peers: WgSection[] } {
  const sections: { name: string; values: WgSection }[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) sections.push({ name: header[1], values: {} });
    else if (sections.length > 0) {
      const [key, ...rest] = line.split('=');
      const values = sections[sections.length - 1].values;
      const value = rest.join('=').trim();
      values[key.trim()] = values[key.trim()] ? `${values[key.trim()]}, ${value}` : value;
    }
  }
  return {
    interface: sections.find((s) => s.name === 'Interface')?.values ?? {},
    peers: sections.filter((s) => s.name === 'Peer').map((s) => s.values),
  };
}
