// The console's texts, registered when its chunk loads (the sign-in bundle does not carry them).
import i18n from '../i18n';

const pt = {
  title: 'Console', toInbox: 'Caixa de entrada', team: 'Equipe', channel: 'Canal', save: 'Salvar', saved: 'Salvo',
  edit: 'Editar', remove: 'Remover', refresh: 'Atualizar', more: 'Carregar mais', empty: 'Nada por aqui',
  nav: {
    board: 'Quadro ao vivo', reports: 'Relatórios', health: 'Saúde dos canais', users: 'Pessoas', teams: 'Equipes',
    hours: 'Horário de atendimento', canned: 'Respostas prontas', business: 'Empresa e personas', routing: 'Roteamento da IA',
    flows: 'Fluxos', channels: 'Contas dos canais', audit: 'Auditoria', aiLogs: 'Registros da IA',
  },
  board: {
    title: 'Quadro ao vivo', waiting: 'Na fila', oldest: 'Maior espera', median: 'Espera mediana', breaches: 'Fora do nível de serviço',
    online: 'Disponíveis', queues: 'Filas por equipe e canal', noQueue: 'Ninguém esperando agora', overLevel: 'Fora do nível de serviço',
    allWithin: 'Todas as conversas dentro do nível de serviço', customer: 'Cliente', kind: 'Limite', waited: 'Tempo',
    assignee: 'Responsável', firstResponse: 'Primeira resposta', resolution: 'Resolução', reassign: 'Atribuir a conversa de {{name}}',
    unassigned: 'Sem responsável', people: 'Pessoas', person: 'Pessoa', teams: 'Equipes', availability: 'Disponibilidade',
    availabilityOf: 'Disponibilidade de {{name}}', load: 'Conversas abertas / capacidade',
  },
  reports: {
    title: 'Relatórios', from: 'De', to: 'Até', by: 'Agrupar por', allTeams: 'Todas as equipes', csv: 'Exportar CSV',
    in: 'Recebidas', out: 'Enviadas (robô · pessoas)', outBot: 'Enviadas pelo robô', outPeople: 'Enviadas por pessoas',
    autoRate: 'Resolução automática', handoffRate: 'Taxa de transbordo', handoffs: 'Transbordos', frtPeople: '1ª resposta humana (p50 · p90)',
    csat: 'CSAT médio', volume: 'Volume por dia', reasons: 'Motivos de transbordo', table: 'Detalhamento',
    frtBotShort: '1ª resp. robô', frtPeopleShort: '1ª resp. pessoas', resolutionShort: 'Resolução (pessoas)',
    quantilesNote: 'Tempos como p50 · p90. {{documents}} documentos de métricas lidos.',
    dimension: { day: 'Dia', channel: 'Canal', team: 'Equipe', agent: 'Atendente', intent: 'Intenção', persona: 'Perfil', hour: 'Hora do dia' },
    reason: { lowConfidence: 'Baixa confiança', explicitRequest: 'Pedido do cliente', cancellation: 'Cancelamento', frustration: 'Frustração', failure: 'Falha', other: 'Outros' },
  },
  health: {
    title: 'Saúde dos canais', account: 'Conta', state: 'Estado', ok: 'OK', degraded: 'Degradado', offline: 'Fora do ar',
    sent: 'Enviadas (1 h)', failed: 'Erros (1 h)', errorRate: 'Taxa de erro', rejected: 'Webhooks rejeitados',
    lastReceived: 'Última recebida', lastSent: 'Última enviada', lastError: 'Último erro', none: 'Nenhuma conta configurada',
    forged: 'Assinaturas falsas (1 h)', deadLetters: 'Mensagens abandonadas (1 h / 24 h)',
    forgedHelp: 'Pedidos ao webhook com assinatura inválida: um ataque, ou o segredo do app da Meta errado',
    deadLettersHelp: 'Mensagens que uma função não conseguiu processar em 5 tentativas (fila de mensagens mortas); veja os Registros',
    webhook: 'Webhook do canal', crm: 'Webhook do CRM', atende: 'Atende (sem canal)',
    channelCrm: 'CRM', channelAtende: 'Sistema',
  },
  audit: { title: 'Auditoria', when: 'Quando', actor: 'Quem', action: 'Ação', target: 'Alvo', before: 'Antes', after: 'Depois' },
  aiLogs: {
    title: 'Registros da IA', conversation: 'Conversa (id)', handoffs: 'Só transbordos', maxConfidence: 'Confiança até {{value}}%',
    message: 'Mensagem', triage: 'Triagem', decision: 'Decisão', latency: 'Latência',
  },
  users: {
    invite: 'Convidar pessoa', name: 'Nome', role: 'Papel', capacity: 'Capacidade', send: 'Convidar', invited: 'Convite criado',
    linkTitle: 'Link para a pessoa criar a senha', linkHelp: 'Envie este link para a pessoa; ele não fica guardado.',
    roleOf: 'Papel de {{name}}', teamsOf: 'Equipes de {{name}}', capacityOf: 'Capacidade de {{name}}', disable: 'Desativar',
    disabled: 'Desativada', confirmDisable: 'Desativar {{name}}? A pessoa perde o acesso imediatamente.',
  },
  teams: {
    first: '1ª resposta (min)', resolution: 'Resolução (min)', newId: 'Nova equipe (id)', add: 'Adicionar equipe',
    nameOf: 'Nome da equipe {{id}}', firstOf: '1ª resposta da equipe {{id}} em minutos', resolutionOf: 'Resolução da equipe {{id}} em minutos',
  },
  hours: {
    openNow: 'Aberto agora', closedNow: 'Fechado agora', closed: 'Fechado', interval: 'horário', holidays: 'Feriados',
    holiday: 'feriado', holidayDate: 'Data do feriado', holidayName: 'Nome do feriado', opens: 'Abre ({{day}})', closes: 'Fecha ({{day}})',
    day0: 'Segunda', day1: 'Terça', day2: 'Quarta', day3: 'Quinta', day4: 'Sexta', day5: 'Sábado', day6: 'Domingo',
  },
  canned: { edit: 'Resposta pronta', shortcut: 'Atalho', title: 'Título', text: 'Texto', everyone: 'Todas as equipes' },
  business: {
    name: 'Nome da empresa', segment: 'Segmento', hours: 'Horário (texto para clientes)', hours_en: 'Horário (inglês)',
    tone: 'Tom de voz', website: 'Site', support_phone: 'Telefone de suporte', personas: 'Personas', greeting: 'Saudação', job: 'Papel',
  },
  routing: {
    help: 'A IA responde sozinha quando a confiança da triagem passa do limite da intenção; abaixo dele, a conversa vai para uma pessoa. Cobertura e precisão medidas em mensagens reais de clientes.',
    intent: 'Intenção', threshold: 'Limite de confiança', coverage: 'Cobertura', precision: 'Precisão', predicted: '{{n}} mensagens previstas',
    thresholdOf: 'Limite de confiança para {{intent}}', set: { heldout: 'Conjunto escrito', 'real-dev': 'Mensagens reais' },
  },
  flows: {
    step: 'Passo {{name}}', preview: 'Pré-visualizar', messages: 'Mensagens do cliente (uma por linha)', run: 'Rodar',
    handoff: 'Passa para a equipe {{team}}', edited: 'editado', reset: 'Voltar à versão original', start: 'Começa em: {{step}}',
  },
  channels: {
    help: 'Os tokens nunca são mostrados: ao substituir, o novo vai para o Secret Manager (produção) ou para o arquivo local de segredos (make dev).',
    nameOf: 'Nome da conta {{id}}', teamOf: 'Equipe padrão da conta {{id}}', tokenSet: 'token definido', noToken: 'sem token',
    newToken: 'Novo token da conta {{id}}', newTokenShort: 'novo token', replace: 'Substituir', defaultTeam: 'Equipe padrão', token: 'Token',
  },
};

