// A new WhatsApp template, written here and submitted to Meta by campaign_send (the console holds no token):
// the message as the customer will see it is previewed while it is typed, with the examples filled in.
// Meta's rules are checked by the server (src/atende/domain/templates.py `TemplateDraft`, the CLI's too),
// which names each faulty field; those reasons are shown under the fields.
import { useState } from 'react';
import {
  Alert, Autocomplete, Box, Button, Grid, Group, Paper, SegmentedControl, Select, Stack, TagsInput, Text,
  TextInput, Textarea, Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { api } from '../../data/api';
import { fill } from './shared';

const LANGUAGES = ['pt_BR', 'en_US', 'es'];
const BODY_MAX = 1024;
const PARAM = /\{\{\s*(\d+)\s*\}\}/g;

function paramCount(body) {
  return Math.max(0, ...[...body.matchAll(PARAM)].map((m) => Number(m[1])));
}

// The bubble as WhatsApp draws a business message: header, body, footer, and the quick replies under it.
function Preview({ header, body, footer, buttons, examples }) {
  const { t } = useTranslation();
  return (
    <Box data-testid="template-preview" p="md" style={{ background: '#efeae2', borderRadius: 8, minHeight: 220 }}>
      <Box maw={340} style={{ background: 'white', borderRadius: 8, padding: '8px 10px', boxShadow: '0 1px 1px rgba(0,0,0,.15)' }}>
        {header && <Text fw={700} size="sm" mb={4}>{header}</Text>}
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {body ? fill(body, examples) : <Text span c="dimmed">{t('console.templateForm.previewEmpty')}</Text>}
        </Text>
        {footer && <Text size="xs" c="dimmed" mt={4}>{footer}</Text>}
      </Box>
      {buttons.map((b) => (
        <Box key={b} maw={340} mt={4} ta="center" style={{ background: 'white', borderRadius: 8, padding: 6 }}>
          <Text size="sm" c="#027eb5" fw={500}>{b}</Text>
        </Box>
      ))}
    </Box>
  );
}

export default function TemplateForm({ accounts, onCreated, onCancel }) {
  const { t } = useTranslation();
  const [account, setAccount] = useState(accounts.length === 1 ? accounts[0] : '');
  const [name, setName] = useState('');
  const [language, setLanguage] = useState('pt_BR');
  const [category, setCategory] = useState('UTILITY');
  const [header, setHeader] = useState('');
  const [body, setBody] = useState('');
  const [examples, setExamples] = useState([]);
  const [footer, setFooter] = useState('');
  const [buttons, setButtons] = useState([]);
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const count = paramCount(body);
  const shownExamples = Array.from({ length: count }, (_, i) => examples[i] || '');
  // A field's reason goes away as soon as it is edited; the others stay until the next submission.
  const edited = (field, set) => (value) => {
    setErrors(({ [field]: _, ...rest }) => rest);
    set(value?.currentTarget ? value.currentTarget.value : value);
  };
  const setExample = edited('examples', (value) => setExamples(shownExamples.map((v, j) => (j === value.i ? value.text : v))));

  const submit = async () => {
    setBusy(true);
    setErrors({});
    setProblem(null);
    const draft = {
      accountId: account, name, language, category, body, examples: shownExamples,
      header: header || null, footer: footer || null, buttons,
    };
    try {
      const answer = await api('console', 'templates', { method: 'POST', body: draft });
      notifications.show({ color: 'teal', message: t('console.templateForm.sent', { name: answer.template.name }) });
      onCreated(answer.template);
    } catch (e) {
      setErrors(e.fields || {});
      setProblem(e.fields ? t('console.templateForm.fix') : e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" radius="md" data-testid="template-form">
      <Stack gap="sm">
        <Title order={3} size="h4">{t('console.templateForm.title')}</Title>
        <Alert color="blue" variant="light" title={t('console.templateForm.rulesTitle')}>
          <Text size="sm">{t('console.templateForm.review')}</Text>
          <Text size="sm"><b>{t('console.templates.categories.MARKETING')}</b>: {t('console.templateForm.marketing')}</Text>
          <Text size="sm"><b>{t('console.templates.categories.UTILITY')}</b>: {t('console.templateForm.utility')}</Text>
        </Alert>
        {problem && <Alert color="red" role="alert">{problem}</Alert>}
        <Grid gutter="lg">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Stack gap="sm">
              <Group grow align="flex-start">
                <Autocomplete label={t('console.templateForm.account')} data={accounts} value={account} onChange={edited('accountId', setAccount)}
                  error={errors.accountId} required />
                <TextInput label={t('console.templateForm.name')} description={t('console.templateForm.nameHint')}
                  value={name} onChange={edited('name', setName)} error={errors.name} required />
              </Group>
              <Group grow align="flex-start">
                <Select label={t('console.templateForm.language')} allowDeselect={false} value={language} onChange={edited('language', setLanguage)}
                  data={LANGUAGES.map((value) => ({ value, label: t(`console.templateForm.languages.${value}`) }))} error={errors.language} />
                <Stack gap={4}>
                  <Text size="sm" fw={500}>{t('console.templateForm.category')}</Text>
                  <SegmentedControl value={category} onChange={edited('category', setCategory)} aria-label={t('console.templateForm.category')}
                    data={['UTILITY', 'MARKETING'].map((value) => ({ value, label: t(`console.templates.categories.${value}`) }))} />
                  {errors.category && <Text size="xs" c="red">{errors.category}</Text>}
                </Stack>
              </Group>
              <TextInput label={t('console.templateForm.header')} description={t('console.templateForm.optional', { n: 60 })}
                value={header} onChange={edited('header', setHeader)} error={errors.header} />
              <Textarea label={t('console.templateForm.body')} description={t('console.templateForm.bodyHint', { first: '{{1}}', second: '{{2}}' })} autosize minRows={4}
                value={body} onChange={edited('body', setBody)} error={errors.body} required
                rightSection={<Text size="xs" c={body.length > BODY_MAX ? 'red' : 'dimmed'}>{body.length}/{BODY_MAX}</Text>}
                rightSectionWidth={80} />
              {count > 0 && (
                <Stack gap={4}>
                  <Text size="sm" fw={500}>{t('console.templateForm.examples')}</Text>
                  <Text size="xs" c="dimmed">{t('console.templateForm.examplesHint')}</Text>
                  <Group grow>
                    {shownExamples.map((value, i) => (
                      // eslint-disable-next-line react/no-array-index-key
                      <TextInput key={i} aria-label={`{{${i + 1}}}`} placeholder={`{{${i + 1}}}`} leftSection={<Text size="xs">{i + 1}</Text>}
                        value={value} onChange={(e) => setExample({ i, text: e.currentTarget.value })} />
                    ))}
                  </Group>
                  {errors.examples && <Text size="xs" c="red">{errors.examples}</Text>}
                </Stack>
              )}
              <TextInput label={t('console.templateForm.footer')} description={t('console.templateForm.optional', { n: 60 })}
                value={footer} onChange={edited('footer', setFooter)} error={errors.footer} />
              <TagsInput label={t('console.templateForm.buttons')} description={t('console.templateForm.buttonsHint')} maxTags={3}
                value={buttons} onChange={edited('buttons', setButtons)} error={errors.buttons} />
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap={4} style={{ position: 'sticky', top: 72 }}>
              <Text size="sm" fw={500}>{t('console.templateForm.preview')}</Text>
              <Preview header={header} body={body} footer={footer} buttons={buttons} examples={shownExamples} />
            </Stack>
          </Grid.Col>
        </Grid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>{t('console.templateForm.cancel')}</Button>
          <Button onClick={submit} loading={busy}>{t('console.templateForm.submit')}</Button>
        </Group>
      </Stack>
    </Paper>
  );
}
