// When the bot answers on its own: a confidence threshold per intent, with the precision and coverage
// measured on real customer messages beside each slider (`atende triage table`, docs/console.md).
import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, SegmentedControl, Slider, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../../data/api';
import { save, useResource } from './resource';
import { named } from '../../format';

function nearest(rows, threshold) {
  return (rows || []).reduce((best, r) => (Math.abs(r.threshold - threshold) < Math.abs((best?.threshold ?? 9) - threshold) ? r : best), null);
}

export default function Routing() {
  const { t } = useTranslation();
  const { data, problem, setData } = useResource('routing');
  const [table, setTable] = useState(null);
  const [set, setSet] = useState('real-dev');
  const [thresholds, setThresholds] = useState({});
  useEffect(() => { api('console', 'routing/table').then(setTable).catch(() => setTable(null)); }, []);
  useEffect(() => {
    if (!data?.effective) return;
    const effective = data.effective;
    const intents = Object.keys(table?.sets?.[set]?.intents || effective.intent_thresholds || {})
      .filter((i) => !effective.always_human?.[i]);
    setThresholds(Object.fromEntries(intents.map((i) => [i, effective.intent_thresholds?.[i] ?? effective.default_threshold])));
  }, [data, table, set]);
  const submit = () => save('routing', 'PUT', { ...(data?.overrides || {}), intent_thresholds: thresholds }, t('console.saved')).then((a) => a && setData(a));
  const sets = Object.keys(table?.sets || {});
  // These reach a person whatever the confidence (the routing policy's `always_human`): no threshold to set.
  const always = Object.entries(data?.effective?.always_human || {});
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">{t('console.nav.routing')}</Title>
        {sets.length > 0 && <SegmentedControl size="xs" value={set} onChange={setSet} data={sets.map((s) => ({ value: s, label: named(t, 'console.routing.set', s) }))} />}
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      {data?.problem && <Alert color="orange">{data.problem}</Alert>}
      <Text size="sm" c="dimmed">{t('console.routing.help')}</Text>
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.nav.routing')}>
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.routing.intent')}</Table.Th><Table.Th w={280}>{t('console.routing.threshold')}</Table.Th>
            <Table.Th ta="right">{t('console.routing.coverage')}</Table.Th><Table.Th ta="right">{t('console.routing.precision')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {Object.entries(thresholds).map(([intent, value]) => {
              const measured = table?.sets?.[set]?.intents?.[intent];
              const row = nearest(measured?.rows, value);
              return (
                <Table.Tr key={intent}>
                  <Table.Td><Badge variant="light">{named(t, 'intent', intent)}</Badge>{measured && <Text size="xs" c="dimmed">{t('console.routing.predicted', { n: measured.predicted })}</Text>}</Table.Td>
                  <Table.Td>
                    <Slider min={0.3} max={0.95} step={0.05} value={value} label={(v) => v.toFixed(2)}
                      thumbLabel={t('console.routing.thresholdOf', { intent: named(t, 'intent', intent) })}
                      onChange={(v) => setThresholds((th) => ({ ...th, [intent]: Number(v.toFixed(2)) }))} />
                  </Table.Td>
                  <Table.Td ta="right">{row ? `${Math.round(row.coverage * 100)}%` : '—'}</Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" c={row?.precision != null && row.precision < 0.9 ? 'orange' : undefined}>
                      {row?.precision != null ? `${Math.round(row.precision * 100)}%` : '—'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {always.map(([intent, reason]) => (
              <Table.Tr key={intent}>
                <Table.Td><Badge variant="light" color="gray">{named(t, 'intent', intent)}</Badge></Table.Td>
                <Table.Td colSpan={3}><Text size="sm" c="dimmed">{t('console.routing.alwaysHuman', { reason: named(t, 'reason', reason) })}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Button w="fit-content" onClick={submit}>{t('console.save')}</Button>
    </Stack>
  );
}
