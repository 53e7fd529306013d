"""The apps' test factories, shared by the flows that cross them."""

from retaguarda.purchasing.tests.conftest import make_supplier  # noqa: F401
from retaguarda.sales.tests.conftest import make_channel, make_product, make_warehouse, stock, warehouse  # noqa: F401
