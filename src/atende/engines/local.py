"""Answers in Portuguese with no network, for demos and deployments without a Gemini key."""

from __future__ import annotations

import re
import unicodedata

from atende.domain.model import MessageKind
from atende.engines.base import EngineReply, ReplyRequest

_MEDIA = {
    MessageKind.IMAGE: "a imagem",
    MessageKind.AUDIO: "o áudio",
    MessageKind.VIDEO: "o vídeo",
    MessageKind.DOCUMENT: "o documento",
    MessageKind.STICKER: "a figurinha",
}

# (pattern over accent-free lowercase text, answer, hand off to a person)
_RULES: list[tuple[re.Pattern[str], str, bool]] = [
    (
        re.compile(r"\b(atendente|humano|pessoa|falar com (alguem|voce)s?)\b"),
        "Tudo bem! Vou chamar uma pessoa da nossa equipe para continuar com você. Aguarde só um instante.",
        True,
    ),
    (
        re.compile(r"\b(cancel\w*)\b"),
        "Sinto muito que esteja pensando em cancelar. Vou passar sua conversa para nossa equipe, "
        "que pode ver a melhor opção para você.",
        True,
    ),
    (
        re.compile(r"\b(boleto|fatura|2a via|segunda via|pix|pagamento|conta)\b"),
        "Posso te ajudar com a fatura! Para sua segurança, me informe o CPF do titular, por favor.",
        False,
    ),
    (
        re.compile(r"\b(net|internet|conexao|sinal|wi-?fi|lent\w*|caiu|caindo|sem acesso)\b"),
        "Sinto muito pelo problema na conexão. Vamos tentar o básico: desligue o roteador da tomada, "
        "aguarde 30 segundos e ligue novamente. Se não voltar em 2 minutos, me avise que abro um chamado.",
        False,
    ),
    (
        re.compile(r"\b(plano|planos|upgrade|velocidade|mega|contratar)\b"),
        "Temos planos de 300, 500 e 1000 mega. Quer que eu mostre os detalhes e valores de algum deles?",
        False,
    ),
    (
        re.compile(r"\b(oi|ola|bom dia|boa tarde|boa noite|e ai|hello|hi|hola)\b"),
        "Olá{name}! Sou a assistente virtual. Posso ajudar com 2ª via de fatura, problemas de conexão, "
        "planos ou chamar um atendente. Como posso ajudar?",
        False,
    ),
    (
        re.compile(r"\b(obrigad\w*|valeu|brigad\w*)\b"),
        "Por nada{name}! Se precisar de algo mais, é só chamar.",
        False,
    ),
]

_DEFAULT = (
    "Não tenho certeza se entendi. Posso ajudar com 2ª via de fatura, problemas de conexão, "
    "planos ou chamar um atendente. Sobre qual desses assuntos você quer falar?"
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class LocalEngine:
    name = "local"

    def reply(self, request: ReplyRequest) -> EngineReply:
        message = request.message
        first_name = (request.contact.name or "").split(" ")[0]
        name = f", {first_name}" if first_name else ""
        meta = {"engine": self.name}
        if message.kind in (MessageKind.REACTION, MessageKind.SYSTEM):
            return EngineReply(None, meta=meta)
        if message.kind in _MEDIA and not message.text:
            return EngineReply(
                f"Recebi {_MEDIA[message.kind]}, obrigado! Me conta em poucas palavras como posso ajudar?",
                meta=meta,
            )
        if message.kind == MessageKind.LOCATION:
            return EngineReply(
                "Obrigado pela localização! Vou usá-la para verificar a cobertura e "
                "possíveis manutenções na sua região.",
                meta=meta,
            )
        if message.kind == MessageKind.UNSUPPORTED:
            return EngineReply(
                "Desculpe, não consigo abrir esse tipo de mensagem. Pode escrever em texto?", meta=meta
            )
        text = _plain(message.text or "")
        for pattern, answer, handoff in _RULES:
            if pattern.search(text):
                return EngineReply(answer.format(name=name), handoff=handoff, meta=meta)
        return EngineReply(_DEFAULT, meta=meta)
