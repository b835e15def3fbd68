// A tiny element builder. Text always goes in as text nodes: feedback is untrusted input.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function errorBox(error) {
  return el('div', { class: 'notice error', role: 'alert' }, error?.message || String(error));
}

export function emptyState(title, hint) {
  return el('div', { class: 'empty' }, el('strong', {}, title), hint ? el('p', {}, hint) : null);
}

export function loading(label = 'Loading…') {
  return el('div', { class: 'loading' }, el('span', { class: 'spinner' }), label);
}
