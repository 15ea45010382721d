// Keyboard inside the open panel: Tab cycles within it (a modal dialog), Esc closes it.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

function visible(el) {
  return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
}

export function trapFocus(container, onEscape) {
  function keydown(event) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onEscape();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = [...container.querySelectorAll(FOCUSABLE)].filter(visible);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = container.getRootNode().activeElement;
    if (event.shiftKey && (active === first || !container.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !container.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }
  container.addEventListener('keydown', keydown);
  return () => container.removeEventListener('keydown', keydown);
}

export function focusFirst(container) {
  const preferred = container.querySelector('[data-autofocus]');
  const target = preferred && visible(preferred) ? preferred : container.querySelector(FOCUSABLE);
  if (target) target.focus({ preventScroll: true });
}
