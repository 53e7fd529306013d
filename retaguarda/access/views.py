from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.access import services
from retaguarda.access.errors import InvalidCredentials, LockedOut
from retaguarda.access.forms import LoginForm, TokenForm, UserCreateForm, UserEditForm
from retaguarda.access.models import ApiToken, Membership, User
from retaguarda.companies.selectors import workable_companies
from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError, NotFound, ValidationFailed
from retaguarda.core.scope import company_optional


@company_optional
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                ip=request.META.get("REMOTE_ADDR"),
                request=request,
            )
        except (InvalidCredentials, LockedOut) as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("web:home")
            return HttpResponseRedirect(target)
    status = 401 if request.method == "POST" else 200
    return render(request, "access/login.html", {"form": form}, status=status)


@company_optional
@require_POST
def logout_view(request):
    logout(request)
    return redirect("access:login")


@company_optional
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request.user, form.cleaned_data["new_password1"], actor=actor_of(request))
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Password changed."))
        return redirect("web:home")
    return render(request, "access/password_change.html", {"form": form})


@company_optional
@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.issue_token(request.user, form.cleaned_data["name"], actor=actor_of(request))
        form = TokenForm()
    items = ApiToken.objects.filter(user=request.user)
    return render(request, "access/tokens.html", {"form": form, "tokens": items, "raw": raw})


@company_optional
@login_required
@require_POST
def revoke_token(request, token_id: int):
    try:
        services.revoke_token(token_id, actor=actor_of(request))
        messages.success(request, _("Token revoked."))
    except NotFound as exc:  # another user's token: the same 404 as any foreign id
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("access:tokens")


@company_optional
@login_required
@require_POST
def switch_company(request):
    wanted = request.POST.get("company", "")
    if wanted.isascii() and wanted.isdigit() and workable_companies(request.user).filter(pk=int(wanted)).exists():
        request.session["company_id"] = int(wanted)
    else:
        messages.error(request, _("You have no access to that company."))
    target = request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
@permission_required("access.view", raise_exception=True)
def users(request):
    qs = (
        User.objects.filter(memberships__company=request.company)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(company=request.company).prefetch_related("departments"),
                to_attr="here",
            )
        )
        .order_by("username")
    )
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("access.change"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_user(
                    data["username"],
                    data["password"],
                    actor=actor_of(request),
                    departments=data["departments"],
                    companies=[request.company] if request.company else [],
                    email=data["email"],
                    first_name=data["first_name"],
                )
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
            except Exception as exc:  # django ValidationError from full_clean
                if hasattr(exc, "message_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    raise
            else:
                messages.success(request, _("User created."))
                return redirect("access:users")
    return render(request, "access/users.html", {"users": qs, "form": form})


@login_required
@permission_required("access.change", raise_exception=True)
def user_edit(request, user_id: int):
    """Name, e-mail, the departments held in this company, sign-in allowed; memberships elsewhere stay."""
    user = get_object_or_404(User, pk=user_id, memberships__company=request.company)
    here = services.memberships_of(user, [request.company.pk]).get(request.company.pk, [])
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "departments": here,
        "is_active": user.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = actor_of(request)
        memberships = services.memberships_of(user, services.administered_company_ids(actor))
        if data["departments"]:
            memberships[request.company.pk] = data["departments"]
        else:
            memberships.pop(request.company.pk, None)
        try:
            services.update_user(
                user.pk,
                actor=actor,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                is_active=data["is_active"],
                memberships=memberships,
            )
        except DomainError as exc:
            for detail in exc.details or [{"message": exc.message}]:
                field = (detail.get("field") or "").split(".")[0]
                form.add_error(field if field in form.fields else None, detail["message"])
        else:
            messages.success(request, _("User saved."))
            return redirect("access:users")
    return render(request, "access/user_edit.html", {"form": form, "edited": user})
