import { useRef, useState } from 'preact/hooks';
import { Clip, Close, Send } from './icons.jsx';

// What /uploads accepts (docs/webchat.md), checked here first so nothing too big is uploaded at all.
const LIMITS = { 'image/jpeg': 5, 'image/png': 5, 'image/webp': 5, 'application/pdf': 10 };

export function checkFile(t, file) {
  const mb = LIMITS[file.type];
  if (!mb) return t.attachmentKinds;
  if (file.size > mb * 1024 * 1024) return t.tooLarge(mb);
  return null;
}

export function Composer({ t, onSend, disabled }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState(null);
  const [problem, setProblem] = useState(null);
  const picker = useRef(null);
  const box = useRef(null);

  function submit(event) {
    event.preventDefault();
    const body = text.trim();
    if ((!body && !file) || disabled) return;
    onSend({ text: body, file });
    setText('');
    setFile(null);
    setProblem(null);
    if (box.current) box.current.style.height = '';
    box.current?.focus();
  }

  function onKeyDown(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
  }

  function onInput(event) {
    setText(event.currentTarget.value);
    const el = event.currentTarget;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  }

  function onPick(event) {
    const chosen = event.currentTarget.files && event.currentTarget.files[0];
    event.currentTarget.value = '';
    if (!chosen) return;
    const wrong = checkFile(t, chosen);
    setProblem(wrong);
    setFile(wrong ? null : chosen);
  }

  return (
    <form class="aw-composer" onSubmit={submit} aria-label={t.composer}>
      {problem ? (
        <p class="aw-problem" role="alert">
          {problem}
        </p>
      ) : null}
      {file ? (
        <div class="aw-chip">
          <span>{file.name}</span>
          <button type="button" class="aw-icon-button aw-small" aria-label={t.removeAttachment} onClick={() => setFile(null)}>
            <Close />
          </button>
        </div>
      ) : null}
      <div class="aw-compose-row">
        <button type="button" class="aw-icon-button" aria-label={t.attach} onClick={() => picker.current.click()}>
          <Clip />
        </button>
        <input
          ref={picker}
          type="file"
          accept={Object.keys(LIMITS).join(',')}
          hidden
          aria-hidden="true"
          tabIndex={-1}
          onChange={onPick}
          data-testid="attachment-input"
        />
        <label class="aw-sr" for="aw-text">
          {t.composer}
        </label>
        <textarea
          id="aw-text"
          ref={box}
          rows={1}
          maxLength={4000}
          placeholder={t.placeholder}
          value={text}
          onInput={onInput}
          onKeyDown={onKeyDown}
          data-autofocus=""
        />
        <button type="submit" class="aw-send" aria-label={t.send} disabled={disabled || (!text.trim() && !file)}>
          <Send />
        </button>
      </div>
    </form>
  );
}
