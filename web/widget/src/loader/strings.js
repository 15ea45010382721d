// The launcher's own words; the panel's are in panel/strings.js (loaded with it).
export const LAUNCHER = {
  'pt-BR': { open: 'Abrir o chat', close: 'Fechar o chat', unread: (n) => `${n} mensagem(ns) nova(s)` },
  en: { open: 'Open chat', close: 'Close chat', unread: (n) => `${n} new message${n === 1 ? '' : 's'}` },
  es: { open: 'Abrir el chat', close: 'Cerrar el chat', unread: (n) => `${n} mensaje(s) nuevo(s)` },
};
