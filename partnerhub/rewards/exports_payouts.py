"""Payout runs for accounting: CSV, and the 1C client-bank exchange file (payment orders).

The 1C file is the plain-text format 1C:Enterprise's "client-bank" exchange reads and writes
(``1CClientBankExchange``, format version 1.03), encoded in Windows-1251 with CRLF line ends: a header
(format, encoding, sender, creation date and time, the period, the payer's account), one
``СекцияДокумент=Платежное поручение`` section per partner, ``КонецФайла`` at the end. Each payment order
carries: ``Номер`` (the payout's id), ``Дата`` (the run's payment date or today), ``Сумма`` (roubles, a dot
and two decimals), the payer (``ПлательщикСчет``, ``Плательщик``, ``ПлательщикИНН``, ``ПлательщикКПП``,
``ПлательщикБанк1``, ``ПлательщикБИК`` from the ``REWARDS_PAYER_*`` settings), the recipient
(``Получатель``, ``ПолучательИНН``, ``ПолучательКПП`` from the partner organisation; ``ПолучательСчет``,
``ПолучательБанк1``, ``ПолучательБИК`` are left empty: 1C completes them from its counterparty directory
by INN), ``ВидОплаты=01`` (a payment order), ``Очередность=5`` and ``НазначениеПлатежа`` (the purpose:
the run and the partner's reward, "Без НДС"). Payment orders are in roubles: only RUB runs are exported so.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from django.conf import settings
from django.utils import timezone

from .exports import _safe
from .models import PayoutItem, PayoutRun

CSV_COLUMNS = ("run", "payout", "partner", "inn", "kpp", "currency", "amount", "status", "paid_on", "entry")


def run_csv(run: PayoutRun, items: list[PayoutItem]) -> str:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";")
    w.writerow(CSV_COLUMNS)
    for i in items:
        org = i.organisation
        w.writerow([run.pk, i.pk, _safe(org.name), org.inn, org.kpp, i.currency, i.amount, run.status,
                    run.paid_on.isoformat() if run.paid_on else "", i.entry_id or ""])  # fmt: skip
    return buf.getvalue()


def _clean(value: str) -> str:
    """One line of the exchange file: no line breaks or '=' surprises, only what cp1251 can encode."""
    text = " ".join(str(value or "").split())
    return text.encode("cp1251", errors="replace").decode("cp1251")


def run_1c(run: PayoutRun, items: list[PayoutItem], *, now=None) -> bytes:
    now = timezone.localtime(now or timezone.now())
    on: date = run.paid_on or now.date()
    d = on.strftime("%d.%m.%Y")
    payer = {
        "account": settings.REWARDS_PAYER_ACCOUNT, "name": settings.REWARDS_PAYER_NAME,
        "inn": settings.REWARDS_PAYER_INN, "kpp": settings.REWARDS_PAYER_KPP, "bank": settings.REWARDS_PAYER_BANK,
        "bik": settings.REWARDS_PAYER_BIK,
    }  # fmt: skip
    lines = [
        "1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "Отправитель=Partnerhub", "Получатель=",
        f"ДатаСоздания={now:%d.%m.%Y}", f"ВремяСоздания={now:%H:%M:%S}", f"ДатаНачала={d}", f"ДатаКонца={d}",
        f"РасчСчет={payer['account']}", "Документ=Платежное поручение",
    ]  # fmt: skip
    for i in items:
        org = i.organisation
        purpose = f"Выплата партнерского вознаграждения, выплата №{i.pk}, реестр №{run.pk}. Без НДС"
        lines += [
            "СекцияДокумент=Платежное поручение", f"Номер={i.pk}", f"Дата={d}", f"Сумма={i.amount:.2f}",
            f"ПлательщикСчет={payer['account']}", f"Плательщик={payer['name']}", f"ПлательщикИНН={payer['inn']}",
            f"Плательщик1={payer['name']}", f"ПлательщикРасчСчет={payer['account']}",
            f"ПлательщикБанк1={payer['bank']}", f"ПлательщикБИК={payer['bik']}", f"ПлательщикКПП={payer['kpp']}",
            "ПолучательСчет=", f"Получатель={org.name}", f"ПолучательИНН={org.inn}", f"Получатель1={org.name}",
            "ПолучательРасчСчет=", "ПолучательБанк1=", "ПолучательБИК=", f"ПолучательКПП={org.kpp}",
            "ВидОплаты=01", "Очередность=5", f"НазначениеПлатежа={purpose}", "КонецДокумента",
        ]  # fmt: skip
    lines.append("КонецФайла")
    return ("\r\n".join(_clean(line) for line in lines) + "\r\n").encode("cp1251", errors="replace")
