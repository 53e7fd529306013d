"""Every model's foreign keys obey the layer map of .importlinter.

import-linter sees imports only; a foreign key written as a string ("sales.SalesOrder") or a model
reached through apps.get_model() would climb the layers unseen. This reads the same map (the one
copy, in .importlinter) and checks every relation field of every installed model against it.
"""

import configparser
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

IMPORTLINTER = Path(__file__).resolve().parents[3] / ".importlinter"

# The one exception, stated in docs/KERNEL.md ("Layers"): every row of the kernel's own tables
# (audit, document events, numbering, import jobs, idempotency keys) belongs to a company and is
# done by a user, so core's models hold those two keys, by string, without importing either app.
KERNEL_ANCHORS = {("retaguarda.core", "companies.Company"), ("retaguarda.core", "access.User")}


def layer_map(text):
    """{app module: (rank, independent siblings?)}; rank 0 is the top of the map."""
    parser = configparser.ConfigParser()
    parser.read_string(text)
    section = next(s for s in parser.sections() if parser[s].get("type") == "layers")
    lines = [line.strip() for line in parser[section]["layers"].splitlines() if line.strip()]
    ranks = {}
    for rank, line in enumerate(lines):
        independent = ":" not in line
        for name in re.split(r"[|:]", line):
            ranks[name.strip().strip("()")] = (rank, independent)
    return ranks


def violations(edges, ranks):
    """Each (from app, field, to app) edge that climbs a layer or joins two independent siblings."""
    found = []
    for source, field, target, target_model in edges:
        if source == target or not target.startswith("retaguarda."):
            continue  # within the app, or down to the framework (auth, contenttypes, tasks)
        if (source, target_model) in KERNEL_ANCHORS:
            continue
        if source not in ranks or target not in ranks:
            missing = source if source not in ranks else target
            found.append(f"{field}: {missing} is missing from the layer map in .importlinter")
            continue
        (source_rank, independent), (target_rank, _) = ranks[source], ranks[target]
        if target_rank < source_rank:
            found.append(f"{field}: {source} points up to {target}")
        elif target_rank == source_rank and independent:
            found.append(f"{field}: {source} and {target} are independent")
    return found


def model_edges():
    for model in apps.get_models(include_auto_created=True):
        source = model._meta.app_config.name
        if not source.startswith("retaguarda."):
            continue
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.is_relation and field.related_model is not None:
                related = field.related_model._meta
                yield source, f"{model._meta.label}.{field.name}", related.app_config.name, related.label


def test_every_foreign_key_points_down_the_layer_map():
    ranks = layer_map(IMPORTLINTER.read_text())
    edges = list(model_edges())
    assert len(edges) > 50  # the walk really saw the models
    assert violations(edges, ranks) == []


def test_every_installed_app_of_ours_is_in_the_layer_map():
    ranks = layer_map(IMPORTLINTER.read_text())
    ours = [name for name in settings.INSTALLED_APPS if name.startswith("retaguarda.")]
    assert [name for name in ours if name not in ranks] == []


def test_the_map_states_design_section_3():
    ranks = layer_map(IMPORTLINTER.read_text())
    rank = {name: value[0] for name, value in ranks.items()}
    assert rank["retaguarda.core"] > rank["retaguarda.br_tables"]
    assert rank["retaguarda.access"] > rank["retaguarda.watch"] > rank["retaguarda.catalog"]
    assert rank["retaguarda.catalog"] == rank["retaguarda.parties"]
    for group in (
        ["inventory", "finance", "fiscal"],
        ["sales", "purchasing", "logistics", "payments"],
        ["integrations", "insights"],
    ):
        names = [f"retaguarda.{app}" for app in group]
        assert len({ranks[name] for name in names}) == 1, group
        assert ranks[names[0]][1], f"{group} must be independent siblings"
    assert rank["retaguarda.parties"] > rank["retaguarda.inventory"] > rank["retaguarda.sales"]
    assert rank["retaguarda.sales"] > rank["retaguarda.insights"] > rank["retaguarda.web"]


def test_the_check_finds_an_upward_key_a_sibling_key_and_an_unmapped_app():
    ranks = layer_map(
        "[importlinter:contract:x]\ntype = layers\nlayers =\n"
        "    retaguarda.top : retaguarda.peer\n    retaguarda.a | retaguarda.b\n"
        "    (retaguarda.low)\n    retaguarda.access\n    retaguarda.core\n"
    )
    edges = [
        ("retaguarda.low", "low.Row.a", "retaguarda.a", "a.Row"),  # up
        ("retaguarda.a", "a.Row.b", "retaguarda.b", "b.Row"),  # independent sibling
        ("retaguarda.top", "top.Row.peer", "retaguarda.peer", "peer.Row"),  # ":" siblings may
        ("retaguarda.a", "a.Row.low", "retaguarda.low", "low.Row"),  # down
        ("retaguarda.a", "a.Row.user", "django.contrib.auth", "auth.User"),
        ("retaguarda.new", "new.Row.a", "retaguarda.a", "a.Row"),
        ("retaguarda.core", "core.Event.user", "retaguarda.access", "access.User"),  # anchor
        ("retaguarda.core", "core.Event.token", "retaguarda.access", "access.ApiToken"),
    ]
    assert violations(edges, ranks) == [
        "low.Row.a: retaguarda.low points up to retaguarda.a",
        "a.Row.b: retaguarda.a and retaguarda.b are independent",
        "new.Row.a: retaguarda.new is missing from the layer map in .importlinter",
        "core.Event.token: retaguarda.core points up to retaguarda.access",
    ]
