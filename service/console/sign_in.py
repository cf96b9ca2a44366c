"""/console/sign-in: a password, then a code from the manager's authenticator app."""

from __future__ import annotations

import base64

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

from service.audit import operations as audit
from service.console import auth
from service.console.forms import CodeForm, SignInForm, SignOutForm
from service.db import get_session, utcnow
from service.managers import operations as managers
from service.routes import Routes

routes = Routes()


@routes.route("/sign-in", methods=["GET", "POST"])
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


@routes.route("/sign-in/code", methods=["GET", "POST"])
def code():
    """Step 2: the code from the manager's authenticator app."""
    return _second_step("console/code.html")


@routes.route("/enrol", methods=["GET", "POST"])
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


@routes.post("/sign-out")
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
