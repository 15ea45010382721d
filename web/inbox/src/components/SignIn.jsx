import { useState } from 'react';
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  getMultiFactorResolver, signInWithEmailAndPassword, TotpMultiFactorGenerator,
} from 'firebase/auth';
import { current } from '../config';
import LanguageSwitch from './LanguageSwitch';

const EXPIRED = ['auth/invalid-multi-factor-session', 'auth/missing-multi-factor-session', 'auth/code-expired'];

export default function SignIn({ noRole }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [resolver, setResolver] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (resolver) {
        const hint = resolver.hints.find((h) => h.factorId === TotpMultiFactorGenerator.FACTOR_ID);
        const assertion = TotpMultiFactorGenerator.assertionForSignIn(hint.uid, code);
        await resolver.resolveSignIn(assertion);
      } else {
        await signInWithEmailAndPassword(current().auth, email, password);
      }
    } catch (e) {
      if (e.code === 'auth/multi-factor-auth-required') {
        setResolver(getMultiFactorResolver(current().auth, e));
      } else if (resolver && e.code === 'auth/invalid-verification-code') {
        setCode('');
        setError(t('mfa.wrongCode'));
      } else if (resolver && EXPIRED.includes(e.code)) { // start again from the password
        setResolver(null);
        setCode('');
        setError(t('mfa.expired'));
      } else {
        setError(t(resolver ? 'errors.generic' : 'signIn.failed'));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center h="100vh" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w={380}>
        <form onSubmit={submit} aria-labelledby="signin-title">
          <Stack>
            <Title order={1} size="h3" id="signin-title">{t('signIn.title')}</Title>
            {noRole && <Alert color="orange">{t('signIn.noRole')}</Alert>}
            {error && <Alert color="red" role="alert">{error}</Alert>}
            {resolver ? (
              <>
                <Text size="sm">{t('signIn.mfaNeeded')}</Text>
                <TextInput label={t('signIn.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)}
                  inputMode="numeric" autoComplete="one-time-code" maxLength={6} required autoFocus />
                <Button type="submit" loading={busy}>{t('signIn.verify')}</Button>
              </>
            ) : (
              <>
                <TextInput label={t('signIn.email')} type="email" value={email} autoComplete="username"
                  onChange={(e) => setEmail(e.currentTarget.value)} required autoFocus />
                <PasswordInput label={t('signIn.password')} value={password} autoComplete="current-password"
                  onChange={(e) => setPassword(e.currentTarget.value)} required />
                <Button type="submit" loading={busy}>{t('signIn.submit')}</Button>
              </>
            )}
            <LanguageSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
