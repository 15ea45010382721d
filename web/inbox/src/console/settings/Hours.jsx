// Opening hours per weekday (São Paulo time) and holidays: when people answer, which the bot's handoff
// notice and the web chat's "someone available" follow.
import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { save, useResource } from './resource';

const DAYS = ['0', '1', '2', '3', '4', '5', '6']; // Monday first, as the server counts

export default function Hours() {
  const { t } = useTranslation();
  const { data, problem, setData } = useResource('hours');
  const [weekdays, setWeekdays] = useState({});
  const [holidays, setHolidays] = useState([]);
  useEffect(() => {
    if (!data?.hours) return;
    setWeekdays(data.hours.weekdays || {});
    setHolidays(data.hours.holidays || []);
  }, [data]);
  const setInterval = (day, i, key, value) => setWeekdays((w) => ({
    ...w, [day]: (w[day] || []).map((iv, n) => (n === i ? { ...iv, [key]: value } : iv)),
  }));
  const submit = () => save('hours', 'PUT', { weekdays, holidays }, t('console.saved')).then((a) => a && setData(a));

  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={2} size="h3">{t('console.nav.hours')}</Title>
        {data && <Badge color={data.openNow ? 'green' : 'gray'}>{data.openNow ? t('console.hours.openNow') : t('console.hours.closedNow')}</Badge>}
      </Group>
      {problem && <Alert color="red" role="alert">{problem}</Alert>}
      <Paper withBorder p="sm" radius="md">
        <Table aria-label={t('console.nav.hours')}>
          <Table.Tbody>
            {DAYS.map((day) => (
              <Table.Tr key={day}>
                <Table.Td w={140}><Text size="sm">{t(`console.hours.day${day}`)}</Text></Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    {(weekdays[day] || []).length === 0 && <Text size="sm" c="dimmed">{t('console.hours.closed')}</Text>}
                    {(weekdays[day] || []).map((iv, i) => (
                      // eslint-disable-next-line react/no-array-index-key
                      <Group key={i} gap={4} wrap="nowrap">
                        <TextInput size="xs" type="time" w={100} aria-label={t('console.hours.opens', { day: t(`console.hours.day${day}`) })}
                          value={iv.open} onChange={(e) => setInterval(day, i, 'open', e.currentTarget.value)} />
                        <Text size="xs">–</Text>
                        <TextInput size="xs" type="time" w={100} aria-label={t('console.hours.closes', { day: t(`console.hours.day${day}`) })}
                          value={iv.close === '24:00' ? '23:59' : iv.close} onChange={(e) => setInterval(day, i, 'close', e.currentTarget.value)} />
                        <ActionIcon size="sm" variant="subtle" color="red" aria-label={t('console.remove')}
                          onClick={() => setWeekdays((w) => ({ ...w, [day]: w[day].filter((_, n) => n !== i) }))}>×</ActionIcon>
                      </Group>
                    ))}
                    <Button size="compact-xs" variant="subtle"
                      onClick={() => setWeekdays((w) => ({ ...w, [day]: [...(w[day] || []), { open: '08:00', close: '18:00' }] }))}>
                      + {t('console.hours.interval')}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="sm" radius="md">
        <Title order={3} size="h5" mb="xs">{t('console.hours.holidays')}</Title>
        <Stack gap={4}>
          {holidays.map((h, i) => (
            // eslint-disable-next-line react/no-array-index-key
            <Group key={i} gap="xs">
              <TextInput size="xs" type="date" aria-label={t('console.hours.holidayDate')} value={h.date}
                onChange={(e) => setHolidays((l) => l.map((x, n) => (n === i ? { ...x, date: e.currentTarget.value } : x)))} />
              <TextInput size="xs" aria-label={t('console.hours.holidayName')} value={h.name || ''}
                onChange={(e) => setHolidays((l) => l.map((x, n) => (n === i ? { ...x, name: e.currentTarget.value } : x)))} />
              <ActionIcon size="sm" variant="subtle" color="red" aria-label={t('console.remove')} onClick={() => setHolidays((l) => l.filter((_, n) => n !== i))}>×</ActionIcon>
            </Group>
          ))}
          <Button size="compact-xs" variant="subtle" w="fit-content" onClick={() => setHolidays((l) => [...l, { date: '', name: '' }])}>+ {t('console.hours.holiday')}</Button>
        </Stack>
      </Paper>
      <Button w="fit-content" onClick={submit}>{t('console.save')}</Button>
    </Stack>
  );
}
