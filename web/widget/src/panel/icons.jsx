// Inline icons (no icon font: nothing to fetch, nothing the host page can restyle).
const base = { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' };
const line = { ...base, fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };

export const Close = () => (
  <svg {...line}>
    <path d="M6 6l12 12M18 6 6 18" />
  </svg>
);
export const Send = () => (
  <svg {...base} fill="currentColor">
    <path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />
  </svg>
);
export const Clip = () => (
  <svg {...line}>
    <path d="m21 11.5-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l9.2-9.2a3.7 3.7 0 0 1 5.2 5.2l-9.2 9.2a1.8 1.8 0 0 1-2.6-2.6l8.5-8.5" />
  </svg>
);
export const Clock = () => (
  <svg {...line} class="aw-tick">
    <circle cx="12" cy="12" r="8" />
    <path d="M12 8v4l2.5 1.5" />
  </svg>
);
export const Tick = ({ double }) => (
  <svg {...line} class="aw-tick" viewBox={double ? '0 0 28 24' : '0 0 24 24'}>
    <path d="m4 12.5 4.5 4.5L19 6.5" />
    {double ? <path d="m12 16.5.5.5L23 6.5" /> : null}
  </svg>
);
export const Alert = () => (
  <svg {...line}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7.5v5M12 16.2v.3" />
  </svg>
);
export const FileIcon = () => (
  <svg {...line}>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5M9 13h6M9 17h4" />
  </svg>
);
export const Bot = () => (
  <svg {...line}>
    <rect x="4" y="8" width="16" height="11" rx="3" />
    <path d="M12 4v4M9 13v1M15 13v1M2 13v2M22 13v2" />
  </svg>
);
