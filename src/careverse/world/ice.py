"""The STUN/TURN servers a browser uses for calls (``CAREVERSE_ICE_SERVERS``).

With ``CAREVERSE_TURN_SECRET`` (coturn's ``static-auth-secret``), TURN servers listed without a
username get short-lived credentials per person, the TURN REST scheme coturn checks on its own:
``username = "<expiry unix time>:<account id>"``, ``credential = base64(HMAC-SHA1(secret,
username))``. Nothing long-lived reaches the browser, and a leaked credential expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from careverse.kernel.config import IceServer, Settings

TURN_CREDENTIAL_SECONDS = 12 * 3600


def _is_turn(server: IceServer) -> bool:
    urls = [server.urls] if isinstance(server.urls, str) else server.urls
    return any(url.startswith(("turn:", "turns:")) for url in urls)


def ice_servers_for(settings: Settings, account_id: str, now: datetime) -> list[IceServer]:
    """The ICE servers for one signed-in person, with TURN credentials minted when configured."""
    if not settings.turn_secret:
        return list(settings.ice_servers)
    username = f"{int(now.timestamp()) + TURN_CREDENTIAL_SECONDS}:{account_id}"
    digest = hmac.new(settings.turn_secret.encode(), username.encode(), hashlib.sha1).digest()
    credential = base64.b64encode(digest).decode()
    return [
        server.model_copy(update={"username": username, "credential": credential})
        if _is_turn(server) and server.username is None
        else server
        for server in settings.ice_servers
    ]
