"""Why a check is blocked, said in French for the feedback a student reads in Moodle or Canvas.

A blocked check names its prerequisite in English (``needs("the broker", …)`` in the checks, kept in the
result's ``blocked_by``); the feedback is French throughout, so each prerequisite the checks name is said here
as the cause a student understands ("le broker ne répond pas"). A prerequisite not listed reads as a generic
French phrase, never as English text inside French.
"""

from __future__ import annotations

import re

# (pattern on blocked_by, French cause; ``{0}`` is the pattern's first group). First match wins.
_RAW_CAUSES = (
    (r"^zookeeper$", "ZooKeeper ne répond pas"),
    (r"^the broker$", "le broker ne répond pas"),
    (r"^a broker advertising an address", "le broker annonce une adresse que le correcteur ne peut pas joindre"),
    (r"^a broker whose metadata names itself", "les métadonnées du broker ne le désignent pas lui-même"),
    (r"^the metadata quorum$", "le quorum de métadonnées KRaft ne répond pas"),
    (r"^a second broker$", "aucun second broker n'est enregistré"),
    (r"^replicas on two brokers$", "les répliques ne sont pas réparties sur deux brokers"),
    (r"^records in (\S+)$", "le topic {0} est vide"),
    (r"^topic (\S+)$", "le topic {0} n'existe pas"),
    (r"^(\S+) with several partitions$", "le topic {0} n'a qu'une partition"),
    (r"^a run of the spark script", "le script Spark ne s'exécute pas jusqu'au bout"),
    (r"^station records from the producer$", "le producer n'a écrit aucun relevé de station"),
    (r"^((?:[\w.-]+\.py)(?:, [\w.-]+\.py)*)$", "fichier(s) non rendu(s) : {0}"),
)
_CAUSES = tuple((re.compile(pattern, re.IGNORECASE), french) for pattern, french in _RAW_CAUSES)
UNKNOWN_CAUSE = "une vérification préalable a échoué"


def cause_fr(blocked_by: str | None) -> str:
    """The French cause of a block, from the prerequisite the check named."""
    what = (blocked_by or "").strip()
    for pattern, french in _CAUSES:
        match = pattern.search(what)
        if match:
            return french.format(*match.groups())
    return UNKNOWN_CAUSE
