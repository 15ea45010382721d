// One campaign: a progress bar polled every 2 s while it runs and the page is visible (the counts are the
// campaign's counter shards, the rate a count over the last minute: a few reads per look), pause, resume,
// cancel, and its recipients page by page with their status and why one failed.
import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import {
  Alert, Badge, Button, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../../data/api';
import { clock, named } from '../../format';
import { save } from '../settings/resource';
import { CAMPAIGN_COLOR, SEND_COLOR, SEND_STATUSES, fill, usePolling } from './shared';

const MOVES = { draft: ['start', 'cancel'], scheduled: ['pause', 'cancel'], running: ['pause', 'cancel'], paused: ['resume', 'cancel'] };
const SHOWN = ['queued', 'sending', 'sent', 'delivered', 'read', 'replied', 'failed', 'unknown', 'skipped', 'cancelled'];

// A personalised campaign's list shows the text the AI wrote for each recipient (kept with the send).
function Recipients({ campaignId, version, personalised }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState(null);
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [problem, setProblem] = useState(null);
  const load = useCallback((cursor) => api('console', `campaigns/${campaignId}/sends`, { query: { status, cursor, pageSize: 50 } })
    .then((page) => { setItems((prev) => (cursor ? [...prev, ...page.items] : page.items)); setNext(page.next); setProblem(null); })
    .catch((e) => setProblem(e.message)), [campaignId, status]);
  // The first page follows the progress; pages loaded on request stay as they are.
  useEffect(() => { if (items.length <= 50) load(null); }, [load, version]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Paper withBorder p="sm" radius="md">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">{t('console.campaigns.recipientsTitle')}</Title>
        <Select size="xs" w={200} clearable aria-label={t('console.campaigns.statusFilter')} placeholder={t('console.campaigns.allStatuses')}
          value={status} onChange={setStatus} data={SEND_STATUSES.map((s) => ({ value: s, label: t(`console.campaigns.send.${s}`) }))} />
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Table aria-label={t('console.campaigns.recipientsTitle')} data-testid="recipients" striped>
        <Table.Thead><Table.Tr>
          <Table.Th>#</Table.Th><Table.Th>{t('console.campaigns.phone')}</Table.Th><Table.Th>{t('console.campaigns.contact')}</Table.Th>
          <Table.Th>{t('console.campaigns.status')}</Table.Th><Table.Th>{t('console.campaigns.reason')}</Table.Th><Table.Th>{t('console.campaigns.replied')}</Table.Th>
          {personalised && <Table.Th>{t('console.campaigns.personalText')}</Table.Th>}
        </Table.Tr></Table.Thead>
        <Table.Tbody>
          {items.map((s) => (
            <Table.Tr key={s.contactId} data-status={s.status}>
              <Table.Td>{s.seq + 1}</Table.Td>
              <Table.Td><Text size="sm" ff="monospace">{s.phone}</Text></Table.Td>
              <Table.Td>{s.name || '—'}</Table.Td>
              <Table.Td><Badge size="sm" variant="light" tt="none" color={SEND_COLOR[s.status] || 'gray'}>{t(`console.campaigns.send.${s.status}`)}</Badge></Table.Td>
              <Table.Td><Text size="xs">{s.reason ? named(t, 'console.campaigns.reasons', s.reason) : ''}</Text></Table.Td>
              <Table.Td><Text size="xs">{clock(s.repliedAt)}</Text></Table.Td>
              {personalised && <Table.Td data-testid="personal"><Text size="xs">{s.personal || ''}</Text></Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {items.length === 0 && <Text c="dimmed" size="sm">{t('console.empty')}</Text>}
      {next !== null && <Button size="xs" variant="subtle" mt="xs" onClick={() => load(next)}>{t('console.more')}</Button>}
    </Paper>
  );
}

export default function CampaignDetail() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [progress, setProgress] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => api('console', `campaigns/${id}`)
    .then((p) => { setProgress(p); setProblem(null); }).catch((e) => setProblem(e.message)), [id]);
  useEffect(() => { load(); }, [load]);
  const campaign = progress?.campaign;
  const counts = progress?.counts || {};
  const live = campaign && (['running', 'scheduled'].includes(campaign.status) || (counts.sending || 0) > 0);
  usePolling(load, 2000, Boolean(live));
  const move = async (verb) => {
    if (verb === 'cancel' && !window.confirm(t('console.campaigns.confirmCancel', { name: campaign.name }))) return;
    setBusy(true);
    await save(`campaigns/${id}/${verb}`, 'POST', {}, t(`console.campaigns.moved.${verb}`));
    setBusy(false);
    load();
  };
  if (!progress) return <Stack p="md">{problem ? <Alert color="red" role="alert">{problem}</Alert> : <Text c="dimmed">…</Text>}</Stack>;
  const template = campaign.template;
  const shownParams = template.params.map((p, i) => (template.personalised === i + 1 ? `⟨${t('console.campaigns.personalisedShort')}⟩` : p));
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2} size="h3">{campaign.name}</Title>
          <Badge color={CAMPAIGN_COLOR[campaign.status] || 'gray'} data-testid="campaign-status">{t(`console.campaigns.state.${campaign.status}`)}</Badge>
        </Group>
        <Group gap="xs">
          {(MOVES[campaign.status] || []).map((verb) => (
            <Button key={verb} size="xs" loading={busy} variant={verb === 'cancel' ? 'light' : 'filled'} color={verb === 'cancel' ? 'red' : undefined}
              onClick={() => move(verb)}>{t(`console.campaigns.do.${verb}`)}</Button>
          ))}
        </Group>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" mb={6}>
          <Text size="sm" fw={600}>{t('console.campaigns.doneOf', { done: progress.done, total: campaign.total })}</Text>
          <Text size="sm" fw={600} data-testid="campaign-percent">{Math.floor(progress.percent)}%</Text>
        </Group>
        <Progress.Root size={22} aria-label={t('console.campaigns.progress')} data-testid="campaign-progress" data-percent={progress.percent}>
          <Progress.Section value={progress.percent} color={CAMPAIGN_COLOR[campaign.status]} animated={campaign.status === 'running'}>
            <Progress.Label>{Math.floor(progress.percent)}%</Progress.Label>
          </Progress.Section>
        </Progress.Root>
        <Group gap="xs" mt="sm">
          {SHOWN.filter((s) => counts[s]).map((s) => (
            <Badge key={s} variant="light" tt="none" size="lg" color={SEND_COLOR[s] || 'grape'} data-testid={`count-${s}`}>{t(`console.campaigns.send.${s}`)}: {counts[s]}</Badge>
          ))}
        </Group>
      </Paper>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label={t('console.campaigns.rate')} value={t('console.campaigns.perSecond', { rate: progress.perSecond.toLocaleString(undefined, { maximumFractionDigits: 1 }) })} />
        <Fact label={t('console.campaigns.maxRate')} value={t('console.campaigns.perSecond', { rate: campaign.ratePerSecond })} />
        <Fact label={t('console.campaigns.started')} value={clock(campaign.startedAt || campaign.scheduledAt) || '—'} />
        <Fact label={t('console.campaigns.finished')} value={clock(campaign.finishedAt) || '—'} />
      </SimpleGrid>
      <Paper withBorder p="sm" radius="md">
        <Text size="xs" c="dimmed">{t('console.campaigns.template')}: <Text span ff="monospace" size="xs">{template.name} ({template.language})</Text> · {t('console.campaigns.account')}: {campaign.accountId}</Text>
        <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }}>{fill(template.body, shownParams)}</Text>
      </Paper>
      <Recipients campaignId={id} version={`${progress.done}-${JSON.stringify(counts)}`} personalised={Boolean(template.personalised)} />
    </Stack>
  );
}

function Fact({ label, value }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600}>{value}</Text>
    </Paper>
  );
}
