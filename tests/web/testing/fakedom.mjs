// A very small DOM for smoke-testing the pages under node (no browser on the build machine).
// It implements only what the page modules use, parses only our own well-formed HTML, and
// refuses innerHTML/outerHTML/insertAdjacentHTML so a test fails if a page ever uses them.

const VOID = new Set(['meta', 'link', 'input', 'br', 'img', 'hr', 'source']);

class FakeEvent {
  constructor(type, init = {}) {
    Object.assign(this, init);
    this.type = type;
    this.defaultPrevented = false;
    this.propagationStopped = false;
  }
  preventDefault() { this.defaultPrevented = true; }
  stopPropagation() { this.propagationStopped = true; }
}

class Node {
  constructor(doc) {
    this.ownerDocument = doc;
    this.parentNode = null;
    this.childNodes = [];
    this.listeners = new Map();
  }
  get isConnected() {
    let n = this;
    while (n) {
      if (n === this.ownerDocument) return true;
      n = n.parentNode;
    }
    return false;
  }
  get textContent() {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  set textContent(value) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    if (value !== '' && value != null) this.appendChild(new Text(this.ownerDocument, String(value)));
  }
  contains(other) {
    for (let n = other; n; n = n.parentNode) if (n === this) return true;
    return false;
  }
  appendChild(node) { return this.insertBefore(node, null); }
  append(...nodes) {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? new Text(this.ownerDocument, n) : n);
  }
  insertBefore(node, ref) {
    if (node.parentNode) node.parentNode.removeChild(node);
    const at = ref ? this.childNodes.indexOf(ref) : -1;
    if (ref && at < 0) throw new Error('insertBefore: ref is not a child');
    if (at < 0) this.childNodes.push(node);
    else this.childNodes.splice(at, 0, node);
    node.parentNode = this;
    return node;
  }
  removeChild(node) {
    const at = this.childNodes.indexOf(node);
    if (at < 0) throw new Error('removeChild: not a child');
    this.childNodes.splice(at, 1);
    node.parentNode = null;
    const doc = this.ownerDocument;
    if (doc && doc.activeElement && !doc.activeElement.isConnected) doc.activeElement = doc.body;
    return node;
  }
  remove() { if (this.parentNode) this.parentNode.removeChild(this); }
  replaceChildren(...nodes) {
    this.textContent = '';
    this.append(...nodes);
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }
  removeEventListener(type, fn) {
    const list = this.listeners.get(type);
    if (list) this.listeners.set(type, list.filter((f) => f !== fn));
  }
  dispatchEvent(event) {
    event.target ??= this;
    for (let n = this; n && !event.propagationStopped; n = n.parentNode) {
      event.currentTarget = n;
      for (const fn of [...(n.listeners.get(event.type) ?? [])]) fn.call(n, event);
      if (event.bubbles === false) break;
    }
    return !event.defaultPrevented;
  }
}

class Text extends Node {
  constructor(doc, data) {
    super(doc);
    this.nodeType = 3;
    this.data = data;
  }
  get textContent() { return this.data; }
  set textContent(v) { this.data = String(v); }
}

