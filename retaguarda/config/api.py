"""The one NinjaAPI at /api/v1/: every app's router, the error body, token and session auth."""

from retaguarda.access.api import router as access_router
from retaguarda.br_tables.api import router as br_tables_router
from retaguarda.catalog.api import router as catalog_router
from retaguarda.companies.api import router as companies_router
from retaguarda.core.api import install_error_handlers
from retaguarda.core.api_auth import require
from retaguarda.core.health import router as health_router
from retaguarda.core.openapi import RetaguardaAPI
from retaguarda.finance.api import router as finance_router
from retaguarda.fiscal.api import router as fiscal_router
from retaguarda.inventory.api import router as inventory_router
from retaguarda.parties.api import router as parties_router
from retaguarda.purchasing.api import router as purchasing_router
from retaguarda.sales.api import router as sales_router
from retaguarda.watch.api import router as watch_router
from retaguarda.web.api import router as audit_router

api = RetaguardaAPI(
    title="Retaguarda API",
    version="1.0.0",
    description="API REST da Retaguarda. Autentique com `POST /api/v1/auth/token` e envie `Authorization: Bearer <token>`.",
    auth=require(),
    urls_namespace="api-1.0.0",
)
install_error_handlers(api)

api.add_router("", health_router)
api.add_router("", access_router)
api.add_router("", audit_router)
api.add_router("/companies", companies_router)
api.add_router("/br", br_tables_router)
api.add_router("/parties", parties_router)
api.add_router("", catalog_router)  # /products, /price-lists
api.add_router("/inventory", inventory_router)
api.add_router("/finance", finance_router)
api.add_router("/fiscal", fiscal_router)
api.add_router("/purchasing", purchasing_router)
api.add_router("/sales", sales_router)
api.add_router("/watch", watch_router)
