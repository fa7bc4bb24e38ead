"""The pages beside the API: ``/docs`` and ``/redoc`` with their scripts served from the installed
``fastapi-offline`` wheel (no CDN: they work offline), and the dashboard mount at ``/``.

The docs, ``/openapi.json`` and the dashboard need no token: they hold no task data, and the
dashboard asks for the token when the API answers 401.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Match, Mount
from starlette.types import Scope

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI (``swagger-ui-bundle.js``, ``swagger-ui.css``), ReDoc and a favicon."""
ASSETS_URL = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` on local assets; create the app with
    ``docs_url=None, redoc_url=None``."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )


class DashboardMount(Mount):
    """The built dashboard at ``/``. It never answers under ``/api``: there a path that no route
    matches keeps the router's own answer (JSON 404, or 405 with the route's ``Allow``) instead of
    the static files' ``Allow: GET, HEAD``."""

    def __init__(self, directory: Path) -> None:
        super().__init__("/", app=StaticFiles(directory=directory, html=True), name="dashboard")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        if path == "/api" or path.startswith("/api/"):
            return Match.NONE, {}
        return super().matches(scope)
