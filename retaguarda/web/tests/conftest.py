"""The apps' factories the home page's tests build their work with."""

from retaguarda.sales.tests.conftest import (  # noqa: F401
    channel,
    customer,
    make_channel,
    make_customer,
    make_order,
    make_product,
    make_warehouse,
    product,
    stock,
    warehouse,
)