function camelToKebab(s) {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

class Element extends Node {
  constructor(doc, tag) {
    super(doc);
    this.nodeType = 1;
    this.tagName = tag.toUpperCase();
    this.localName = tag.toLowerCase();
    this.attributes = new Map();
    this._value = null;
    this._checked = null;
    this.animations = [];
    // CSSOM writes (el.style.width = …) are what the CSP allows; a plain object records them.
    this.style = {};
    const el = this;
    this.dataset = new Proxy({}, {
      get: (_, k) => (typeof k === 'string' ? el.getAttribute(`data-${camelToKebab(k)}`) ?? undefined : undefined),
      set: (_, k, v) => { el.setAttribute(`data-${camelToKebab(k)}`, String(v)); return true; },
      deleteProperty: (_, k) => { el.removeAttribute(`data-${camelToKebab(k)}`); return true; },
    });
    this.classList = {
      contains: (c) => el.className.split(/\s+/).includes(c),
      add: (...cs) => { for (const c of cs) if (!el.classList.contains(c)) el.className = `${el.className} ${c}`.trim(); },
      remove: (...cs) => { el.className = el.className.split(/\s+/).filter((x) => x && !cs.includes(x)).join(' '); },
      toggle: (c, force) => {
        const on = force === undefined ? !el.classList.contains(c) : !!force;
        if (on) el.classList.add(c); else el.classList.remove(c);
        return on;
      },
    };
  }
  get children() { return this.childNodes.filter((c) => c.nodeType === 1); }
  get firstElementChild() { return this.children[0] ?? null; }
  get lastElementChild() { return this.children.at(-1) ?? null; }
  get id() { return this.getAttribute('id') ?? ''; }
  set id(v) { this.setAttribute('id', v); }
  get className() { return this.getAttribute('class') ?? ''; }
  set className(v) { this.setAttribute('class', v); }
  get hidden() { return this.hasAttribute('hidden'); }
  set hidden(v) { if (v) this.setAttribute('hidden', ''); else this.removeAttribute('hidden'); }
  get disabled() { return this.hasAttribute('disabled'); }
  set disabled(v) { if (v) this.setAttribute('disabled', ''); else this.removeAttribute('disabled'); }
  get tabIndex() { return Number(this.getAttribute('tabindex') ?? 0); }
  set tabIndex(v) { this.setAttribute('tabindex', String(v)); }
  get title() { return this.getAttribute('title') ?? ''; }
  set title(v) { this.setAttribute('title', v); }
  get value() {
    if (this._value !== null) return this._value;
    return this.localName === 'textarea' ? this.textContent : (this.getAttribute('value') ?? '');
  }
  set value(v) { this._value = String(v); }
  get checked() { return this._checked ?? this.hasAttribute('checked'); }
  set checked(v) { this._checked = !!v; }
  get offsetParent() { return null; }
  set innerHTML(_) { throw new Error('innerHTML is not allowed'); }
  get innerHTML() { throw new Error('innerHTML is not allowed'); }
  set outerHTML(_) { throw new Error('outerHTML is not allowed'); }
  insertAdjacentHTML() { throw new Error('insertAdjacentHTML is not allowed'); }
  getAttribute(name) { return this.attributes.has(name) ? this.attributes.get(name) : null; }
  setAttribute(name, value) {
    if (name === 'style' || /^on/i.test(name)) throw new Error(`attribute ${name} is not allowed (CSP)`);
    this.attributes.set(name, String(value));
  }
  hasAttribute(name) { return this.attributes.has(name); }
  removeAttribute(name) { this.attributes.delete(name); }
  getBoundingClientRect() { return { top: 0, bottom: 0, left: 0, right: 0, width: 0, height: 0 }; }
  animate(keyframes, options) {
    const a = { keyframes, options, cancel: () => { this.animations = this.animations.filter((x) => x !== a); } };
    this.animations.push(a);
    return a;
  }
  getAnimations() { return [...this.animations]; }
  focus() { this.ownerDocument.activeElement = this; }
  blur() { this.ownerDocument.activeElement = this.ownerDocument.body; }
  click() {
    if (this.disabled) return;
    const ok = this.dispatchEvent(new FakeEvent('click', { bubbles: true }));
    if (!ok) return;
    const type = this.localName === 'input' ? this.getAttribute('type') : null;
    if (type === 'checkbox') {
      this.checked = !this.checked;
      this.dispatchEvent(new FakeEvent('change', { bubbles: true }));
    } else if (type === 'radio' && !this.checked) {
      // One radio of a group (same name) is checked at a time.
      const name = this.getAttribute('name');
      if (name) for (const other of this.ownerDocument.querySelectorAll(`input[name="${name}"]`)) other.checked = false;
      this.checked = true;
      this.dispatchEvent(new FakeEvent('change', { bubbles: true }));
    }
    if (this.localName === 'button' && (this.getAttribute('type') ?? 'submit') === 'submit') {
      const form = this.closest('form');
      if (form) form.requestSubmit();
    }
  }
  requestSubmit() { this.dispatchEvent(new FakeEvent('submit', { bubbles: true })); }
  matches(selector) { return selector.split(',').some((s) => matchesComplex(this, parseComplex(s.trim()))); }
  closest(selector) {
    for (let n = this; n && n.nodeType === 1; n = n.parentNode) if (n.matches(selector)) return n;
    return null;
  }
  querySelectorAll(selector) {
    const out = [];
    const walk = (n) => {
      for (const c of n.children) {
        if (c.matches(selector)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  querySelector(selector) { return this.querySelectorAll(selector)[0] ?? null; }
}

// ---- selectors: compound parts (tag, #id, .class, [attr], [attr="v"]) joined by spaces ----

function parseCompound(text) {
  const parts = [];
  const re = /^(?:([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\]]*)))?\])/;
  let rest = text;
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw new Error(`unsupported selector: ${text}`);
    if (m[1]) parts.push((e) => e.localName === m[1].toLowerCase());
    else if (m[2]) parts.push((e) => e.id === m[2]);
    else if (m[3]) parts.push((e) => e.classList.contains(m[3]));
    else {
      const name = m[4];
      const value = m[5] ?? m[6] ?? m[7];
      parts.push(value === undefined ? (e) => e.hasAttribute(name) : (e) => e.getAttribute(name) === value);
    }
    rest = rest.slice(m[0].length);
  }
  return (e) => parts.every((p) => p(e));
}

