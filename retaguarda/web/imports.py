"""The import and export pages, shared by every app: each kind is offered to the users holding its own
permission (`Importer.permission`, `Exporter.permission`), whatever app it comes from."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from retaguarda.core import import_jobs, tabular
from retaguarda.core.actor import actor_of
from retaguarda.core.models import ImportJob
from retaguarda.core.scope import scoped
from retaguarda.web.forms import ImportForm


def may_import_or_export(user) -> bool:
    """Whether the menu shows the page: the user may import or export at least one kind."""
    return bool(tabular.importers_for(user) or tabular.exporters_for(user))


def _importer(request, kind: str) -> type[tabular.Importer]:
    try:
        cls = tabular.get_importer(kind)
    except KeyError as exc:
        raise Http404 from exc
    if not request.user.has_perm(cls.permission):
        raise PermissionDenied
    return cls


@login_required
def import_start(request):
    allowed = tabular.importers_for(request.user)
    exports = tabular.exporters_for(request.user)
    if not allowed and not exports:
        raise PermissionDenied
    kinds = [(name, str(cls.label or name)) for name, cls in allowed.items()]
    form = ImportForm(
        request.POST or None, request.FILES or None, kinds=kinds, initial={"kind": next(iter(allowed), "")}
    )
    if request.method == "POST" and not allowed:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        kind = form.cleaned_data["kind"]
        try:
            preview = tabular.preview(kind, content, filename=upload.name)
        except tabular.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            job = import_jobs.create_job(
                actor=actor_of(request),
                kind=kind,
                filename=upload.name,
                content=content,
                skip_invalid=form.cleaned_data["skip_invalid"],
                rows=preview["row_count"],
            )
            return render(request, "web/imports/preview.html", {"job": job, "preview": preview})
    recent = scoped(ImportJob, request.company).filter(kind__in=list(allowed)).defer("content")[:10]
    return render(
        request,
        "web/imports/start.html",
        {"form": form, "recent": recent, "importers": allowed, "exports": exports},
    )


def _job(request, job_id: int) -> tuple[ImportJob, type[tabular.Importer]]:
    job = get_object_or_404(scoped(ImportJob, request.company).defer("content"), pk=job_id)
    return job, _importer(request, job.kind)


@login_required
@require_POST
def import_run(request, job_id: int):
    job, _cls = _job(request, job_id)
    if job.status == ImportJob.Status.PENDING:
        import_jobs.start(job)
    return redirect("web:import_job", job.pk)


@login_required
def import_job(request, job_id: int):
    job, cls = _job(request, job_id)
    try:
        list_url = reverse(cls.list_url) if cls.list_url else ""
    except NoReverseMatch:
        list_url = ""
    template = "web/imports/job.html#progress" if request.htmx else "web/imports/job.html"
    return render(request, template, {"job": job, "report": job.report, "importer": cls, "list_url": list_url})


@login_required
def import_template(request, kind: str):
    """An empty spreadsheet with the columns of `kind`, to fill in."""
    cls = _importer(request, kind)

    class Template(tabular.Exporter):
        headers = [c.name for c in cls.columns]
        label = cls.label

        def rows(self):
            return []

    out = io.BytesIO()
    tabular.write_export(Template(actor=actor_of(request)), out, "csv")
    response = HttpResponse(out.getvalue(), content_type=tabular.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="modelo-{kind}.csv"'
    return response


@login_required
def export(request, kind: str):
    fmt = request.GET.get("format", "csv")
    try:
        exporter_class = tabular.get_exporter(kind)
    except KeyError as exc:
        raise Http404 from exc
    if fmt not in tabular.FORMATS:
        raise Http404
    if not request.user.has_perm(exporter_class.permission):
        raise PermissionDenied
    out = io.BytesIO()
    tabular.write_export(exporter_class(actor=actor_of(request)), out, fmt)
    response = HttpResponse(out.getvalue(), content_type=tabular.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{tabular.export_filename(kind, fmt)}"'
    return response
