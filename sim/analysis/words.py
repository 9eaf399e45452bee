"""Identifiers as the words a reader sees.

Scenario files name things by identifiers (`us_led`, `palestinians_agree`,
`arab_islamic_eight`). Wherever the scenario declares a label (a term's
`label`, a kind's `label`, a concession's `label`, a bloc's short
description), prose uses it. Where it declares none (the levels of a term, red
lines, blocs described at length), the identifier is turned into words: an
acronym is written in capitals (`us_led` → "US led"), a proper noun or
adjective keeps the capital the scenario's own names and labels give it
(`palestinians_agree` → "Palestinians agree" when a label says "Palestinian
oversight"), everything else stays lower case.
"""

from __future__ import annotations

import re

from sim.scenario.arrays import Compiled

ACRONYMS = frozenset(
    [
        "us",
        "un",
        "unsc",
        "uk",
        "uae",
        "eu",
        "au",
        "oic",
        "nato",
        "usd",
        "eur",
        "gbp",
        "idf",
        "pa",
        "isf",
        "unifil",
        "ecowas",
        "mss",
        "binuh",
    ]
)
"""Common acronyms, written in capitals."""
PROPER = frozenset(
    ["haiti", "gaza", "israel", "israeli", "palestine", "palestinian", "lebanon", "lebanese"]
)
"""Proper nouns and adjectives capitalised even when no label of the scenario shows them."""
BLOC_LABEL = 48
"""A bloc description at most this long (and without brackets) reads as its name."""


def _cased(C: Compiled | None) -> dict[str, str]:
    """Words the scenario's own names and labels write with a capital, by lower-case form."""
    if C is None:
        return {}
    sc = C.scenario
    texts = [sc.title or "", sc.description or ""]
    texts += [s.name for s in sc.states.values()]
    texts += [v.name for v in sc.veto_players.values()]
    texts += [h.name for h in sc.hosts.values()]
    texts += [sc.broker.name]
    texts += [t.label or "" for t in sc.vocabulary.values()]
    texts += [k.label for k in sc.kinds.values()]
    texts += [c.label or "" for c in sc.broker.concessions]
    texts += [str(b) for b in sc.blocs.values()]
    out: dict[str, str] = {}
    for text in texts:
        tokens = re.findall(r"[A-Za-zÀ-ÿ]+", text)
        for n, tok in enumerate(tokens):
            if tok[:1].isupper() and (n > 0 or tok.isupper()) and len(tok) > 1:
                out.setdefault(tok.lower(), tok)
    return out


SMALL = frozenset(["of", "the", "and", "for", "in", "on", "to", "de"])
"""Short words that stay lower-case inside a name ('Board of Peace')."""


def _word(tok: str, cased: dict[str, str]) -> str:
    low = tok.lower()
    if low in ACRONYMS:
        return low.upper()
    if low in cased:
        return cased[low]
    if low.endswith("s") and low[:-1] in cased:
        return cased[low[:-1]] + "s"
    if low in PROPER or (low.endswith("s") and low[:-1] in PROPER):
        return low.capitalize()
    return low


def _is_name(tokens: list[str], cased: dict[str, str]) -> bool:
    """Every word of the identifier is written with a capital in the scenario: a name."""
    words = [t.lower() for t in tokens if t.lower() not in SMALL]
    return bool(words) and all(w in cased or w in ACRONYMS or w in PROPER for w in words)


def id_words(x: object, C: Compiled | None = None) -> str:
    """An identifier as words: 'us_led' → 'US led', 'no_disarmament' → 'no disarmament'.

    A word takes the capital the scenario gives it only where the whole
    identifier is a name ('board_of_peace' → 'Board of Peace'), so the
    'Security' of 'UN Security Council' does not turn 'border_security' into
    'border Security'. Acronyms and proper nouns are capitalised anywhere.
    """
    text = str(x)
    if not re.fullmatch(r"[A-Za-z0-9_]+", text):
        return text.replace("_", " ")
    tokens = [t for t in text.split("_") if t]
    cased = _cased(C)
    if not _is_name(tokens, cased):
        cased = {}
    return " ".join(_word(t, cased) for t in tokens)


def sentence(x: object, C: Compiled | None = None) -> str:
    """An identifier as words with a capital first letter: 'No disarmament'."""
    text = id_words(x, C)
    return text[:1].upper() + text[1:]


def title(x: object, C: Compiled | None = None) -> str:
    """An identifier as a name, every word capitalised: 'Arab Islamic Eight'."""
    return " ".join(w[:1].upper() + w[1:] for w in id_words(x, C).split(" "))


def level(C: Compiled, value: object) -> str:
    """A term's level (the vocabulary declares no label for levels)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return id_words(value, C)


def term_label(C: Compiled, term: str) -> str:
    """A mandate term's declared label, else its id in words."""
    spec = C.scenario.vocabulary.get(term)
    return (spec.label if spec is not None and spec.label else None) or sentence(term, C)


