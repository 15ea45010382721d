// Web-chat sites (console_api `sites`, docs/console.md): where the snippet may run, how the widget looks,
// the pre-chat form, identity enforcement and the sending limits. The server checks every change as the
// `webchat` function loads it; the identity secret is never shown, only whether it is set.
import { useState } from 'react';
import {
  Alert, Badge, Button, Checkbox, Code, ColorInput, CopyButton, Group, NumberInput, Paper, Radio, Select, SimpleGrid,
  Stack, Switch, Table, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { current } from '../../config';
import { clock } from '../../format';
import { save, useResource } from './resource';
import TablePage from './TablePage';

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/; // domain/site.py ORIGIN: compared exactly
const SITE_KEY = /^[a-z0-9-]{3,40}$/;
const LANGUAGES = ['pt-BR', 'en', 'es'];
const FIELDS = ['name', 'email', 'phone'];
const LIMITS = [
  ['messagesPerMinute', 'perMinute'], ['messagesPerDay', 'perDay'],
  ['requestsPerMinutePerIp', 'perIp'], ['sessionsPerMinutePerIp', 'sessionsPerIp'],
];
const PLACEHOLDER_SCRIPT = 'https://chat.example.com/atende-widget.js';

export function snippet(key) {
  const src = current()?.widgetScript || PLACEHOLDER_SCRIPT;
  return `<script src="${src}" data-site-key="${key}" async></script>`;
}

// The site as the form edits it; `body` turns it back into what PUT /sites/<key> takes.
function draftOf(site) {
  const list = (v) => (Array.isArray(v) ? v : []);
  return {
    name: site.name || '',
    origins: list(site.origins).join('\n'),
    appearance: { ...(site.appearance || {}) },
    preChatForm: { enabled: !!site.preChatForm?.enabled, fields: list(site.preChatForm?.fields) },
    enforceIdentity: !!site.enforceIdentity,
    requireIdentity: !!site.requireIdentity,
    rateLimits: { ...(site.rateLimits || {}) },
  };
}

const originLines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

function body(draft) {
  return { ...draft, origins: originLines(draft.origins) };
}

function SiteForm({ site, bounds, onSaved, onRemoved }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(() => draftOf(site));
  const set = (part) => setDraft((d) => ({ ...d, ...part }));
  const look = (part) => set({ appearance: { ...draft.appearance, ...part } });
  const limit = (name, value) => set({ rateLimits: { ...draft.rateLimits, [name]: value === '' ? undefined : Number(value) } });
  const wrongOrigin = originLines(draft.origins).find((o) => !ORIGIN.test(o));
  const asked = (name) => draft.preChatForm.fields.find((f) => f.name === name);
  const setField = (name, ask, required) => {
    const others = draft.preChatForm.fields.filter((f) => f.name !== name);
    const fields = ask ? [...others, { name, required }] : others;
    fields.sort((a, b) => FIELDS.indexOf(a.name) - FIELDS.indexOf(b.name));
    set({ preChatForm: { ...draft.preChatForm, fields } });
  };
  const secret = site.identitySecret || {};
  const secretBadge = secret.set == null
    ? <Badge color="gray" variant="light">{t('console.sites.secretUnknown')}</Badge>
    : <Badge color={secret.set ? 'green' : 'orange'} variant="light">{secret.set ? t('console.sites.secretSet') : t('console.sites.secretMissing')}</Badge>;
  const code = snippet(site.key);
  const submit = () => save(`sites/${site.key}`, 'PUT', body(draft), t('console.saved')).then((a) => a && onSaved(a.site));
  const remove = () => {
    if (!window.confirm(t('console.sites.removeConfirm', { key: site.key }))) return;
    save(`sites/${site.key}`, 'DELETE', undefined, t('console.sites.removed')).then((a) => a && onRemoved());
  };
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="site-editing">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4" id="site-editing">{t('console.sites.editing', { key: site.key })}</Title>
        {site.updatedAt && <Text size="xs" c="dimmed">{clock(site.updatedAt)}</Text>}
      </Group>
      {site.problem && <Alert color="orange" mb="sm" role="alert">{t('console.sites.problem', { problem: site.problem })}</Alert>}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Stack gap="sm">
          <Title order={4} size="h5">{t('console.sites.general')}</Title>
          <TextInput label={t('console.sites.nameLabel')} description={t('console.sites.nameHint')} value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })} />
          <Textarea label={t('console.sites.originsLabel')} description={t('console.sites.originsHint')} autosize minRows={2}
            ff="monospace" value={draft.origins} onChange={(e) => set({ origins: e.currentTarget.value })}
            error={wrongOrigin ? t('console.sites.originsInvalid', { origin: wrongOrigin }) : null} />

          <Title order={4} size="h5" mt="xs">{t('console.sites.appearance')}</Title>
          <Group grow align="flex-start">
            <ColorInput label={t('console.sites.color')} format="hex" value={draft.appearance.primaryColor || ''}
              onChange={(v) => look({ primaryColor: v })} swatches={['#0b6bcb', '#7c3aed', '#059669', '#dc2626', '#ea580c', '#111827']} />
            <Select label={t('console.sites.language')} allowDeselect={false} value={draft.appearance.language || 'pt-BR'}
              data={LANGUAGES.map((l) => ({ value: l, label: t(`console.sites.languages.${l}`) }))} onChange={(v) => look({ language: v })} />
          </Group>
          <Radio.Group label={t('console.sites.position')} value={draft.appearance.position || 'right'} onChange={(v) => look({ position: v })}>
            <Group mt={4}><Radio value="left" label={t('console.sites.left')} /><Radio value="right" label={t('console.sites.right')} /></Group>
          </Radio.Group>
          <TextInput label={t('console.sites.titleLabel')} description={t('console.sites.titleHint')} maxLength={80}
            value={draft.appearance.title || ''} onChange={(e) => look({ title: e.currentTarget.value })} />
          <Textarea label={t('console.sites.greeting')} maxLength={300} autosize minRows={2}
            value={draft.appearance.greeting || ''} onChange={(e) => look({ greeting: e.currentTarget.value })} />

          <Title order={4} size="h5" mt="xs">{t('console.sites.preChat')}</Title>
          <Switch label={t('console.sites.preChatEnabled')} checked={draft.preChatForm.enabled}
            onChange={(e) => set({ preChatForm: { ...draft.preChatForm, enabled: e.currentTarget.checked } })} />
          {FIELDS.map((name) => {
            const field = t(`console.sites.fields.${name}`);
            const chosen = asked(name);
            return (
              <Group key={name} gap="lg">
                <Checkbox label={t('console.sites.ask', { field })} checked={!!chosen} onChange={(e) => setField(name, e.currentTarget.checked, false)} />
                <Checkbox label={t('console.sites.required', { field })} disabled={!chosen} checked={!!chosen?.required}
                  onChange={(e) => setField(name, true, e.currentTarget.checked)} />
              </Group>
            );
          })}
          <Title order={4} size="h5" mt="xs">{t('console.sites.offline')}</Title>
          <Text size="sm" c="dimmed">{t('console.sites.offlineHelp')}</Text>
        </Stack>

        <Stack gap="sm">
          <Title order={4} size="h5">{t('console.sites.snippet')}</Title>
          <Text size="sm" c="dimmed">{t('console.sites.snippetHelp')}</Text>
          <Code block data-testid="site-snippet" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{code}</Code>
          <CopyButton value={code}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" w="fit-content" onClick={copy} color={copied ? 'teal' : undefined}>
                {copied ? t('console.sites.copied') : t('console.sites.copy')}
              </Button>
            )}
          </CopyButton>

          <Title order={4} size="h5" mt="xs">{t('console.sites.identityTitle')}</Title>
          <Switch label={t('console.sites.enforce')} description={t('console.sites.enforceHint')} checked={draft.enforceIdentity}
            onChange={(e) => set({ enforceIdentity: e.currentTarget.checked })} />
          <Switch label={t('console.sites.require')} description={t('console.sites.requireHint')} checked={draft.requireIdentity}
            onChange={(e) => set({ requireIdentity: e.currentTarget.checked })} />
          <Group gap="xs">{secretBadge}<Code>{secret.env}</Code></Group>
          {!secret.set && (
            <>
              <Text size="sm" c="dimmed">{t('console.sites.secretHelp')}</Text>
              <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{`openssl rand -hex 32 | gcloud secrets versions add atende-webchat-secret-${site.key} --data-file=-`}</Code>
              <Text size="sm" c="dimmed">{t('console.sites.secretDev', { env: secret.env })}</Text>
            </>
          )}

          <Title order={4} size="h5" mt="xs">{t('console.sites.limits')}</Title>
          <SimpleGrid cols={2} spacing="xs">
            {LIMITS.map(([name, label]) => (
              <NumberInput key={name} label={t(`console.sites.${label}`)} min={bounds[name]?.min} max={bounds[name]?.max}
                allowDecimal={false} allowNegative={false} value={draft.rateLimits[name] ?? ''} onChange={(v) => limit(name, v)} />
            ))}
          </SimpleGrid>
        </Stack>
      </SimpleGrid>
      <Group mt="md" justify="space-between">
        <Button onClick={submit} disabled={!!wrongOrigin}>{t('console.sites.save')}</Button>
        <Button color="red" variant="subtle" onClick={remove}>{t('console.sites.remove')}</Button>
      </Group>
    </Paper>
  );
}

