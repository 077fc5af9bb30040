"""The offline gazetteer of French communes, and name folding.

The data files sit in `aggregator/data/` (source and licence in its README);
they are read once, on first use, and never fetched. Names are compared
folded: accents, case, hyphens and apostrophes ignored, "St"/"Ste" read as
"Saint"/"Sainte", so "vaulx en velin", "VAULX-EN-VELIN" and "Vaulx-en-Velin"
are one key.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

_WORD = re.compile(r"[^\W\d_]+")
_RUNS_OF_SPACES = re.compile(r" {2,}")
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


class _FoldTable(dict):
    """str.translate table: lowercase, accents dropped, one character for one."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        self[code] = "'" if char == "’" else base if len(base) == 1 else char
        return self[code]


class _KeyTable(_FoldTable):
    """Like _FoldTable, but anything that is not a letter is a space (tabs, newlines
    and "|" kept): the data file's names read as the text tokeniser reads words."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "\t\n|":
            self[code] = char
        elif not char.isalpha():
            self[code] = " "
        else:
            return super().__missing__(code)
        return self[code]


_FOLD = _FoldTable()
_KEYS = _KeyTable()


def fold_chars(text: str) -> str:
    """The text lowercased and without accents, character for character.

    >>> fold_chars("À l’Hôtel")
    "a l'hotel"
    """
    return text.translate(_FOLD)


class Commune(NamedTuple):
    name: str
    dept: str
    population: int
    common_word: bool  # named like an everyday word: needs a cue to be taken for a city


@dataclass(frozen=True)
class Gazetteer:
    names: dict[str, tuple[Commune, ...]]  # folded official name -> communes, largest first
    aliases: dict[str, tuple[Commune, ...]]  # folded short/long forms GeoNames records
    departments: dict[str, str]  # folded department name -> code
    longest: int  # most words in a name


def fold_word(word: str) -> str:
    """One word, lowercased, without accents, abbreviations expanded.

    >>> fold_word("Évry"), fold_word("ST"), fold_word("Vandœuvre")
    ('evry', 'saint', 'vandoeuvre')
    """
    plain = word.translate(_FOLD)
    if "œ" in plain or "æ" in plain:
        plain = plain.replace("œ", "oe").replace("æ", "ae")
    return ABBREVIATIONS.get(plain, plain)


def fold(text: str) -> str:
    """A comparison key: folded words joined by single spaces.

    >>> fold("Villeneuve-d’Ascq"), fold("ST  DENIS")
    ('villeneuve d ascq', 'saint denis')
    """
    return " ".join(fold_word(word) for word in _WORD.findall(text))


def _read(name: str) -> list[tuple[str, str]]:
    """Each data line beside its folded twin, whose fields are comparison keys."""
    text = resources.files("aggregator").joinpath("data", name).read_text(encoding="utf-8")
    folded = _RUNS_OF_SPACES.sub(" ", text.translate(_KEYS))
    folded = folded.replace("œ", "oe").replace("æ", "ae")
    for separator in "\t\n|":
        folded = folded.replace(" " + separator, separator).replace(separator + " ", separator)
    return [
        (line, keys)
        for line, keys in zip(text.splitlines(), folded.splitlines(), strict=True)
        if line and not line.startswith("#")
    ]


def _largest_first(index: dict[str, list[Commune]]) -> dict[str, tuple[Commune, ...]]:
    return {key: tuple(sorted(found, key=lambda c: -c.population)) for key, found in index.items()}


@functools.cache
def gazetteer() -> Gazetteer:
    """The communes and departments, loaded once (about 0.15 s)."""
    names: dict[str, list[Commune]] = {}
    aliases: dict[str, list[Commune]] = {}
    for line, keys in _read("communes-fr.tsv"):
        name, dept, population, common, _ = line.split("\t")
        commune = Commune(name, dept, int(population), common == "1")
        names.setdefault(keys[: keys.index("\t")], []).append(commune)
        alias_keys = keys[keys.rindex("\t") + 1 :]
        for alias in alias_keys.split("|") if alias_keys else ():
            aliases.setdefault(alias, []).append(commune)
    departments = {
        keys[keys.index("\t") + 1 :]: line[: line.index("\t")]
        for line, keys in _read("departements-fr.tsv")
    }
    return Gazetteer(
        names=_largest_first(names),
        aliases=_largest_first({k: v for k, v in aliases.items() if k not in names}),
        departments=departments,
        longest=max(key.count(" ") + 1 for key in names),
    )


def communes(key: str) -> tuple[Commune, ...]:
    """The communes a folded key names: official names first, else recorded aliases."""
    data = gazetteer()
    return data.names.get(key) or data.aliases.get(key, ())


def department_of_postcode(postcode: str) -> str:
    """The department code a French postcode belongs to.

    >>> department_of_postcode("69100"), department_of_postcode("97400")
    ('69', '974')
    >>> department_of_postcode("20090"), department_of_postcode("20200")
    ('2A', '2B')
    """
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def department_code(text: str) -> str | None:
    """The department a code or a name designates ("59", "Nord", "2a"), else None."""
    code = text.strip().upper()
    if re.fullmatch(r"0[1-9]|[1-8]\d|9[0-5]|97[1-46]|2[AB]", code):
        return code
    return gazetteer().departments.get(fold(text))


def pick(found: tuple[Commune, ...], dept: str | None = None) -> Commune | None:
    """The commune of that department when given, else the most populous."""
    if dept is not None:
        for commune in found:
            if commune.dept == dept:
                return commune
    return found[0] if found else None
