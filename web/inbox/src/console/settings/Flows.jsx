// The bot's flows: each step edited as the flow data it is (the server compiles and refuses what would not
// run), and a preview that runs the flow on the server against a demo ERP, sending and storing nothing.
import { useEffect, useState } from 'react';
import {
  Alert, Badge, Button, Code, Grid, Group, NavLink, Paper, ScrollArea, Stack, Text, Textarea, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../../data/api';
import { save, useResource } from './resource';

function Step({ flowId, name, step, onSaved }) {
  const { t } = useTranslation();
  const [text, setText] = useState(JSON.stringify(step, null, 2));
  const [invalid, setInvalid] = useState(null);
  useEffect(() => setText(JSON.stringify(step, null, 2)), [step]);
  const submit = () => {
    let parsed;
    try { parsed = JSON.parse(text); } catch (e) { setInvalid(e.message); return; }
    setInvalid(null);
    save(`flows/${flowId}/steps/${name}`, 'PUT', { step: parsed }, t('console.saved')).then((a) => a && onSaved(a));
  };
  return (
    <Paper withBorder p="xs" radius="sm">
      <Group justify="space-between" mb={4}>
        <Group gap={6}><Text size="sm" fw={600} ff="monospace">{name}</Text><Badge size="xs" variant="light">{step.type}</Badge></Group>
        <Button size="compact-xs" onClick={submit}>{t('console.save')}</Button>
      </Group>
      <Textarea autosize minRows={3} maxRows={16} styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        aria-label={t('console.flows.step', { name })} value={text} onChange={(e) => setText(e.currentTarget.value)} error={invalid} />
    </Paper>
  );
}

function Preview({ flowId }) {
  const { t } = useTranslation();
  const [messages, setMessages] = useState('oi');
  const [turns, setTurns] = useState(null);
  const [problem, setProblem] = useState(null);
  const run = () => api('console', 'flows/preview', {
    method: 'POST', body: { flowId, messages: messages.split('\n').map((m) => m.trim()).filter(Boolean).slice(0, 10) },
  }).then((a) => { setTurns(a.turns); setProblem(null); }).catch((e) => setProblem(e.message));
  return (
    <Paper withBorder p="sm" radius="md">
      <Title order={3} size="h5" mb="xs">{t('console.flows.preview')}</Title>
      <Textarea autosize minRows={3} label={t('console.flows.messages')} value={messages} onChange={(e) => setMessages(e.currentTarget.value)} />
      <Button size="xs" mt="xs" onClick={run}>{t('console.flows.run')}</Button>
      {problem && <Alert color="red" mt="xs">{problem}</Alert>}
      <Stack gap={6} mt="sm" data-testid="flow-preview">
        {(turns || []).map((turn, i) => (
          // eslint-disable-next-line react/no-array-index-key
          <Stack key={i} gap={2}>
            <Text size="sm" ta="right" bg="teal.0" p={6} style={{ borderRadius: 8 }}>{turn.message}</Text>
            {(turn.replies || []).map((r, j) => (
              // eslint-disable-next-line react/no-array-index-key
              <Text key={j} size="sm" bg="gray.1" p={6} style={{ borderRadius: 8, whiteSpace: 'pre-wrap' }}>{r}</Text>
            ))}
            {turn.handoff && <Badge color="orange" variant="light">{t('console.flows.handoff', { team: turn.handoff.team })}</Badge>}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

// A flow's title is one text or one per language ({pt, en}).
function titleOf(title, language) {
  if (!title || typeof title === 'string') return title;
  return title[language.slice(0, 2)] || title.pt || Object.values(title)[0];
}

export default function Flows() {
  const { t, i18n } = useTranslation();
  const { data, problem } = useResource('flows');
  const [chosen, setChosen] = useState('menu');
  const [flow, setFlow] = useState(null);
  useEffect(() => {
    if (chosen) api('console', `flows/${chosen}`).then(setFlow).catch(() => setFlow(null));
  }, [chosen]);
  return (
    <Stack p="md" gap="md">
      <Title order={2} size="h3">{t('console.nav.flows')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Grid>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Paper withBorder p={4} radius="md">
            <ScrollArea.Autosize mah="70vh">
              {(data?.flows || []).map((f) => (
                <NavLink key={f.id} active={f.id === chosen} onClick={() => setChosen(f.id)} label={titleOf(f.title, i18n.language) || f.id}
                  description={f.id} rightSection={f.edited ? <Badge size="xs">{t('console.flows.edited')}</Badge> : null} />
              ))}
            </ScrollArea.Autosize>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="xs">
            {flow?.problem && <Alert color="orange">{flow.problem}</Alert>}
            {flow?.edited && flow?.repo && (
              <Button size="xs" variant="light" color="orange" w="fit-content"
                onClick={() => save(`flows/${chosen}`, 'DELETE', undefined, t('console.saved'))
                  .then((a) => a && api('console', `flows/${chosen}`).then(setFlow))}>
                {t('console.flows.reset')}
              </Button>
            )}
            {flow?.flow && Object.entries(flow.flow.steps || {}).map(([name, step]) => (
              <Step key={`${chosen}-${name}`} flowId={chosen} name={name} step={step} onSaved={setFlow} />
            ))}
            {flow?.flow && <Code>{t('console.flows.start', { step: flow.flow.start })}</Code>}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}><Preview flowId={chosen} /></Grid.Col>
      </Grid>
    </Stack>
  );
}
