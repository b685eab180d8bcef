"""The scripted Messages-API server with a pause between SSE events, so that a reply
streams for a while and a signal can land in the middle of it."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.support.scripted_server import ScriptedServer, _Handler, _Http


class PacedServer(ScriptedServer):
    def __init__(self, *args: Any, pace: float = 0.008, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.pace = pace

    def start(self) -> PacedServer:
        pace = self.pace

        class Paced(_Handler):
            def _chunk(self, ev: tuple[str, dict[str, Any]]) -> None:
                time.sleep(pace)
                super()._chunk(ev)

        self._http = _Http(("127.0.0.1", 0), Paced)
        self._http.owner = self
        self._thread = threading.Thread(target=self._http.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self
