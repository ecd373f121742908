// Opens a page of examples/web in headless Chromium, waits until its #status reads "done", saves a
// screenshot and prints the page's #ids (or, with FIELD text, its #text). Talks to Chromium through the DevTools protocol over a
// WebSocket (node 22's, or node 20's with --experimental-websocket), so it needs no npm package.
//   node wasm-page-check.mjs URL SCREENSHOT.png [TIMEOUT_S [FIELD]]
// Exits 1 naming the problem when the page reports an error or does not finish in time.
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';

const [url, screenshot, timeoutS = '60', field = 'ids'] = process.argv.slice(2);
if (!url || !screenshot || !['ids', 'text'].includes(field)) {
  console.error('usage: node wasm-page-check.mjs URL SCREENSHOT.png [TIMEOUT_S [ids|text]]');
  process.exit(2);
}
const deadline = Date.now() + Number(timeoutS) * 1000;
const fail = (message) => {
  console.error(`wasm-page-check: ${message}`);
  process.exit(1);
};

// As root, Chromium runs only without its sandbox; port 0 lets it choose a free one, which it
// prints on stderr.
const browser = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0',
                                   '--window-size=900,700', url], {stdio: ['ignore', 'ignore', 'pipe']});
process.on('exit', () => browser.kill());  // however this script ends
const port = await new Promise((resolve, reject) => {
  let log = '';
  browser.stderr.on('data', (chunk) => {
    log += chunk;
    const m = log.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
    if (m) resolve(m[1]);
  });
  browser.on('exit', (code) => reject(new Error(`chromium exited (${code}) before it listened:\n${log}`)));
}).catch((e) => fail(e.message));

const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === 'page');
if (!page) fail('Chromium has no page open');
const socket = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((resolve) => socket.addEventListener('open', resolve));
let nextId = 1;
const pending = new Map();
socket.addEventListener('message', (event) => {
  const m = JSON.parse(event.data);
  if (pending.has(m.id)) {
    pending.get(m.id)(m);
    pending.delete(m.id);
  }
});
// One DevTools command; throws its error.
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
  socket.send(JSON.stringify({id, method, params}));
});

const readPage = `JSON.stringify({status: document.getElementById('status')?.textContent ?? '',
  error: document.getElementById('status')?.className === 'error',
  output: document.getElementById('${field}')?.textContent ?? ''})`;
let state;
for (;;) {
  state = JSON.parse((await send('Runtime.evaluate', {expression: readPage, returnByValue: true})).result.value);
  if (state.error) fail(`the page reports: ${state.status}`);
  if (state.status === 'done') break;
  if (Date.now() > deadline) fail(`the page did not finish in ${timeoutS} s (status: '${state.status}')`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const shot = await send('Page.captureScreenshot', {format: 'png'});
writeFileSync(screenshot, Buffer.from(shot.data, 'base64'));
console.log(state.output);
socket.close();
process.exit(0);
