"""Compose `train.jsonl` from the hand-written lines plus slot-filled templates.

Why a generator at all: hand-written lines give realistic variety, but a
classifier also needs to see the same request wrapped in the ways customers
actually wrap it (a greeting first, a complaint after, a deadline, a name...).
The templates below do that combinatorially. They are *training only*: the
held-out file is written independently and must never be generated from here.

Run `python -m atende.triage.data.compose_train` after editing
`train_hand.txt` or the templates; the output is deterministic.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
HAND_FILE = DATA_DIR / "train_hand.txt"
OUT_FILE = DATA_DIR / "train.jsonl"

CODES = {
    "T": "technical",
    "F": "financial",
    "C": "commercial",
    "X": "cancellation",
    "H": "human_request",
    "G": "greeting",
    "O": "other",
}
SENT = {"n": "neutral", "f": "frustrated", "u": "urgent", "s": "satisfied"}

OPENERS = [
    "",
    "",
    "",
    "oi, ",
    "oi ",
    "olá, ",
    "ola ",
    "bom dia, ",
    "bom dia! ",
    "boa tarde, ",
    "boa tarde ",
    "boa noite, ",
    "oi tudo bem? ",
    "bom dia, tudo bem? ",
    "olá, sou cliente de vocês, ",
    "oi, aqui é a Maria do apto 12, ",
    "boa tarde, meu nome é Carlos, ",
    "sou cliente faz 3 anos e ",
    "oi moço, ",
    "bom dia pessoal, ",
    "ei, ",
    "opa, ",
    "oii ",
    "Boa noite, meu contrato é 88231, ",
]

TAILS = {
    "neutral": [
        "",
        "",
        "",
        "",
        " pode verificar?",
        " o que eu faço?",
        " podem me ajudar?",
        " por favor",
        ", obrigado",
        " pfv",
        "?",
        ".",
        " aguardo retorno",
    ],
    "frustrated": [
        " que raiva",
        ", que absurdo!",
        " de novo!!",
        ", isso é ridículo",
        " 😡",
        " 🤬",
        ", não aguento mais",
        ", vocês não resolvem nunca",
        ", péssimo serviço",
        ", que vergonha",
        " palhaçada",
        ", to muito irritado",
        ", que saco",
        "!!!",
    ],
    "urgent": [
        ", é urgente",
        ", preciso disso hoje",
        " urgente!",
        ", preciso trabalhar",
        ", socorro",
        ", com urgência por favor",
        " o mais rápido possível",
        ", é uma emergência",
        ", tenho reunião daqui a pouco",
        " 🚨",
        ", preciso pra agora",
    ],
}


def expand(pattern: str) -> list[str]:
    """Expand `{a|b|}` alternations into every combination."""
    parts = re.split(r"(\{[^}]*\})", pattern)
    options = [p[1:-1].split("|") if p.startswith("{") else [p] for p in parts]
    return [re.sub(r"\s+", " ", "".join(c)).strip() for c in itertools.product(*options)]


# intent -> list of (template, allowed sentiments, how many samples to draw)
TEMPLATES: dict[str, list[tuple[str, tuple[str, ...], int]]] = {
    "technical": [
        (
            "{minha|a} {internet|conexão|net|fibra} {caiu|parou|está fora do ar|não está funcionando|sumiu|"
            "não funciona}",
            ("neutral", "frustrated", "urgent"),
            45,
        ),
        (
            "a {internet|conexão|net} {está|tá|ta} {lenta|muito lenta|travando|oscilando|instável|uma lesma|"
            "lenta demais}",
            ("neutral", "frustrated", "urgent"),
            40,
        ),
        (
            "{o roteador|o modem|a onu|o aparelho da internet|o equipamento} {está|tá} {com a luz vermelha|"
            "piscando vermelho|desligado|sem luz nenhuma|reiniciando sozinho|com a luz los acesa}",
            ("neutral", "frustrated", "urgent"),
            35,
        ),
        (
            "{o wifi|a rede wifi|o sinal do wifi|o wi-fi} "
            "{não aparece|sumiu|não conecta|está fraco|cai toda hora|"
            "não pega no quarto}",
            ("neutral", "frustrated"),
            30,
        ),
        (
            "{estou|to|tô|fiquei} sem {internet|sinal|conexão|net} "
            "{desde ontem|desde cedo|há 2 dias|faz umas horas|"
            "desde a chuva|desde segunda|}",
            ("neutral", "frustrated", "urgent"),
            45,
        ),
        (
            "{contratei|pago por|assinei} {200|300|500} "
            "mega e {só chega|recebo|o teste dá|o speedtest mostra} "
            "{10|20|50|80}",
            ("neutral", "frustrated"),
            20,
        ),
        (
            "{preciso de|quero|gostaria de} {uma visita técnica|um técnico aqui em casa|suporte técnico|"
            "agendar o técnico}",
            ("neutral", "urgent", "frustrated"),
            20,
        ),
        (
            "{a internet|a conexão|o sinal} {cai|some|fica ruim} {toda noite|quando chove|no horário de pico|"
            "toda hora|várias vezes por dia}",
            ("neutral", "frustrated"),
            25,
        ),
    ],
    "financial": [
        (
            "{preciso|quero|gostaria} {da|de uma} {segunda via|2ª via|2 via|2a via} "
            "{do boleto|da fatura|da conta|}",
            ("neutral", "urgent"),
            35,
        ),
        (
            "{me manda|me envia|manda|envia|pode mandar} {o boleto|a fatura|a conta|o pix|a chave pix|"
            "o código de barras|o link de pagamento} {desse mês|do mês|atualizado|}",
            ("neutral", "urgent"),
            40,
        ),
        (
            "{já paguei|paguei|fiz o pagamento|fiz o pix|quitei a fatura} {ontem|hoje|semana passada|} e "
            "{a internet continua bloqueada|ainda não liberou|continua cortado|consta em aberto|"
            "não deram baixa}",
            ("neutral", "frustrated", "urgent"),
            40,
        ),
        (
            "{quero|preciso} {negociar|parcelar} {minha dívida|as faturas atrasadas|o débito}",
            ("neutral",),
            15,
        ),
        (
            "{a fatura|o boleto|a cobrança|a conta} {veio|está|chegou} "
            "{errada|com valor errado|mais cara|duplicada|"
            "com cobrança indevida}",
            ("neutral", "frustrated"),
            30,
        ),
        (
            "{quero|gostaria de|preciso} {mudar|alterar|trocar} {a data de vencimento|o vencimento|"
            "o dia de pagamento}",
            ("neutral",),
            12,
        ),
        (
            "{quero o|preciso do|libera o|faz o} desbloqueio {da internet|de confiança|da minha conexão|}",
            ("neutral", "urgent"),
            20,
        ),
        (
            "{qual|quanto é|quanto está} "
            "{o valor da minha fatura|minha mensalidade|o meu boleto|o total em aberto}",
            ("neutral",),
            15,
        ),
    ],
    "commercial": [
        (
            "{quero|gostaria de|tenho interesse em} {contratar|assinar} "
            "{internet|um plano|fibra|a internet de vocês} "
            "{pra minha casa|pro meu apartamento|pra empresa|}",
            ("neutral", "urgent"),
            30,
        ),
        (
            "{quanto custa|qual o valor do|qual o preço do} "
            "plano de {100|300|500|600|800|1000} {mega|megas|mb}",
            ("neutral",),
            25,
        ),
        (
            "{quero|gostaria de|dá pra} {mudar|trocar|aumentar|subir} {meu plano|a velocidade|de plano} "
            "{pra 500|pro de 1 giga|pra um maior|pra um mais barato|}",
            ("neutral",),
            30,
        ),
        (
            "{vocês atendem|tem cobertura|chega fibra|tem internet de vocês} {no bairro Centro|na Vila Nova|"
            "no meu endereço|na minha rua|em Santa Luzia|no condomínio Primavera}?",
            ("neutral",),
            20,
        ),
        (
            "{vou mudar|estou mudando|vou me mudar} "
            "de {casa|endereço|apartamento}, {como faço pra levar a internet|"
            "vocês instalam no endereço novo|quero transferir o plano}",
            ("neutral",),
            15,
        ),
    ],
    "cancellation": [
        (
            "{quero|preciso|gostaria de|vou} {cancelar|encerrar|rescindir} {meu contrato|a internet|o plano|"
            "minha assinatura|o serviço}",
            ("neutral", "frustrated", "urgent"),
            35,
        ),
        (
            "{quero|preciso} cancelar {porque|pois} {vou me mudar|está caro|a internet não funciona|"
            "achei mais barato em outra|estou desempregado}",
            ("neutral", "frustrated"),
            20,
        ),
        (
            "se {não resolverem|continuar caindo|não voltar hoje|não arrumarem} {vou cancelar|eu cancelo|"
            "cancelo o contrato|vou trocar de operadora}",
            ("frustrated",),
            20,
        ),
    ],
    "human_request": [
        (
            "{quero|preciso|gostaria de|posso} falar com {um atendente|uma pessoa|um humano|alguém|"
            "um atendente de verdade|o atendimento humano}",
            ("neutral", "frustrated", "urgent"),
            30,
        ),
        (
            "{me passa|me transfere|me encaminha|me coloca} {pra|para|com} {um atendente|uma pessoa|"
            "o atendimento humano|um humano}",
            ("neutral", "frustrated", "urgent"),
            20,
        ),
        (
            "{não quero|chega de} "
            "{falar com robô|bot|mensagem automática}, {quero|me passa} {um atendente|uma pessoa}",
            ("frustrated",),
            12,
        ),
        (
            "quero falar com um atendente sobre {minha fatura|a internet lenta|o cancelamento|meu plano}",
            ("neutral",),
            8,
        ),
    ],
    "greeting": [
        (
            "{obrigado|obrigada|valeu|muito obrigado} "
            "{pela ajuda|pelo atendimento|pela paciência|}{!| 😊| 🙏|}",
            ("satisfied",),
            25,
        ),
        ("{oi|olá|bom dia|boa tarde|boa noite}{,|!|} {tudo bem|tudo bom|como vai}?", ("neutral",), 15),
    ],
    "other": [
        (
            "{ok|certo|beleza|tá bom|entendi}{,|} {vou ver aqui|aguardo|vou esperar|depois eu vejo}",
            ("neutral",),
            15,
        ),
    ],
}

# Foreign-language templates: enough for routing, not a full second language.
FOREIGN: list[tuple[str, str, str, str, int]] = [
    (
        "en",
        "technical",
        "neutral",
        "{my|the} {internet|connection|wifi} {is down|is slow|keeps dropping|"
        "stopped working|is not working} {since yesterday|since this morning|today|}",
        15,
    ),
    (
        "en",
        "financial",
        "neutral",
        "{I need|please send me|can I get} {my bill|the invoice|a copy of my invoice|"
        "the payment slip|the pix key}",
        10,
    ),
    (
        "en",
        "commercial",
        "neutral",
        "{how much is|what is the price of|I want} the {300|500|1000} {mb|mega|meg} plan",
        8,
    ),
    (
        "en",
        "cancellation",
        "neutral",
        "{I want to|I need to|please} cancel {my contract|my plan|the service|my internet}",
        8,
    ),
    (
        "en",
        "human_request",
        "neutral",
        "{I want to|can I|let me} {talk|speak} {to|with} {a human|an agent|a person|someone}",
        8,
    ),
    (
        "es",
        "technical",
        "neutral",
        "{mi|el} {internet|wifi|conexión} {no funciona|está lento|se cae|se cortó} "
        "{desde ayer|desde la mañana|hoy|}",
        15,
    ),
    (
        "es",
        "financial",
        "neutral",
        "{necesito|envíame|quiero} {la factura|el recibo|la segunda vía|"
        "el código de pago} {del mes|de este mes|}",
        10,
    ),
    (
        "es",
        "commercial",
        "neutral",
        "{cuánto cuesta|quiero|qué precio tiene} el plan de {300|500|1000} megas",
        8,
    ),
    (
        "es",
        "cancellation",
        "neutral",
        "{quiero|necesito} {cancelar|dar de baja} {mi contrato|el servicio|mi plan|el internet}",
        8,
    ),
    (
        "es",
        "human_request",
        "neutral",
        "{quiero|necesito} hablar con {una persona|un asesor|un agente|alguien}",
        8,
    ),
]


# Orders from shops and marketplaces (issue 13): the real evaluation messages are order reviews, whose
# requests (late, missing, wrong, broken, refund, return) and plain reviews the telecom lines above never
# show. (intent, sentiment, pattern, how many samples); written for the project, like everything here.
P = "{o produto|o pedido|a mercadoria|a encomenda|minha compra|o item}"
SHOP: list[tuple[str, str, str, int]] = [
    (
        "commercial",
        "neutral",
        P + " {ainda não chegou|não foi entregue|não chegou até hoje|ainda não foi entregue|"
        "está atrasado|não saiu da transportadora}{| como faço?| qual a previsão?| podem verificar?|.}",
        40,
    ),
    (
        "commercial",
        "frustrated",
        P + " {não chegou|não foi entregue|está atrasado|sumiu} e {ninguém responde|"
        "ninguém dá satisfação|o prazo já venceu|já faz um mês"
        "|já reclamei duas vezes}{|!|, que descaso|, absurdo}",
        40,
    ),
    (
        "commercial",
        "neutral",
        "{comprei|pedi} {2|3|4|dois|três|um kit com 6} {e|mas} {só veio|chegou só|recebi apenas} "
        "{1|um|uma|parte|metade}{|, cadê o resto?|, como recebo o restante?|.}",
        30,
    ),
    (
        "commercial",
        "neutral",
        "{veio|recebi|chegou|mandaram} {o produto errado|outro modelo|a cor errada|"
        "o tamanho errado|outro produto|um item diferente do anunciado|a versão errada}{|, quero o correto|"
        ", como faço a troca?|.}",
        35,
    ),
    (
        "commercial",
        "neutral",
        "{faltou|não veio|não recebi} {a nota fiscal|o manual|uma peça|os parafusos|"
        "o cabo|a tampa|um dos itens|o segundo volume}{ do pedido| na caixa| da compra}",
        30,
    ),
    (
        "commercial",
        "frustrated",
        "{loja boa|gostei da loja|produto parece bom|a loja é confiável} mas {ainda não recebi|"
        "o pedido não chegou|falta chegar uma parte|até agora nada do pedido}",
        15,
    ),
    (
        "commercial",
        "urgent",
        P + " {vai chegar até sexta|chega antes do natal|chega até sábado|chega a tempo}? "
        "{é presente|preciso muito|é urgente|tenho pressa}",
        15,
    ),
    (
        "technical",
        "neutral",
        P + " {veio|chegou} {com defeito|quebrado|trincado|sem funcionar|com peça quebrada|"
        "riscado e não liga}{, o que faço?| quero uma solução|, e agora?|, preciso de ajuda}",
        35,
    ),
    (
        "technical",
        "frustrated",
        "{o aparelho|o produto|a máquina|o carregador|o fone} {parou de funcionar|não liga|"
        "quebrou|deu defeito} {em uma semana|no primeiro uso|depois de dois dias"
        "|logo que chegou}{|, que decepção|"
        ", péssimo|!!}",
        30,
    ),
    (
        "financial",
        "neutral",
        "{quero|preciso|aguardo} {o reembolso|o estorno|meu dinheiro de volta|a devolução do valor}"
        "{| do pedido| da compra| no cartão}{|, o produto não chegou"
        "|, já devolvi o item|, a compra foi cancelada}",
        35,
    ),
    (
        "financial",
        "frustrated",
        "{já devolvi|cancelaram o pedido|devolvi faz um mês} e {o estorno não caiu|"
        "não recebi o dinheiro|a cobrança continua no cartão|nada do reembolso}{"
        "|!|, absurdo|, quero meu dinheiro}",
        20,
    ),
    (
        "cancellation",
        "neutral",
        "{quero|gostaria de|desejo|preciso} {cancelar|devolver|desistir de} "
        "{o pedido|a compra|o produto|este pedido|essa compra}{|, não quero mais|, comprei errado|"
        ", não serviu|, como faço?}",
        35,
    ),
    (
        "greeting",
        "satisfied",
        "{recebi|chegou|chegou tudo certo|recebi o pedido} {hoje|antes do prazo|rapidinho|"
        "direitinho|}{, muito obrigado|, obrigada!|. Obrigado pela atenção|, grato|, agradeço}",
        30,
    ),
    (
        "other",
        "satisfied",
        "{produto|material|acabamento|qualidade} {ótimo|excelente|muito bom|de primeira|"
        "perfeito|maravilhoso}{|, recomendo|, chegou antes do prazo|, entrega rápida|!|, gostei muito}",
        40,
    ),
    (
        "other",
        "satisfied",
        "{entrega|chegou} {rápida|muito rápida|antes do prazo|dentro do prazo|no prazo certinho}"
        "{|, produto conforme anunciado|, tudo certo|, recomendo a loja|, bem embalado|. Nota 10}",
        40,
    ),
    (
        "other",
        "satisfied",
        "{recomendo|super recomendo|indico|loja nota 10|comprarei novamente|voltarei a comprar}"
        "{|, ótimo vendedor|, produto igual à foto|, tudo perfeito|!}",
        20,
    ),
    (
        "other",
        "neutral",
        "{o produto é|achei o produto|o item é} {menor|maior|mais fino|mais simples|mais escuro|"
        "diferente} do que {eu esperava|parecia na foto|imaginei}{|, mas serve|, mas ok|}",
        30,
    ),
    (
        "other",
        "neutral",
        "{chegou|veio|foi entregue} {com atraso|depois do prazo|uns dias depois} mas {chegou|"
        "está tudo certo|o produto é bom|funciona}",
        20,
    ),
    (
        "other",
        "neutral",
        "{ainda não usei|ainda não instalei|ainda não testei|não abri ainda} {o produto||a peça}"
        "{|, mas parece bom|, depois digo}",
        15,
    ),
    (
        "other",
        "neutral",
        "{a entrega|o prazo|o frete} {poderia ser|deveria ser|podia ser} {mais rápido|menor|"
        "mais barato|melhor}{|, de resto tudo certo|, mas o produto é bom}",
        20,
    ),
    (
        "other",
        "frustrated",
        "{produto|material|qualidade|acabamento} {péssimo|horrível|muito ruim|de baixa qualidade|"
        "fraco|vagabundo}{|, não recomendo|, não vale o preço|, nunca mais compro|!!}",
        35,
    ),
    (
        "other",
        "frustrated",
        "{demorou demais|atrasou muito|levou um mês} {pra chegar|a entrega|}{, não compro mais|"
        ", não recomendo|, péssimo serviço|, loja enrolada}",
        20,
    ),
]


def parse_hand(path: Path) -> list[dict]:
    """Parse `CODE SENT [lang:]text` lines; the compact format keeps hand-writing fast."""
    rows = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        code, sent, text = line.split(" ", 2)
        lang = "pt"
        m = re.match(r"^(en|es):(.*)$", text)
        if m:
            lang, text = m.group(1), m.group(2)
        if code not in CODES or sent not in SENT:
            raise ValueError(f"{path}:{lineno}: bad label in {raw!r}")
        rows.append(
            {"text": text, "intent": CODES[code], "sentiment": SENT[sent], "lang": lang, "src": "hand"}
        )
    return rows


def compose(seed: int = 20240611) -> list[dict]:
    rng = random.Random(seed)
    rows = parse_hand(HAND_FILE)
    seen = {r["text"].lower() for r in rows}
    for intent, templates in TEMPLATES.items():
        for t_index, (pattern, sentiments, count) in enumerate(templates):
            cores = expand(pattern)
            rng.shuffle(cores)
            for i in range(count):
                core = cores[i % len(cores)]
                sentiment = sentiments[i % len(sentiments)]
                opener = "" if intent in ("greeting", "other") else rng.choice(OPENERS)
                tail = "" if intent in ("greeting", "other") else rng.choice(TAILS[sentiment])
                text = (opener + core + tail).strip()
                if rng.random() < 0.25:
                    text = text[0].upper() + text[1:]
                if text.lower() in seen:
                    continue
                seen.add(text.lower())
                rows.append(
                    {
                        "text": text,
                        "intent": intent,
                        "sentiment": sentiment,
                        "lang": "pt",
                        "src": f"tpl:{intent}:{t_index}",
                    }
                )
    for f_index, (lang, intent, sentiment, pattern, count) in enumerate(FOREIGN):
        cores = expand(pattern)
        rng.shuffle(cores)
        for core in cores[:count]:
            if core.lower() in seen:
                continue
            seen.add(core.lower())
            rows.append(
                {
                    "text": core,
                    "intent": intent,
                    "sentiment": sentiment,
                    "lang": lang,
                    "src": f"tpl:{lang}:{f_index}",
                }
            )
    for s_index, (intent, sentiment, pattern, count) in enumerate(SHOP):
        cores = expand(pattern)
        rng.shuffle(cores)
        for core in cores[:count]:
            text = core[0].upper() + core[1:] if rng.random() < 0.4 else core
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append(
                {
                    "text": text,
                    "intent": intent,
                    "sentiment": sentiment,
                    "lang": "pt",
                    "src": f"tpl:shop:{s_index}",
                }
            )
    return rows


def main() -> None:
    rows = compose()
    with OUT_FILE.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUT_FILE}")


if __name__ == "__main__":
    main()
