import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { Center, Loader, MantineProvider, createTheme } from '@mantine/core';
import '@mantine/core/styles.css';
import { loadServices } from './config';
import { setupI18n } from './i18n';
import { AuthProvider, useAuth } from './auth';
import SignIn from './components/SignIn';

const App = lazy(() => import('./components/AppRoutes'));

const theme = createTheme({ primaryColor: 'teal', defaultRadius: 'md', fontFamily: 'system-ui, sans-serif' });

function Root() {
  const { user, claims, ready } = useAuth();
  const spinner = <Center h="100vh"><Loader aria-label="Carregando" /></Center>;
  if (!ready) return spinner;
  if (!user || !claims?.role) return <SignIn noRole={Boolean(user)} />;
  return <Suspense fallback={spinner}><App /></Suspense>;
}

loadServices().then((services) => {
  setupI18n(services.locale);
  createRoot(document.getElementById('root')).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <AuthProvider><Root /></AuthProvider>
      </MantineProvider>
    </StrictMode>,
  );
}).catch((error) => {
  document.getElementById('root').textContent = `Atende: ${error.message}`;
});
