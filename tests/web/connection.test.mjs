// Tests for the connection's session logic against a fake WebSocket: node --test Web/js/
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Connection } from '../../Web/js/connection.js';

class FakeSocket {
  static all = [];
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() { this.readyState = 3; }
  // test helpers
  open() { this.readyState = 1; this.onopen?.(); }
  receive(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  drop(code) { this.readyState = 3; this.onclose?.({ code }); }
  last() { return this.sent[this.sent.length - 1]; }
}

function setup() {
  FakeSocket.all = [];
  globalThis.WebSocket = FakeSocket;
  globalThis.window = { addEventListener() {} };
  globalThis.document = { addEventListener() {}, visibilityState: 'visible' };
  const statuses = [];
  const messages = [];
  const replies = [];
  let resume = null;
  const conn = new Connection({
    token: 'T',
    url: 'ws://test/ws',
    onMessage: (m) => {
      messages.push(m);
      if (m.type === 'welcome') resume = { epoch: m.epoch, seq: m.seq };
    },
    onReply: (req, reply) => replies.push([req, reply]),
    onStatus: (s) => statuses.push(s.state),
    getResume: () => resume,
  });
  return { conn, statuses, messages, replies };
}

const welcome = (seq = 3) => ({ type: 'welcome', epoch: 'E', seq, recovered: false, user: { role: 'employee' } });

test('hello first, then requests with ids; an ack settles the request', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { conn, statuses, replies } = setup();
    conn.start();
    const ws = FakeSocket.all[0];
    assert.equal(ws.url, 'ws://test/ws');
    assert.equal(ws.protocol, 'townhall.v1');
    ws.open();
    assert.deepEqual(ws.sent[0], { type: 'hello', token: 'T', ranks: 'changes', posts: 'counts' });
    ws.receive(welcome());
    assert.equal(statuses.at(-1), 'connected');
    const p = conn.request({ type: 'vote', post: 'p1', value: 1 }, { retry: true });
    const frame = ws.last();
    assert.equal(frame.type, 'vote');
    assert.equal(typeof frame.id, 'number');
    ws.receive({ type: 'ack', id: frame.id, post: 'p1', value: 1 });
    const ack = await p;
    assert.equal(ack.value, 1);
    assert.equal(replies.length, 1);

    const q = conn.request({ type: 'post', text: 'x' });
    ws.receive({ type: 'error', id: ws.last().id, code: 'rate_limited', message: 'slow down' });
    await assert.rejects(q, { code: 'rate_limited', message: 'slow down' });
  } finally {
    mock.timers.reset();
  }
});

test('a drop: unsafe requests fail, safe ones are resent after a resumed welcome', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { conn, statuses } = setup();
    conn.start();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(welcome(7));
    const vote = conn.request({ type: 'vote', post: 'p1', value: -1 }, { retry: true });
    const comment = conn.request({ type: 'comment', text: 'hi' });
    const voteId = ws.sent.find((f) => f.type === 'vote').id;
    ws.drop(1006);
    await assert.rejects(comment, { code: 'disconnected' });
    assert.equal(statuses.at(-1), 'reconnecting');
    // While down, an unsafe request is refused at once (nothing sent, text kept by the UI).
    await assert.rejects(conn.request({ type: 'comment', text: 'again' }), { code: 'offline' });

    mock.timers.tick(2000); // first backoff is at most 2 s
    assert.equal(FakeSocket.all.length, 2);
    const ws2 = FakeSocket.all[1];
    ws2.open();
    assert.deepEqual(ws2.sent[0], { type: 'hello', token: 'T', ranks: 'changes', posts: 'counts', resume: { epoch: 'E', seq: 7 } });
    assert.equal(ws2.sent.length, 1, 'nothing but hello before the welcome');
    ws2.receive({ type: 'welcome', epoch: 'E', seq: 9, recovered: true });
    const resent = ws2.sent.find((f) => f.type === 'vote');
    assert.equal(resent.id, voteId);
    ws2.receive({ type: 'ack', id: voteId, post: 'p1', value: -1 });
    assert.equal((await vote).value, -1);
  } finally {
    mock.timers.reset();
  }
});

test('backoff grows between failed tries', () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const random = Math.random;
  Math.random = () => 1; // the longest delay of each window: 2 s, then 4 s
  try {
    const { conn } = setup();
    conn.start();
    FakeSocket.all[0].drop(1006);
    mock.timers.tick(1999);
    assert.equal(FakeSocket.all.length, 1);
    mock.timers.tick(1);
    assert.equal(FakeSocket.all.length, 2);
    FakeSocket.all[1].drop(1006);
    mock.timers.tick(3999);
    assert.equal(FakeSocket.all.length, 2);
    mock.timers.tick(1);
    assert.equal(FakeSocket.all.length, 3);
  } finally {
    Math.random = random;
    mock.timers.reset();
  }
});

test('close 4001 signs out and stops reconnecting', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { conn, statuses } = setup();
    conn.start();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(welcome());
    const pending = conn.request({ type: 'thread', post: 'p1' }, { retry: true });
    ws.drop(4001);
    assert.equal(statuses.at(-1), 'signed-out');
    await assert.rejects(pending, { code: 'signed_out' });
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.all.length, 1);
  } finally {
    mock.timers.reset();
  }
});

test('pings every 25 s carry an id; pongs are swallowed', () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    const { conn, messages } = setup();
    conn.start();
    const ws = FakeSocket.all[0];
    ws.open();
    ws.receive(welcome());
    mock.timers.tick(25_000);
    const ping = ws.last();
    assert.equal(ping.type, 'ping');
    assert.ok(ping.id != null);
    ws.receive({ type: 'pong', id: ping.id });
    assert.equal(messages.filter((m) => m.type === 'pong').length, 0);
  } finally {
    mock.timers.reset();
  }
});