export default function Sites() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('sites');
  const [selected, setSelected] = useState(null);
  const [key, setKey] = useState('');
  const sites = data?.sites || [];
  const site = sites.find((s) => s.key === selected);
  const create = () => save('sites', 'POST', { ...(data?.defaults || {}), key }, t('console.sites.created'))
    .then((a) => { if (a) { setKey(''); setSelected(a.site.key); reload(); } });
  return (
    <TablePage
      title={t('console.sites.title')}
      problem={problem}
      help={t('console.sites.help')}
      headers={[t('console.sites.key'), t('console.sites.name'), t('console.sites.origins'), t('console.sites.identity'), '']}
      rows={<>
        {sites.map((s) => (
          <Table.Tr key={s.key} bg={s.key === selected ? 'var(--mantine-color-blue-light)' : undefined}>
            <Table.Td><Group gap={6}><Badge variant="light" tt="none" color={s.problem ? 'orange' : 'blue'}>{s.key}</Badge>
              <span aria-hidden style={{ display: 'inline-block', width: 14, height: 14, borderRadius: 4, background: s.appearance?.primaryColor }} /></Group></Table.Td>
            <Table.Td>{s.name || s.appearance?.title}</Table.Td>
            <Table.Td><Text size="xs" ff="monospace">{(Array.isArray(s.origins) ? s.origins : []).join(' ')}</Text></Table.Td>
            <Table.Td>
              <Badge size="sm" tt="none" variant="light" color={s.enforceIdentity ? 'green' : 'gray'}>
                {t(s.requireIdentity ? 'console.sites.identityRequired' : s.enforceIdentity ? 'console.sites.identityEnforced' : 'console.sites.identityOptional')}
              </Badge>
            </Table.Td>
            <Table.Td><Button size="compact-xs" variant="light" aria-label={`${t('console.edit')} ${s.key}`} onClick={() => setSelected(s.key)}>{t('console.edit')}</Button></Table.Td>
          </Table.Tr>
        ))}
        {data && !sites.length && <Table.Tr><Table.Td colSpan={5}><Text size="sm" c="dimmed">{t('console.sites.none')}</Text></Table.Td></Table.Tr>}
      </>}
      footer={(
        <Group mt="sm" gap="xs" align="flex-end">
          <TextInput size="xs" w={260} label={t('console.sites.newKey')} description={t('console.sites.newKeyHint')} placeholder="minha-loja"
            value={key} onChange={(e) => setKey(e.currentTarget.value.trim())} error={key && !SITE_KEY.test(key) ? t('console.sites.newKeyHint') : null} />
          <Button size="xs" variant="light" disabled={!SITE_KEY.test(key)} onClick={create}>{t('console.sites.create')}</Button>
        </Group>
      )}
    >
      {site && (
        <SiteForm key={`${site.key}-${site.updatedAt}`} site={site} bounds={data.rateLimitBounds || {}}
          onSaved={reload} onRemoved={() => { setSelected(null); reload(); }} />
      )}
    </TablePage>
  );
}
