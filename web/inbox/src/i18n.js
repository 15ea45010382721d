// pt-BR first, English available; the choice is remembered per browser.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

const ptBR = {
  appName: 'Atende',
  signIn: {
    title: 'Entrar na caixa de entrada', email: 'E-mail', password: 'Senha', submit: 'Entrar',
    failed: 'E-mail ou senha incorretos', code: 'Código do aplicativo autenticador (6 dígitos)',
    verify: 'Verificar', mfaNeeded: 'Sua conta usa verificação em duas etapas.', noRole:
      'Sua conta ainda não tem um papel no Atende. Fale com um administrador.',
  },
  header: { console: 'Console', availability: 'Disponibilidade', online: 'Disponível', busy: 'Ocupado', away: 'Ausente',
    signOut: 'Sair', language: 'Idioma', chat: 'Chat da equipe', offline: 'Sem conexão: as mudanças aparecem quando a conexão voltar', shortcuts: 'Atalhos de teclado', notify: 'Ativar avisos' },
  role: { admin: 'Administrador', supervisor: 'Supervisor', agent: 'Atendente' },
  list: {
    title: 'Conversas', search: 'Buscar por nome, telefone ou texto', empty: 'Nenhuma conversa com esses filtros',
    waitingFor: 'esperando há {{time}}', unread: '{{count}} não lidas', channel: 'Canal', status: 'Situação',
    waited: 'Tempo na fila', waitedMore: 'Esperando há mais de {{minutes}} min', assignee: 'Responsável', anyone: 'Qualquer pessoa', me: 'Comigo', unassigned: 'Sem responsável',
    all: 'Todos', open: 'Abertas', team: 'Equipe', label: 'Etiqueta', persona: 'Perfil', onlyUnread: 'Só não lidas',
    loading: 'Carregando conversas…', count_one: '{{count}} conversa', count_other: '{{count}} conversas', more: 'Mostrar mais ({{count}} restantes)',
  },
  reason: { explicit_request: 'o cliente pediu uma pessoa', below_threshold: 'a IA não teve confiança', repeated_frustration: 'frustração repetida', cancellation: 'pedido de cancelamento', flow_handoff: 'o fluxo encaminhou', identity_not_confirmed: 'identidade não confirmada', gemini_unavailable: 'IA indisponível', engine_error: 'erro da IA', new_sale: 'nova venda', menu_choice: 'escolha no menu',
    confident: 'a IA teve confiança', human_in_service: 'uma pessoa está atendendo', waiting_for_human: 'já na fila', offline_form: 'deixada no formulário do chat', no_text: 'mensagem sem texto', csat: 'resposta à pesquisa de satisfação', second_opinion: 'segunda opinião da IA' },
  // Triage codes as an agent reads them (the timeline's AI line).
  intent: { technical: 'suporte técnico', financial: 'financeiro', commercial: 'comercial', cancellation: 'cancelamento', human_request: 'pedido de atendente', greeting: 'saudação', other: 'outro assunto' },
  sentiment: { frustrated: 'frustrado', urgent: 'urgente', neutral: 'neutro', satisfied: 'satisfeito' },
  route: { auto: 'o robô responde', human: 'para uma pessoa', silent: 'o robô fica em silêncio' },
  status: { bot: 'Robô', waiting: 'Na fila', in_service: 'Em atendimento', snoozed: 'Adiada', resolved: 'Encerrada' },
  channel: { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', webchat: 'Chat do site' },
  persona: { cliente: 'Cliente', prestador: 'Prestador', prospector: 'Prospector', admin: 'Admin' },
  conv: {
    pick: 'Escolha uma conversa na lista', noAccess: 'Sem acesso a esta conversa: ela é de outra equipe ou pessoa', take: 'Assumir', resolve: 'Encerrar', reopen: 'Reabrir',
    actions: 'Ações', removeLabel: 'Remover a etiqueta {{label}}',
    backToBot: 'Devolver ao robô', transfer: 'Transferir', snooze: 'Adiar', assign: 'Atribuir',
    priority: 'Prioridade', high: 'Alta', normal: 'Normal', labels: 'Etiquetas', addLabel: 'Nova etiqueta',
    toTeam: 'Para a equipe', toAgent: 'Para a pessoa', oneHour: '1 hora', snoozeUntil: 'Adiar até', tomorrow: 'Amanhã às 9h',
    assignedTo: 'Com {{name}}', unassigned: 'Sem responsável', handoff: 'Passada a uma pessoa: {{reason}}',
    windowClosed: 'Janela de 24 horas encerrada: só modelos aprovados podem ser enviados',
    humanAgent: 'Fora das 24 horas: sua resposta vai com a etiqueta HUMAN_AGENT (até 7 dias)',
    windowOpen: 'Janela aberta até {{time}}', otherChannels: 'Continuar em outro canal',
  },
  msg: {
    options: 'Opções oferecidas', ai: 'IA: {{intent}} · {{sentiment}} · {{confidence}}%', route: 'decisão: {{route}} ({{reason}})',
    earlier: 'Mostrar anteriores ({{count}})', retry: 'Tentar de novo', note: 'Nota interna', failed: 'Não enviada', unknown: 'Envio incerto',
    fromHistory: 'de outra conversa', campaign: 'Campanha: {{name}}', followup: 'Follow-up: {{rule}}', image: 'Imagem', document: 'Documento', audio: 'Áudio', video: 'Vídeo',
    location: 'Localização', sticker: 'Figurinha',
  },
  composer: {
    placeholder: 'Escreva uma resposta… (/ para respostas prontas)', notePlaceholder: 'Nota visível só para a equipe…',
    send: 'Enviar', note: 'Nota interna', attach: 'Anexar arquivo', emoji: 'Emoji', template: 'Modelo aprovado',
    templatePick: 'Escolha um modelo', param: 'Parâmetro {{n}}', sendTemplate: 'Enviar modelo', canned: 'Respostas prontas',
    sending: 'Enviando…', attached: 'Anexo: {{name}}', remove: 'Remover',
  },
  context: { title: 'Contato', identities: 'Identidades', persona: 'Perfil', erp: 'Dados do ERP', notVerified:
    'Identidade ainda não confirmada: os dados do ERP aparecem depois da verificação', invoices: 'Faturas',
    tickets: 'Chamados', history: 'Outras conversas', none: 'Nenhuma', plan: 'Plano', erpDown: 'ERP indisponível no momento',
    invoice: { open: 'Em aberto', overdue: 'Vencida', paid: 'Paga', negotiated: 'Negociada' } },
  chat: { room: 'Conversa', people: 'Pessoas', title: 'Chat da equipe', placeholder: 'Mensagem para a equipe…', send: 'Enviar', empty: 'Nenhuma mensagem ainda' },
  keys: { next: 'Próxima conversa', prev: 'Conversa anterior', reply: 'Responder', note: 'Nota interna',
    resolve: 'Encerrar', take: 'Assumir', help: 'Mostrar atalhos' },
  notify: { newWaiting: 'Nova conversa na fila', body: '{{name}}: {{text}}' },
  mfa: {
    title: 'Verificação em duas etapas', factors: 'Autenticadores cadastrados', since: 'desde {{date}}',
    off: 'Desativada. Com um aplicativo autenticador (Google Authenticator, Microsoft Authenticator, 1Password…), entrar pede também um código de 6 dígitos.',
    on: 'Ativada: entrar pede também o código do aplicativo autenticador. Para trocar de aplicativo, remova este e adicione outro.',
    add: 'Adicionar aplicativo autenticador', scan: 'Leia o QR code com o aplicativo autenticador e digite o código de 6 dígitos que ele mostrar.',
    qrAlt: 'QR code para o aplicativo autenticador', orKey: 'Sem câmera? Digite esta chave no aplicativo:', copy: 'Copiar chave',
    copied: 'Copiada', code: 'Código de 6 dígitos', activate: 'Ativar', cancel: 'Cancelar', confirm: 'Confirmar',
    enrolled: 'Verificação em duas etapas ativada. Na próxima entrada, tenha o aplicativo à mão.',
    removed: 'Autenticador removido: entrar volta a pedir só a senha.', remove: 'Remover', removeNamed: 'Remover {{name}}',
    wrongCode: 'Código incorreto. Confira o código no aplicativo e tente de novo.', expired: 'O prazo acabou. Comece de novo.',
    unverifiedTitle: 'Confirme seu e-mail primeiro', unverified: 'A verificação em duas etapas só pode ser ativada com o e-mail confirmado.',
    sendVerification: 'Enviar e-mail de confirmação', checkVerified: 'Já confirmei', stillUnverified: 'O e-mail ainda não foi confirmado.',
    verificationSent: 'Enviamos um link de confirmação para {{email}}. Abra-o e depois clique em “Já confirmei”.',
    reauth: 'Por segurança, confirme que é você.', wrongPassword: 'Senha incorreta.', tooMany: 'Muitas tentativas. Espere alguns minutos e tente de novo.',
  },
  errors: { generic: 'Algo deu errado', offline: 'Sem conexão' },
};

const en = {
  appName: 'Atende',
  signIn: {
    title: 'Sign in to the inbox', email: 'E-mail', password: 'Password', submit: 'Sign in',
    failed: 'Wrong e-mail or password', code: 'Authenticator app code (6 digits)', verify: 'Verify',
    mfaNeeded: 'Your account uses two-step verification.', noRole: 'Your account has no Atende role yet. Ask an administrator.',
  },
  header: { console: 'Console', availability: 'Availability', online: 'Online', busy: 'Busy', away: 'Away', signOut: 'Sign out',
    language: 'Language', chat: 'Team chat', offline: 'Offline: changes appear when the connection is back', shortcuts: 'Keyboard shortcuts', notify: 'Enable alerts' },
  role: { admin: 'Administrator', supervisor: 'Supervisor', agent: 'Agent' },
  list: {
    title: 'Conversations', search: 'Search by name, phone or text', empty: 'No conversation matches these filters',
    waitingFor: 'waiting for {{time}}', unread: '{{count}} unread', channel: 'Channel', status: 'Status',
    waited: 'Time waiting', waitedMore: 'Waiting over {{minutes}} min', assignee: 'Assignee', anyone: 'Anyone', me: 'Mine', unassigned: 'Unassigned', all: 'All', open: 'Open',
    team: 'Team', label: 'Label', persona: 'Persona', onlyUnread: 'Unread only', loading: 'Loading conversations…', count_one: '{{count}} conversation', count_other: '{{count}} conversations', more: 'Show more ({{count}} left)',
  },
  reason: { explicit_request: 'the customer asked for a person', below_threshold: 'the AI was not confident', repeated_frustration: 'repeated frustration', cancellation: 'cancellation request', flow_handoff: 'the flow handed over', identity_not_confirmed: 'identity not confirmed', gemini_unavailable: 'AI unavailable', engine_error: 'AI error', new_sale: 'new sale', menu_choice: 'menu choice',
    confident: 'the AI was confident', human_in_service: 'a person is serving', waiting_for_human: 'already queued', offline_form: 'left in the chat form', no_text: 'message without text', csat: 'answer to the satisfaction survey', second_opinion: 'the AI\'s second opinion' },
  intent: { technical: 'technical support', financial: 'billing', commercial: 'sales', cancellation: 'cancellation', human_request: 'asks for a person', greeting: 'greeting', other: 'other matter' },
  sentiment: { frustrated: 'frustrated', urgent: 'urgent', neutral: 'neutral', satisfied: 'satisfied' },
  route: { auto: 'the bot answers', human: 'to a person', silent: 'the bot stays silent' },
  status: { bot: 'Bot', waiting: 'Waiting', in_service: 'In service', snoozed: 'Snoozed', resolved: 'Resolved' },
  channel: { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', webchat: 'Web chat' },
  persona: { cliente: 'Customer', prestador: 'Provider', prospector: 'Prospector', admin: 'Admin' },
  conv: {
    actions: 'Actions', removeLabel: 'Remove the label {{label}}',
    pick: 'Pick a conversation from the list', noAccess: 'No access to this conversation: it belongs to another team or person', take: 'Take over', resolve: 'Resolve', reopen: 'Reopen',
    backToBot: 'Back to the bot', transfer: 'Transfer', snooze: 'Snooze', assign: 'Assign', priority: 'Priority',
    high: 'High', normal: 'Normal', labels: 'Labels', addLabel: 'New label', toTeam: 'To team', toAgent: 'To person',
    oneHour: '1 hour', snoozeUntil: 'Snooze until', tomorrow: 'Tomorrow 9 am', assignedTo: 'With {{name}}', unassigned: 'Unassigned',
    handoff: 'Handed to a person: {{reason}}', windowClosed: '24-hour window closed: only approved templates can be sent',
    humanAgent: 'Past 24 hours: your reply goes with the HUMAN_AGENT tag (up to 7 days)', windowOpen: 'Window open until {{time}}',
    otherChannels: 'Continue on another channel',
  },
  msg: {
    options: 'Options offered', ai: 'AI: {{intent}} · {{sentiment}} · {{confidence}}%', route: 'decision: {{route}} ({{reason}})', earlier: 'Show earlier ({{count}})', retry: 'Retry',
    note: 'Internal note', failed: 'Not sent', unknown: 'Uncertain send', fromHistory: 'from another conversation',
    campaign: 'Campaign: {{name}}', followup: 'Follow-up: {{rule}}',
    image: 'Image', document: 'Document', audio: 'Audio', video: 'Video', location: 'Location', sticker: 'Sticker',
  },
  composer: {
    placeholder: 'Write a reply… (/ for canned responses)', notePlaceholder: 'Note only your team sees…', send: 'Send',
    note: 'Internal note', attach: 'Attach a file', emoji: 'Emoji', template: 'Approved template', templatePick: 'Pick a template',
    param: 'Parameter {{n}}', sendTemplate: 'Send template', canned: 'Canned responses', sending: 'Sending…',
    attached: 'Attachment: {{name}}', remove: 'Remove',
  },
  context: { title: 'Contact', identities: 'Identities', persona: 'Persona', erp: 'ERP data', notVerified:
    'Identity not confirmed yet: ERP data shows after verification', invoices: 'Invoices', tickets: 'Tickets',
    history: 'Other conversations', none: 'None', plan: 'Plan', erpDown: 'ERP unavailable right now',
    invoice: { open: 'Open', overdue: 'Overdue', paid: 'Paid', negotiated: 'Negotiated' } },
  chat: { room: 'Room', people: 'People', title: 'Team chat', placeholder: 'Message to the team…', send: 'Send', empty: 'No messages yet' },
  keys: { next: 'Next conversation', prev: 'Previous conversation', reply: 'Reply', note: 'Internal note', resolve: 'Resolve',
    take: 'Take over', help: 'Show shortcuts' },
  notify: { newWaiting: 'New conversation waiting', body: '{{name}}: {{text}}' },
  mfa: {
    title: 'Two-step verification', factors: 'Enrolled authenticators', since: 'since {{date}}',
    off: 'Off. With an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…), signing in also asks for a 6-digit code.',
    on: 'On: signing in also asks for the authenticator app’s code. To switch apps, remove this one and add another.',
    add: 'Add an authenticator app', scan: 'Scan the QR code with your authenticator app and type the 6-digit code it shows.',
    qrAlt: 'QR code for the authenticator app', orKey: 'No camera? Type this key into the app:', copy: 'Copy key',
    copied: 'Copied', code: '6-digit code', activate: 'Turn on', cancel: 'Cancel', confirm: 'Confirm',
    enrolled: 'Two-step verification is on. Keep the app at hand next time you sign in.',
    removed: 'Authenticator removed: signing in asks only for the password again.', remove: 'Remove', removeNamed: 'Remove {{name}}',
    wrongCode: 'Wrong code. Check the code in the app and try again.', expired: 'Time ran out. Start again.',
    unverifiedTitle: 'Confirm your e-mail first', unverified: 'Two-step verification needs a confirmed e-mail address.',
    sendVerification: 'Send confirmation e-mail', checkVerified: 'I have confirmed it', stillUnverified: 'The e-mail is not confirmed yet.',
    verificationSent: 'We sent a confirmation link to {{email}}. Open it, then click “I have confirmed it”.',
    reauth: 'For your security, confirm it is you.', wrongPassword: 'Wrong password.', tooMany: 'Too many attempts. Wait a few minutes and try again.',
  },
  errors: { generic: 'Something went wrong', offline: 'Offline' },
};

export function setupI18n(fallback) {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('atende.lang') : null;
  i18n.use(initReactI18next).init({
    resources: { 'pt-BR': { translation: ptBR }, en: { translation: en } },
    lng: saved || fallback || 'pt-BR',
    fallbackLng: 'pt-BR',
    interpolation: { escapeValue: false },
  });
  i18n.on('languageChanged', (lng) => {
    localStorage.setItem('atende.lang', lng);
    document.documentElement.lang = lng;
  });
  document.documentElement.lang = i18n.language;
  return i18n;
}

export default i18n;
