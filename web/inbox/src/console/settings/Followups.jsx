// Follow-up rules (config/followups over the repo's defaults): when nudges may go out, and per rule
// whether, after how long, where and in which words. The server checks the document with the loader the
// automation tick uses; what this page sends is only what differs from the defaults.
import { useEffect, useState } from 'react';
import {
  Alert, Badge, Button, Chip, Code, Group, List, NumberInput, Paper, Select, Stack, Switch, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { save, useResource } from './resource';
import { named } from '../../format';

const DAYS = ['0', '1', '2', '3', '4', '5', '6']; // Monday first, as the server counts
const CHANNELS = ['conversation', 'preferred', 'email'];
// the brief's order (the answer's JSON comes with sorted keys); a rule not listed goes last
const ORDER = ['followup_48h', 'followup_proposta', 'followup_pagamento', 'followup_onboarding', 'followup_prospector_recrutamento'];
const rank = (id) => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
const EDITED = ['enabled', 'delay_hours', 'channel', 'messages', 'template']; // the rule keys this page edits
const WINDOW = ['start', 'end', 'weekdays'];
const PLACEHOLDERS = [
  ['{{ contact.first_name }}', 'firstName'],
  ['{{ contact.name }}', 'name'],
  ['{{ entity.data.title }}', 'data'],
  ['{{ amount }}', 'amount'],
];

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The stored override with this page's fields set where they differ from the default, dropped where not.
function overrideOf(stored, draft, defaults) {
  const sendWindow = { ...(stored.send_window || {}) };
  WINDOW.forEach((k) => { if (same(draft.send_window[k], defaults.send_window[k])) delete sendWindow[k]; else sendWindow[k] = draft.send_window[k]; });
  const rules = { ...(stored.rules || {}) };
  Object.entries(draft.rules).forEach(([id, rule]) => {
    const base = defaults.rules[id];
    const change = { ...(rules[id] || {}) };
    EDITED.filter((k) => k !== 'messages').forEach((k) => { if (same(rule[k], base[k])) delete change[k]; else change[k] = rule[k]; });
    const messages = Object.fromEntries(Object.entries(rule.messages).filter(([p, texts]) => !same(texts, base.messages[p])));
    if (Object.keys(messages).length) change.messages = messages; else delete change.messages;
    if (Object.keys(change).length) rules[id] = change; else delete rules[id];
  });
  const doc = { ...stored, send_window: sendWindow, rules };
  if (!Object.keys(sendWindow).length) delete doc.send_window;
  if (!Object.keys(rules).length) delete doc.rules;
  return doc;
}

function RuleCard({ id, rule, overridden, onChange, onRestore }) {
  const { t } = useTranslation();
  const name = t(`console.followups.rules.${id}.name`);
  const set = (key, value) => onChange({ ...rule, [key]: value });
  const setText = (persona, lang, value) => set('messages', {
    ...rule.messages, [persona]: { ...rule.messages[persona], [lang]: lang === 'en' && !value ? null : value },
  });
  const template = rule.template || { name: '', language: 'pt_BR', params: [] };
  const setTemplate = (key, value) => {
    const next = { ...template, [key]: value };
    set('template', next.name ? next : null);
  };
  return (
    <Paper component="section" aria-label={name} withBorder p="sm" radius="md">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={3} size="h5">{name}</Title>
          <Code>{id}</Code>
          <Badge variant="light" color={overridden ? 'orange' : 'gray'}>{t(overridden ? 'console.followups.overridden' : 'console.followups.standard')}</Badge>
        </Group>
        <Button size="compact-sm" variant="subtle" disabled={!overridden} onClick={onRestore}>{t('console.followups.restore')}</Button>
      </Group>
      <Text size="sm" c="dimmed" mb="xs">{t(`console.followups.rules.${id}.about`)}</Text>
      <Group align="flex-start" gap="md" mb="sm">
        <Switch mt={30} label={t('console.followups.enabled')} checked={rule.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <NumberInput w={260} label={t('console.followups.delay')} description={t('console.followups.delayHint')} min={0.25} max={2160}
          step={1} decimalScale={2} value={rule.delay_hours} onChange={(v) => set('delay_hours', v === '' ? v : Number(v))} />
        <Select w={240} label={t('console.followups.channelLabel')} allowDeselect={false} value={rule.channel}
          data={CHANNELS.map((c) => ({ value: c, label: t(`console.followups.channels.${c}`) }))} onChange={(v) => set('channel', v)} />
      </Group>
      <Title order={4} size="h6" mb={4}>{t('console.followups.messages')}</Title>
      <Stack gap="xs">
        {Object.keys(rule.messages).map((persona) => (
          <Paper key={persona} withBorder p="xs" radius="sm" bg="var(--mantine-color-gray-0)">
            <Text size="xs" fw={600} mb={4}>{t('console.followups.persona')}: {named(t, 'console.followups.personas', persona)}</Text>
            <Group grow align="flex-start">
              {['pt', 'en'].map((lang) => (
                <Textarea key={lang} autosize minRows={2} label={t(`console.followups.${lang}`)}
                  aria-label={`${name} · ${named(t, 'console.followups.personas', persona)} · ${t(`console.followups.${lang}`)}`}
                  value={rule.messages[persona][lang] || ''} onChange={(e) => setText(persona, lang, e.currentTarget.value)} />
              ))}
            </Group>
          </Paper>
        ))}
      </Stack>
      {rule.channel !== 'email' && (
        <Paper withBorder p="xs" radius="sm" mt="sm">
          <Title order={4} size="h6">{t('console.followups.template')}</Title>
          <Text size="xs" c="dimmed" mb={4}>{t('console.followups.templateHelp')}</Text>
          <Group align="flex-start" grow>
            <TextInput label={t('console.followups.templateName')} value={template.name} onChange={(e) => setTemplate('name', e.currentTarget.value)} />
            <TextInput label={t('console.followups.templateLanguage')} value={template.language} onChange={(e) => setTemplate('language', e.currentTarget.value)} />
            <Textarea autosize minRows={1} label={t('console.followups.templateParams')} value={template.params.join('\n')}
              onChange={(e) => setTemplate('params', e.currentTarget.value.split('\n'))} />
          </Group>
        </Paper>
      )}
    </Paper>
  );
}

export default function Followups() {
  const { t } = useTranslation();
  const { data, problem, setData } = useResource('followups');
  const [draft, setDraft] = useState(null);
  useEffect(() => { if (data?.effective) setDraft(data.effective); }, [data]);
  if (!draft) return <Stack p="md">{problem && <Alert color="red" role="alert">{problem}</Alert>}</Stack>;

  const sendWindow = draft.send_window;
  const setWindow = (key, value) => setDraft((d) => ({ ...d, send_window: { ...d.send_window, [key]: value } }));
  const setRule = (id, rule) => setDraft((d) => ({ ...d, rules: { ...d.rules, [id]: rule } }));
  const clean = (rules) => Object.fromEntries(Object.entries(rules).map(([id, r]) => [id, {
    ...r, template: r.template && { ...r.template, params: r.template.params.filter((p) => p.trim()) },
  }]));
  const submit = () => save('followups', 'PUT', overrideOf(data.overrides, { ...draft, rules: clean(draft.rules) }, data.defaults), t('console.saved'))
    .then((a) => a && setData(a));
  const restore = (id) => save(`followups/rules/${id}`, 'DELETE', undefined, t('console.followups.restored')).then((a) => a && setData(a));

  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.followups.title')}</Title>
      <Text size="sm" c="dimmed">{t('console.followups.help')}</Text>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      {data.problem && <Alert color="orange" role="alert">{t('console.followups.problem', { problem: data.problem })}</Alert>}
      <Paper component="section" aria-label={t('console.followups.window')} withBorder p="sm" radius="md">
        <Group gap="xs" mb="xs">
          <Title order={3} size="h5">{t('console.followups.window')}</Title>
          {data.overridden.send_window.length > 0 && <Badge variant="light" color="orange">{t('console.followups.overridden')}</Badge>}
        </Group>
        <Text size="sm" c="dimmed" mb="xs">{t('console.followups.windowHelp')}</Text>
        <Group align="flex-end" gap="md" mb="sm">
          <TextInput w={200} label={t('console.followups.timezone')} value={sendWindow.timezone} readOnly disabled />
          <TextInput w={120} type="time" label={t('console.followups.start')} value={sendWindow.start} onChange={(e) => setWindow('start', e.currentTarget.value)} />
          <TextInput w={120} type="time" label={t('console.followups.end')} value={sendWindow.end} onChange={(e) => setWindow('end', e.currentTarget.value)} />
        </Group>
        <Text size="sm" fw={500} mb={4}>{t('console.followups.weekdays')}</Text>
        <Chip.Group multiple value={sendWindow.weekdays} onChange={(v) => setWindow('weekdays', DAYS.filter((d) => v.includes(d)))}>
          <Group gap="xs">
            {DAYS.map((d) => <Chip key={d} value={d} size="sm">{t(`console.hours.day${d}`)}</Chip>)}
          </Group>
        </Chip.Group>
      </Paper>
      <Alert color="blue" variant="light" title={t('console.followups.placeholders')}>
        <List size="sm" spacing={2}>
          {PLACEHOLDERS.map(([code, key]) => <List.Item key={key}><Code>{code}</Code> {t(`console.followups.fields.${key}`)}</List.Item>)}
        </List>
        <Text size="sm" mt={4}>{t('console.followups.unsubscribe')}</Text>
      </Alert>
      {Object.entries(draft.rules).sort(([a], [b]) => rank(a) - rank(b)).map(([id, rule]) => (
        <RuleCard key={id} id={id} rule={rule} overridden={id in data.overridden.rules}
          onChange={(r) => setRule(id, r)} onRestore={() => restore(id)} />
      ))}
      <Button w="fit-content" onClick={submit}>{t('console.followups.save')}</Button>
    </Stack>
  );
}
