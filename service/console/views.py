"""/console/: sign in with a password and an authenticator code; then the work roles allow."""

from __future__ import annotations

import base64
import datetime as dt
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.console.forms import CodeForm, PrintForm, SignInForm, SignOutForm
from service.db import get_session, utcnow
from service.errors import DomainError
from service.managers import operations as managers
from service.managers.permissions import can, can_everywhere
from service.organisations.models import Organisation, Site
from service.printing import operations as printing
from service.reach.operations import count_reach
from service.verification.limits import budget_spent_since

bp = Blueprint(
    "console", __name__, url_prefix="/console", static_folder="static", static_url_path="/static"
)


@bp.before_request
def _time_limits() -> None:
    # flask-wtf caches the CSRF token on the app context, which the tests share across
    # requests (as the CLI does): each request must take its token from its own session.
    g.pop("csrf_token", None)
    # So does flask-login's signed-in user: each request loads it from its own cookie.
    g.pop("_login_user", None)
    auth.enforce_time_limits()


@bp.after_request
def _private(response: Response) -> Response:
    # Console pages show who is in which network: never cached (nor framed: http_security).
    response.headers["Cache-Control"] = "no-store"
    # Same-origin only: flask-wtf checks the Referer of every HTTPS post against our host.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


# The console's areas, in menu order: (action, endpoint, menu label, what the home page says).
AREAS = (
    ("content.edit", "console.content_home", "Content", "Edit networks, events and support"),
    (
        "content.edit",
        "console.translation_review",
        "Translations",
        "See which translations a native speaker has reviewed",
    ),
    ("broadcast.send", "console.broadcasts", "Broadcasts", "Send a text to members"),
    ("callbacks.handle", "console.callbacks", "Call-backs", "Call back people who asked"),
    ("print.download", "console.print_pack", "Print", "Print a noticeboard pack"),
    ("kiosk.settings", "console.kiosk_settings", "Kiosks", "Set up a site's kiosk"),
    ("speakup.cases", "console.speakup_cases", "Speak-up", "Read and answer speak-up cases"),
    ("reach.view", "console.reach", "Reach", "See who the networks reach"),
    ("data.export", "console.privacy", "Privacy", "Export or erase what is held about a number"),
    ("audit.view", "console.audit_log", "Audit log", "Audit log"),
)


@bp.context_processor
def _menu() -> dict:
    """The menu of areas the signed-in manager may use (none before sign-in)."""
    if not current_user.is_authenticated:
        return {"menu": [], "sign_out": None}
    manager = auth.manager()
    menu = [
        (endpoint, label, description)
        for action, endpoint, label, description in AREAS
        if endpoint in current_app.view_functions and can(manager, action)
    ]
    return {"menu": menu, "sign_out": SignOutForm()}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Step 1: email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            manager = managers.check_password(
                session, form.email.data, form.password.data, utcnow()
            )
        except managers.TooManyAttempts as exc:
            session.commit()
            flash(f"Too many tries for this account. Wait {exc.wait_seconds} seconds.")
            return render_template("console/sign_in.html", form=form), 429
        except managers.SignInRefused:
            session.commit()  # the failure counts
            flash("That email and password do not match.")
            return render_template("console/sign_in.html", form=form), 401
        session.commit()
        auth.pending(manager)
        return redirect(url_for("console.code" if manager.totp_confirmed_at else "console.enrol"))
    return render_template("console/sign_in.html", form=form)


