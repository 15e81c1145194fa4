"""The pt-BR HR back office of PontoVoz Central (server-rendered Jinja2 pages, plain forms)."""

from app.central.web.app import create_web_app

__all__ = ["create_web_app"]
