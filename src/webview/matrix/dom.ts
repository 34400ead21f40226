// The only way this page creates elements: text always goes through textContent, never HTML.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Sets textContent only when it differs (no needless layout work, no lost selection). */
export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

export function setAttr(e: Element, name: string, value: string): void {
  if (e.getAttribute(name) !== value) e.setAttribute(name, value);
}

export function button(label: string, onClick: () => void, opts: { title?: string; disabled?: boolean; secondary?: boolean } = {}): HTMLButtonElement {
  const b = el('button', opts.secondary ? 'secondary' : undefined, label);
  b.type = 'button';
  if (opts.title) b.title = opts.title;
  if (opts.disabled) b.disabled = true;
  else b.addEventListener('click', onClick);
  return b;
}
