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

# The preview checks every row of a file up to this size before anything is saved; a larger file is
# checked by the run itself (in the background), which still saves nothing when a row is bad.
PREVIEW_CHECK_ROWS = 5000


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
            checked = None
            if preview["row_count"] <= PREVIEW_CHECK_ROWS and not preview["missing"]:
                checked = _shown(
                    tabular.check_import(kind, content, actor=actor_of(request), filename=upload.name).as_dict()
                )
            job = import_jobs.create_job(
                actor=actor_of(request),
                kind=kind,
                filename=upload.name,
                content=content,
                skip_invalid=form.cleaned_data["skip_invalid"],
                rows=preview["row_count"],
            )
            return render(request, "web/imports/preview.html", {"job": job, "preview": preview, "report": checked})
    recent = scoped(ImportJob, request.company).filter(kind__in=list(allowed)).defer("content")[:10]
    return render(
        request,
        "web/imports/start.html",
        {"form": form, "recent": recent, "importers": allowed, "exports": exports},
    )


def _job(request, job_id: int) -> tuple[ImportJob, type[tabular.Importer]]:
    job = get_object_or_404(scoped(ImportJob, request.company).defer("content"), pk=job_id)
    return job, _importer(request, job.kind)


def _shown(report: dict) -> dict:
    """A check's report as the pages show it: the first problems, their count, the good rows."""
    report["error_count"] = len(report["errors"])
    report["errors"] = report["errors"][: import_jobs.MAX_REPORTED_ERRORS]
    report["good_rows"] = report["total"] - report["bad_rows"]
    return report


@login_required
@require_POST
def import_run(request, job_id: int):
    """Run the previewed file: all rows, or (`valid_only`) the rows the preview found no problem in."""
    job, _cls = _job(request, job_id)
    if job.status == ImportJob.Status.PENDING:
        if request.POST.get("valid_only") and not job.skip_invalid:
            ImportJob.objects.filter(pk=job.pk).update(skip_invalid=True)
            job.skip_invalid = True
        import_jobs.start(job)
    return redirect("web:import_job", job.pk)


@login_required
@require_POST
def import_valid_rows(request, job_id: int):
    """After a run refused for its bad rows: save the good ones, without uploading the file again."""
    job, _cls = _job(request, job_id)
    new = import_jobs.save_valid_rows(job, actor=actor_of(request))
    return redirect("web:import_job", new.pk)


@login_required
def import_problem_rows(request, job_id: int):
    """The rows of the file that have problems, as typed, each with its problems: the file to fix."""
    job, cls = _job(request, job_id)
    content = bytes(ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get())
    if not content:
        raise Http404
    errors = (job.report or {}).get("errors")
    if errors is None:  # still pending: the preview's check, run again
        errors = [
            e.as_dict()
            for e in tabular.check_import(cls, content, actor=actor_of(request), filename=job.filename).errors
        ]
    found = [tabular.RowError(e["row"], e["column"], e["message"]) for e in errors]
    header, rows = tabular.rows_with_problems(content, found, filename=job.filename)

    class Problems(tabular.Exporter):
        headers = header

        def rows(self):
            return rows

    out = io.BytesIO()
    tabular.write_export(Problems(actor=actor_of(request)), out, "csv")
    response = HttpResponse(out.getvalue(), content_type=tabular.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="problemas-{job.pk}.csv"'
    return response


@login_required
def import_job(request, job_id: int):
    job, cls = _job(request, job_id)
    try:
        list_url = reverse(cls.list_url) if cls.list_url else ""
    except NoReverseMatch:
        list_url = ""
    template = "web/imports/job.html#progress" if request.htmx else "web/imports/job.html"
    context = {
        "job": job,
        "report": job.report,
        "importer": cls,
        "list_url": list_url,
        "refused": import_jobs.refused(job),
        "good_rows": (job.report or {}).get("total", 0) - (job.report or {}).get("bad_rows", 0),
    }
    return render(request, template, context)


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
