"""Text normalisation and feature extraction shared by training and inference.

Customer messages arrive with typos, missing accents, slang, emojis and all
caps. The classifier is linear, so every spelling it has not seen is a feature
it cannot use; folding the common variants onto one canonical token here is
what lets a model trained on a couple of thousand lines generalise. Anything
changed in this module changes the features, so the model must be retrained
(`atende triage train`) afterwards; the model file records FEATURE_VERSION
and refuses to load against a different one.
"""

from __future__ import annotations

import re
import unicodedata

FEATURE_VERSION = 3

# Past this many characters a message is truncated: intent is stated early,
# and the cap keeps per-message latency bounded for pasted walls of text.
MAX_CHARS = 600

_EMOJI_GROUPS: dict[str, str] = {
    "😡🤬😠👿💢😤🖕": " _emo_raiva_ ",
    "😭😢😞😔☹🙁😩😫😖😣😓😿💔": " _emo_triste_ ",
    "😀😃😄😁😊🙂😍🥰😘❤♥💙💚💜🤩👏🎉✅😎🥳💯⭐🌟": " _emo_feliz_ ",
    "👍👌🆗✌🤙": " _emo_ok_ ",
    "🙏": " _emo_obrigado_ ",
    "😂🤣😆😅😹": " _riso_ ",
    "🚨⚠‼❗⏰🆘🔥⏳⌛": " _emo_urgente_ ",
    "👋": " _emo_aceno_ ",
    "🤔😕😐🤷😶🙄😒": " _emo_duvida_ ",
    "💰💸💵💳🤑": " _emo_dinheiro_ ",
    "📶📡🌐💻📱🖥📺": " _emo_tech_ ",
}
_EMOJI: dict[int, str] = {ord(ch): tok for chars, tok in _EMOJI_GROUPS.items() for ch in chars}
# Modifiers that only change how an emoji looks (skin tone, presentation, joiners).
_INVISIBLE = {0xFE0F, 0xFE0E, 0x200D, 0x20E3, *range(0x1F3FB, 0x1F400)}

# Token -> canonical replacement (may be several words). Keys are already
# lowercase, accent-free and with repeated letters collapsed.
# fmt: off
SLANG: dict[str, str] = {
    # Portuguese chat abbreviations
    "vc": "voce", "vcs": "voces", "voc": "voce", "ce": "voce", "oce": "voce",
    "q": "que", "oq": "o que", "oque": "o que", "pq": "porque", "pk": "porque", "porq": "porque",
    "xq": "porque", "n": "nao", "nn": "nao", "naum": "nao", "nau": "nao", "ñ": "nao",
    "tb": "tambem", "tbm": "tambem", "tmb": "tambem", "tbn": "tambem",
    "blz": "beleza", "vlw": "valeu", "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigado",
    "obrigada": "obrigado", "brigado": "obrigado", "brigada": "obrigado", "obrigadao": "obrigado",
    "brigadao": "obrigado", "grato": "obrigado", "grata": "obrigado",
    "pfv": "por favor", "pfvr": "por favor", "pf": "por favor", "porfa": "por favor", "pls": "please",
    "plz": "please", "plis": "please",
    "msg": "mensagem", "td": "tudo", "tds": "todos", "hj": "hoje", "dps": "depois", "msm": "mesmo",
    "agr": "agora", "nd": "nada", "nda": "nada", "mt": "muito", "mto": "muito", "mta": "muita",
    "mtas": "muitas", "mtos": "muitos", "dms": "demais", "qdo": "quando", "qnd": "quando", "qndo": "quando",
    "qto": "quanto", "qnt": "quanto", "qnto": "quanto", "qt": "quanto", "cmg": "comigo", "ctg": "contigo",
    "ta": "esta", "tava": "estava", "tao": "estao", "kd": "cade", "qro": "quero", "qero": "quero",
    "kero": "quero", "qr": "quer", "pra": "para", "pa": "para", "d": "de", "eh": "e", "ngm": "ninguem",
    "alg": "alguem", "algm": "alguem", "hr": "horas", "hrs": "horas", "tel": "telefone", "cel": "celular",
    "fone": "telefone", "cm": "com", "sla": "sei la", "mds": "meu deus", "pqp": "_palavrao_",
    "fdp": "_palavrao_", "vsf": "_palavrao_", "porra": "_palavrao_", "merda": "_palavrao_",
    "caralho": "_palavrao_", "krl": "_palavrao_", "crl": "_palavrao_", "bosta": "_palavrao_",
    "fudeu": "_palavrao_", "foda": "_palavrao_", "poha": "_palavrao_", "droga": "_palavrao_",
    "aff": "af", "afe": "af", "afff": "af", "vei": "velho", "mano": "cara",
    # channel and product vocabulary
    "net": "internet", "intenet": "internet", "internete": "internet", "internt": "internet",
    "interne": "internet", "inernet": "internet", "itnernet": "internet", "intrnet": "internet",
    "internetes": "internet", "internetr": "internet", "wi": "wifi", "wify": "wifi", "wiifi": "wifi",
    "uaifai": "wifi", "waifai": "wifi", "wireless": "wifi",
    "zap": "whatsapp", "zapzap": "whatsapp", "wpp": "whatsapp", "whats": "whatsapp", "wats": "whatsapp",
    "mb": "mega", "megas": "mega", "mbps": "mega", "mbs": "mega", "mega": "mega", "megabits": "mega",
    "gb": "giga", "gigas": "giga", "gbps": "giga", "gigabit": "giga", "gigabits": "giga",
    "modem": "modem", "moden": "modem", "roteador": "roteador", "rotiador": "roteador", "roteado": "roteador",
    "adm": "administrador", "admin": "administrador",
    "canselar": "cancelar", "cancela": "cancelar", "cancelo": "cancelar", "cancelem": "cancelar",
    "cansela": "cancelar", "canselamento": "cancelamento",
    "atendenti": "atendente", "atendende": "atendente", "atedente": "atendente",
    "boleta": "boleto", "bolet": "boleto", "fatuar": "fatura",
    # English
    "u": "you", "ur": "your", "thx": "thanks", "ty": "thanks", "asap": "urgent",
}
# fmt: on

