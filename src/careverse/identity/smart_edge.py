"""Where a SMART app's token works: the FHIR API only, for the resource types it was granted."""

from __future__ import annotations

from careverse.kernel.actor import Actor
from careverse.kernel.errors import Forbidden, NotAuthenticated

ACCESS_PREFIX = "cvsa_"


def refuse_outside_fhir(actor: Actor, path: str, method: str) -> None:
    """App tokens work only under ``/fhir``, and only for the resource types they were granted."""
    if actor.app is None:
        return
    if not path.startswith("/fhir/"):
        raise NotAuthenticated("App tokens work only on the FHIR API.", code="invalid_token")
    segments = path.removeprefix("/fhir/").split("/")
    first = segments[0]
    if first in ("metadata", ".well-known"):
        return
    write = method not in ("GET", "HEAD")
    if actor.app.is_system:  # a backend client (system/ scopes): Bulk Data export only
        if (write and method != "DELETE") or not (
            first in ("$export", "bulk") and actor.app.permits_type("*", write=False)
        ):
            raise Forbidden("A backend client may only export.", code="insufficient_scope")
        return
    # An operation ($everything, $export) answers every type of the record: a wildcard scope only.
    if any(s.startswith("$") for s in segments):
        first = "*"
    if not actor.app.permits_type(first, write=write):
        raise Forbidden("The app was not granted this kind of data.", code="insufficient_scope")


def is_app_token(token: str) -> bool:
    return token.startswith(ACCESS_PREFIX)
