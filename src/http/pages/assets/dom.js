/**
 * A tiny DOM builder for the pages (no framework, no innerHTML): `h('p', {class: 'x'}, 'text')`.
 * Invariant: strings always become text nodes, so data from the gateway or a document can never
 * become markup; event handlers are attached in code (CSP forbids inline handlers).
 */

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [props] `class`, `on` ({event: handler}), `dataset`, other attributes (false/undefined skipped)
 * @param {...any} children strings, nodes, arrays, null/false (skipped)
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, /** @type {any} */ (fn));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v);
    else if (k === 'checked' || k === 'disabled' || k === 'required' || k === 'value' || k === 'selected') /** @type {any} */ (el)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** @param {Node} parent @param {any[]} children */
export function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return parent;
}

/** Replaces the children of `el`. @param {Element} el @param {...any} children */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** An alert box (role=alert reaches screen readers at once). @param {'error'|'info'|'ok'|'warn'} kind @param {...any} children */
export const notice = (kind, ...children) => h('div', { class: `notice notice-${kind}`, role: kind === 'error' || kind === 'warn' ? 'alert' : 'status' }, ...children);

/** JSON fetch against the gateway's own origin; returns {status, body}. Network failure → status 0. */
export async function api(path, { method = 'GET', headers = {}, body } = {}) {
  try {
    const res = await fetch(path, {
      method,
      credentials: 'omit',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** The URL fragment without '#', decoded when it is percent-encoded. */
export function fragment() {
  const raw = location.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
