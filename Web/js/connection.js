// The WebSocket session of PROTOCOL.md §3–5: hello/resume, request ids and their replies,
// reconnecting with backoff, keep-alive pings. Browser APIs are only touched inside methods,
// so node can import this file to test the pure helpers.

export const SUBPROTOCOL = 'townhall.v1';
export const PING_INTERVAL_MS = 25_000;
/** No frame at all for this long (pongs included) means the connection is dead. */
export const SILENCE_LIMIT_MS = 60_000;
/** A sent request without any reply for this long gives up (the UI stops waiting). */
export const REPLY_TIMEOUT_MS = 30_000;

/**
 * Reconnect delay: anywhere from 0.25 s up to a ceiling of 2 s that doubles to 30 s
 * ("full jitter"). When the server restarts, a whole company reconnects: spread over the
 * window they come back a few thousand a second, not as one herd.
 */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(30_000, 2_000 * 2 ** Math.max(0, attempt));
  return Math.round(250 + random() * (ceiling - 250));
}

/** The /ws URL of the page's own server. */
export function socketUrl(loc = globalThis.location) {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws';
}

/**
 * One logical connection that survives socket drops.
 *
 * Status (given to onStatus): {state, retryAt}
 *   state: 'connecting' (first try) | 'connected' (welcome received) |
 *          'reconnecting' (waiting retryAt, or opening again) | 'offline' (no network) |
 *          'signed-out' (closed 4001; no more tries)
 */
export class Connection {
  #ws = null;
  #nextId = 1;
  /** id → {frame, retry, resolve, reject, sent, timer} */
  #pending = new Map();
  #attempt = 0;
  #retryTimer = null;
  #pingTimer = null;
  #lastReceived = 0;
  #ready = false;
  #stopped = false;
  #welcomed = false;

  /**
   * @param {object} o
   * @param {string} o.token
   * @param {(msg: object) => void} o.onMessage        welcome, update, review and merged frames
   * @param {(request: object, reply: object) => void} [o.onReply]  before a request's promise settles
   * @param {(status: {state: string, retryAt: number|null}) => void} [o.onStatus]
   * @param {(error: object) => void} [o.onError]     error frames that match no request
   * @param {() => ({epoch: string, seq: number}|null)} [o.getResume]
   * @param {string} [o.url]
   */
  constructor(o) {
    this.token = o.token;
    this.onMessage = o.onMessage;
    this.onReply = o.onReply ?? (() => {});
    this.onStatus = o.onStatus ?? (() => {});
    this.onError = o.onError ?? (() => {});
    this.getResume = o.getResume ?? (() => null);
    this.url = o.url;
    this.status = { state: 'connecting', retryAt: null };
  }

  get ready() {
    return this.#ready;
  }

