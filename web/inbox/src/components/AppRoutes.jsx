// The signed-in app: the inbox for everyone, the console (live board, reports, settings) for supervisors
// and admins, each its own chunk.
import { Suspense, lazy } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { Center, Loader } from '@mantine/core';
import { useAuth } from '../auth';

const Inbox = lazy(() => import('./InboxPage'));
const Console = lazy(() => import('../console/ConsolePage'));

export default function AppRoutes() {
  const { claims } = useAuth();
  const directs = ['admin', 'supervisor'].includes(claims?.role);
  const spinner = <Center h="100vh"><Loader aria-label="Carregando" /></Center>;
  return (
    <BrowserRouter>
      <Suspense fallback={spinner}>
        <Routes>
          <Route path="/" element={<Inbox />} />
          <Route path="/c/:id" element={<Inbox />} />
          <Route path="/console/*" element={directs ? <Console /> : <Navigate to="/" replace />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
