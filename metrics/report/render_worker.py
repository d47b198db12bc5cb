"""The child process behind metrics/report/render.py: render Plotly figures to PNG with Kaleido.

Run as a script (`python render_worker.py REQUEST.json`), never imported by the app: it lives
in its own process so the parent can kill it, and the Chromium it drives, at a deadline no
matter where it hangs. It imports neither Django nor the project.

One Chromium and one tab serve every chart of the request, one after another: starting the
browser and loading plotly.js is most of the cost (several tabs start slower than they save).
Each chart's outcome is a file in the output directory, written as soon as it is known
(`N.png` or `N.error`), so charts finished before a deadline survive it; `ready` marks a
started browser and `failed` a browser that could not start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
from collections import deque
from pathlib import Path


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    out = Path(request["out"])
    # The parent kills us at the deadline; should the parent itself die first, go anyway
    # (Chromium then sees its pipe close and exits).
    watchdog = threading.Timer(request["timeout"] + 10, os._exit, args=(124,))
    watchdog.daemon = True
    watchdog.start()
    try:
        asyncio.run(_render(request, out))
    except BaseException as error:  # noqa: BLE001 the parent reads the reason from the file
        _write(out / "failed", _describe(error, request).encode())
        return 1
    return 0


async def _render(request: dict, out: Path) -> None:
    _show_browser_output()
    import kaleido

    async with kaleido.Kaleido(
        n=1,
        path=request["browser"],
        plotlyjs=request["plotlyjs"],
        mathjax=False,  # its default is a CDN URL
        timeout=request["timeout"],
        tmp_dir=request["profile_dir"],
    ) as browser:
        _write(out / "ready", b"")
        for index, chart in enumerate(request["charts"]):
            if chart["figure"] is None:  # the parent could not encode it
                continue
            options = {
                "format": "png",
                "width": chart["width"],
                "height": chart["height"],
                "scale": chart["scale"],
            }
            try:
                png = await browser.calc_fig(json.loads(chart["figure"]), opts=options)
            except Exception as error:  # noqa: BLE001 one chart's failure is that chart's alone
                _write(out / f"{index}.error", _describe(error, request).encode())
            else:
                _write(out / f"{index}.png", png)


class _BrowserOutput(logging.Handler):
    """Chromium's stderr reaches choreographer's "browser_proc" logger, which drops it by
    default; keep its last lines to say why a browser that would not start failed, and copy
    them to our stderr for whoever debugs the child."""

    def __init__(self) -> None:
        super().__init__()
        self.last: deque[str] = deque(maxlen=3)

    def emit(self, record: logging.LogRecord) -> None:
        line = " ".join(record.getMessage().split())
        print(f"chromium: {line}", file=sys.stderr)
        if line and not line.startswith("wrapper CLI:"):
            self.last.append(line)


BROWSER_OUTPUT = _BrowserOutput()


def _show_browser_output() -> None:
    browser_log = logging.getLogger("browser_proc")
    browser_log.addHandler(BROWSER_OUTPUT)
    browser_log.setLevel(logging.DEBUG)
    browser_log.propagate = False


def _describe(error: BaseException, request: dict) -> str:
    if isinstance(error, TimeoutError):
        return f"Kaleido gave up after {request['timeout']:g} s"
    if type(error).__name__ == "BrowserFailedError":  # its own text suggests a download
        said = " | ".join(BROWSER_OUTPUT.last)
        return f"Chromium at {request['browser']} closed right after starting" + (
            f": {said}" if said else ""
        )
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _write(path: Path, data: bytes) -> None:
    """Write then rename, so the parent never reads half a file after a kill."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
