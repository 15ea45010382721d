// GET /sites/{siteKey} as the panel uses it, in one place: appearance, who may be reached, forms.

export function siteView(site, settings) {
  const s = site || {};
  const appearance = s.appearance || {};
  const form = s.preChatForm || {};
  const fields = (form.fields || []).filter((f) => ['name', 'email', 'phone'].includes(f.name));
  const identity = s.identity || {};
  return {
    name: s.name || appearance.title || '',
    logoUrl: appearance.logoUrl || null,
    greeting: settings.greeting || appearance.greeting || null,
    available: s.available !== false,
    identityRequired: !!identity.required,
    preChat:
      form.enabled && fields.length
        ? { fields: fields.map((f) => f.name), required: fields.filter((f) => f.required).map((f) => f.name) }
        : null,
  };
}