  start() {
    this.url ??= socketUrl();
    window.addEventListener('online', () => this.#retryNow());
    window.addEventListener('offline', () => {
      if (!this.#ready && !this.#stopped) this.#setStatus('offline', this.status.retryAt);
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !this.#ws) this.#retryNow();
    });
    this.#open();
  }

  /** Closes for good (e.g. the page is not for this user); the state shows offline. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    if (ws) {
      detach(ws);
      try { ws.close(1000); } catch { /* already closed */ }
    }
    this.#failAll({ code: 'signed_out' });
    this.#setStatus('offline');
  }

  /**
   * Sends a request with a fresh id; resolves with the ack (or pong), rejects with
   * {code, message} for an error reply or a client-side failure:
   *   offline      not connected and the request is not safe to resend (nothing was sent)
   *   disconnected the connection dropped after sending, before any reply (outcome unknown)
   *   timeout      no reply in time
   *   signed_out   the session ended
   *
   * retry: true marks a request that is safe to send twice (a vote value, a post with a key,
   * a moderation status, a thread read). Such requests wait while disconnected and are sent
   * again after the next welcome.
   */
  request(message, { retry = false } = {}) {
    if (this.#stopped) return Promise.reject({ code: 'signed_out' });
    if (!this.#ready && !retry) return Promise.reject({ code: 'offline' });
    const id = this.#nextId++;
    const frame = { ...message, id };
    return new Promise((resolve, reject) => {
      const entry = { frame, retry, resolve, reject, sent: false, timer: null };
      this.#pending.set(id, entry);
      if (this.#ready) this.#sendEntry(entry);
    });
  }

  /**
   * Sends a message that gets no reply (a reaction, §9) if the connection is up;
   * returns whether it went. Nothing is queued or resent.
   */
  notify(message) {
    return this.#ready && this.#send(message);
  }

  /** True while a request with `retry` waits for the connection. */
  get waiting() {
    for (const entry of this.#pending.values()) if (!entry.sent) return true;
    return false;
  }

  // ---- internals ----

  #setStatus(state, retryAt = null) {
    this.status = { state, retryAt };
    this.onStatus(this.status);
  }

  #open() {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    if (this.#stopped) return;
    this.#setStatus(this.#welcomed || this.#attempt > 0 ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url, SUBPROTOCOL);
    } catch {
      this.#closed(1006);
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      // The store keeps the orderings an update leaves out, and lays a voted post's
      // counts over the post it holds (docs/PROTOCOL-NOTES.md).
      const hello = { type: 'hello', token: this.token, ranks: 'changes', posts: 'counts' };
      const resume = this.#welcomed ? this.getResume() : null;
      if (resume && resume.epoch != null) hello.resume = { epoch: resume.epoch, seq: resume.seq };
      this.#lastReceived = Date.now();
      this.#send(hello);
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => this.#keepAlive(), PING_INTERVAL_MS);
    };
    ws.onmessage = (event) => {
      if (this.#ws !== ws) return;
      this.#lastReceived = Date.now();
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg && typeof msg === 'object') this.#handle(msg);
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#closed(event.code);
    };
    ws.onerror = () => { /* a close event follows */ };
  }

  #handle(msg) {
    switch (msg.type) {
      case 'welcome':
        this.#deliver(msg);
        this.#ready = true;
        this.#welcomed = true;
        this.#attempt = 0;
        this.#setStatus('connected');
        for (const entry of this.#pending.values()) if (!entry.sent) this.#sendEntry(entry);
        break;
      case 'update':
      case 'review':
      case 'merged':
        // `review`: a moderator approved or declined one of the user's posts; `merged`: one
        // of them was merged into another, or split off again (PROTOCOL-NOTES.md).
        this.#deliver(msg);
        break;
      case 'ack':
      case 'error':
      case 'pong': {
        const entry = msg.id != null ? this.#pending.get(msg.id) ?? this.#pending.get(Number(msg.id)) : undefined;
        if (!entry) {
          if (msg.type === 'error') this.onError(msg);
          break;
        }
        this.#pending.delete(entry.frame.id);
        clearTimeout(entry.timer);
        try {
          this.onReply(entry.frame, msg);
        } finally {
          if (msg.type === 'error') entry.reject({ code: msg.code, message: msg.message });
          else entry.resolve(msg);
        }
        break;
      }
      default:
        break;
    }
  }

  #deliver(msg) {
    try {
      this.onMessage(msg);
    } catch (error) {
      console.error('townhall: could not apply', msg.type, error);
    }
  }

  #sendEntry(entry) {
    if (!this.#send(entry.frame)) return;
    entry.sent = true;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (this.#pending.get(entry.frame.id) !== entry) return;
      this.#pending.delete(entry.frame.id);
      entry.reject({ code: 'timeout' });
    }, REPLY_TIMEOUT_MS);
  }

  #send(frame) {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  #keepAlive() {
    if (!this.#ws) return;
    if (Date.now() - this.#lastReceived > SILENCE_LIMIT_MS) {
      // Nothing came back, not even pongs: drop this socket and start again with resume.
      const ws = this.#ws;
      detach(ws);
      try { ws.close(1000); } catch { /* ignore */ }
      this.#closed(1006);
      return;
    }
    // With an id so the server answers with a pong (PROTOCOL.md §3); nobody waits for it.
    this.#send({ type: 'ping', id: this.#nextId++ });
  }

  #closed(code) {
    clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    this.#ws = null;
    this.#ready = false;
    for (const [id, entry] of this.#pending) {
      clearTimeout(entry.timer);
      if (entry.retry) {
        entry.sent = false; // sent again after the next welcome
      } else if (entry.sent) {
        this.#pending.delete(id);
        entry.reject({ code: 'disconnected' });
      }
    }
    if (code === 4001) {
      this.#stopped = true;
      this.#failAll({ code: 'signed_out' });
      this.#setStatus('signed-out');
      return;
    }
    if (this.#stopped) return;
    if (code === 4009) this.#attempt = 0; // too slow: come back soon and resume
    const delay = backoffDelay(this.#attempt);
    this.#attempt += 1;
    const retryAt = Date.now() + delay;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    this.#setStatus(offline ? 'offline' : 'reconnecting', retryAt);
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #retryNow() {
    if (this.#stopped || this.#ws) return;
    this.#attempt = 0;
    this.#open();
  }

  #failAll(error) {
    for (const entry of this.#pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.#pending.clear();
  }
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}
