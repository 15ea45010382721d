import { Badge, Divider, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { clock, day, money, named } from '../format';

const INVOICE_COLOURS = { open: 'blue', overdue: 'red', paid: 'green', negotiated: 'gray' };
import ChannelBadge from './ChannelBadge';

export default function ContextPanel({ context, onContinue }) {
  const { t } = useTranslation();
  if (!context) return <Loader size="sm" m="md" />;
  const { contact, customer, history, conversation } = context;
  const identities = contact?.identities || [];
  const reachable = ['whatsapp', 'messenger', 'instagram'].filter(
    (ch) => ch !== conversation.channel && identities.some((k) => k.startsWith(`${ch}:`) || (ch === 'whatsapp' && k.startsWith('phone:'))),
  );
  return (
    <Stack gap="xs" p="sm" component="aside" aria-label={t('context.title')}>
      <Title order={2} size="h5">{contact?.name || conversation.contactName || conversation.senderId}</Title>
      <Group gap={4}>
        <Badge variant="light">{t(`persona.${contact?.persona || conversation.userType || 'cliente'}`)}</Badge>
        <ChannelBadge channel={conversation.channel} />
      </Group>
      <Divider label={t('context.identities')} labelPosition="left" />
      {identities.map((k) => <Text key={k} size="xs" ff="monospace">{k}</Text>)}
      {reachable.length > 0 && (
        <Group gap={4}>
          <Text size="xs" c="dimmed">{t('conv.otherChannels')}:</Text>
          {reachable.map((ch) => (
            <Badge key={ch} component="button" style={{ cursor: 'pointer' }} onClick={() => onContinue(ch)}>{t(`channel.${ch}`)}</Badge>
          ))}
        </Group>
      )}
      <Divider label={t('context.erp')} labelPosition="left" />
      {!customer && <Text size="xs" c="dimmed">{t('context.notVerified')}</Text>}
      {customer?.unavailable && <Text size="xs" c="red">{t('context.erpDown')}</Text>}
      {customer?.customer && (
        <Stack gap={2}>
          <Text size="sm" fw={600}>{customer.customer.name}</Text>
          <Text size="xs" c="dimmed">CPF {customer.customer.cpf} · {customer.customer.city}</Text>
          {customer.plan && (
            <Text size="xs">
              {t('context.plan')}: {customer.plan.name} · {customer.plan.download_mbps}/{customer.plan.upload_mbps} Mbps
              {' · '}{money(customer.plan.price)}
            </Text>
          )}
          <Text size="xs" fw={600} mt={4}>{t('context.invoices')}</Text>
          {(customer.invoices || []).length === 0 && <Text size="xs" c="dimmed">{t('context.none')}</Text>}
          {(customer.invoices || []).slice(0, 6).map((inv) => (
            <Group key={inv.id} gap={6} wrap="nowrap">
              <Text size="xs">{day(inv.due_date)} · {money(inv.amount)}</Text>
              <Badge size="xs" variant="light" color={INVOICE_COLOURS[inv.status] || 'gray'}>
                {named(t, 'context.invoice', inv.status)}
              </Badge>
            </Group>
          ))}
          <Text size="xs" fw={600} mt={4}>{t('context.tickets')}</Text>
          {(customer.tickets || []).length === 0 && <Text size="xs" c="dimmed">{t('context.none')}</Text>}
          {(customer.tickets || []).map((tk) => (
            <Text key={tk.protocol} size="xs">#{tk.protocol} · {tk.subject} · {tk.status}</Text>
          ))}
        </Stack>
      )}
      <Divider label={t('context.history')} labelPosition="left" />
      {history.length === 0 && <Text size="xs" c="dimmed">{t('context.none')}</Text>}
      {history.map(({ conversation: c }) => (
        <Group key={c.id} gap={4}>
          <ChannelBadge channel={c.channel} />
          <Text size="xs">{t(`status.${c.status}`)} · {clock(c.lastMessageAt)}</Text>
        </Group>
      ))}
    </Stack>
  );
}
