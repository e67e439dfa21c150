// The data of each event of an SSE body (WHATWG HTML §9.2.6), for the bench's own clients: an
// event's `data:` lines joined by `join` ("\n" in the spec). An event without data (a resumption
// priming event) carries no message and is left out.
export function sseData(text, join = '\n') {
  const out = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    let data;
    for (const line of event.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const value = line.slice(line[5] === ' ' ? 6 : 5);
      data = data === undefined ? value : `${data}${join}${value}`;
    }
    if (data) out.push(data);
  }
  return out;
}
