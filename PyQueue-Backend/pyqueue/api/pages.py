"""The pages beside the API: ``/docs`` and ``/redoc`` with their scripts served from the installed
``fastapi-offline`` wheel (no CDN: they work offline), and the dashboard mount at ``/``.

The docs, ``/openapi.json`` and the dashboard need no token: they hold no task data, and the
dashboard asks for the token when the API answers 401.
"""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.routing import Match, Mount
from starlette.types import Scope

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI (``swagger-ui-bundle.js``, ``swagger-ui.css``), ReDoc and a favicon."""
ASSETS_URL = "/docs/assets"
SWAGGER_INIT_URL = "/docs/swagger-init.js"
REDOC_JS_URL = "/docs/redoc.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""The one thing ReDoc fetches from the internet (its sidebar's logo): served as the local favicon
instead, so the page stays offline and within the Content-Security-Policy."""


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` on local assets; create the app with
    ``docs_url=None, redoc_url=None``."""
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    # The page loads its start-up script from a file: the Content-Security-Policy (api/headers.py)
    # allows no inline script, and FastAPI's own Swagger page has one.
    swagger_page = _swagger_page(f"{app.title} - Swagger UI")
    swagger_init = _swagger_init(openapi_url)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_page)

    @app.get(SWAGGER_INIT_URL, include_in_schema=False)
    async def swagger_ui_init() -> Response:
        return Response(swagger_init, media_type="text/javascript")

    @app.get(REDOC_JS_URL, include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(_redoc_script(), media_type="text/javascript")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=REDOC_JS_URL,
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )


@cache
def _redoc_script() -> bytes:
    script = (DOCS_ASSETS / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_LOGO.encode(), f"{ASSETS_URL}/favicon.png".encode())


def _swagger_page(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
<link rel="shortcut icon" href="{ASSETS_URL}/favicon.png">
<title>{html.escape(title)}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
<script src="{SWAGGER_INIT_URL}"></script>
</body>
</html>
"""


def _swagger_init(openapi_url: str) -> str:
    options = {
        "url": openapi_url,
        "dom_id": "#swagger-ui",
        "layout": "BaseLayout",
        "deepLinking": True,
        "showExtensions": True,
        "showCommonExtensions": True,
        "validatorUrl": None,  # no badge from validator.swagger.io
    }
    return (
        f"window.ui = SwaggerUIBundle(Object.assign({json.dumps(options)}, {{\n"
        "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],\n"
        "}));\n"
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
