// The business's colour, and a text colour on it that keeps a 4.5:1 contrast (WCAG AA).

const FALLBACK = '#0b6bcb'; // the site appearance's default, so nothing changes colour when it arrives

function channels(hex) {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || '').trim());
  if (!m) return null;
  const h = m[1].length === 3 ? m[1].replace(/./g, (c) => c + c) : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function palette(color) {
  const rgb = channels(color) || channels(FALLBACK);
  const accent = `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const l = luminance(rgb);
  const onWhite = 1.05 / (l + 0.05);
  return { accent, onAccent: onWhite >= 4.5 ? '#ffffff' : '#111827' };
}
