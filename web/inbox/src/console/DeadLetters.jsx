// Messages a function failed five times (console_api /dead-letters; README, "Dead letters"): newest
// first, filtered by function and state; one opens with its payload, and an admin sends it back to the
// topic it came from (once; again only on purpose) or discards it, each after a confirmation.
import { useEffect, useState } from 'react';
import {
  Alert, Badge, Button, Code, Group, Modal, Paper, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Title,
  VisuallyHidden,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { api } from '../data/api';
import ChannelBadge from '../components/ChannelBadge';
import { clock, named } from '../format';
import { usePaged } from './paged';

// The consumers that can dead-letter (src/atende/topology.py CONSUMERS).
const CONSUMERS = ['ai_reply', 'outbound', 'message_status', 'media_fetch', 'automation_tick', 'crm_webhook'];
const STATE_COLORS = { dead: 'red', replayed: 'green', discarded: 'gray' };

function StateBadge({ state, t }) {
  return <Badge size="sm" variant="light" color={STATE_COLORS[state] || 'gray'}>{named(t, 'console.deadLetters.states', state)}</Badge>;
}

function Field({ label, children }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </div>
  );
}

// One letter: its details and payload, and the two actions behind a confirmation step.
function Letter({ id, onChanged, onClose }) {
  const { t } = useTranslation();
  const [letter, setLetter] = useState(null);
  const [problem, setProblem] = useState(null);
  const [confirming, setConfirming] = useState(null); // 'replay' | 'discard'
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setLetter(null);
    setConfirming(null);
    setProblem(null);
    if (!id) return undefined;
    let current = true;
    api('console', `dead-letters/${id}`)
      .then((r) => current && setLetter(r.letter))
      .catch((e) => current && setProblem(e.message));
    return () => { current = false; };
  }, [id]);
  const act = async (action) => {
    setBusy(true);
    try {
      const again = action === 'replay' && letter.state !== 'dead';
      const r = await api('console', `dead-letters/${id}/${action}`, { method: 'POST', query: again ? { force: 1 } : {} });
      setLetter({ ...letter, ...r.letter });
      onChanged(r.letter);
      setProblem(null);
    } catch (e) {
      setProblem(e.message);
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };
  const d = (key, values) => t(`console.deadLetters.${key}`, values);
  return (
    <Modal opened={!!id} onClose={onClose} size="xl" title={d('letterTitle')}>
      <Stack gap="sm">
        {problem && <Alert color="red" role="alert">{problem}</Alert>}
        {letter && (
          <>
            <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
              <Field label={d('when')}>{clock(letter.firstSeenAt)}</Field>
              <Field label={d('consumer')}><Text size="sm" ff="monospace">{letter.consumer}</Text></Field>
              <Field label={d('topic')}><Text size="sm" ff="monospace">{letter.topic || '—'}</Text></Field>
              <Field label={d('attempts')}>{letter.attempts ?? '—'}</Field>
              <Field label={d('size')}>{d('bytes', { count: letter.size })}</Field>
              <Field label={d('state')}>
                <Group gap={6}>
                  <StateBadge state={letter.state} t={t} />
                  {letter.replayedAt && <Text size="xs" c="dimmed">{d('replayedBy', { when: clock(letter.replayedAt), who: letter.replayedByName || letter.replayedBy, count: letter.replays })}</Text>}
                  {letter.discardedAt && <Text size="xs" c="dimmed">{d('discardedBy', { when: clock(letter.discardedAt), who: letter.discardedByName || letter.discardedBy })}</Text>}
                </Group>
              </Field>
            </SimpleGrid>
            {!letter.replayable && <Alert color="yellow" title={d('notReplayable')}>{letter.notReplayableReason}</Alert>}
            {Object.keys(letter.attributes || {}).length > 0 && (
              <Field label={d('attributes')}><Code block>{JSON.stringify(letter.attributes, null, 2)}</Code></Field>
            )}
            <div>
              <Text size="xs" c="dimmed" id="dead-letter-payload">{d(`payload.${letter.payloadFormat}`)}</Text>
              <ScrollArea.Autosize mah={320}>
                <Code block aria-labelledby="dead-letter-payload" data-testid="dead-letter-payload">{letter.payload}</Code>
              </ScrollArea.Autosize>
            </div>
            {confirming ? (
              <Alert color={confirming === 'replay' ? 'blue' : 'gray'} title={d(`confirm.${confirming}Title`)} role="alertdialog">
                <Stack gap="xs">
                  <Text size="sm">
                    {confirming === 'replay'
                      ? d(letter.state === 'dead' ? 'confirm.replay' : 'confirm.replayAgain', { topic: letter.topic, consumer: letter.consumer })
                      : d('confirm.discard')}
                  </Text>
                  <Group gap="xs">
                    <Button size="xs" data-autofocus loading={busy} color={confirming === 'replay' ? 'blue' : 'gray'} onClick={() => act(confirming)}>
                      {d(`confirm.${confirming}Button`)}
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setConfirming(null)}>{d('confirm.cancel')}</Button>
                  </Group>
                </Stack>
              </Alert>
            ) : (
              <Group gap="xs" justify="flex-end">
                <Button size="xs" variant="default" disabled={letter.state !== 'dead'} onClick={() => setConfirming('discard')}>{d('discard')}</Button>
                <Button size="xs" disabled={!letter.replayable || letter.state === 'discarded'} onClick={() => setConfirming('replay')}>
                  {letter.state === 'replayed' ? d('replayAgain') : d('replay')}
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </Modal>
  );
}

export default function DeadLetters() {
  const { t } = useTranslation();
  const d = (key, values) => t(`console.deadLetters.${key}`, values);
  const [filters, setFilters] = useState({ consumer: '', state: 'dead' });
  const { items, problem, busy, more } = usePaged('dead-letters', filters);
  const [changed, setChanged] = useState({});
  const [open, setOpen] = useState(null);
  const shown = items.map((l) => ({ ...l, ...(changed[l.id] || {}) }));
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby="dead-letters-title" id="dead-letters">
      <Stack gap="sm">
        <div>
          <Title order={3} size="h4" id="dead-letters-title">{d('title')}</Title>
          <Text size="sm" c="dimmed">{d('help')}</Text>
        </div>
        <Group gap="xs" align="flex-end">
          <Select
            size="xs" label={d('consumer')} value={filters.consumer} allowDeselect={false}
            data={[{ value: '', label: d('allConsumers') }, ...CONSUMERS.map((c) => ({ value: c, label: c }))]}
            onChange={(v) => setFilters((f) => ({ ...f, consumer: v || '' }))}
          />
          <Select
            size="xs" label={d('state')} value={filters.state} allowDeselect={false}
            data={[{ value: '', label: d('allStates') }, ...['dead', 'replayed', 'discarded'].map((s) => ({ value: s, label: d(`states.${s}`) }))]}
            onChange={(v) => setFilters((f) => ({ ...f, state: v || '' }))}
          />
        </Group>
        {problem && <Alert color="red" role="alert">{problem}</Alert>}
        <Table.ScrollContainer minWidth={800}>
          <Table aria-labelledby="dead-letters-title" data-testid="dead-letters">
            <Table.Thead><Table.Tr>
              <Table.Th>{d('when')}</Table.Th><Table.Th>{d('consumer')}</Table.Th><Table.Th>{t('console.channel')}</Table.Th>
              <Table.Th ta="right">{d('attempts')}</Table.Th><Table.Th>{d('preview')}</Table.Th><Table.Th>{d('state')}</Table.Th>
              <Table.Th><VisuallyHidden>{d('open')}</VisuallyHidden></Table.Th>
            </Table.Tr></Table.Thead>
            <Table.Tbody>
              {shown.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}><Text size="xs">{clock(l.firstSeenAt)}</Text></Table.Td>
                  <Table.Td><Text size="xs" ff="monospace">{l.consumer}</Text></Table.Td>
                  <Table.Td>{l.channel ? <ChannelBadge channel={l.channel} /> : <Text size="xs" c="dimmed">—</Text>}</Table.Td>
                  <Table.Td ta="right">{l.attempts ?? '—'}</Table.Td>
                  <Table.Td maw={380}><Text size="xs" ff="monospace" lineClamp={2} style={{ wordBreak: 'break-all' }}>{l.preview}</Text></Table.Td>
                  <Table.Td><StateBadge state={l.state} t={t} /></Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="light" onClick={() => setOpen(l.id)} aria-label={d('openOne', { consumer: l.consumer, when: clock(l.firstSeenAt) })}>
                      {d('open')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {items.length === 0 && !busy && <Text c="dimmed" size="sm">{d('none')}</Text>}
        {more && <Button size="xs" variant="subtle" onClick={more} loading={busy}>{t('console.more')}</Button>}
      </Stack>
      <Letter
        id={open}
        onClose={() => setOpen(null)}
        onChanged={(letter) => setChanged((c) => ({ ...c, [letter.id]: letter }))}
      />
    </Paper>
  );
}