def red_line(C: Compiled, rid: str) -> str:
    """A red line's id in words (red lines declare no label): 'Palestinians agree'."""
    return id_words(rid, C)


def bloc(C: Compiled, bid: str) -> str:
    """A bloc's name: its description when that is a short name, else its id as a title."""
    desc = str(C.scenario.blocs.get(bid) or "").strip()
    if desc and len(desc) <= BLOC_LABEL and "(" not in desc and "." not in desc:
        return desc
    return title(bid, C)


def kind(C: Compiled, kid: str) -> str:
    """A contribution kind's label without its bracketed note, lower case: 'police trainers'."""
    spec = C.scenario.kinds.get(kid)
    if spec is None:
        return id_words(kid, C)
    label = re.sub(r"\s*\(.*?\)", "", spec.label).strip() or spec.label
    first = label.split(" ", 1)[0]
    keep = first.isupper() or first.lower() in _cased(C)
    return label if keep else label[:1].lower() + label[1:]


def amount(C: Compiled, kid: str, size: float) -> str:
    """A pledge of one kind in its own measure, exact: '5 staff officers', 'USD 20 million'.

    A pledge is a whole number of the kind's units, so it is shown exactly
    (`sim.numbers.force` rounds to the nearest ten, right for a force total,
    wrong for a pledge of 5 staff officers); money goes through `sim.numbers.money`.
    """
    from sim.numbers import money

    spec = C.scenario.kinds.get(kid)
    measure = spec.measure if spec is not None else "personnel"
    if measure.lower().startswith(("usd", "eur", "gbp")):
        return money(size, measure)
    return f"{round(float(size)):,}"


def pledge(C: Compiled, kid: str, size: float) -> str:
    """'7,050 combat troops', 'USD 20 million of funding'."""
    spec = C.scenario.kinds.get(kid)
    measure = spec.measure if spec is not None else "personnel"
    if measure.lower().startswith(("usd", "eur", "gbp")):
        return f"{amount(C, kid, size)} of {kind(C, kid)}"
    return f"{amount(C, kid, size)} {kind(C, kid)}"


def package(C: Compiled, text: str) -> str:
    """A package's parts besides the lead kind (`kind:size;...`, the tables'
    `package` column) as ' with 140 formed police units', '' for none."""
    parts = [p.split(":") for p in str(text or "").split(";") if ":" in p]
    if not parts:
        return ""
    return " with " + " and ".join(pledge(C, k, float(v)) for k, v in parts)


def concession(C: Compiled, cid: str) -> str:
    """A concession's declared label, else its id in words."""
    for con in C.scenario.broker.concessions:
        if con.id == cid:
            return con.label or sentence(cid, C)
    return sentence(cid, C)


def caveat_grant(C: Compiled, cid: str) -> str | None:
    """'a caveat (no weapons decommissioning), counted at 75%' for a concession that
    grants one state its caveat (`sim.rules.caveats`); None for any other concession."""
    con = next((c for c in C.scenario.broker.concessions if c.id == cid), None)
    if con is None or con.grants is None:
        return None
    g = con.grants
    cav = next(c for c in C.scenario.states[g.state].caveats if c.id == g.caveat)
    what = cav.label or f"no {level(C, cav.excludes)}"
    d = cav.discount
    share = (
        f"{100 * (1 - d[1]):.0f}–{100 * (1 - d[0]):.0f}%"
        if isinstance(d, tuple)
        else f"{100 * (1 - d):.0f}%"
    )
    return f"a caveat ({what}), counted at {share}"


def requirement(C: Compiled, name: str) -> str:
    """A world condition a red line requires: 'host consent', 'veto acceptance', or a
    condition declared under `world:` by its label ('Hamas has agreed to disarm')."""
    declared = C.scenario.world.get(name)
    if declared is not None and declared.label:
        return declared.label
    return id_words(name, C)


def veto_conditions(C: Compiled, entry) -> str:
    """The conditions of a veto on a contributor, in words ('troops only, until the
    broker concedes a guarantee, unless relations are restored'); '' for a fixed veto
    (`sim.rules.vetoes`)."""
    if isinstance(entry, str):
        return ""
    parts = []
    if entry.kinds:
        parts.append(join([kind(C, k) for k in entry.kinds]) + " only")
    p = entry.p
    if isinstance(p, tuple):
        parts.append(f"in {100 * p[0]:.0f}–{100 * p[1]:.0f}% of runs")
    elif p < 1:
        parts.append(f"in {100 * p:.0f}% of runs")
    if entry.until_week:
        parts.append(f"until week {entry.until_week}")
    if entry.lifted_by:
        parts.append(f"until the broker concedes: {concession(C, entry.lifted_by)}")
    if entry.unless:
        parts.append(f"unless {requirement(C, entry.unless)}")
    return ", ".join(parts)


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
