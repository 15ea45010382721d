// Two-step verification for the signed-in person: add an authenticator app (TOTP) or remove one, with
// Firebase's multi-factor API (Identity Platform in production, the local TOTP stand-in in dev).
// The QR code library loads only when a secret is shown, never with the sign-in page.
import { useState } from 'react';
import {
  ActionIcon, Alert, Button, Code, CopyButton, Group, Image, Modal, PasswordInput, Stack, Text, TextInput, Tooltip,
} from '@mantine/core';
import { IconShieldLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import {
  EmailAuthProvider, getMultiFactorResolver, multiFactor, reauthenticateWithCredential, sendEmailVerification,
  TotpMultiFactorGenerator,
} from 'firebase/auth';
import { current } from '../config';

const ISSUER = 'Atende';
const FACTOR_NAME = 'Autenticador';
const MESSAGES = {
  'auth/invalid-verification-code': 'mfa.wrongCode',
  'auth/code-expired': 'mfa.expired',
  'auth/unverified-email': 'mfa.unverified',
  'auth/invalid-credential': 'mfa.wrongPassword',
  'auth/wrong-password': 'mfa.wrongPassword',
  'auth/too-many-requests': 'mfa.tooMany',
};

const me = () => current().auth.currentUser;

export default function MfaEnrollment() {
  const { t, i18n } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [factors, setFactors] = useState([]);
  const [verified, setVerified] = useState(true);
  const [setup, setSetup] = useState(null); // { secret, qr } while a new factor is being added
  const [code, setCode] = useState('');
  const [reauth, setReauth] = useState(null); // { retry, resolver } when Firebase wants a recent sign-in
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState(null); // { color, text }
  const [busy, setBusy] = useState(false);

  const refresh = () => {
    setFactors([...multiFactor(me()).enrolledFactors]);
    setVerified(me().emailVerified);
  };

  // Runs an account change; when it needs a recent sign-in, asks for the password and runs it again.
  async function run(action) {
    setBusy(true);
    setNotice(null);
    try {
      await action();
    } catch (e) {
      if (e.code === 'auth/requires-recent-login') {
        setReauth({ retry: action, resolver: null });
        setPassword('');
        setCode('');
      } else {
        setNotice({ color: 'red', text: t(MESSAGES[e.code] || 'errors.generic') });
      }
    } finally {
      setBusy(false);
    }
  }

  const open = () => {
    setOpened(true);
    run(async () => { await me().reload(); refresh(); });
  };
  const close = () => {
    setOpened(false);
    setSetup(null);
    setReauth(null);
    setNotice(null);
  };

  const start = () => run(async () => {
    const session = await multiFactor(me()).getSession();
    const secret = await TotpMultiFactorGenerator.generateSecret(session);
    const { toDataURL } = await import('qrcode');
    const qr = await toDataURL(secret.generateQrCodeUrl(me().email, ISSUER), { margin: 1, width: 200 });
    setCode('');
    setSetup({ secret, qr });
  });

  const enroll = (event) => {
    event.preventDefault();
    const assertion = TotpMultiFactorGenerator.assertionForEnrollment(setup.secret, code.trim());
    run(async () => {
      await multiFactor(me()).enroll(assertion, FACTOR_NAME);
      setSetup(null);
      refresh();
      setNotice({ color: 'green', text: t('mfa.enrolled') });
    });
  };

  const remove = (factor) => run(async () => {
    await multiFactor(me()).unenroll(factor);
    refresh();
    setNotice({ color: 'green', text: t('mfa.removed') });
  });

  const sendVerification = () => run(async () => {
    await sendEmailVerification(me());
    setNotice({ color: 'blue', text: t('mfa.verificationSent', { email: me().email }) });
  });

  const checkVerified = () => run(async () => {
    await me().reload();
    await me().getIdToken(true);
    refresh();
    if (!me().emailVerified) setNotice({ color: 'yellow', text: t('mfa.stillUnverified') });
  });

  const confirmIdentity = (event) => {
    event.preventDefault();
    const { retry, resolver } = reauth;
    run(async () => {
      if (resolver) {
        const hint = resolver.hints.find((h) => h.factorId === TotpMultiFactorGenerator.FACTOR_ID);
        await resolver.resolveSignIn(TotpMultiFactorGenerator.assertionForSignIn(hint.uid, code.trim()));
      } else {
        try {
          await reauthenticateWithCredential(me(), EmailAuthProvider.credential(me().email, password));
        } catch (e) {
          if (e.code !== 'auth/multi-factor-auth-required') throw e;
          setCode('');
          setReauth({ retry, resolver: getMultiFactorResolver(current().auth, e) });
          return;
        }
      }
      setReauth(null);
      await retry();
    });
  };

  const codeInput = (label) => (
    <TextInput label={label} value={code} onChange={(e) => setCode(e.currentTarget.value)} inputMode="numeric"
      autoComplete="one-time-code" maxLength={6} required autoFocus />
  );

  let body;
  if (reauth) {
    body = (
      <form onSubmit={confirmIdentity}>
        <Stack>
          <Text size="sm">{t('mfa.reauth')}</Text>
          {reauth.resolver ? codeInput(t('signIn.code')) : (
            <PasswordInput label={t('signIn.password')} value={password} autoComplete="current-password"
              onChange={(e) => setPassword(e.currentTarget.value)} required autoFocus />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setReauth(null)}>{t('mfa.cancel')}</Button>
            <Button type="submit" loading={busy}>{t('mfa.confirm')}</Button>
          </Group>
        </Stack>
      </form>
    );
  } else if (setup) {
    body = (
      <form onSubmit={enroll} aria-describedby="mfa-scan">
        <Stack>
          <Text size="sm" id="mfa-scan">{t('mfa.scan')}</Text>
          <Image src={setup.qr} alt={t('mfa.qrAlt')} w={200} h={200} mx="auto" />
          <Text size="sm">{t('mfa.orKey')}</Text>
          <Group gap="xs" wrap="nowrap">
            <Code data-testid="totp-secret" style={{ wordBreak: 'break-all' }}>{setup.secret.secretKey}</Code>
            <CopyButton value={setup.secret.secretKey}>
              {({ copied, copy }) => (
                <Button size="xs" variant="light" onClick={copy}>{copied ? t('mfa.copied') : t('mfa.copy')}</Button>
              )}
            </CopyButton>
          </Group>
          {codeInput(t('mfa.code'))}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setSetup(null)}>{t('mfa.cancel')}</Button>
            <Button type="submit" loading={busy}>{t('mfa.activate')}</Button>
          </Group>
        </Stack>
      </form>
    );
  } else {
    body = (
      <Stack>
        <Text size="sm">{factors.length ? t('mfa.on') : t('mfa.off')}</Text>
        {factors.length > 0 && (
          <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }} aria-label={t('mfa.factors')}>
            {factors.map((f) => (
              <Group component="li" key={f.uid} justify="space-between" wrap="nowrap">
                <div>
                  <Text fw={500}>{f.displayName || FACTOR_NAME}</Text>
                  <Text size="xs" c="dimmed">
                    {t('mfa.since', { date: new Date(f.enrollmentTime).toLocaleDateString(i18n.language) })}
                  </Text>
                </div>
                <Button size="xs" color="red" variant="light" onClick={() => remove(f)} loading={busy}
                  aria-label={t('mfa.removeNamed', { name: f.displayName || FACTOR_NAME })}>
                  {t('mfa.remove')}
                </Button>
              </Group>
            ))}
          </Stack>
        )}
        {factors.length > 0 ? null : verified ? (
          <Button onClick={start} loading={busy}>{t('mfa.add')}</Button>
        ) : (
          <Alert color="yellow" title={t('mfa.unverifiedTitle')}>
            <Text size="sm">{t('mfa.unverified')}</Text>
            <Group mt="xs">
              <Button size="xs" onClick={sendVerification} loading={busy}>{t('mfa.sendVerification')}</Button>
              <Button size="xs" variant="default" onClick={checkVerified}>{t('mfa.checkVerified')}</Button>
            </Group>
          </Alert>
        )}
      </Stack>
    );
  }

  return (
    <>
      <Tooltip label={t('mfa.title')}>
        <ActionIcon variant="subtle" size="lg" aria-label={t('mfa.title')} onClick={open}>
          <IconShieldLock size={20} stroke={1.6} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Modal opened={opened} onClose={close} title={t('mfa.title')}>
        <Stack>
          {notice && (
            <Alert color={notice.color} role={notice.color === 'red' ? 'alert' : 'status'}>{notice.text}</Alert>
          )}
          {body}
        </Stack>
      </Modal>
    </>
  );
}