def _second_step(template: str, **values: object):
    manager = auth.pending_manager()
    if manager is None:
        flash("Please sign in again.")
        return redirect(url_for("console.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            managers.check_code(session, manager, form.code.data, utcnow())
        except managers.TooManyAttempts as exc:
            session.commit()
            flash(f"Too many tries for this account. Wait {exc.wait_seconds} seconds.")
            return render_template(template, form=form, manager=manager, **values), 429
        except managers.SignInRefused:
            session.commit()  # the try, and the wait it may have started, count
            flash("That code is not right. Codes change every 30 seconds.")
            return render_template(template, form=form, manager=manager, **values), 401
        audit.record(session, manager.organisation_id, manager.id, "sign_in")
        session.commit()
        auth.begin(manager)
        return redirect(url_for("console.home"))
    return render_template(template, form=form, manager=manager, **values)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def code():
    """Step 2: the code from the manager's authenticator app."""
    return _second_step("console/code.html")


@bp.route("/enrol", methods=["GET", "POST"])
def enrol():
    """First sign-in: scan the QR code into an authenticator app, then type a code from it."""
    manager = auth.pending_manager()
    if manager is not None and manager.totp_confirmed_at is not None:
        return redirect(url_for("console.code"))
    uri = managers.provisioning_uri(manager) if manager else ""
    return _second_step(
        "console/enrol.html", qr=_qr_svg(uri), secret=manager.totp_secret if manager else ""
    )


def _qr_svg(text: str) -> str:
    """The QR code as an SVG data URI for an <img> (no markup of ours is trusted inline)."""
    if not text:
        return ""
    widget = QrCodeWidget(text, barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    size = 220
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    if SignOutForm().validate_on_submit():
        if current_user.is_authenticated:
            # Ended on the server too: a copy of this session's cookie no longer signs anyone in.
            session = get_session()
            managers.end_sessions(session, auth.manager())
            session.commit()
        auth.end()
        flash("You are signed out.", "success")
    return redirect(url_for("console.sign_in"))


@bp.get("/")
@auth.requires_signed_in
def home():
    """What this manager can do, by role (the menu, with a word on each area)."""
    manager = auth.manager()
    org = get_session().get_one(Organisation, manager.organisation_id)
    spent = budget_spent_since(get_session(), org, utcnow())
    return render_template(
        "console/home.html",
        manager=manager,
        budget_spent_at=spent.astimezone(ZoneInfo(org.timezone)) if spent else None,
        budget=get_config().DAILY_CODE_BUDGET,
    )


@bp.route("/print", methods=["GET", "POST"])
@auth.requires("print.download")
def print_pack():
    """Choose a site, languages and paper; download the noticeboard pack."""
    manager = auth.manager()
    session = get_session()
    sites = session.scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    ).all()
    allowed = [s for s in sites if can(manager, "print.download", site_id=s.id)]
    form = PrintForm()
    form.site.choices = [SelectChoice(s.id, s.name) for s in allowed]
    if form.validate_on_submit():
        site = next(s for s in allowed if s.id == form.site.data)
        try:
            pack = printing.build_pack(
                session,
                site,
                tuple(form.langs.data),
                size=form.size.data,
                large_print=form.large_print.data,
                public_url=get_config().PUBLIC_URL,
                now=utcnow(),
            )
        except DomainError as exc:
            session.rollback()
            flash(str(exc))
            return _print_page(form, 400)
        audit.record(
            session,
            manager.organisation_id,
            manager.id,
            "print.download",
            site=site.slug,
            languages=form.langs.data,
            code=pack.code,
            pages=pack.pages,
        )
        count_reach(
            session, manager.organisation_id, measure="download", channel="print", site_id=site.id
        )
        session.commit()
        name = f"pack-{site.slug}-{dt.date.today().isoformat()}-{pack.code}.pdf"
        return Response(
            pack.pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return _print_page(form)


def _print_page(form: PrintForm, status: int = 200):
    manager = auth.manager()
    org = get_session().get_one(Organisation, manager.organisation_id)
    everywhere = can_everywhere(manager, "print.download")
    return render_template(
        "console/print.html",
        form=form,
        settings=SignOutForm() if everywhere else None,
        discreet=org.print_discreet_names,
    ), status


@bp.post("/print/settings")
@auth.requires("print.download")
def print_settings():
    """Admins choose whether posters name sensitive networks discreetly, for every site."""
    manager, session = auth.manager(), get_session()
    if not can_everywhere(manager, "print.download"):
        abort(403)
    if not SignOutForm().validate_on_submit():  # nothing but the CSRF token
        abort(400)
    org = session.get_one(Organisation, manager.organisation_id)
    org.print_discreet_names = request.form.get("discreet") == "on"
    audit.record(
        session, org.id, manager.id, "print.settings", discreet_names=org.print_discreet_names
    )
    session.commit()
    flash("Saved. Packs downloaded from now on follow this.", "success")
    return redirect(url_for("console.print_pack"))


@bp.get("/audit")
@auth.requires("audit.view")
def audit_log():
    """Every change, broadcast, download and number reveal, newest first."""
    manager = auth.manager()
    entries = audit.recent(get_session(), manager.organisation_id)
    return render_template("console/audit.html", entries=entries)


# The other areas add their routes to this blueprint; imported last because they import bp.
from service.console import (  # noqa: E402, F401
    broadcasts,
    callbacks,
    content,
    events,
    kiosks,
    notices,
    privacy,
    reach,
    speakup,
    translations,
)
