// What the page tests share: a fake WebSocket, loading a page's HTML and module into
// the fake DOM, and letting timers and promises run.
import { mock } from 'node:test';
import { readFileSync } from 'node:fs';

import { Event as FakeEvent, installPage } from './fakedom.mjs';

const web = new URL('../../../Web/', import.meta.url);
export const html = (name) => readFileSync(new URL(name, web), 'utf8');

export class FakeSocket {
  static all = [];
  constructor(url, protocol) {
    Object.assign(this, { url, protocol, readyState: 0, sent: [] });
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.(); }
  receive(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  drop(code) { this.readyState = 3; this.onclose?.({ code }); }
  sentOf(type) { return this.sent.filter((f) => f.type === type); }
}

let loads = 0;
/** Installs `file` as the page at `page` and runs its entry module afresh. */
export async function loadPage(page, file, hash, module, options = {}) {
  FakeSocket.all = [];
  globalThis.WebSocket = FakeSocket;
  const doc = installPage(html(file), { hash, pathname: page, ...options });
  loads += 1;
  await import(`../../../Web/js/${module}?load=${loads}`);
  return doc;
}

/** Lets promise callbacks run (acks settle asynchronously), then fires due timers and frames. */
export const flush = async () => {
  for (let i = 0; i < 6; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    mock.timers.tick(300);
  }
};

export const $ = (sel) => document.querySelector(sel);
export const $$ = (sel) => document.querySelectorAll(sel);
export const input = (el, value) => {
  el.value = value;
  el.dispatchEvent(new FakeEvent('input', { bubbles: true }));
};

/** The three pages as `onPage` opens them, each with a token for its role. */
export const EMPLOYEE_PAGE = { page: '/', file: 'index.html', hash: '#token=JWT1', module: 'employee.js' };
export const HOST_PAGE = { page: '/host', file: 'host.html', hash: '#token=HOST', module: 'host.js' };
export const SCREEN_PAGE = { page: '/screen', file: 'screen.html', hash: '#token=SCR', module: 'screen.js' };

/** Opens a page under fake timers, connects it, hands it `first` (its welcome) and runs
 * `body(ws)`; the timers are restored however the body ends. */
export async function onPage({ page, file, hash, module }, first, body) {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    await loadPage(page, file, hash, module);
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(first);
    await flush();
    await body(ws);
  } finally {
    mock.timers.reset();
  }
}
