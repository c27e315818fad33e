/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: each whitespace-separated word becomes a
 * quoted string, and all must match (AND). `"exact phrase"` keeps its quotes; a trailing `*` on a word stays a prefix match.
 */
export function toFtsQuery(q: string): string {
  const tokens = q.match(/"[^"]*"|\S+/g) ?? [];
  return tokens
    .map((t) => {
      if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return `"${t.slice(1, -1).replace(/"/g, '""')}"`;
      const prefix = t.endsWith('*') && t.length > 1;
      const word = (prefix ? t.slice(0, -1) : t).replace(/"/g, '""');
      return `"${word}"${prefix ? '*' : ''}`;
    })
    .filter((t) => t !== '""')
    .join(' ');
}
