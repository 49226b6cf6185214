"""The label sets (topics, companies) and the names of places and organisations, read from TOML."""

from __future__ import annotations

import re

import tomllib
from dataclasses import dataclass
from pathlib import Path

from errors import InvalidTaxonomy

DEFAULT_PATH = Path(__file__).resolve().parent / "taxonomy.toml"


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic label."""

    key: str
    name: str
    definition: str
    cues: tuple[str, ...] = ()      # words that signal the topic (pooled into one feature family)


@dataclass(frozen=True, slots=True)
class Company:
    """One company label with the names that find it and the clash names that must not."""

    key: str
    name: str
    aliases: tuple[str, ...]
    clashes: tuple[str, ...] = ()
    since: tuple[tuple[str, int], ...] = ()    # (alias, first year it names this firm)
    clash_patterns: tuple[str, ...] = ()      # regular expressions of clash names that depend on context


@dataclass(frozen=True, slots=True)
class Group:
    """A name that stands for several companies at once (四通一达 → sto, zto, yto, yunda)."""

    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A place name found as a GPE entity."""

    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Everything the models know by name; a saved model keeps its own copy."""

    topics: tuple[Topic, ...]
    companies: tuple[Company, ...]
    places: tuple[Place, ...] = ()
    org_heads: tuple[str, ...] = ()
    known_orgs: tuple[str, ...] = ()
    version: int = 1
    groups: tuple[Group, ...] = ()
    units: tuple[str, ...] = ()            # local unit words after a name: 分公司, 支局, 网点 …
    gazetteer: bool = True                 # place names of every division in China extend mentions

    @property
    def topic_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.topics)

    @property
    def company_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.companies)

    def words(self) -> tuple[str, ...]:
        """All names (aliases, clashes, places, organisations) for a segmenter's dictionary."""
        names = [n for c in self.companies for n in (c.name, *c.aliases, *c.clashes)]
        names += [g.name for g in self.groups]
        names += [n for p in self.places for n in (p.name, *p.aliases)]
        names += [*self.org_heads, *self.known_orgs]
        return tuple(dict.fromkeys(n for n in names if n))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file (default: the one shipped with the package)."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidTaxonomy(f"{path}: cannot read the taxonomy: {exc}") from exc
    return dict_to_taxonomy(data, str(path))


def label_keys(taxonomy: Taxonomy | None = None) -> dict[str, tuple[str, ...]]:
    """{"topic": keys, "company": keys}: what labels, filters and label files may name."""
    tax = taxonomy or load_taxonomy()
    return {"topic": tax.topic_keys, "company": tax.company_keys}


def label_names(taxonomy: Taxonomy | None = None) -> dict[str, str]:
    """Display names of every topic and company key (反诈, 顺丰 ...), for charts and tables."""
    tax = taxonomy or load_taxonomy()
    return {t.key: t.name for t in tax.topics} | {c.key: c.name for c in tax.companies}


def resolve_label(kind: str, value: str, taxonomy: Taxonomy | None = None) -> str:
    """A topic or company as a user types it (key, Chinese name or alias: anti_fraud, 反诈, 顺丰)
    -> its key; anything else is an UnknownLabel that suggests the closest key."""
    import difflib

    from errors import UnknownLabel
    tax = taxonomy or load_taxonomy()
    if kind == "topic":
        names = {t.key: t.key for t in tax.topics} | {t.name: t.key for t in tax.topics}
        names |= {part: t.key for t in tax.topics for part in t.name.split("·")}
    else:
        names = {c.key: c.key for c in tax.companies} | {a: c.key for c in tax.companies for a in c.aliases}
    value = value.strip()
    if value in names:
        return names[value]
    lowered = {k.lower(): v for k, v in names.items()}
    if value.lower() in lowered:
        return lowered[value.lower()]
    keys = tax.topic_keys if kind == "topic" else tax.company_keys
    close = difflib.get_close_matches(value.lower().replace("-", "_").replace(" ", "_"), keys, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known {kind}s: {', '.join(keys)}"
    raise UnknownLabel(f"unknown {kind} {value!r}: {hint}")


def dict_to_taxonomy(data: dict, where: str = "taxonomy") -> Taxonomy:
    """Build a checked Taxonomy from parsed TOML data."""
    try:
        taxonomy = Taxonomy(
            topics=tuple(Topic(t["key"], t["name"], t.get("definition", ""), tuple(t.get("cues", ()))) for t in data["topics"]),
            companies=tuple(_company(c) for c in data["companies"]),
            places=tuple(Place(p["key"], p["name"], tuple(p.get("aliases", ()))) for p in data.get("places", ())),
            org_heads=tuple(data.get("organisations", {}).get("heads", ())),
            known_orgs=tuple(data.get("organisations", {}).get("known", ())),
            version=int(data.get("version", 1)),
            groups=tuple(Group(g["name"], tuple(g["members"])) for g in data.get("groups", ())),
            units=tuple(data.get("units", {}).get("words", ())),
            gazetteer=bool(data.get("units", {}).get("gazetteer", True)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidTaxonomy(f"{where}: malformed entry ({exc!r})") from exc
    _check(taxonomy, where)
    return taxonomy


def _company(entry: dict) -> Company:
    """One [[companies]] table; the company's own name is always an alias."""
    aliases = tuple(dict.fromkeys((*entry.get("aliases", ()), entry["name"])))
    since = tuple((alias, int(year)) for alias, year in entry.get("since", {}).items())
    patterns = tuple(entry.get("not_patterns", ()))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not_patterns: {pattern!r}: {exc}") from exc   # a malformed entry
    return Company(entry["key"], entry["name"], aliases, tuple(entry.get("not", ())), since, patterns)


def _check(taxonomy: Taxonomy, where: str) -> None:
    """Refuse duplicate keys, empty label sets and an alias shared by two companies."""
    for kind, keys in (("topic", taxonomy.topic_keys), ("company", taxonomy.company_keys)):
        if not keys:
            raise InvalidTaxonomy(f"{where}: no {kind} labels")
        if len(set(keys)) != len(keys):
            raise InvalidTaxonomy(f"{where}: duplicate {kind} key")
    for group in taxonomy.groups:
        unknown = set(group.members) - set(taxonomy.company_keys)
        if unknown:
            raise InvalidTaxonomy(f"{where}: group {group.name!r} names unknown companies {sorted(unknown)}")
    owners: dict[str, str] = {}
    for company in taxonomy.companies:
        for alias in company.aliases:
            if owners.setdefault(alias, company.key) != company.key:
                raise InvalidTaxonomy(f"{where}: alias {alias!r} belongs to {owners[alias]} and {company.key}")
