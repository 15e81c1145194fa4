"""The pt-BR HR back office of PontoVoz Central (server-rendered Jinja2 pages, plain forms):
`app` is the factory (`create_web_app`), `cli` the HR-login commands."""
