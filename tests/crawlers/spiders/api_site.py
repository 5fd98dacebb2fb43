"""A local stand-in for four JSON-API sites (Eastmoney 7x24, Wallstreetcn lives, Jin10, gov.cn),
serving the fixture responses by the real paths and paging rules; records every request."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.crawlers.spiders.helpers import fixture, fixture_json


def _json(payload: Any) -> web.Response:
    return web.json_response(payload, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class ApiSite:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app = web.Application(middlewares=[self._record])
        add = self.app.router.add_get
        add("/comm/web/getFastNewsList", self.eastmoney)
        add("/apiv1/content/lives", self.wallstreetcn)
        add("/flash_newest.js", self.jin10)
        add("/zhengce/zuixin/ZUIXINZHENGCE.json", self.govcn_list)
        add("/zhengce/content/{month}/{name}", self.govcn_page)

    @web.middleware
    async def _record(self, request: web.Request, handler):
        self.requests.append(
            {"path": request.path, "query": dict(request.query), "headers": dict(request.headers)}
        )
        return await handler(request)

    def seen(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    async def eastmoney(self, request: web.Request) -> web.Response:
        cursor = request.query.get("sortEnd", "")
        if not cursor:
            return _json(fixture_json("eastmoney/fastnews.json"))
        if cursor == "1787280300001002":
            return _json(fixture_json("eastmoney/fastnews_page2.json"))
        return _json({"code": "1", "data": {"fastNewsList": [], "sortEnd": cursor}})

    async def wallstreetcn(self, request: web.Request) -> web.Response:
        if request.query.get("cursor") == "1787280000,3099000":
            return _json(fixture_json("wallstreetcn/lives_page2.json"))
        return _json(fixture_json("wallstreetcn/lives.json"))

    async def jin10(self, request: web.Request) -> web.Response:
        body = fixture("jin10/flash_newest.js")
        return web.Response(body=body, content_type="application/javascript", charset="utf-8")

    async def govcn_list(self, request: web.Request) -> web.Response:
        rows = fixture_json("govcn/zuixin.json")
        for row in rows:  # absolute URLs, as the real file has, but on this server
            row["URL"] = row["URL"].replace("https://www.gov.cn", f"http://{request.host}")
        return _json(rows)

    async def govcn_page(self, request: web.Request) -> web.Response:
        if request.match_info["name"] != "content_7080735.htm":
            raise web.HTTPNotFound()  # the list entry must still be stored
        return web.Response(
            body=fixture("govcn/article.html"), content_type="text/html", charset="utf-8"
        )
