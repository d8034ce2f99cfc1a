// Small DOM and formatting helpers shared by the panels.

/**
 * Creates an element. `attrs`: `class`, `dataset` (object), `on<event>` handlers, `text`, any
 * other attribute. Children are nodes or strings; null/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Calls `fn` once `ms` have passed without another call. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** A property value of the proto's Value message, as text. */
export function formatValue(value) {
  if (!value || typeof value !== 'object') return String(value ?? '');
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return String(value.intValue);
  if ('doubleValue' in value) return String(value.doubleValue);
  if ('boolValue' in value) return value.boolValue ? 'true' : 'false';
  if ('dateValue' in value) return value.dateValue;
  return JSON.stringify(value);
}

/** An edge's validity interval in words: "2018-01-01 – now", "until 2018-12-31", "undated". */
export function formatInterval(validFrom, validTo, temporal) {
  if (temporal === 'TEMPORAL_POINT' && validFrom) return `on ${validFrom}`;
  if (validFrom && validTo) return `${validFrom} – ${validTo}`;
  if (validFrom) return `since ${validFrom}`;
  if (validTo) return `until ${validTo}`;
  return 'undated';
}

/** Numbers with thousands separators. */
export function formatCount(n) {
  return Number(n).toLocaleString('en-US');
}

/** An `<a>` for URLs, text otherwise. */
export function linkOrText(text) {
  return /^https?:\/\//.test(text)
    ? h('a', { href: text, target: '_blank', rel: 'noopener noreferrer' }, text)
    : document.createTextNode(text);
}
