// A new campaign: number and approved template (its body shown with the parameters filled as they are
// typed), the audience as a CSV checked line by line before anything is created (or contact filters),
// the message its first recipients would read (the AI's parameter written by the server, as at send
// time), and when it goes out. The server checks everything again with the CLI's own code.
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import {
  Alert, Badge, Button, FileInput, Group, Paper, Radio, SegmentedControl, Select, Stack, Table, TagsInput, Text,
  TextInput, Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { save, useResource } from '../settings/resource';
import { api } from '../../data/api';
import { fill } from './shared';

function Report({ report }) {
  const { t } = useTranslation();
  const { summary, problems } = report;
  return (
    <Stack gap="xs" data-testid="audience-report">
      <Group gap="xs">
        <Badge variant="light" tt="none" size="lg">{t('console.campaigns.rows', { n: summary.rows })}</Badge>
        <Badge color="green" variant="light" tt="none" size="lg">{t('console.campaigns.valid', { n: summary.valid })}</Badge>
        <Badge color={summary.invalid ? 'red' : 'gray'} variant="light" tt="none" size="lg">{t('console.campaigns.invalid', { n: summary.invalid })}</Badge>
        <Badge color={summary.duplicates ? 'yellow' : 'gray'} variant="light" tt="none" size="lg">{t('console.campaigns.duplicates', { n: summary.duplicates })}</Badge>
      </Group>
      {problems.length > 0 && (
        <Table aria-label={t('console.campaigns.problems')} withTableBorder>
          <Table.Thead><Table.Tr>
            <Table.Th>{t('console.campaigns.line')}</Table.Th><Table.Th>{t('console.campaigns.value')}</Table.Th>
            <Table.Th>{t('console.campaigns.problem')}</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {problems.slice(0, 200).map((p) => (
              <Table.Tr key={p.line}>
                <Table.Td>{p.line}</Table.Td><Table.Td><Text size="sm" ff="monospace">{p.value || '—'}</Text></Table.Td>
                <Table.Td>{p.reason === 'duplicate' ? t('console.campaigns.duplicateOf', { line: p.duplicateOf }) : t('console.campaigns.invalidNumber')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

// The server's preview: each of the first recipients' whole message, the AI's parameter written as
// dispatch writes it. Nothing is stored; the send writes its own.
function Samples({ samples }) {
  const { t } = useTranslation();
  if (samples.length === 0) return <Text size="sm" c="dimmed">{t('console.campaigns.samplesNone')}</Text>;
  return (
    <Stack component="ol" gap="xs" m={0} p={0} style={{ listStyle: 'none' }} aria-label={t('console.campaigns.samplesTitle')} data-testid="samples">
      {samples.map((s) => (
        <Paper component="li" key={s.phone} withBorder p="sm" radius="md" bg="teal.0" data-testid="sample">
          <Group gap="xs" mb={4}>
            <Text size="sm" fw={600}>{s.name || '—'}</Text>
            <Text size="xs" c="dimmed" ff="monospace">{s.phone}</Text>
          </Group>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{s.text}</Text>
          {s.personal && <Text size="xs" c="dimmed" mt={4}>{t('console.campaigns.writtenByAi')}: {s.personal}</Text>}
        </Paper>
      ))}
    </Stack>
  );
}

function Section({ title, children }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Title order={3} size="h5">{title}</Title>
        {children}
      </Stack>
    </Paper>
  );
}

export default function CampaignNew() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data, problem } = useResource('templates');
  const approved = (data?.templates || []).filter((tp) => tp.status === 'APPROVED');
  const accounts = [...new Set(approved.map((tp) => tp.accountId))];
  const [name, setName] = useState('');
  const [account, setAccount] = useState(null);
  const [templateId, setTemplateId] = useState(null);
  const [params, setParams] = useState([]);
  const [personalised, setPersonalised] = useState(null);
  const [instruction, setInstruction] = useState('{{ first_name }}');
  const [source, setSource] = useState('csv');
  const [csv, setCsv] = useState(null);
  const [report, setReport] = useState(null);
  const [checking, setChecking] = useState(false);
  const [csvProblem, setCsvProblem] = useState(null);
  const [labels, setLabels] = useState([]);
  const [persona, setPersona] = useState('');
  const [when, setWhen] = useState('now');
  const [at, setAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [samples, setSamples] = useState(null);
  const [previewing, setPreviewing] = useState(false);
  const chosenAccount = account || (accounts.length === 1 ? accounts[0] : null);
  const template = approved.find((tp) => tp.id === templateId && tp.accountId === chosenAccount) || null;
  const count = template?.params || 0;
  const shown = useMemo(() => Array.from({ length: count }, (_, i) => (
    personalised === i + 1 ? `⟨${t('console.campaigns.personalisedShort')}⟩` : params[i] || ''
  )), [count, params, personalised, t]);

  const pick = (id) => { setTemplateId(id); setParams([]); setPersonalised(null); };
  const readCsv = async (file) => {
    setReport(null); setCsv(null); setCsvProblem(null);
    if (!file) return;
    const text = await file.text();
    setChecking(true);
    try {
      setReport(await api('console', 'campaigns/audience', { method: 'POST', body: { csv: text } }));
      setCsv(text);
    } catch (e) {
      setCsvProblem(e.message);
    } finally {
      setChecking(false);
    }
  };
  const audienceReady = source === 'csv' ? Boolean(csv && report?.summary.valid) : labels.length > 0 || persona;
  const paramsReady = Array.from({ length: count }, (_, i) => personalised === i + 1 || (params[i] || '').trim()).every(Boolean);
  const ready = name.trim() && template && paramsReady && audienceReady && (when === 'now' || at) && !busy;

  // What the preview and the creation both send: the number, the template, the audience, the instruction.
  const draft = () => ({
    accountId: chosenAccount,
    template: {
      name: template.name, language: template.language,
      params: Array.from({ length: count }, (_, i) => (personalised === i + 1 ? (params[i] || '-') : params[i])),
      ...(personalised ? { personalised } : {}),
    },
    ...(source === 'csv' ? { csv } : { filter: { labels, persona: persona || null } }),
    ...(personalised ? { personalise: instruction } : {}),
  });
  // A preview shows the form it was asked for: any change hides it until it is asked for again.
  useEffect(() => setSamples(null), [chosenAccount, templateId, params, personalised, instruction, source, csv, labels, persona]);
  const askPreview = async () => {
    setPreviewing(true);
    const answer = await save('campaigns/preview', 'POST', draft());
    setPreviewing(false);
    setSamples(answer ? answer.samples : null);
  };

  const submit = async (start) => {
    setBusy(true);
    const body = {
      ...draft(),
      name: name.trim(),
      ...(when === 'later' ? { scheduledAt: new Date(at).getTime() } : {}),
      start,
    };
    const answer = await save('campaigns', 'POST', body, t('console.campaigns.created'));
    setBusy(false);
    if (answer) navigate(`/console/campaigns/${answer.campaign.id}`);
  };

  return (
    <Stack p="md" gap="md" maw={980}>
      <Title order={2} size="h3">{t('console.campaigns.new')}</Title>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="md" radius="md">
        <Stack gap="sm">
          <TextInput label={t('console.campaigns.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Group grow align="flex-start">
            <Select label={t('console.campaigns.account')} data={accounts} value={chosenAccount} onChange={(v) => { setAccount(v); pick(null); }} />
            <Select label={t('console.campaigns.template')} searchable value={templateId} onChange={pick}
              data={approved.filter((tp) => tp.accountId === chosenAccount).map((tp) => ({ value: tp.id, label: `${tp.name} (${tp.language})` }))}
              nothingFoundMessage={t('console.campaigns.noTemplates')} />
          </Group>
          {template && (
            <Group grow align="flex-start">
              <Stack gap="xs">
                {Array.from({ length: count }, (_, i) => (
                  <TextInput key={i} label={t('console.campaigns.param', { n: i + 1 })} value={params[i] || ''}
                    disabled={personalised === i + 1}
                    onChange={(e) => { const next = [...params]; next[i] = e.currentTarget.value; setParams(next); }} />
                ))}
                {count > 0 && (
                  <Select label={t('console.campaigns.personalised')} clearable value={personalised ? String(personalised) : null}
                    onChange={(v) => setPersonalised(v ? Number(v) : null)} placeholder={t('console.campaigns.noPersonalised')}
                    data={Array.from({ length: count }, (_, i) => ({ value: String(i + 1), label: t('console.campaigns.param', { n: i + 1 }) }))} />
                )}
                {personalised && (
                  <TextInput label={t('console.campaigns.instruction')} description={t('console.campaigns.instructionHelp', { example: '{{ first_name }}' })}
                    value={instruction} onChange={(e) => setInstruction(e.currentTarget.value)} />
                )}
              </Stack>
              <Paper withBorder p="sm" radius="md" bg="teal.0">
                <Text size="xs" c="dimmed" mb={4}>{t('console.campaigns.preview')}</Text>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="template-preview">{fill(template.body, shown)}</Text>
              </Paper>
            </Group>
          )}
        </Stack>
      </Paper>
      <Section title={t('console.campaigns.audience')}>
          <SegmentedControl value={source} onChange={setSource} w={360}
            data={[{ value: 'csv', label: t('console.campaigns.fromCsv') }, { value: 'filter', label: t('console.campaigns.fromContacts') }]} />
          {source === 'csv' ? (
            <>
              <FileInput label={t('console.campaigns.csvFile')} description={t('console.campaigns.csvHelp')} accept=".csv,text/csv"
                onChange={readCsv} clearable placeholder={t('console.campaigns.choose')} />
              {checking && <Text size="sm" c="dimmed">{t('console.campaigns.checking')}</Text>}
              {csvProblem && <Alert color="red" role="alert">{csvProblem}</Alert>}
              {report && <Report report={report} />}
            </>
          ) : (
            <Group grow align="flex-start">
              <TagsInput label={t('console.campaigns.labels')} value={labels} onChange={setLabels} />
              <TextInput label={t('console.campaigns.persona')} value={persona} onChange={(e) => setPersona(e.currentTarget.value)} />
            </Group>
          )}
      </Section>
      {template && (
        <Section title={t('console.campaigns.samplesTitle')}>
          <Text size="sm" c="dimmed">{t('console.campaigns.samplesHelp', { n: 3 })}</Text>
          <Group>
            <Button variant="light" onClick={askPreview} loading={previewing} disabled={!(paramsReady && audienceReady)}>
              {t('console.campaigns.previewSamples', { n: 3 })}
            </Button>
          </Group>
          <div aria-live="polite">{samples && <Samples samples={samples} />}</div>
        </Section>
      )}
      <Section title={t('console.campaigns.schedule')}>
          <Radio.Group value={when} onChange={setWhen}>
            <Group><Radio value="now" label={t('console.campaigns.now')} /><Radio value="later" label={t('console.campaigns.later')} /></Group>
          </Radio.Group>
          {when === 'later' && <TextInput type="datetime-local" w={260} label={t('console.campaigns.at')} value={at} onChange={(e) => setAt(e.currentTarget.value)} />}
      </Section>
      <Group>
        <Button onClick={() => submit(true)} disabled={!ready} loading={busy}>
          {when === 'later' ? t('console.campaigns.confirmSchedule') : t('console.campaigns.confirmStart')}
        </Button>
        <Button variant="default" onClick={() => submit(false)} disabled={!ready} loading={busy}>{t('console.campaigns.saveDraft')}</Button>
      </Group>
    </Stack>
  );
}
