"""Which contingency a note takes, as data (MOC 7.0 and Ato COTEPE 39/2012).

- NF-e (model 55): the state's SEFAZ Virtual de Contingência, SVC-AN (tpEmis 6, run by the Receita
  Federal) or SVC-RS (tpEmis 7, run by Rio Grande do Sul). The note is authorized there and never sent
  to the state afterwards; the states switch their SVC on when their own service is down.
- NFC-e (model 65): offline (tpEmis 9): the note is signed and printed at the counter, then sent to
  SEFAZ when it answers again, within the legal deadline (24 hours after the issue in most states).
"""

from datetime import timedelta

NORMAL = 1
SVC_AN = 6
SVC_RS = 7
NFCE_OFFLINE = 9
SVC_RS_STATES = frozenset({"AM", "BA", "CE", "ES", "GO", "MA", "MS", "MT", "PA", "PE", "PI", "PR"})
AUTHORITIES = {SVC_AN: "SVC-AN", SVC_RS: "SVC-RS"}  # nfelib's server table keys
OFFLINE_DEADLINE = timedelta(hours=24)


def emission_type(model: int, uf: str, *, in_contingency: bool) -> int:
    """tpEmis of a note issued now."""
    if not in_contingency:
        return NORMAL
    if model == 65:
        return NFCE_OFFLINE
    return SVC_RS if uf in SVC_RS_STATES else SVC_AN


def authority(emission: int) -> str | None:
    """The nfelib server key that authorizes notes of this emission type; None: the state's own."""
    return AUTHORITIES.get(emission)
