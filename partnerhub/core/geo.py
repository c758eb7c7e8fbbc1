"""Russian regions, their federal districts (macro-regions) and the cities people type instead of a region.

Region names arrive from people: "Москва", "г. Москва", "Московская обл.", "Республика Татарстан",
"Татарстан", "ХМАО", "Moscow". :func:`canonical_region` maps each to one canonical name by a
normalised key (case, ё/е, punctuation, the words "область", "край", "республика", "автономный
округ", "город" ignored), :func:`district_of` gives its federal district. The list follows the
federal districts as set by the decrees on federal districts, since the product serves the
Russian market and its customers' addresses are written that way.

Names of regions and cities are proper names, kept in Russian; the districts' labels are translated.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

CENTRAL = "central"
NORTHWESTERN = "northwestern"
SOUTHERN = "southern"
NORTH_CAUCASIAN = "north_caucasian"
VOLGA = "volga"
URAL = "ural"
SIBERIAN = "siberian"
FAR_EASTERN = "far_eastern"

DISTRICTS = {
    CENTRAL: _("Central Federal District"),
    NORTHWESTERN: _("Northwestern Federal District"),
    SOUTHERN: _("Southern Federal District"),
    NORTH_CAUCASIAN: _("North Caucasian Federal District"),
    VOLGA: _("Volga Federal District"),
    URAL: _("Ural Federal District"),
    SIBERIAN: _("Siberian Federal District"),
    FAR_EASTERN: _("Far Eastern Federal District"),
}

# How people name the districts themselves (a partner may list "ЦФО" among the regions it serves).
# fmt: off
_DISTRICT_ALIASES = {
    CENTRAL: ("центральный федеральный округ", "центральный фо", "цфо", "central federal district", "central"),
    NORTHWESTERN: (
        "северо-западный федеральный округ", "северо-западный фо", "сзфо", "northwestern federal district",
        "north-western federal district", "northwestern",
    ),
    SOUTHERN: ("южный федеральный округ", "южный фо", "юфо", "southern federal district", "southern"),
    NORTH_CAUCASIAN: (
        "северо-кавказский федеральный округ", "северо-кавказский фо", "скфо", "north caucasian federal district",
        "north caucasian",
    ),
    VOLGA: ("приволжский федеральный округ", "приволжский фо", "пфо", "volga federal district", "volga"),
    URAL: ("уральский федеральный округ", "уральский фо", "урфо", "ural federal district", "ural"),
    SIBERIAN: ("сибирский федеральный округ", "сибирский фо", "сфо", "siberian federal district", "siberian"),
    FAR_EASTERN: (
        "дальневосточный федеральный округ", "дальневосточный фо", "дфо", "far eastern federal district",
        "far eastern",
    ),
}
# fmt: on

# canonical name -> (district, other names people use)
REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # Central
    "Москва": (CENTRAL, ("Moscow", "Moskva", "мск")),
    "Московская область": (CENTRAL, ("Подмосковье", "Moskovskaya oblast", "МО")),
    "Белгородская область": (CENTRAL, ()),
    "Брянская область": (CENTRAL, ()),
    "Владимирская область": (CENTRAL, ()),
    "Воронежская область": (CENTRAL, ()),
    "Ивановская область": (CENTRAL, ()),
    "Калужская область": (CENTRAL, ()),
    "Костромская область": (CENTRAL, ()),
    "Курская область": (CENTRAL, ()),
    "Липецкая область": (CENTRAL, ()),
    "Орловская область": (CENTRAL, ()),
    "Рязанская область": (CENTRAL, ()),
    "Смоленская область": (CENTRAL, ()),
    "Тамбовская область": (CENTRAL, ()),
    "Тверская область": (CENTRAL, ()),
    "Тульская область": (CENTRAL, ()),
    "Ярославская область": (CENTRAL, ()),
    # Northwestern
    "Санкт-Петербург": (NORTHWESTERN, ("СПб", "Питер", "Петербург", "Saint Petersburg", "St Petersburg")),
    "Ленинградская область": (NORTHWESTERN, ("Ленобласть", "Leningrad Oblast", "Leningrad region")),
    "Республика Карелия": (NORTHWESTERN, ()),
    "Республика Коми": (NORTHWESTERN, ()),
    "Архангельская область": (NORTHWESTERN, ()),
    "Вологодская область": (NORTHWESTERN, ()),
    "Калининградская область": (NORTHWESTERN, ()),
    "Мурманская область": (NORTHWESTERN, ()),
    "Новгородская область": (NORTHWESTERN, ()),
    "Псковская область": (NORTHWESTERN, ()),
    "Ненецкий автономный округ": (NORTHWESTERN, ("НАО",)),
    # Southern
    "Республика Адыгея": (SOUTHERN, ()),
    "Республика Калмыкия": (SOUTHERN, ()),
    "Республика Крым": (SOUTHERN, ()),
    "Севастополь": (SOUTHERN, ()),
    "Краснодарский край": (SOUTHERN, ("Кубань",)),
    "Астраханская область": (SOUTHERN, ()),
    "Волгоградская область": (SOUTHERN, ()),
    "Ростовская область": (SOUTHERN, ()),
    "Донецкая Народная Республика": (SOUTHERN, ("ДНР",)),
    "Луганская Народная Республика": (SOUTHERN, ("ЛНР",)),
    "Запорожская область": (SOUTHERN, ()),
    "Херсонская область": (SOUTHERN, ()),
    # North Caucasian
    "Республика Дагестан": (NORTH_CAUCASIAN, ()),
    "Республика Ингушетия": (NORTH_CAUCASIAN, ()),
    "Кабардино-Балкарская Республика": (NORTH_CAUCASIAN, ("Кабардино-Балкария", "КБР")),
    "Карачаево-Черкесская Республика": (NORTH_CAUCASIAN, ("Карачаево-Черкесия", "КЧР")),
    "Республика Северная Осетия — Алания": (NORTH_CAUCASIAN, ("Северная Осетия", "Алания")),
    "Чеченская Республика": (NORTH_CAUCASIAN, ("Чечня",)),
    "Ставропольский край": (NORTH_CAUCASIAN, ()),
    # Volga
    "Республика Башкортостан": (VOLGA, ("Башкирия",)),
    "Республика Марий Эл": (VOLGA, ()),
    "Республика Мордовия": (VOLGA, ()),
    "Республика Татарстан": (VOLGA, ("Татария", "Tatarstan")),
    "Удмуртская Республика": (VOLGA, ("Удмуртия",)),
    "Чувашская Республика": (VOLGA, ("Чувашия",)),
    "Пермский край": (VOLGA, ()),
    "Кировская область": (VOLGA, ()),
    "Нижегородская область": (VOLGA, ()),
    "Оренбургская область": (VOLGA, ()),
    "Пензенская область": (VOLGA, ()),
    "Самарская область": (VOLGA, ()),
    "Саратовская область": (VOLGA, ()),
    "Ульяновская область": (VOLGA, ()),
    # Ural
    "Курганская область": (URAL, ()),
    "Свердловская область": (URAL, ()),
    "Тюменская область": (URAL, ()),
    "Челябинская область": (URAL, ()),
    "Ханты-Мансийский автономный округ — Югра": (URAL, ("ХМАО", "Югра", "Ханты-Мансийский автономный округ")),
    "Ямало-Ненецкий автономный округ": (URAL, ("ЯНАО", "Ямал")),
    # Siberian
    "Республика Алтай": (SIBERIAN, ()),
    "Республика Тыва": (SIBERIAN, ("Тува",)),
    "Республика Хакасия": (SIBERIAN, ()),
    "Алтайский край": (SIBERIAN, ()),
    "Красноярский край": (SIBERIAN, ()),
    "Иркутская область": (SIBERIAN, ()),
    "Кемеровская область — Кузбасс": (SIBERIAN, ("Кемеровская область", "Кузбасс")),
    "Новосибирская область": (SIBERIAN, ()),
    "Омская область": (SIBERIAN, ()),
    "Томская область": (SIBERIAN, ()),
    # Far Eastern
    "Республика Бурятия": (FAR_EASTERN, ()),
    "Республика Саха (Якутия)": (FAR_EASTERN, ("Якутия", "Саха")),
    "Забайкальский край": (FAR_EASTERN, ()),
    "Камчатский край": (FAR_EASTERN, ()),
    "Приморский край": (FAR_EASTERN, ("Приморье",)),
    "Хабаровский край": (FAR_EASTERN, ()),
    "Амурская область": (FAR_EASTERN, ()),
    "Магаданская область": (FAR_EASTERN, ()),
    "Сахалинская область": (FAR_EASTERN, ()),
    "Еврейская автономная область": (FAR_EASTERN, ("ЕАО",)),
    "Чукотский автономный округ": (FAR_EASTERN, ("Чукотка",)),
}

# Cities people give instead of (or without) a region: the cities of federal significance, the regional
# capitals and a few other large cities.
CITY_REGIONS: dict[str, str] = {
    "Москва": "Москва", "Зеленоград": "Москва", "Санкт-Петербург": "Санкт-Петербург", "Севастополь": "Севастополь",
    "Белгород": "Белгородская область", "Брянск": "Брянская область", "Владимир": "Владимирская область",
    "Воронеж": "Воронежская область", "Иваново": "Ивановская область", "Калуга": "Калужская область",
    "Кострома": "Костромская область", "Курск": "Курская область", "Липецк": "Липецкая область",
    "Орёл": "Орловская область", "Рязань": "Рязанская область", "Смоленск": "Смоленская область",
    "Тамбов": "Тамбовская область", "Тверь": "Тверская область", "Тула": "Тульская область",
    "Ярославль": "Ярославская область", "Химки": "Московская область", "Подольск": "Московская область",
    "Балашиха": "Московская область", "Мытищи": "Московская область", "Королёв": "Московская область",
    "Петрозаводск": "Республика Карелия", "Сыктывкар": "Республика Коми", "Архангельск": "Архангельская область",
    "Вологда": "Вологодская область", "Череповец": "Вологодская область", "Калининград": "Калининградская область",
    "Мурманск": "Мурманская область", "Великий Новгород": "Новгородская область", "Псков": "Псковская область",
    "Нарьян-Мар": "Ненецкий автономный округ", "Гатчина": "Ленинградская область",
    "Майкоп": "Республика Адыгея", "Элиста": "Республика Калмыкия", "Симферополь": "Республика Крым",
    "Краснодар": "Краснодарский край", "Сочи": "Краснодарский край", "Новороссийск": "Краснодарский край",
    "Астрахань": "Астраханская область", "Волгоград": "Волгоградская область", "Ростов-на-Дону": "Ростовская область",
    "Махачкала": "Республика Дагестан", "Магас": "Республика Ингушетия", "Нальчик": "Кабардино-Балкарская Республика",
    "Черкесск": "Карачаево-Черкесская Республика", "Владикавказ": "Республика Северная Осетия — Алания",
    "Грозный": "Чеченская Республика", "Ставрополь": "Ставропольский край", "Пятигорск": "Ставропольский край",
    "Уфа": "Республика Башкортостан", "Йошкар-Ола": "Республика Марий Эл", "Саранск": "Республика Мордовия",
    "Казань": "Республика Татарстан", "Набережные Челны": "Республика Татарстан", "Ижевск": "Удмуртская Республика",
    "Чебоксары": "Чувашская Республика", "Пермь": "Пермский край", "Киров": "Кировская область",
    "Нижний Новгород": "Нижегородская область", "Оренбург": "Оренбургская область", "Пенза": "Пензенская область",
    "Самара": "Самарская область", "Тольятти": "Самарская область", "Саратов": "Саратовская область",
    "Ульяновск": "Ульяновская область", "Курган": "Курганская область", "Екатеринбург": "Свердловская область",
    "Тюмень": "Тюменская область", "Челябинск": "Челябинская область", "Магнитогорск": "Челябинская область",
    "Ханты-Мансийск": "Ханты-Мансийский автономный округ — Югра",
    "Сургут": "Ханты-Мансийский автономный округ — Югра", "Салехард": "Ямало-Ненецкий автономный округ",
    "Горно-Алтайск": "Республика Алтай", "Кызыл": "Республика Тыва", "Абакан": "Республика Хакасия",
    "Барнаул": "Алтайский край", "Красноярск": "Красноярский край", "Иркутск": "Иркутская область",
    "Кемерово": "Кемеровская область — Кузбасс", "Новокузнецк": "Кемеровская область — Кузбасс",
    "Новосибирск": "Новосибирская область", "Омск": "Омская область", "Томск": "Томская область",
    "Улан-Удэ": "Республика Бурятия", "Якутск": "Республика Саха (Якутия)", "Чита": "Забайкальский край",
    "Петропавловск-Камчатский": "Камчатский край", "Владивосток": "Приморский край", "Хабаровск": "Хабаровский край",
    "Благовещенск": "Амурская область", "Магадан": "Магаданская область", "Южно-Сахалинск": "Сахалинская область",
    "Биробиджан": "Еврейская автономная область", "Анадырь": "Чукотский автономный округ",
}  # fmt: skip

# Words that say what kind of region (or settlement) a name is, not which one.
_KIND_WORDS = {
    "область", "обл", "край", "республика", "респ", "автономный", "автономная", "округ", "ао", "г", "гор",
    "город", "федерального", "значения", "oblast", "region", "krai", "kray", "republic", "city", "of", "the",
}  # fmt: skip


def _words(text: str) -> list[str]:
    s = (text or "").casefold().replace("ё", "е")
    return re.findall(r"\w+", s)


def normalise(text: str) -> str:
    """A region's key: lower case, ё→е, without punctuation and without the kind words ("область"…)."""
    words = _words(text)
    kept = [w for w in words if w not in _KIND_WORDS]
    return " ".join(kept or words)


