"""receipt: waits for inventory."""

from bench import apps
from bench.registry import NOT_LANDED, Outcome, scenario


@scenario("receipt", "receipt")
def run(ctx) -> Outcome:
    if not apps.inventory_ready():
        return Outcome(status=NOT_LANDED, note="needs inventory")
    return Outcome()
