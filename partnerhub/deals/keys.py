"""Normalised customer keys that the claim matcher compares.

A company is recognised by three keys:

* its INN (digits only);
* its name, with legal forms removed (ООО, АО, LLC, JSC...), quotes, punctuation and case
  dropped, ё folded to е, transliterated to Latin and folded further so that the usual
  spellings of one name in Cyrillic and Latin meet ("Яндекс" and "Yandex" both give
  ``iandeks``);
* its e-mail or web domain, reduced to the registrable domain, public mail services ignored.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LONG_LEGAL_FORMS = (
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "государственное унитарное предприятие",
    "федеральное государственное унитарное предприятие",
    "автономная некоммерческая организация",
    "limited liability company",
    "public joint stock company",
    "joint stock company",
    "private limited company",
    "public limited company",
)
LEGAL_FORMS = _words(
    """
    ооо оао зао пао ао нао ип чп тоо гк нко ано фгуп гуп муп кфх пк
    llc ltd limited jsc pjsc cjsc ojsc inc corp corporation co company gmbh ag plc sa llp lp
    ooo zao oao pao ao nao ip
    рао нпо лтд лимитед инк инкорпорейтед инкорпорэйтед корп корпорейшн корпорэйшн ллк ллс плс гмбх аг
    ink inkorporeited inkorporeyted inkorporejted
    """
)
PUBLIC_MAIL_DOMAINS = _words(
    """
    gmail.com googlemail.com mail.ru bk.ru list.ru inbox.ru internet.ru yandex.ru ya.ru yandex.com
    yandex.kz yandex.by narod.ru rambler.ru lenta.ru autorambler.ru ro.ru outlook.com hotmail.com live.com
    msn.com yahoo.com icloud.com me.com mac.com proton.me protonmail.com gmx.com gmx.de aol.com zoho.com
    qip.ru pochta.ru tut.by ukr.net
    """
)
# Second-level labels under which companies register their names.
SHARED_SECOND_LEVEL = _words(
    """
    com.ru net.ru org.ru pp.ru msk.ru spb.ru co.uk org.uk com.ua com.kz org.kz com.by co.il com.cn com.au
    """
)

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "i", "ь": "",
    "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "i", "є": "e", "ў": "u", "ә": "a", "ғ": "g", "қ": "k",
    "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
# Latin spellings folded so that the common transliterations of one name meet.
_LATIN_FOLDS = (
    ("shch", "sch"),
    ("kh", "h"),
    ("ph", "f"),
    ("tz", "ts"),
    ("ck", "k"),
    ("w", "v"),
    ("q", "k"),
    ("y", "i"),
    ("j", "i"),
)
_NON_WORD = re.compile(r"[^0-9a-zа-я]+")
_REPEATS = re.compile(r"(.)\1+")


def _fold_latin(token: str) -> str:
    for src, dst in _LATIN_FOLDS:
        token = token.replace(src, dst)
    token = token.replace("x", "ks")
    return _REPEATS.sub(r"\1", token)


def transliterate(text: str) -> str:
    return "".join(_CYRILLIC.get(ch, ch) for ch in text)


def name_key(name: str) -> str:
    """The comparable form of a company name ("" when nothing significant is left)."""
    text = (name or "").lower().replace("ё", "е")
    for form in LONG_LEGAL_FORMS:
        text = text.replace(form, " ")
    tokens = [t for t in _NON_WORD.split(text) if t and t not in LEGAL_FORMS]
    folded = [_fold_latin(transliterate(t)) for t in tokens]
    return " ".join(t for t in folded if t)


# Longer sorted keys carry only their exact key: a name that long has words to spare, so it keeps a
# high token-sort ratio under a slip only if the same key (or a near one) is typed; see match_keys.
NEAR_KEYS_MAX_LENGTH = 64
# Words this long are keys of their own: two spellings of a longer name that differ in more than one
# place ("Romashka Plus Group" and "Ромашка Плюс") still meet on a word they share.
WORD_KEY_MIN_LENGTH = 4


def _sorted_key(name_key: str) -> str:
    return "_".join(sorted(name_key.split()))


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))} - {""}


def match_keys(name_key: str) -> list[str]:
    """The exact keys a claim is found by (``Claim.match_keys``).

    ``=`` + the name key with its words sorted (word order does not matter), and for a key of up to
    ``NEAR_KEYS_MAX_LENGTH`` characters ``~`` + each spelling with one character deleted: two names
    one keyboard slip apart (a letter dropped, doubled, swapped with its neighbour or mistyped) share
    one of these, so the candidate query finds them by equality (a GIN index lookup) rather than by
    similarity over every claim. And ``+`` + each word of ``WORD_KEY_MIN_LENGTH`` letters or more.
    rapidfuzz then scores each candidate (``deals.matching``).
    """
    key = _sorted_key(name_key)
    if not key:
        return []
    near = sorted("~" + v for v in _deletions(key)) if len(key) <= NEAR_KEYS_MAX_LENGTH else []
    return ["=" + key, *near, *_word_keys(name_key)]


def _word_keys(name_key: str) -> list[str]:
    return sorted({"+" + word for word in name_key.split() if len(word) >= WORD_KEY_MIN_LENGTH})


def lookup_keys(name_key: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """What to look a name up by, nearest first: (the same key; one character more or less; one
    character different or two letters swapped; a significant word in common). Each is matched
    against stored ``match_keys``."""
    key = _sorted_key(name_key)
    if not key:
        return [], [], [], []
    shorter = sorted(_deletions(key)) if len(key) <= NEAR_KEYS_MAX_LENGTH + 1 else []
    return ["=" + key], ["~" + key, *("=" + v for v in shorter)], ["~" + v for v in shorter], _word_keys(name_key)


def inn_key(inn: str) -> str:
    return re.sub(r"\D", "", inn or "")


def domain_key(value: str) -> str:
    """The registrable domain of an e-mail address, a URL or a bare domain; "" for public mail."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value:
        host = value.rsplit("@", 1)[1]
    else:
        host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2:
        return ""
    keep = 3 if ".".join(labels[-2:]) in SHARED_SECOND_LEVEL and len(labels) >= 3 else 2
    domain = ".".join(labels[-keep:])
    return "" if domain in PUBLIC_MAIL_DOMAINS else domain
