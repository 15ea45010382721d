// Reports over a date range from `reports_api` (the server sums the daily counters: docs/reports.md),
// with charts and a CSV export.
import { useEffect, useState } from 'react';
import {
  Alert, Button, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis,
} from 'recharts';
import { api } from '../data/api';
import { useTeams } from '../data/firestore';
import { duration } from './board';
import { Kpi } from './Board';
import { named } from '../format';

const BY = ['day', 'channel', 'team', 'agent', 'intent', 'persona', 'hour'];
const REASONS = ['lowConfidence', 'explicitRequest', 'cancellation', 'frustration', 'failure', 'other'];

function isoDay(date) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo' }).format(date);
}

function percent(rate) {
  return rate == null ? '—' : `${Math.round(rate * 100)}%`;
}

function quantiles(timing) {
  if (!timing || !timing.n) return '—';
  const p50 = timing.p50Over ? '>' : duration(timing.p50);
  const p90 = timing.p90Over ? '>' : duration(timing.p90);
  return `${p50} · ${p90}`;
}

export default function Reports() {
  const { t } = useTranslation();
  const teams = useTeams();
  const [range, setRange] = useState({ from: isoDay(Date.now() - 6 * 86400_000), to: isoDay(Date.now()) });
  const [by, setBy] = useState('channel');
  const [team, setTeam] = useState(null);
  const [report, setReport] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const query = { ...range, by, team };

  useEffect(() => {
    let live = true;
    setBusy(true);
    api('reports', 'report', { query })
      .then((r) => { if (live) { setReport(r); setProblem(null); } })
      .catch((e) => live && setProblem(e.message))
      .finally(() => live && setBusy(false));
    return () => { live = false; };
  }, [range.from, range.to, by, team]); // eslint-disable-line react-hooks/exhaustive-deps

  async function exportCsv() {
    try {
      const blob = await api('reports', 'report.csv', { query });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `atende-${by}-${range.from}-${range.to}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      setProblem(e.message);
    }
  }

  const total = report?.total;
  const names = Object.fromEntries(teams.map((tm) => [tm.id, tm.name || tm.id]));
  const label = (key) => ({
    channel: named(t, 'channel', key),
    persona: named(t, 'persona', key),
    team: names[key] || key,
  }[by] ?? key);
  const reasons = total ? REASONS.map((r) => ({ reason: t(`console.reports.reason.${r}`), n: total.handoffReasons?.[r] || 0 })) : [];
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">{t('console.reports.title')}</Title>
        <Group gap="xs" align="flex-end">
          <TextInput type="date" size="xs" label={t('console.reports.from')} value={range.from}
            onChange={(e) => setRange((r) => ({ ...r, from: e.currentTarget.value }))} />
          <TextInput type="date" size="xs" label={t('console.reports.to')} value={range.to}
            onChange={(e) => setRange((r) => ({ ...r, to: e.currentTarget.value }))} />
          <Select size="xs" w={140} label={t('console.reports.by')} value={by} onChange={(v) => v && setBy(v)} allowDeselect={false}
            data={BY.map((b) => ({ value: b, label: t(`console.reports.dimension.${b}`) }))} />
          <Select size="xs" w={160} label={t('console.team')} placeholder={t('console.reports.allTeams')} value={team} onChange={setTeam} clearable
            data={teams.map((tm) => ({ value: tm.id, label: tm.name || tm.id }))} />
          <Button size="xs" variant="light" onClick={exportCsv}>{t('console.reports.csv')}</Button>
          {busy && <Loader size="xs" aria-label={t('list.loading')} />}
        </Group>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      {total && (
        <>
          <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
            <Kpi label={t('console.reports.in')} value={total.in} testId="kpi-in" />
            <Kpi label={t('console.reports.out')} value={`${total.outBot} · ${total.outPeople}`} />
            <Kpi label={t('console.reports.autoRate')} value={percent(total.autoResolutionRate)} />
            <Kpi label={t('console.reports.handoffRate')} value={percent(total.handoffRate)} />
            <Kpi label={t('console.reports.frtPeople')} value={quantiles(total.frtPeople)} />
            <Kpi label={t('console.reports.csat')} value={total.csat?.n ? total.csat.mean.toFixed(1) : '—'} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Paper withBorder p="sm" radius="md">
              <Title order={3} size="h5" mb="xs">{t('console.reports.volume')}</Title>
              <ResponsiveContainer width="100%" height={240}>
                <LineChart data={report.days} margin={{ left: -10 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="day" tickFormatter={(d) => d.slice(5)} fontSize={11} />
                  <YAxis allowDecimals={false} fontSize={11} />
                  <Tooltip />
                  <Legend />
                  <Line isAnimationActive={false} type="monotone" dataKey="in" name={t('console.reports.in')} stroke="#0ca678" strokeWidth={2} />
                  <Line isAnimationActive={false} type="monotone" dataKey="outBot" name={t('console.reports.outBot')} stroke="#4263eb" />
                  <Line isAnimationActive={false} type="monotone" dataKey="outPeople" name={t('console.reports.outPeople')} stroke="#f08c00" />
                </LineChart>
              </ResponsiveContainer>
            </Paper>
            <Paper withBorder p="sm" radius="md">
              <Title order={3} size="h5" mb="xs">{t('console.reports.reasons')}</Title>
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={reasons} layout="vertical" margin={{ left: 40 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" allowDecimals={false} fontSize={11} />
                  <YAxis type="category" dataKey="reason" width={130} fontSize={11} />
                  <Tooltip />
                  <Bar isAnimationActive={false} dataKey="n" name={t('console.reports.handoffs')} fill="#e8590c" />
                </BarChart>
              </ResponsiveContainer>
            </Paper>
          </SimpleGrid>
          <Paper withBorder p="sm" radius="md">
            <Title order={3} size="h5" mb="xs">{t(`console.reports.dimension.${by}`)}</Title>
            <Table striped aria-label={t('console.reports.table')} data-testid="report-rows">
              <Table.Thead><Table.Tr>
                <Table.Th>{t(`console.reports.dimension.${by}`)}</Table.Th>
                <Table.Th ta="right">{t('console.reports.in')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.outBot')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.outPeople')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.handoffRate')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.autoRate')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.frtBotShort')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.frtPeopleShort')}</Table.Th>
                <Table.Th ta="right">{t('console.reports.resolutionShort')}</Table.Th>
              </Table.Tr></Table.Thead>
              <Table.Tbody>
                {(by === 'hour' ? [] : report.rows).map((r) => (
                  <Table.Tr key={r.key}>
                    <Table.Td>{label(r.key)}</Table.Td>
                    <Table.Td ta="right">{r.in}</Table.Td>
                    <Table.Td ta="right">{r.outBot}</Table.Td>
                    <Table.Td ta="right">{r.outPeople}</Table.Td>
                    <Table.Td ta="right">{percent(r.handoffRate)}</Table.Td>
                    <Table.Td ta="right">{percent(r.autoResolutionRate)}</Table.Td>
                    <Table.Td ta="right">{quantiles(r.frtBot)}</Table.Td>
                    <Table.Td ta="right">{quantiles(r.frtPeople)}</Table.Td>
                    <Table.Td ta="right">{quantiles(r.resolutionPeople)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {by === 'hour' && (
              <ResponsiveContainer width="100%" height={240}>
                <BarChart data={report.hours}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="hour" fontSize={11} />
                  <YAxis allowDecimals={false} fontSize={11} />
                  <Tooltip />
                  <Bar isAnimationActive={false} dataKey="in" name={t('console.reports.in')} fill="#0ca678" />
                </BarChart>
              </ResponsiveContainer>
            )}
            <Text size="xs" c="dimmed" mt="xs">{t('console.reports.quantilesNote', { documents: report.documentsRead })}</Text>
          </Paper>
        </>
      )}
    </Stack>
  );
}