_RE_SEGUNDA_VIA = re.compile(r"\b(?:2|ii|seg)\s*[ªºa°o]?\s*\.?\s*-?\s*via\b")
_RE_WIFI = re.compile(r"\bwi\s*-?\s*fi\b")
_RE_LAUGH = re.compile(r"\b(?:k{2,}|(?:ha){2,}h?|(?:he){2,}h?|(?:hu){2,}|(?:rs){1,}|(?:ja){2,}|lol|lmao)\b")
_RE_REPEAT = re.compile(r"([a-z])\1{2,}")
_RE_DIGIT_SPLIT = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
_RE_TOKEN = re.compile(r"[a-z0-9_]+")


def _map_symbols(text: str) -> str:
    """Turn emojis into a handful of sentiment tokens; drop the rest of the pictographs."""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x2000:
            out.append(ch)
        elif code in _EMOJI:
            out.append(_EMOJI[code])
        elif code in _INVISIBLE:
            continue
        elif unicodedata.category(ch) == "So":
            out.append(" _emo_ ")
        else:
            out.append(ch)
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def shape_flags(text: str) -> list[str]:
    """Typographic signals of tone that lowercasing would otherwise erase."""
    flags = []
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 4 and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters):
        flags.append("caps")
    if "!!" in text or "!?" in text or "?!" in text:
        flags.append("excl2")
    elif "!" in text:
        flags.append("excl")
    if "?" in text:
        flags.append("quest")
    return flags


def tokens(text: str) -> list[str]:
    """Normalised tokens: lowercase, no accents, slang expanded, numbers folded."""
    text = text[:MAX_CHARS]
    if any(ord(ch) >= 0x2000 for ch in text):
        text = _map_symbols(text)
    text = text.lower()
    text = _RE_SEGUNDA_VIA.sub(" segunda via ", text)
    text = _strip_accents(text)
    text = _RE_SEGUNDA_VIA.sub(" segunda via ", text)
    text = _RE_WIFI.sub(" wifi ", text)
    text = _RE_LAUGH.sub(" _riso_ ", text)
    text = _RE_REPEAT.sub(r"\1", text)
    text = _RE_LAUGH.sub(" _riso_ ", text)
    text = _RE_DIGIT_SPLIT.sub(" ", text)
    out: list[str] = []
    for tok in _RE_TOKEN.findall(text):
        if tok.isdigit():
            out.append("_num_")
            continue
        repl = SLANG.get(tok)
        if repl is None:
            out.append(tok)
        elif " " in repl:
            out.extend(repl.split())
        else:
            out.append(repl)
    return out


def _length_bucket(n: int) -> str:
    if n <= 2:
        return str(n)
    if n <= 4:
        return "3-4"
    if n <= 8:
        return "5-8"
    if n <= 16:
        return "9-16"
    return "17+"


def features(text: str) -> set[str]:
    """Sparse binary features: word uni/bigrams, in-word char 3-5-grams, length and shape.

    Char n-grams are what make unseen typos ("intenet", "lentidao") land near
    the right word; bigrams with sentence boundaries let "oi" alone differ
    from "oi, minha internet caiu".
    """
    toks = tokens(text)
    feats = {"len=" + _length_bucket(len(toks))}
    for flag in shape_flags(text[:MAX_CHARS]):
        feats.add("s=" + flag)
    if not toks:
        feats.add("w=<empty>")
        return feats
    prev = "<s>"
    for tok in toks:
        feats.add("w=" + tok)
        feats.add("b=" + prev + " " + tok)
        prev = tok
        if tok[0] != "_" and len(tok) > 1:
            padded = "<" + tok + ">"
            size = len(padded)
            for n in (3, 4, 5):
                for i in range(size - n + 1):
                    feats.add("c=" + padded[i : i + n])
    feats.add("b=" + prev + " </s>")
    return feats
