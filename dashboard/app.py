"""The dashboard's web side (Starlette): the class page, one page per student, their current report, the state as
JSON. The pages are filled by the browser from ``/api/…`` and refreshed every few seconds without reloading;
every student-controlled string is put in the page as text (``textContent``), never as markup."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

PAGE = (Path(__file__).resolve().parent / "page.html").read_text(encoding="utf-8")


def make_app(state: Callable[[str | None], dict[str, Any]], report_path: Callable[[str], Path | None],
             poll_s: float = 3.0) -> Starlette:
    """``state(only)`` gives the timeline's state (``only``: one student); ``report_path(id)`` their report."""

    def page(student: str | None) -> HTMLResponse:
        config = json.dumps({"api": f"/api/student/{student}" if student else "/api/state", "poll_ms": poll_s * 1000,
                             "student": student})
        # The config is JSON inside a <script>: "</" cannot close the element early.
        body = PAGE.replace("__CONFIG__", config.replace("</", "<\\/"))
        body = body.replace("__TITLE__", html.escape(f"TP Kafka — {student}" if student else "TP Kafka — classe"))
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    async def index(request: Request) -> Response:
        return page(None)

    async def student_page(request: Request) -> Response:
        student = request.path_params["student"]
        if not state(student)["students"]:
            return HTMLResponse("inconnu · unknown", status_code=404)
        return page(student)

    async def api_state(request: Request) -> Response:
        return JSONResponse(state(None), headers={"Cache-Control": "no-store"})

    async def api_student(request: Request) -> Response:
        found = state(request.path_params["student"])
        if not found["students"]:
            return JSONResponse({"error": "unknown student"}, status_code=404)
        return JSONResponse(found, headers={"Cache-Control": "no-store"})

    async def report(request: Request) -> Response:
        path = report_path(request.path_params["student"])
        if path is None or not path.is_file():
            return HTMLResponse("pas encore de rapport · no report yet", status_code=404)
        return FileResponse(path, media_type="text/html")

    return Starlette(routes=[
        Route("/", index), Route("/student/{student}", student_page), Route("/api/state", api_state),
        Route("/api/student/{student}", api_student), Route("/report/{student}", report),
    ])
