import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export default function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl size="xs" aria-label={t('header.language')} value={i18n.language}
      onChange={(lng) => i18n.changeLanguage(lng)}
      data={[{ value: 'pt-BR', label: 'Português' }, { value: 'en', label: 'English' }]} />
  );
}
