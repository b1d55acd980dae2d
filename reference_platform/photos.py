"""Reference photos "on record" for the demo: the simulated cards' holders.

A real platform asks the public-security photo service; the reference platform
keeps a dict id_number -> JPEG (ReferencePlatformServer.reference_photos). For
the demo it is filled with the simulator's sample card holders, so the
face-only service (养老待遇资格认证) works end to end.
"""
from __future__ import annotations


def enrol_sim_identities(photos: dict[str, bytes], people: dict[str, dict] | None = None) -> int:
    """Adds each sample card holder's chip photo under their ID number; returns how many.
    With `people` (AppIdentity.people), also gives each holder a government-app account."""
    from reference_platform.app_identity import person_record
    from sim.identities import SIM_IDENTITIES
    count = 0
    for identity in SIM_IDENTITIES.values():
        document = identity.document()
        if people is not None:
            people[document.id_number] = person_record(document)
        if document.photo_jpeg:
            photos[document.id_number] = document.photo_jpeg
            count += 1
    return count