def normalise_city(text: str) -> str:
    """A city's key: lower case, ё→е, without punctuation and a leading "г." / "город"."""
    words = _words(text)
    while words and words[0] in {"г", "гор", "город", "city"}:
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, (_district, aliases) in REGIONS.items():
        for label in (name, *aliases):
            index.setdefault(normalise(label), name)
    return index


@lru_cache(maxsize=1)
def _district_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, aliases in _DISTRICT_ALIASES.items():
        for label in (code.replace("_", " "), *aliases):
            index[" ".join(_words(label))] = code
    return index


@lru_cache(maxsize=1)
def _city_index() -> dict[str, str]:
    return {normalise_city(city): region for city, region in CITY_REGIONS.items()}


def canonical_region(name: str) -> str | None:
    """The canonical name of a Russian region, or None when the name is not recognised."""
    if not (name or "").strip():
        return None
    return _region_index().get(normalise(name))


def region_of_city(city: str) -> str | None:
    """The region of a well-known city (federal cities, regional capitals), else None."""
    if not (city or "").strip():
        return None
    return _city_index().get(normalise_city(city))


def district_of(region: str) -> str | None:
    """The federal district (code) of a region given by any of its names, else None."""
    name = canonical_region(region)
    return REGIONS[name][0] if name else None


def district_from_label(text: str) -> str | None:
    """The district named by ``text`` itself ("ЦФО", "Центральный федеральный округ"), else None."""
    return _district_index().get(" ".join(_words(text)))


def district_label(code: str | None) -> str:
    return str(DISTRICTS.get(code or "", ""))


def locate(*, region: str = "", city: str = "") -> tuple[str | None, str | None]:
    """The canonical region and the district of a place given by a region and/or a city."""
    name = canonical_region(region) or region_of_city(city) or region_of_city(region)
    return name, (REGIONS[name][0] if name else district_from_label(region))


def region_names() -> list[str]:
    """Every canonical region name, the federal cities first, then alphabetically."""
    first = ["Москва", "Санкт-Петербург"]
    return first + sorted((n for n in REGIONS if n not in first), key=str.casefold)
