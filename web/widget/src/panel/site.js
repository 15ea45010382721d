// GET /sites/{siteKey} as the panel uses it, in one place: appearance, who may be reached, forms.

export function siteView(site, settings) {
  const s = site || {};
  const appearance = s.appearance || {};
  const form = s.preChatForm || appearance.preChatForm || null;
  return {
    name: s.name || appearance.name || appearance.title || '',
    logoUrl: appearance.logoUrl || s.logoUrl || null,
    botName: appearance.botName || null,
    greeting: settings.greeting || appearance.greeting || s.greeting || null,
    available: s.available !== false,
    enforceIdentity: !!s.enforceIdentity,
    preChat:
      form && form.enabled !== false && Array.isArray(form.fields) && form.fields.length
        ? { fields: form.fields.filter((f) => ['name', 'email', 'phone'].includes(f)), required: form.required || [] }
        : null,
  };
}
