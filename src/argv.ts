/**
 * Some hosts (Cursor, some Windows launchers) split every argument at spaces, so
 * `--header "Authorization: Bearer x"` arrives as `--header Authorization: Bearer x`.
 * When a header value ends at its colon, the words after it belong to it: they are joined
 * back up to the next option or URL. Nothing else is rewritten.
 */
const HEADER_FLAGS = new Set(['-H', '--header']);

export function joinSplitHeaders(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    out.push(arg);
    if (!HEADER_FLAGS.has(arg) || i + 1 >= argv.length) continue;
    let value = argv[++i]!;
    if (/^[^\s:]+:\s*$/.test(value)) {
      const words: string[] = [];
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-') && !/^https?:\/\//i.test(argv[i + 1]!)) {
        words.push(argv[++i]!);
      }
      if (words.length > 0) value = `${value.trimEnd()} ${words.join(' ')}`;
    }
    out.push(value);
  }
  return out;
}
