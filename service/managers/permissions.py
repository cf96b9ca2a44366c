"""Who may do what: checked on the server for every console action."""

from __future__ import annotations

from service.managers.models import Manager

# Each action and the roles that may do it. Scoped roles act only on their own network or site.
ACTIONS: dict[str, frozenset[str]] = {
    "content.edit": frozenset({"admin", "network_lead"}),
    "broadcast.send": frozenset({"admin", "network_lead"}),
    # Which requests a role sees is service.callbacks.operations.may_handle: a lead their
    # network's, a site manager their site's (never a sensitive network's), the rest all.
    "callbacks.handle": frozenset({"admin", "network_lead", "site_manager", "support_team"}),
    "kiosk.settings": frozenset({"admin", "site_manager"}),
    "print.download": frozenset({"admin", "site_manager"}),
    # Posters only, of the networks a lead leads: the whole pack's what's on and support
    # sheets show every network, so a lead prints posters and nothing else.
    "print.posters": frozenset({"admin", "network_lead"}),
    "speakup.cases": frozenset({"guardian"}),
    "reach.view": frozenset({"admin"}),
    # Headcounts are the denominators of every site's reach: the organisation's admins only.
    "reach.headcount": frozenset({"admin"}),
    # A survey asks everyone, or whole networks or sites: the organisation's admins run them,
    # and see results that cover every respondent.
    "surveys.run": frozenset({"admin"}),
    "audit.view": frozenset({"admin"}),
    # Subject access and erasure reach every member of every network: admins only.
    "data.export": frozenset({"admin"}),
    "data.erase": frozenset({"admin"}),
}
SCOPED_BY = {"network_lead": "network_id", "site_manager": "site_id"}


def can(
    manager: Manager, action: str, *, network_id: int | None = None, site_id: int | None = None
) -> bool:
    """True when one of the manager's roles allows the action on that network or site.

    Without a network or site the question is "may they do this anywhere?", which decides
    what the console offers; the action itself always asks about its own target.
    """
    allowed = ACTIONS[action]
    for role in manager.roles:
        if role.role not in allowed:
            continue
        if role.role not in SCOPED_BY:  # admin, guardian, support team: organisation-wide
            return True
        scope = SCOPED_BY[role.role]
        target = network_id if scope == "network_id" else site_id
        if target is None or getattr(role, scope) == target:
            return True
    return False


def can_everywhere(manager: Manager, action: str) -> bool:
    """True when a role allows the action across the organisation, not just one network/site."""
    return any(
        role.role in ACTIONS[action] and role.role not in SCOPED_BY for role in manager.roles
    )


def sites_for(manager: Manager, action: str, all_site_ids: list[int]) -> list[int]:
    """The sites an action may touch for this manager."""
    return [s for s in all_site_ids if can(manager, action, site_id=s)]
