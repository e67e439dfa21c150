#!/usr/bin/env node
// The demo's stand-in browser, for machines with no display: the proxy runs it as
// `node demo/browser.mjs <authorization-url>`. It loads the sign-in page, presses "Allow" on the
// consent form, follows the redirect to the proxy's loopback callback and prints what the page
// says. It talks only to 127.0.0.1.
const say = (text) => process.stderr.write(`[demo browser] ${text}\n`);

async function visit(url, init) {
  say(`${init?.method ?? 'GET'} ${new URL(url).origin}${new URL(url).pathname}`);
  return fetch(url, { redirect: 'manual', ...init });
}

let res = await visit(process.argv[2]);
for (let hops = 0; hops < 10; hops++) {
  if (res.status >= 300 && res.status < 400) {
    res = await visit(new URL(res.headers.get('location'), res.url || process.argv[2]).href);
    continue;
  }
  const html = await res.text();
  const form = /<form[^>]*action="([^"]+)"[\s\S]*?name="id" value="([^"]+)"/.exec(html);
  if (!form) {
    say(
      `the page says: ${html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()}`,
    );
    break;
  }
  say('pressing "Allow" on the consent page');
  const action = new URL(form[1], res.url || process.argv[2]).href;
  res = await visit(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id: form[2], decision: 'allow' }),
  });
}
