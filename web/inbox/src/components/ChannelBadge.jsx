import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const COLORS = { whatsapp: 'green', messenger: 'blue', instagram: 'pink', webchat: 'violet' };

export default function ChannelBadge({ channel, size = 'xs' }) {
  const { t } = useTranslation();
  return <Badge size={size} variant="light" color={COLORS[channel] || 'gray'}>{t(`channel.${channel}`)}</Badge>;
}