const en = {
  title: 'Console', toInbox: 'Inbox', team: 'Team', channel: 'Channel', save: 'Save', saved: 'Saved',
  edit: 'Edit', remove: 'Remove', refresh: 'Refresh', more: 'Load more', empty: 'Nothing here',
  nav: {
    board: 'Live board', reports: 'Reports', health: 'Channel health', users: 'People', teams: 'Teams', hours: 'Opening hours',
    canned: 'Canned responses', business: 'Business and personas', routing: 'AI routing', flows: 'Flows', channels: 'Channel accounts',
    audit: 'Audit log', aiLogs: 'AI log',
  },
  board: {
    title: 'Live board', waiting: 'Waiting', oldest: 'Longest wait', median: 'Median wait', breaches: 'Over service level',
    online: 'Online', queues: 'Queues by team and channel', noQueue: 'Nobody is waiting', overLevel: 'Over service level',
    allWithin: 'Every conversation is within its service level', customer: 'Customer', kind: 'Limit', waited: 'Time',
    assignee: 'Assignee', firstResponse: 'First response', resolution: 'Resolution', reassign: "Assign {{name}}'s conversation",
    unassigned: 'Unassigned', people: 'People', person: 'Person', teams: 'Teams', availability: 'Availability',
    availabilityOf: "{{name}}'s availability", load: 'Open conversations / capacity',
  },
  reports: {
    title: 'Reports', from: 'From', to: 'To', by: 'Group by', allTeams: 'All teams', csv: 'Export CSV',
    in: 'Received', out: 'Sent (bot · people)', outBot: 'Sent by the bot', outPeople: 'Sent by people',
    autoRate: 'Automatic resolution', handoffRate: 'Handoff rate', handoffs: 'Handoffs', frtPeople: 'First human response (p50 · p90)',
    csat: 'Average CSAT', volume: 'Volume per day', reasons: 'Handoff reasons', table: 'Breakdown',
    frtBotShort: 'Bot 1st resp.', frtPeopleShort: 'People 1st resp.', resolutionShort: 'Resolution (people)',
    quantilesNote: 'Times as p50 · p90. {{documents}} metrics documents read.',
    dimension: { day: 'Day', channel: 'Channel', team: 'Team', agent: 'Agent', intent: 'Intent', persona: 'Persona', hour: 'Hour of day' },
    reason: { lowConfidence: 'Low confidence', explicitRequest: 'Customer asked', cancellation: 'Cancellation', frustration: 'Frustration', failure: 'Failure', other: 'Other' },
  },
  health: {
    title: 'Channel health', account: 'Account', state: 'State', ok: 'OK', degraded: 'Degraded', offline: 'Offline',
    sent: 'Sent (1 h)', failed: 'Errors (1 h)', errorRate: 'Error rate', rejected: 'Rejected webhooks',
    lastReceived: 'Last received', lastSent: 'Last sent', lastError: 'Last error', none: 'No account configured',
    forged: 'Forged signatures (1 h)', deadLetters: 'Dead letters (1 h / 24 h)',
    forgedHelp: 'Webhook requests with an invalid signature: an attack, or a wrong Meta app secret',
    deadLettersHelp: 'Messages a function failed to process 5 times (dead-letter topic); see the logs',
    webhook: 'Channel webhook', crm: 'CRM webhook', atende: 'Atende (no channel)',
    channelCrm: 'CRM', channelAtende: 'System',
  },
  audit: { title: 'Audit log', when: 'When', actor: 'Who', action: 'Action', target: 'Target', before: 'Before', after: 'After' },
  aiLogs: {
    title: 'AI log', conversation: 'Conversation (id)', handoffs: 'Handoffs only', maxConfidence: 'Confidence up to {{value}}%',
    message: 'Message', triage: 'Triage', decision: 'Decision', latency: 'Latency',
  },
  users: {
    invite: 'Invite someone', name: 'Name', role: 'Role', capacity: 'Capacity', send: 'Invite', invited: 'Invitation created',
    linkTitle: 'Link for the person to choose a password', linkHelp: 'Send this link to the person; it is not stored.',
    roleOf: "{{name}}'s role", teamsOf: "{{name}}'s teams", capacityOf: "{{name}}'s capacity", disable: 'Disable',
    disabled: 'Disabled', confirmDisable: 'Disable {{name}}? They lose access at once.',
  },
  teams: {
    first: 'First response (min)', resolution: 'Resolution (min)', newId: 'New team (id)', add: 'Add team',
    nameOf: 'Name of team {{id}}', firstOf: 'First response of team {{id}} in minutes', resolutionOf: 'Resolution of team {{id}} in minutes',
  },
  hours: {
    openNow: 'Open now', closedNow: 'Closed now', closed: 'Closed', interval: 'interval', holidays: 'Holidays',
    holiday: 'holiday', holidayDate: 'Holiday date', holidayName: 'Holiday name', opens: 'Opens ({{day}})', closes: 'Closes ({{day}})',
    day0: 'Monday', day1: 'Tuesday', day2: 'Wednesday', day3: 'Thursday', day4: 'Friday', day5: 'Saturday', day6: 'Sunday',
  },
  canned: { edit: 'Canned response', shortcut: 'Shortcut', title: 'Title', text: 'Text', everyone: 'All teams' },
  business: {
    name: 'Business name', segment: 'Segment', hours: 'Hours (text for customers)', hours_en: 'Hours (English)',
    tone: 'Tone of voice', website: 'Website', support_phone: 'Support phone', personas: 'Personas', greeting: 'Greeting', job: 'Role',
  },
  routing: {
    help: "The AI answers on its own when triage confidence passes the intent's threshold; below it, the conversation goes to a person. Coverage and precision measured on real customer messages.",
    intent: 'Intent', threshold: 'Confidence threshold', coverage: 'Coverage', precision: 'Precision', predicted: '{{n}} messages predicted',
    thresholdOf: 'Confidence threshold for {{intent}}', set: { heldout: 'Written set', 'real-dev': 'Real messages' },
  },
  flows: {
    step: 'Step {{name}}', preview: 'Preview', messages: 'Customer messages (one per line)', run: 'Run',
    handoff: 'Hands over to team {{team}}', edited: 'edited', reset: 'Back to the original version', start: 'Starts at: {{step}}',
  },
  channels: {
    help: 'Tokens are never shown: a replacement goes to Secret Manager (production) or the local secrets file (make dev).',
    nameOf: 'Name of account {{id}}', teamOf: 'Default team of account {{id}}', tokenSet: 'token set', noToken: 'no token',
    newToken: 'New token for account {{id}}', newTokenShort: 'new token', replace: 'Replace', defaultTeam: 'Default team', token: 'Token',
  },
};

i18n.addResourceBundle('pt-BR', 'translation', { console: pt }, true, true);
i18n.addResourceBundle('en', 'translation', { console: en }, true, true);
