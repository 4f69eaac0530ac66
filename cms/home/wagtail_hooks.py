"""The admin is the network's own: Wagtail's "Help" menu (the release notes
of Wagtail and its editor guide, on wagtail.org) is not offered to
officials; the network's documentation is the README and docs/."""

from wagtail import hooks


@hooks.register("construct_main_menu")
def hide_wagtails_help_menu(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name != "help"]
