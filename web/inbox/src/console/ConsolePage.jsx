// The console (issue 11): the same app and sign-in as the inbox; supervisors see the live board and
// reports of their teams, admins everything and the settings. The server checks every role again.
import { Suspense, lazy } from 'react';
import { Link, NavLink as RouterLink, Navigate, Route, Routes } from 'react-router';
import { AppShell, Badge, Button, Center, Group, Loader, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import '@mantine/notifications/styles.css';
import { useTranslation } from 'react-i18next';
import { leave, useAuth } from '../auth';
import LanguageSwitch from '../components/LanguageSwitch';
import Board from './Board';
import './texts';

const Reports = lazy(() => import('./Reports'));
const Health = lazy(() => import('./Health'));
const Audit = lazy(() => import('./Audit'));
const AiLogs = lazy(() => import('./AiLogs'));
const Settings = lazy(() => import('./Settings'));
const Campaigns = lazy(() => import('./campaigns/Campaigns'));
const CampaignNew = lazy(() => import('./campaigns/CampaignNew'));
const CampaignDetail = lazy(() => import('./campaigns/CampaignDetail'));
const Templates = lazy(() => import('./campaigns/Templates'));

const SECTIONS = [
  { path: 'board', label: 'console.nav.board' },
  { path: 'reports', label: 'console.nav.reports' },
  { path: 'health', label: 'console.nav.health', admin: true },
  { path: 'campaigns', label: 'console.campaigns.nav' },
  { path: 'templates', label: 'console.templates.nav' },
  { path: 'settings/users', label: 'console.nav.users', admin: true },
  { path: 'settings/teams', label: 'console.nav.teams', admin: true },
  { path: 'settings/hours', label: 'console.nav.hours', admin: true },
  { path: 'settings/canned', label: 'console.nav.canned', admin: true },
  { path: 'settings/business', label: 'console.nav.business', admin: true },
  { path: 'settings/routing', label: 'console.nav.routing', admin: true },
  { path: 'settings/followups', label: 'console.followups.nav', admin: true },
  { path: 'settings/flows', label: 'console.nav.flows', admin: true },
  { path: 'settings/channels', label: 'console.nav.channels', admin: true },
  { path: 'settings/sites', label: 'console.sites.nav', admin: true },
  { path: 'audit', label: 'console.nav.audit', admin: true },
  { path: 'ai-logs', label: 'console.nav.aiLogs', admin: true },
];

export default function ConsolePage() {
  const { t } = useTranslation();
  const { user, claims } = useAuth();
  const admin = claims.role === 'admin';
  const spinner = <Center p="xl"><Loader aria-label={t('list.loading')} /></Center>;
  const only = (element) => (admin ? element : <Navigate to="/console/board" replace />);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding={0}>
      <Notifications position="top-right" />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Title order={1} size="h4">{t('appName')}</Title>
            <Badge variant="light" color="grape">{t('console.title')}</Badge>
            <Badge variant="light">{t(`role.${claims.role}`)}</Badge>
            <Text size="sm" visibleFrom="lg">{user.name}</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" variant="light" component={Link} to="/">{t('console.toInbox')}</Button>
            <LanguageSwitch />
            <Button size="xs" variant="default" onClick={leave}>{t('header.signOut')}</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('console.title')}>
        <ScrollArea>
          {SECTIONS.filter((s) => admin || !s.admin).map((s) => (
            <NavLink key={s.path} component={RouterLink} to={`/console/${s.path}`} label={t(s.label)} />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={spinner}>
          <Routes>
            <Route path="board" element={<Board claims={claims} />} />
            <Route path="reports" element={<Reports />} />
            <Route path="health" element={only(<Health />)} />
            <Route path="campaigns" element={<Campaigns />} />
            <Route path="campaigns/new" element={<CampaignNew />} />
            <Route path="campaigns/:id" element={<CampaignDetail />} />
            <Route path="templates" element={<Templates />} />
            <Route path="settings/:section" element={only(<Settings />)} />
            <Route path="audit" element={only(<Audit />)} />
            <Route path="ai-logs" element={only(<AiLogs />)} />
            <Route path="*" element={<Navigate to="/console/board" replace />} />
          </Routes>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
