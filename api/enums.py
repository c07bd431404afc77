"""GraphQL-enums: dezelfde waarden als het domein, namen in upper snake case (contract.md)."""

from __future__ import annotations

import strawberry

from domein.actor import Rol as _Rol
from domein.waarden import CasusStatus as _CasusStatus
from domein.waarden import ContractSoort as _ContractSoort
from domein.waarden import Leefdomein as _Leefdomein
from domein.waarden import Urgentie as _Urgentie

Leefdomein = strawberry.enum(_Leefdomein, name="Leefdomein", description="De negen leefdomeinen (seed 003 §1).")
Urgentie = strawberry.enum(_Urgentie, name="Urgentie")
CasusStatus = strawberry.enum(_CasusStatus, name="CasusStatus")
ContractSoort = strawberry.enum(_ContractSoort, name="ContractSoort")
Rol = strawberry.enum(_Rol, name="Rol")
