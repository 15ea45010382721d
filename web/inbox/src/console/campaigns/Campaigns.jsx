// Campaigns (admins and supervisors): the latest ones with their status and how far they got; a running
// campaign's bar moves while the page is visible (console_api `GET /campaigns`, docs/campaigns.md).
import { Alert, Anchor, Badge, Button, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { clock } from '../../format';
import { useResource } from '../settings/resource';
import { CAMPAIGN_COLOR, usePolling } from './shared';

export default function Campaigns() {
  const { t } = useTranslation();
  const { data, problem, reload } = useResource('campaigns');
  const campaigns = data?.campaigns || [];
  usePolling(reload, 5000, campaigns.some((c) => c.status === 'running' || c.status === 'scheduled'));
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">{t('console.campaigns.title')}</Title>
        <Button component={Link} to="/console/campaigns/new">{t('console.campaigns.new')}</Button>
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.campaigns.title')} data-testid="campaigns">
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.campaigns.name')}</Table.Th><Table.Th>{t('console.campaigns.status')}</Table.Th>
            <Table.Th>{t('console.campaigns.template')}</Table.Th><Table.Th ta="right">{t('console.campaigns.recipients')}</Table.Th>
            <Table.Th w="28%">{t('console.campaigns.progress')}</Table.Th><Table.Th>{t('console.campaigns.started')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {campaigns.map((c) => (
              <Table.Tr key={c.id} data-campaign-id={c.id}>
                <Table.Td><Anchor component={Link} to={`/console/campaigns/${c.id}`} size="sm">{c.name}</Anchor></Table.Td>
                <Table.Td><Badge color={CAMPAIGN_COLOR[c.status] || 'gray'} variant="light">{t(`console.campaigns.state.${c.status}`)}</Badge></Table.Td>
                <Table.Td><Text size="sm" ff="monospace">{c.template.name}</Text></Table.Td>
                <Table.Td ta="right">{c.total}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Progress value={c.percent} flex={1} color={CAMPAIGN_COLOR[c.status]} aria-label={t('console.campaigns.progressOf', { name: c.name })} />
                    <Text size="xs" w={44} ta="right">{Math.floor(c.percent)}%</Text>
                  </Group>
                </Table.Td>
                <Table.Td><Text size="xs">{clock(c.startedAt) || '—'}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data && campaigns.length === 0 && <Text c="dimmed" size="sm">{t('console.campaigns.none')}</Text>}
      </Paper>
    </Stack>
  );
}