function parseComplex(selector) {
  return selector.split(/\s+/).filter(Boolean).map(parseCompound);
}

function matchesComplex(el, chain) {
  if (!chain.length || !chain[chain.length - 1](el)) return false;
  let i = chain.length - 2;
  for (let n = el.parentNode; n && i >= 0; n = n.parentNode) {
    if (n.nodeType === 1 && chain[i](n)) i -= 1;
  }
  return i < 0;
}

// ---- document and HTML parsing ----

class Document extends Node {
  constructor() {
    super(null);
    this.ownerDocument = this;
    this.nodeType = 9;
    this.readyState = 'complete';
    this.visibilityState = 'visible';
    this.documentElement = null;
    this.body = null;
    this.head = null;
    this.activeElement = null;
  }
  get children() { return this.childNodes.filter((c) => c.nodeType === 1); }
  createElement(tag) { return new Element(this, tag); }
  createTextNode(text) { return new Text(this, text); }
  getElementById(id) { return this.querySelector(`#${id}`); }
  querySelectorAll(selector) { return this.documentElement ? [this.documentElement, ...this.documentElement.querySelectorAll(selector)].filter((e) => e.matches(selector)) : []; }
  querySelector(selector) { return this.querySelectorAll(selector)[0] ?? null; }
}

function decode(text) {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' })[e]);
}

export function parseHTML(html) {
  const doc = new Document();
  const stack = [doc];
  const re = /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-zA-Z][\w-]*)\s*>|<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>|([^<]+)/gi;
  let m;
  while ((m = re.exec(html))) {
    const top = stack[stack.length - 1];
    if (m[1]) {
      const tag = m[1].toLowerCase();
      while (stack.length > 1 && stack.pop().localName !== tag) { /* close until matched */ }
    } else if (m[2]) {
      const el = doc.createElement(m[2]);
      const attrRe = /([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
      let a;
      while ((a = attrRe.exec(m[3] ?? ''))) el.attributes.set(a[1].toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? ''));
      top.appendChild(el);
      if (!VOID.has(el.localName) && !m[4]) stack.push(el);
    } else if (m[5] && top !== doc) {
      top.appendChild(doc.createTextNode(decode(m[5])));
    }
  }
  doc.documentElement = doc.children[0];
  doc.head = doc.querySelector('head');
  doc.body = doc.querySelector('body');
  doc.activeElement = doc.body;
  return doc;
}

/** Installs a page's document and a minimal window on globalThis; pass the same `storage` (a Map) to
 * two installs for a reload that keeps sessionStorage. */
export function installPage(html, { hash = '', pathname = '/', confirm = () => true, storage = new Map() } = {}) {
  const doc = parseHTML(html);
  const location = {
    protocol: 'http:', host: 'localhost:8080', pathname, search: '', hash,
  };
  const win = {
    addEventListener() {},
    matchMedia: () => ({ matches: false }),
    scrollY: 0,
    scrollBy() {},
    confirm,
  };
  Object.assign(globalThis, {
    document: doc,
    window: win,
    location,
    history: {
      state: null,
      replaceState(_state, _title, url) {
        const u = new URL(url, 'http://localhost:8080');
        location.pathname = u.pathname;
        location.search = u.search;
        location.hash = u.hash;
      },
    },
    sessionStorage: {
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    },
    requestAnimationFrame: (fn) => setTimeout(fn, 0),
    cancelAnimationFrame: (id) => clearTimeout(id),
  });
  return doc;
}

export { FakeEvent as Event };
