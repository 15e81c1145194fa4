"""The cloud Speech API: the seed's validation endpoint over the offline core.

One FastAPI app (``create_app``) serves uvicorn (``python -m app serve``) and AWS Lambda
(``app.api.lambda_handler.handler``, Mangum over the same app).
"""

from app.api.app import create_app
from app.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
