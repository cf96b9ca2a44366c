"""The gettext catalogs: <lang>/LC_MESSAGES/messages.po, compiled to .mo by every build."""
