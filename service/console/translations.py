"""Translations in the console: content field by field, and the catalogs' review status.

/console/content/<kind>/<id>/translations/<lang> edits one language of an item beside its
English; /console/translations shows which catalog strings a native speaker has reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import and_, select

from service import catalog_review, languages
from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import ConfirmForm
from service.console.shared import KINDS, Item, load, may_edit, network_of
from service.console.sms_preview import sms_previews
from service.content import operations as content
from service.content.models import Announcement, Event, Translation
from service.db import get_session, utcnow
from service.errors import DomainError
from service.messaging.glossary import glossary
from service.messaging.segments import count
from service.routes import Routes

routes = Routes()

# The longest text any translatable field holds (descriptions), so a paste cannot grow without end.
MAX_TEXT = 5000


@routes.route("/content/<kind>/<int:item_id>/translations/<lang>", methods=["GET", "POST"])
@auth.requires("content.edit")
def translations(kind: str, item_id: int, lang: str):
    """Edit one language of an item, field by field, beside the English."""
    item = load(kind, item_id)
    if lang == languages.DEFAULT or not languages.is_supported(lang):
        abort(404)
    manager, session = auth.manager(), get_session()
    form = ConfirmForm()
    if form.validate_on_submit():
        changed = []
        try:
            for name in item.translatable:
                text = request.form.get(f"text-{name}", "")[:MAX_TEXT]
                reviewed = request.form.get(f"reviewed-{name}") == "on"
                row = _current(kind, item, lang).get(name)
                if row is None and not text.strip():
                    continue
                if row is not None and row.text == text.strip() and row.reviewed == reviewed:
                    continue
                content.set_translation(session, item, name, lang, text, reviewed=reviewed)
                changed.append(name)
        except DomainError as exc:
            session.rollback()
            flash(f"Nothing was saved. {exc}")
            return _render(kind, item, lang, form), 400
        if changed:
            audit.record(
                session,
                manager.organisation_id,
                manager.id,
                "translation.update",
                kind=kind,
                id=item.id,
                language=lang,
                fields=changed,
            )
        session.commit()
        name = languages.BY_CODE[lang].english_name
        flash(
            f"Saved the {name} text." if changed else f"No changes to the {name} text.", "success"
        )
        return redirect(url_for("console.translations", kind=kind, item_id=item_id, lang=lang))
    return _render(kind, item, lang, form), 400 if form.errors else 200


def _current(kind: str, item, lang: str) -> dict[str, Translation]:
    rows = get_session().scalars(
        select(Translation).where(
            Translation.owner_table == item.__tablename__,
            Translation.owner_id == item.id,
            Translation.language == lang,
        )
    )
    return {row.field: row for row in rows}


def _render(kind: str, item, lang: str, form: ConfirmForm) -> str:
    current = _current(kind, item, lang)
    fields = [
        {
            "name": name,
            "label": name.replace("_", " ").capitalize(),
            "english": getattr(item, name) or "",
            "text": current[name].text if name in current else "",
            "reviewed": current[name].reviewed if name in current else False,
            "long": name in ("description", "long_description", "body"),
        }
        for name in item.translatable
    ]
    return render_template(
        "console/translations.html",
        item=item,
        kind=kind,
        lang=languages.BY_CODE[lang],
        others=[lg for lg in languages.LANGUAGES if lg.code != languages.DEFAULT],
        fields=fields,
        form=form,
        previews=sms_previews(get_session(), item, utcnow()),
        glossary=glossary(lang),
        english=glossary(languages.DEFAULT),
    )


@routes.post("/content/segments")
@auth.requires_signed_in
def segments():
    """How a typed text goes by SMS (encoding, characters, segments): the forms' live counter."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        return jsonify(error='Send {"text": "..."}.'), 400
    found = count(payload["text"][:MAX_TEXT])
    return jsonify(encoding=found.encoding, characters=found.characters, segments=found.segments)


@dataclass(frozen=True)
class ContentField:
    """One translated field of the organisation's content and whether its Reviewed tick is set."""

    kind: str
    item_id: int
    item: str  # the item's English name, title or first words
    field: str
    language: str
    reviewed: bool


def _item_name(item: Item) -> str:
    if isinstance(item, Announcement):
        text = item.body
    elif isinstance(item, Event):
        text = item.title
    else:
        text = item.name
    return text if len(text) <= 60 else text[:57] + "..."


def content_fields(lang: str | None = None) -> list[ContentField]:
    """Every translated field of the content this manager may edit (the demo's too), with ticks."""
    manager = auth.manager()
    organisation_id = manager.organisation_id
    found = []
    for kind, model in KINDS.items():
        query = (
            select(model, Translation.field, Translation.language, Translation.reviewed)
            .join(
                Translation,
                and_(
                    Translation.owner_table == model.__tablename__,
                    Translation.owner_id == model.id,
                ),
            )
            .where(model.organisation_id == organisation_id)
            .order_by(model.id, Translation.field)
        )
        if lang is not None:
            query = query.where(Translation.language == lang)
        for item, field, language, reviewed in get_session().execute(query):
            if not may_edit(manager, network_of(item)):
                continue  # its translation page is not theirs to open
            found.append(ContentField(kind, item.id, _item_name(item), field, language, reviewed))
    return found


@routes.get("/translations")
@auth.requires("content.edit")
def translation_review():
    """Each language's catalog: strings reviewed by a native speaker, and those awaiting one."""
    fields = content_fields()
    content_counts = {
        lg.code: (
            sum(1 for f in fields if f.language == lg.code and f.reviewed),
            sum(1 for f in fields if f.language == lg.code),
        )
        for lg in languages.LANGUAGES
    }
    return render_template(
        "console/translation_review.html",
        statuses=catalog_review.statuses(),
        groups=catalog_review.GROUPS,
        labels=catalog_review.LABELS,
        content_counts=content_counts,
    )


@routes.get("/translations/<lang>")
@auth.requires("content.edit")
def translation_review_language(lang: str):
    """One language's strings awaiting native review, crisis, consent and speak-up first."""
    found = {s.code: s for s in catalog_review.statuses()}
    if lang not in found:
        abort(404)
    fields = content_fields(lang)
    return render_template(
        "console/translation_review_language.html",
        status=found[lang],
        lang=languages.BY_CODE[lang],
        groups=catalog_review.GROUPS,
        labels=catalog_review.LABELS,
        content_awaiting=[f for f in fields if not f.reviewed],
        content_reviewed=sum(1 for f in fields if f.reviewed),
    )
