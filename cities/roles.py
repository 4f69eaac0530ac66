"""Who may do what: one editors group per city with rights on that city's
subtree only, a network moderators group, and the "Peer review" workflow.

Every function here is idempotent, so load_demo, data set-up and tests can
call them as often as they like.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import CityPage
from .page_locales import canonical_q

MODERATORS_GROUP = "Moderators"
REVIEW_WORKFLOW = "Peer review"

CITY_PAGE_PERMISSIONS = ["add_page", "change_page"]
# wagtail-localize's "Translate this page" and "Sync translated pages"; which
# pages an official may translate is checked against their page permissions
# (cities.translating), so only their own city's, and only through review.
CITY_TRANSLATION_PERMISSIONS = [("wagtail_localize", "submit_translation")]
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
CITY_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtailimages", "change_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtaildocs", "change_document"),
]
MODERATOR_SNIPPET_MODELS = [
    ("practices", "challenge"),
    ("practices", "policylever"),
    ("practices", "sector"),
    ("practices", "targetgroup"),
    ("cities", "workinggroup"),
    ("cities", "membership"),
]
# Moderators see the sign-in lockouts (django-axes) and lift them, and see
# the notices sent (the "Notices" listing, notifications.wagtail_hooks).
MODERATOR_LOCKOUT_PERMISSIONS = [("axes", "view_accessattempt"), ("axes", "delete_accessattempt")]
MODERATOR_VIEW_PERMISSIONS = [("notifications", "view_notice")]


def _perm(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def city_group_name(city):
    return f"{city.title} editors"


def city_editors_group(city):
    """The group holding edit rights on this city's page: found through the
    permission, not the name, so it survives renaming the city."""
    return (
        Group.objects.filter(
            page_permissions__page=city, page_permissions__permission__codename="change_page"
        )
        .exclude(name=MODERATORS_GROUP)
        .order_by("pk")
        .first()
    )


def cities_of(user):
    """The cities whose pages this user edits as a city official."""
    return CityPage.objects.filter(
        canonical_q(),
        group_permissions__group__user=user,
        group_permissions__permission__codename="change_page",
    ).distinct()


def officials_of(city):
    """The active accounts of the city's officials (its editors groups):
    those the exchange tells about the city's questions and proposals."""
    groups = Group.objects.filter(
        page_permissions__page=city, page_permissions__permission__codename="change_page"
    ).exclude(name=MODERATORS_GROUP)
    return get_user_model().objects.filter(is_active=True, groups__in=groups).distinct().order_by("pk")


def moderator_accounts():
    """The active accounts of the network's moderators (the Moderators group
    and superusers)."""
    return get_user_model().objects.filter(
        Q(groups__name=MODERATORS_GROUP) | Q(is_superuser=True), is_active=True
    ).distinct().order_by("pk")


def _grant_admin_access(group):
    group.permissions.add(_perm("wagtailadmin", "access_admin"))


def _grant_page_permissions(group, page, codenames):
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_perm("wagtailcore", codename)
        )


def _grant_collection_permissions(group, collection):
    for app_label, codename in CITY_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=_perm(app_label, codename)
        )


@transaction.atomic
def ensure_city_editors(city):
    """Create "<City> editors" with add/edit rights on the city's subtree (in
    every language: the city page's translations and aliases too) and its
    own image and document collection. Publishing goes through review."""
    group = None
    for page in CityPage.objects.filter(translation_key=city.translation_key).order_by("pk"):
        group = group or city_editors_group(page)
    if group is None:
        name = city_group_name(city)
        if Group.objects.filter(name=name).exists():  # another city of the same name
            name = f"{city.title} ({city.country.code}) editors"
        group, _ = Group.objects.get_or_create(name=name)
    _grant_admin_access(group)
    for app_label, codename in CITY_TRANSLATION_PERMISSIONS:
        group.permissions.add(_perm(app_label, codename))
    for page in CityPage.objects.filter(translation_key=city.translation_key):
        _grant_page_permissions(group, page, CITY_PAGE_PERMISSIONS)
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=city.title).first() or root.add_child(name=city.title)
    _grant_collection_permissions(group, collection)
    return group


@transaction.atomic
def ensure_moderators(site_root):
    """The network moderators: publish anywhere under the site root, approve
    reviews, manage the taxonomies and the working groups."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    _grant_admin_access(group)
    for page in _in_every_language(site_root):
        _grant_page_permissions(group, page, MODERATOR_PAGE_PERMISSIONS)
    for app_label, model in MODERATOR_SNIPPET_MODELS:
        for action in ("add", "change", "delete", "view"):
            group.permissions.add(_perm(app_label, f"{action}_{model}"))
    for app_label, codename in MODERATOR_LOCKOUT_PERMISSIONS + MODERATOR_VIEW_PERMISSIONS:
        group.permissions.add(_perm(app_label, codename))
    _grant_collection_permissions(group, Collection.get_first_root_node())
    return group


@transaction.atomic
def ensure_review_workflow(site_root, moderators):
    """The "Peer review" workflow (one moderators' approval task) on the whole
    site, in every language."""
    task = GroupApprovalTask.objects.filter(name=REVIEW_WORKFLOW).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_WORKFLOW)
    task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
    for page in _in_every_language(site_root):
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def _in_every_language(page):
    """`page` and its translations and aliases (cities.page_locales)."""
    if not page.translation_key:
        return [page]
    return list(Page.objects.filter(translation_key=page.translation_key).order_by("pk"))


def share_with_translations(page):
    """A page made as a translation or alias of another gets the group page
    permissions and the workflow its translation group has: who may edit,
    publish and review a page is the same in every language."""
    others = Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)
    for permission in GroupPagePermission.objects.filter(page__in=others).select_related("permission"):
        GroupPagePermission.objects.get_or_create(group_id=permission.group_id, page=page, permission=permission.permission)
    workflow_page = WorkflowPage.objects.filter(page__in=others).order_by("page_id").first()
    if workflow_page is not None:
        WorkflowPage.objects.get_or_create(page=page, defaults={"workflow_id": workflow_page.workflow_id})


def ensure_site_roles(site_root: Page):
    moderators = ensure_moderators(site_root)
    workflow = ensure_review_workflow(site_root, moderators)
    for city in CityPage.objects.canonical():
        ensure_city_editors(city)
    return moderators, workflow
