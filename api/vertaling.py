"""Foutmeldingen van graphql-core in het Nederlands: syntaxis, schemavalidatie en de waarden van variabelen.

graphql-core writes its messages in English and has no translation hook, so each known message shape
is matched here (``_REGELS``, in the order of the validation rules of the spec) and rewritten. Names
from the query (fields, types, arguments, variables) are kept; values the client sent are not echoed
(an input object may hold a BSN). A message no rule knows gets a general Dutch text, never the
English: the original goes to the log, so a graphql-core upgrade shows up there, not at the client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from graphql import GraphQLError

log = logging.getLogger(__name__)

ONBEKEND = "De query of de invoer klopt niet; controleer de plaats die de melding noemt."

_SUGGESTIE = re.compile(r"\s*Did you mean [^?]*\?")
_N = r"'([^']*)'"  # a quoted name from the schema or the query


def _token(tekst: str) -> str:
    """'Name 'x'', '<EOF>', ''{'' ... as graphql-core's lexer describes a token."""
    tekst = tekst.strip()
    if tekst == "<EOF>":
        return "het einde van de query"
    soorten = {
        "Name": "naam",
        "Int": "geheel getal",
        "Float": "getal",
        "String": "tekst",
        "BlockString": "tekstblok",
        "Comment": "commentaar",
    }
    soort, _, rest = tekst.partition(" ")
    if soort in _WAARDEN:  # a literal the client typed (it may be a BSN): named by its kind, never echoed
        return f"een {soorten[soort]}"
    if soort in soorten:
        return f"{soorten[soort]} {rest}".strip() if rest else f"een {soorten[soort]}"
    return tekst


_VORM = re.compile(r"'[^']*'|\"[^\"]*\"|\d{4,}")
_WAARDEN = frozenset({"Int", "Float", "String", "BlockString"})
_NAAM = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _veldnaam(naam: str) -> str:
    """A field name the client sent; a JSON key in the variables that is no GraphQL name is not echoed."""
    return f"'{naam}'" if _NAAM.fullmatch(naam) and len(naam) <= 60 else "een veld"


def _reden(tekst: str) -> str:
    m = re.fullmatch(rf"{_N} and {_N} are different fields", tekst)
    if m:
        return f"'{m[1]}' en '{m[2]}' zijn verschillende velden"
    if tekst.startswith("they have differing arguments"):
        return "ze hebben verschillende argumenten"
    m = re.fullmatch(rf"they return conflicting types {_N} and {_N}", tekst)
    if m:
        return f"ze geven verschillende typen terug ('{m[1]}' en '{m[2]}')"
    return "ze vragen verschillende dingen op"


Regel = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _r(patroon: str, maak: Callable[[re.Match[str]], str]) -> Regel:
    return re.compile(patroon, re.S), maak


_REGELS: list[Regel] = [
    # --- syntaxis (lexer en parser) ---
    _r(r"Syntax Error: Expected Name, found (.+)\.$", lambda m: f"Hier hoort een naam, maar er staat {_token(m[1])}."),
    _r(r"Syntax Error: Expected (.+?), found (.+)\.$",
       lambda m: f"Hier hoort {_token(m[1])}, maar er staat {_token(m[2])}."),
    _r(r"Syntax Error: Unexpected single quote character.*",
       lambda m: "Gebruik dubbele aanhalingstekens (\") rond tekst, geen enkele (')."),
    _r(r"Syntax Error: Unexpected '\.\.', did you mean '\.\.\.'\?", lambda m: "'..' is onbekend; bedoelt u '...'?"),
    _r(r"Syntax Error: Unexpected character: (.+)\.$", lambda m: f"Onverwacht teken: {m[1]}."),
    _r(r"Syntax Error: Invalid character: (.+)\.$", lambda m: f"Ongeldig teken: {m[1]}."),
    _r(r"Syntax Error: Unexpected variable '(\$\w+)' in constant value\.",
       lambda m: f"Variabele '{m[1]}' mag niet in een vaste waarde (zoals een standaardwaarde) staan."),
    _r(r"Syntax Error: Unexpected description.*", lambda m: "Een beschrijving mag hier niet staan."),
    _r(r"Syntax Error: Unexpected (.+)\.$", lambda m: f"Onverwacht: {_token(m[1])}."),
    _r(r"Syntax Error: Unterminated string\.", lambda m: "Een tekst is niet afgesloten met een aanhalingsteken (\")."),
    _r(r"Syntax Error: Invalid number, unexpected digit after 0: (.+)\.$",
       lambda m: f"Ongeldig getal: na een 0 aan het begin mag geen cijfer staan ({m[1]})."),
    _r(r"Syntax Error: Invalid number, expected digit before '\.'.*",
       lambda m: "Ongeldig getal: zet een cijfer vóór de punt, bijvoorbeeld 0.5."),
    _r(r"Syntax Error: Invalid number, expected digit but got: (.+)\.$",
       lambda m: f"Ongeldig getal: hier hoort een cijfer, maar er staat {_token(m[1])}."),
    _r(r"Syntax Error: Invalid character escape sequence: (.+)\.$",
       lambda m: f"Ongeldige escape in een tekst: {m[1]}."),
    _r(r"Syntax Error: Invalid Unicode escape sequence: (.+)\.$",
       lambda m: f"Ongeldige Unicode-escape in een tekst: {m[1]}."),
    _r(r"Syntax Error: Invalid character within String: (.+)\.$", lambda m: f"Ongeldig teken in een tekst: {m[1]}."),
    _r(r"Syntax Error: (.+) is reserved and cannot be used for an enum value\.",
       lambda m: f"{_token(m[1])} is gereserveerd en kan geen enumwaarde zijn."),
    _r(r"Document is nested too deeply.*", lambda m: "De query is te diep genest."),
    # --- validatie (de regels van de spec) ---
    _r(rf"The {_N} definition is not executable\.",
       lambda m: f"De definitie '{m[1]}' hoort niet in een query; alleen operaties en fragmenten."),
    _r(r"The (\w+) definition is not executable\.",
       lambda m: f"Een {m[1]}-definitie hoort niet in een query; alleen operaties en fragmenten."),
    _r(r"The (\w+) operation is not supported by the schema\.",
       lambda m: f"Dit schema kent geen operaties van de soort '{m[1]}'."),
    _r(rf"Cannot query field {_N} on type {_N}\.", lambda m: f"Het type '{m[2]}' heeft geen veld '{m[1]}'."),
    _r(rf"Fragment(?: {_N})? cannot condition on non composite type {_N}\.",
       lambda m: f"Een fragment kan niet op type '{m[2]}' staan: dat type heeft geen velden."),
    _r(rf"Unknown argument {_N} on field {_N}\.", lambda m: f"Het veld '{m[2]}' kent geen argument '{m[1]}'."),
    _r(rf"Unknown argument {_N} on directive {_N}\.", lambda m: f"De directive '{m[2]}' kent geen argument '{m[1]}'."),
    _r(rf"Unknown argument {_N} on fragment {_N}\.", lambda m: f"Het fragment '{m[2]}' kent geen argument '{m[1]}'."),
    _r(rf"Unknown directive {_N}\.", lambda m: f"Onbekende directive '{m[1]}'."),
    _r(rf"Directive {_N} may not be used on (\w+)\.", lambda m: f"De directive '{m[1]}' mag niet op {m[2]} staan."),
    _r(rf"Unknown fragment {_N}\.", lambda m: f"Onbekend fragment '{m[1]}'."),
    _r(rf"Unknown type {_N}\.", lambda m: f"Onbekend type '{m[1]}'."),
    _r(r"This anonymous operation must be the only defined operation\.",
       lambda m: "Een operatie zonder naam moet de enige in het document zijn; geef elke operatie een naam."),
    _r(rf"Cannot spread fragment {_N} within itself via (.+)\.$",
       lambda m: f"Het fragment '{m[1]}' gebruikt zichzelf (via {m[2]}); dat is een oneindige lus."),
    _r(rf"Cannot spread fragment {_N} within itself\.",
       lambda m: f"Het fragment '{m[1]}' gebruikt zichzelf; dat is een oneindige lus."),
    _r(rf"Variable '(\$\w+)' is not defined by operation {_N}\.",
       lambda m: f"Variabele '{m[1]}' is niet gedeclareerd in operatie '{m[2]}'."),
    _r(r"Variable '(\$\w+)' is not defined\.", lambda m: f"Variabele '{m[1]}' is niet gedeclareerd."),
    _r(rf"Fragment {_N} is never used\.", lambda m: f"Het fragment '{m[1]}' wordt nergens gebruikt; haal het weg."),
    _r(r"Variable '(\$\w+)' is never used.*", lambda m: f"Variabele '{m[1]}' wordt nergens gebruikt; haal haar weg."),
    _r(rf"Fields {_N} conflict because (.+?)\. Use different aliases.*",
       lambda m: f"De velden '{m[1]}' botsen: {_reden(m[2])}. Geef ze verschillende aliassen om beide op te halen."),
    _r(rf"Spreads {_N} conflict because.*",
       lambda m: f"De fragmenten '{m[1]}' botsen: ze hebben verschillende argumenten."),
    _r(rf"Fragment(?: {_N})? cannot be spread here as objects of type {_N} can never be of type {_N}\.",
       lambda m: f"Dit fragment past hier niet: een object van type '{m[2]}' is nooit van type '{m[3]}'."),
    _r(rf"Argument {_N} of type {_N} is required, but it was not provided\.",
       lambda m: f"Het argument '{m[1]}' (type '{m[2]}') is verplicht maar ontbreekt."),
    _r(rf"Fragment {_N} argument {_N} of type {_N} is required, but it was not provided\.",
       lambda m: f"Het argument '{m[2]}' van fragment '{m[1]}' (type '{m[3]}') is verplicht maar ontbreekt."),
    _r(rf"Field {_N} of type {_N} must have a selection of subfields\..*",
       lambda m: f"Vraag subvelden op van '{m[1]}' (type '{m[2]}'), bijvoorbeeld '{m[1]} {{ ... }}'."),
    _r(rf"Field {_N} must not have a selection since type {_N} has no subfields\.",
       lambda m: f"'{m[1]}' (type '{m[2]}') heeft geen subvelden; haal de selectie {{ ... }} erachter weg."),
    _r(rf"Field {_N} of type {_N} must have at least one field selected\.",
       lambda m: f"Vraag minstens één subveld op van '{m[1]}' (type '{m[2]}')."),
    _r(r"Anonymous Subscription must select only one top level field\.|Subscription .* must select only one.*",
       lambda m: "Een subscription vraagt precies één veld op."),
    _r(rf"There can be only one argument named {_N}\.", lambda m: f"Het argument '{m[1]}' staat er meer dan eens."),
    _r(rf"Argument {_N} can only be defined once\.", lambda m: f"Het argument '{m[1]}' staat er meer dan eens."),
    _r(rf"The directive {_N} can only be used once at this location\.",
       lambda m: f"De directive '{m[1]}' mag hier maar één keer staan."),
    _r(rf"There can be only one fragment named {_N}\.", lambda m: f"Er zijn twee fragmenten met de naam '{m[1]}'."),
    _r(rf"There can be only one input field named {_N}\.",
       lambda m: f"Het invoerveld '{m[1]}' staat er meer dan eens."),
    _r(rf"There can be only one operation named {_N}\.", lambda m: f"Er zijn twee operaties met de naam '{m[1]}'."),
    _r(r"There can be only one variable named '(\$\w+)'\.", lambda m: f"Variabele '{m[1]}' is twee keer gedeclareerd."),
    _r(rf"Variable '(\$\w+)' cannot be non-input type {_N}\.",
       lambda m: f"Variabele '{m[1]}' kan niet van type '{m[2]}' zijn: dat is geen invoertype."),
    _r(rf"Variable '(\$\w+)' of type {_N} used in position expecting type {_N}\.",
       lambda m: f"Variabele '{m[1]}' is van type '{m[2]}', maar hier is type '{m[3]}' nodig."),
    _r(rf"Variable '(\$\w+)' is of type {_N} but must be non-nullable.*",
       lambda m: f"Variabele '{m[1]}' (type '{m[2]}') moet hier verplicht zijn (met '!')."),
    _r(r"Maximum introspection depth exceeded", lambda m: "De introspectiequery is te diep genest."),
    # --- waarden: scalars, enums, invoerobjecten (in de query of in variabelen) ---
    _r(r"Int cannot represent non 32-bit signed integer value.*",
       lambda m: "Het getal is te groot of te klein voor Int (tussen -2147483648 en 2147483647)."),
    _r(r"Int cannot represent non-integer value.*", lambda m: "Hier hoort een geheel getal (Int)."),
    _r(r"Float cannot represent non numeric value.*", lambda m: "Hier hoort een getal (Float)."),
    _r(r"String cannot represent (?:a non string )?value.*", lambda m: "Hier hoort tekst (String), tussen \"...\"."),
    _r(r"Boolean cannot represent a non boolean value.*", lambda m: "Hier hoort true of false (Boolean)."),
    _r(r"ID cannot represent .*", lambda m: "Hier hoort een id (ID), als tekst."),
    _r(rf"Enum {_N} cannot represent non-enum value.*",
       lambda m: f"Hier hoort een waarde van '{m[1]}', zonder aanhalingstekens in de query."),
    _r(rf"Enum {_N} cannot represent non-string value.*",
       lambda m: f"Hier hoort een waarde van '{m[1]}', als tekst in de variabelen."),
    _r(rf"Value {_N} does not exist in {_N} enum\.",  # the value is the client's (a BSN?): not echoed
       lambda m: f"Deze waarde bestaat niet in '{m[2]}'; kies een van de waarden van dat type."),
    _r(rf"Expected value of non-null type {_N} not to be None\.",
       lambda m: f"Een waarde van type '{m[1]}' is verplicht; null mag niet."),
    _r(rf"Expected a value of non-null type {_N} to be provided\.",
       lambda m: f"Een waarde van type '{m[1]}' is verplicht maar ontbreekt."),
    _r(rf"Expected value of type {_N} to include required field {_N}.*",
       lambda m: f"Bij '{m[1]}' ontbreekt het verplichte veld '{m[2]}'."),
    _r(rf"Expected value of type {_N} not to include unknown field {_N}.*",
       lambda m: f"'{m[1]}' kent geen veld {_veldnaam(m[2])}."),
    _r(rf"Expected value of type {_N} to be an object.*", lambda m: f"'{m[1]}' moet een object {{ ... }} zijn."),
    _r(rf"Expected value of type {_N} to be a list.*", lambda m: f"'{m[1]}' moet een lijst [ ... ] zijn."),
    _r(rf"Expected value of type {_N}.*", lambda m: f"Hier hoort een waarde van type '{m[1]}'."),
    _r(rf"Field {_N} of required type {_N} was not provided\.",
       lambda m: f"Het verplichte veld '{m[1]}' (type '{m[2]}') ontbreekt."),
    _r(rf"Field {_N} is not defined by type {_N}\.", lambda m: f"'{m[2]}' kent geen veld {_veldnaam(m[1])}."),
    _r(rf"Variable '(\$\w+)' of required type {_N} was not provided\.",
       lambda m: f"Variabele '{m[1]}' (type '{m[2]}') is verplicht maar ontbreekt in 'variables'."),
    _r(rf"Variable '(\$\w+)' of non-null type {_N} must not be null\.",
       lambda m: f"Variabele '{m[1]}' (type '{m[2]}') mag niet null zijn."),
    _r(r"Variable '(\$\w+)' (?:has|got) invalid (default )?value(?: at ([\w.\[\]]+))?: (.*)",
       lambda m: f"Variabele '{m[1]}' heeft een ongeldige {'standaard' if m[2] else ''}waarde"
       f"{' bij ' + m[3].lstrip('.') if m[3] else ''}: {vertaal_tekst(m[4])}"),
    _r(r"Argument (.+?) has invalid (default )?value(?: at ([\w.\[\]]+))?: (.*)",
       lambda m: f"Het argument {m[1]} heeft een ongeldige waarde{' bij ' + m[3].lstrip('.') if m[3] else ''}: "
       f"{vertaal_tekst(m[4])}"),
    _r(r"Variable values are nested too deeply\.", lambda m: "De variabelen zijn te diep genest."),
    _r(r"Too many errors processing variables.*",
       lambda m: "Te veel fouten in de variabelen; de verwerking is gestopt. Verbeter de eerste fouten."),
]  # fmt: skip


def vertaal_tekst(bericht: str) -> str:
    """Eén Engelse melding van graphql-core in het Nederlands; een onbekende vorm wordt een algemene tekst."""
    # Suggestions name fields and types the user may not be allowed to see: left out (as before).
    tekst = _SUGGESTIE.sub("", bericht).strip()
    for patroon, maak in _REGELS:
        m = patroon.fullmatch(tekst)
        if m:
            return maak(m)
    if _is_al_nederlands(tekst):
        return tekst
    # Only the shape goes to the log: a quoted or long numeric part may be a value the client sent (a BSN).
    log.info("Geen vertaling voor graphql-melding: %s", _VORM.sub("…", tekst)[:300])
    return ONBEKEND


def _is_al_nederlands(tekst: str) -> bool:
    """Strawberry scalars and our own coercers (api/datums.py) already speak Dutch."""
    return bool(re.search(r"\b(geen|hoort|verwacht|ligt|moet|tussen|een|is geen)\b", tekst))


def plaats(fout: GraphQLError) -> str:
    """' (regel 2, kolom 5)' for an error with a location in the query, else ''."""
    if not fout.locations:
        return ""
    loc = fout.locations[0]
    return f" (regel {loc.line}, kolom {loc.column})"


def vertaal(fouten: Sequence[GraphQLError], maximaal: int = 3) -> str:
    """De eerste ``maximaal`` meldingen, vertaald en met hun plaats in de query."""
    return " ".join(f"{vertaal_tekst(f.message)}{plaats(f)}" for f in fouten[:maximaal])
