// The admin's settings, one page per resource of console_api (docs/console.md); the server validates
// every change with the code the functions load it with, and writes its audit entry.
import { Suspense, lazy } from 'react';
import { Navigate, useParams } from 'react-router';
import { Center, Loader } from '@mantine/core';

const PAGES = {
  users: lazy(() => import('./settings/Users')),
  teams: lazy(() => import('./settings/Teams')),
  hours: lazy(() => import('./settings/Hours')),
  canned: lazy(() => import('./settings/Canned')),
  business: lazy(() => import('./settings/Business')),
  routing: lazy(() => import('./settings/Routing')),
  flows: lazy(() => import('./settings/Flows')),
  channels: lazy(() => import('./settings/Channels')),
  sites: lazy(() => import('./settings/Sites')),
  followups: lazy(() => import('./settings/Followups')),
};

export default function Settings() {
  const { section } = useParams();
  const Page = PAGES[section];
  if (!Page) return <Navigate to="/console/settings/users" replace />;
  return <Suspense fallback={<Center p="xl"><Loader /></Center>}><Page /></Suspense>;
}
