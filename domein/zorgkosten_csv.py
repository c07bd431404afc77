"""Een CSV-bestand met zorgkosten lezen zoals backoffices het maken: Excel, Windows-1252 of UTF-8, ';' of ','.

Encoding: valid UTF-8 (with or without BOM) is UTF-8; anything else is read as Windows-1252, the code page
Excel uses on Dutch Windows. UTF-8 is tried first because a cp1252 reading of UTF-8 bytes never fails
(it would silently turn 'é' into 'Ã©'), while non-ASCII cp1252 text is almost never valid UTF-8.
Bytes that are not text in either (UTF-16, a spreadsheet file, the five bytes cp1252 leaves undefined)
give a Dutch error. The amounts follow ``zorgkosten.lees_bedrag``; a bad line is reported with its
line number in the file and nothing is written (``zorgkosten.lever_aan``).
"""

from __future__ import annotations

import csv

from domein.zorgkosten import RuweRegel

KOLOMMEN_AANBIEDER = ("agb", "aanbieder_agb", "aanbieder_id")
KOLOMMEN_VERPLICHT = ("product", "maand", "bedrag")


class OnleesbaarBestand(ValueError):
    """Het bestand als geheel is niet te lezen; de tekst zegt wat te doen."""


def decodeer(data: bytes) -> tuple[str, str]:
    """De tekst en de gebruikte codering ('utf-8' of 'cp1252')."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise OnleesbaarBestand(
            "het bestand is UTF-16; sla het op als 'CSV UTF-8' of 'CSV (gescheiden door lijstscheidingsteken)'."
        )
    if b"\x00" in data:
        raise OnleesbaarBestand("het bestand bevat nul-bytes en is geen CSV-tekst; sla het op als CSV.")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        if data.startswith(b"\xef\xbb\xbf"):  # says UTF-8 itself: reading it as cp1252 would only hide the damage
            regel = data[: e.start].count(b"\n") + 1
            raise OnleesbaarBestand(
                f"het bestand is UTF-8 (met BOM), maar regel {regel} bevat een ongeldig teken; sla het opnieuw op."
            ) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as e:
        regel = data[: e.start].count(b"\n") + 1
        raise OnleesbaarBestand(
            f"regel {regel} bevat een teken dat geen UTF-8 en geen Windows-1252 is; sla het bestand op als 'CSV UTF-8'."
        ) from None


def lees_csv(data: bytes) -> list[RuweRegel]:
    """Leest de regels; kolomnamen (agb of aanbieder_id, product, maand, bedrag) staan op de eerste regel."""
    tekst, _ = decodeer(data)
    regels = tekst.splitlines()
    eerste = regels[0] if regels else ""
    scheiding = ";" if eerste.count(";") > eerste.count(",") else ","
    lezer = csv.DictReader(regels, delimiter=scheiding)
    kolommen = {k.strip().lower() for k in (lezer.fieldnames or [])}
    ontbreekt = [k for k in KOLOMMEN_VERPLICHT if k not in kolommen]
    if ontbreekt or not kolommen & set(KOLOMMEN_AANBIEDER):
        raise OnleesbaarBestand(
            "de eerste regel moet de kolommen noemen: agb (of aanbieder_id), product, maand, bedrag"
            + (f"; ontbreekt: {', '.join(ontbreekt)}" if ontbreekt else "")
        )
    ruw = []
    try:
        for rij in lezer:
            r = {(k or "").strip().lower(): v.strip() if isinstance(v, str) else "" for k, v in rij.items()}
            ruw.append(
                RuweRegel(
                    lezer.line_num,  # the line in the file, also when a quoted field spans lines
                    r.get("product", ""),
                    r.get("maand", ""),
                    r.get("bedrag", ""),
                    aanbieder_id=r.get("aanbieder_id") or None,
                    agb=r.get("agb") or r.get("aanbieder_agb") or None,
                )
            )
    except csv.Error as e:
        raise OnleesbaarBestand(
            f"regel {lezer.line_num} is geen geldige CSV ({e}); controleer de aanhalingstekens."
        ) from None
    return ruw
