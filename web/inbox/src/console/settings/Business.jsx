// The business profile the bot speaks from (name, hours text, tone, contacts) and each persona's texts.
import { useEffect, useState } from 'react';
import { Alert, Button, Group, Paper, Stack, Tabs, TextInput, Textarea, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { save, useResource } from './resource';
import { named } from '../../format';

const FIELDS = ['name', 'segment', 'hours', 'hours_en', 'tone', 'website', 'support_phone'];

export default function Business() {
  const { t } = useTranslation();
  const { data, problem, setData } = useResource('business');
  const [profile, setProfile] = useState({});
  useEffect(() => { if (data) setProfile(data.effective || {}); }, [data]);
  const submit = () => {
    const changed = Object.fromEntries(FIELDS.filter((f) => profile[f] !== undefined && profile[f] !== '').map((f) => [f, profile[f]]));
    return save('business', 'PUT', { ...(data?.overrides || {}), ...changed }, t('console.saved')).then((a) => a && setData(a));
  };
  const personas = Object.entries(data?.personas || {});
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.nav.business')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Stack gap="xs">
          {FIELDS.map((f) => (
            <TextInput key={f} size="xs" label={t(`console.business.${f}`)} value={profile[f] ?? ''}
              onChange={(e) => setProfile({ ...profile, [f]: e.currentTarget.value })} />
          ))}
          <Button size="xs" w="fit-content" onClick={submit}>{t('console.save')}</Button>
        </Stack>
      </Paper>
      {personas.length > 0 && (
        <Paper withBorder p="sm" radius="md">
          <Title order={3} size="h5" mb="xs">{t('console.business.personas')}</Title>
          <Tabs defaultValue={personas[0][0]}>
            <Tabs.List>{personas.map(([name]) => <Tabs.Tab key={name} value={name}>{named(t, 'persona', name)}</Tabs.Tab>)}</Tabs.List>
            {personas.map(([name, texts]) => <Persona key={name} name={name} texts={texts} onSaved={setData} />)}
          </Tabs>
        </Paper>
      )}
    </Stack>
  );
}

function Persona({ name, texts, onSaved }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(texts);
  const field = (key, lang) => (
    <Textarea key={`${key}-${lang}`} autosize minRows={1} size="xs" label={`${t(`console.business.${key}`)} (${lang})`}
      value={draft?.[key]?.[lang] ?? ''} onChange={(e) => setDraft({ ...draft, [key]: { ...(draft?.[key] || {}), [lang]: e.currentTarget.value } })} />
  );
  return (
    <Tabs.Panel value={name} pt="xs">
      <Stack gap="xs">
        {['greeting', 'tone', 'job'].map((key) => <Group key={key} grow>{field(key, 'pt')}{field(key, 'en')}</Group>)}
        <Button size="xs" w="fit-content" onClick={() => save(`personas/${name}`, 'PUT', { texts: draft }, t('console.saved')).then((a) => a && onSaved(a))}>
          {t('console.save')}
        </Button>
      </Stack>
    </Tabs.Panel>
  );
}
