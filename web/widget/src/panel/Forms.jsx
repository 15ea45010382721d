import { useState } from 'preact/hooks';
import { newClientId } from './outbox.js';

function Field({ t, name, label, type = 'text', required, value, onInput, autocomplete, multiline }) {
  const id = `aw-f-${name}`;
  const Tag = multiline ? 'textarea' : 'input';
  return (
    <div class="aw-field">
      <label for={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <Tag
        id={id}
        name={name}
        type={multiline ? undefined : type}
        rows={multiline ? 4 : undefined}
        required={required}
        aria-required={required ? 'true' : undefined}
        autocomplete={autocomplete}
        value={value}
        onInput={(e) => onInput(name, e.currentTarget.value)}
        data-autofocus={name === 'name' ? '' : undefined}
        maxLength={multiline ? 4000 : 200}
      />
    </div>
  );
}

function useFields(initial) {
  const [values, setValues] = useState(initial);
  return [values, (name, value) => setValues((v) => ({ ...v, [name]: value }))];
}

function Problem({ text }) {
  return text ? (
    <p class="aw-problem" role="alert">
      {text}
    </p>
  ) : null;
}

/** "Deixe sua mensagem": nobody can answer now; name, e-mail or phone, and the message. */
export function OfflineForm({ t, onSubmit, secondary }) {
  const [values, set] = useFields({ name: '', email: '', phone: '', text: '' });
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [clientId] = useState(newClientId); // a retried submit is the same message, stored once

  async function submit(event) {
    event.preventDefault();
    if (!values.email.trim() && !values.phone.trim()) return setProblem(t.emailOrPhone);
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit({
        clientId,
        name: values.name.trim(),
        text: values.text.trim(),
        ...(values.email.trim() ? { email: values.email.trim() } : {}),
        ...(values.phone.trim() ? { phone: values.phone.trim() } : {}),
      });
      setDone(true);
    } catch (error) {
      setProblem(error.message || t.error);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <div class="aw-form aw-done" role="status">
        <p>{t.leaveThanks}</p>
        {secondary ? (
          <button type="button" class="aw-secondary" onClick={secondary.onClick}>
            {t.backToChat}
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <form class="aw-form" onSubmit={submit} aria-labelledby="aw-leave-title" data-testid="offline-form">
      <h3 id="aw-leave-title">{t.leaveTitle}</h3>
      <p class="aw-intro">{t.leaveIntro}</p>
      <Field t={t} name="name" label={t.name} required value={values.name} onInput={set} autocomplete="name" />
      <Field t={t} name="email" label={t.email} type="email" value={values.email} onInput={set} autocomplete="email" />
      <Field t={t} name="phone" label={t.phone} type="tel" value={values.phone} onInput={set} autocomplete="tel" />
      <Field t={t} name="text" label={t.message} required multiline value={values.text} onInput={set} />
      <Problem text={problem} />
      <button type="submit" class="aw-primary" disabled={busy}>
        {t.leaveSend}
      </button>
      {secondary ? (
        <button type="button" class="aw-secondary" onClick={secondary.onClick}>
          {secondary.label}
        </button>
      ) : null}
    </form>
  );
}

/** The site's optional pre-chat form: who the visitor is, before the first message. */
export function PreChatForm({ t, fields, required, onSubmit }) {
  const [values, set] = useFields({ name: '', email: '', phone: '' });
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const labels = { name: t.name, email: t.email, phone: t.phone };
  const types = { name: 'text', email: 'email', phone: 'tel' };
  const autocomplete = { name: 'name', email: 'email', phone: 'tel' };

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const given = Object.fromEntries(fields.map((f) => [f, values[f].trim()]).filter(([, v]) => v));
      await onSubmit(given);
    } catch (error) {
      setProblem(error.message || t.error);
      setBusy(false);
    }
  }

  return (
    <form class="aw-form" onSubmit={submit} aria-labelledby="aw-prechat-title" data-testid="prechat-form">
      <h3 id="aw-prechat-title">{t.preChatTitle}</h3>
      <p class="aw-intro">{t.preChatIntro}</p>
      {fields.map((name) => (
        <Field
          t={t}
          name={name}
          label={labels[name]}
          type={types[name]}
          required={required.includes(name)}
          value={values[name]}
          onInput={set}
          autocomplete={autocomplete[name]}
        />
      ))}
      <Problem text={problem} />
      <button type="submit" class="aw-primary" disabled={busy}>
        {t.start}
      </button>
    </form>
  );
}
