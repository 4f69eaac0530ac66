"""The Wagtail admin views of transfers and relations (registered by
`exchange.wagtail_hooks`): Wagtail's generic model views, with

* listings limited to what the user sees (`exchange.permissions.Actor`),
* edit and delete limited to what the user's city recorded (404 otherwise),
* saving through `exchange.transfers` / `exchange.relations`,
* a review page where the other city accepts or declines, and one page of
  the proposals waiting for the user's answer;
* the questions asked of the user's cities, each with its answer form
  (`exchange.questions`), and the moderators' buttons to hide them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic

from accounts.profiles import profile_of
from cities import page_locales
from practices.models import CaseStudyPage

from . import questions, relations, transfers
from .models import ANSWER_MAX, Acceptance, Question, Relation, Transfer
from .permissions import Actor

# --- Shared ---


class _Scoped:
    """Edit and delete views answer 404 for what the user's city did not
    record (`scope`: the Actor's method that limits the queryset)."""

    scope = None

    def get_queryset(self):
        return getattr(Actor.of(self.request.user), self.scope)(self.model._default_manager.all())


class _SaveMixin:
    """Save through the exchange module (`save_instance`); a refusal the
    form did not see (a race, a change of rights) becomes a form error."""

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as error:
            for field, reasons in error.message_dict.items():
                for reason in reasons:
                    form.add_error(field if field in form.fields else None, reason)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


# --- Transfers ---


class TransferIndexView(generic.IndexView):
    def get_base_queryset(self):
        actor = Actor.of(self.request.user)
        return actor.transfers(
            super().get_base_queryset().select_related("source", "source__city", "adopting_city")
        )

    def get_edit_url(self, instance):
        actor = Actor.of(self.request.user)
        if actor.may_edit_transfer(instance):
            return reverse(self.edit_url_name, args=(instance.pk,))
        return reverse("exchange_review_transfer", args=(instance.pk,))

    def get_delete_url(self, instance):
        if Actor.of(self.request.user).may_edit_transfer(instance):
            return super().get_delete_url(instance)
        return None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if Actor.of(self.request.user).may_decide_transfer(instance):
            buttons.append(MenuItem(gettext("Accept or decline"), reverse("exchange_review_transfer", args=(instance.pk,)),
                                    icon_name="tasks", priority=15))
        return buttons


class TransferCreateView(_SaveMixin, generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        source = self.request.GET.get("source", "")
        if source.isdigit() and len(source) < 12:
            page = CaseStudyPage.objects.filter(pk=int(source)).first()
            if page is not None:
                page = page_locales.canonical(page) or page
                initial["source"] = page.pk
        cities = Actor.of(self.request.user).city_ids
        if len(cities) == 1:
            initial["adopting_city"] = next(iter(cities))
        return initial

    def save_instance(self):
        return transfers.propose(self.request.user, self.form.instance)

    def get_success_message(self, instance):
        if instance.is_accepted:
            return gettext("Transfer recorded: %(transfer)s. It shows on both cities' pages.") % {"transfer": instance}
        values = {"transfer": instance, "city": instance.adopting_city.title}
        if instance.source.city:
            return gettext(
                "Transfer recorded: %(transfer)s. It shows on %(city)s's page now, "
                "and on the case study once %(source_city)s accepts it."
            ) % {**values, "source_city": instance.source.city.title}
        return gettext(
            "Transfer recorded: %(transfer)s. It shows on %(city)s's page now, "
            "and on the case study once its city accepts it."
        ) % values


class TransferEditView(_SaveMixin, _Scoped, generic.EditView):
    scope = "editable_transfers"

    def save_instance(self):
        values = {name: self.form.cleaned_data[name] for name in transfers.EDITABLE if name in self.form.cleaned_data}
        fresh = Transfer.objects.get(pk=self.object.pk)
        return transfers.update(self.request.user, fresh, **values)


class TransferDeleteView(_Scoped, generic.DeleteView):
    scope = "editable_transfers"

    def delete_action(self):
        transfers.remove(self.request.user, self.object)


# --- Relations ---


class RelationIndexView(generic.IndexView):
    def get_base_queryset(self):
        actor = Actor.of(self.request.user)
        return actor.relations(
            super().get_base_queryset().select_related("from_page", "from_page__city", "to_page", "to_page__city")
        )

    def get_edit_url(self, instance):
        if Actor.of(self.request.user).may_edit_relation(instance):
            return reverse(self.edit_url_name, args=(instance.pk,))
        return reverse("exchange_review_relation", args=(instance.pk,))

    def get_delete_url(self, instance):
        if Actor.of(self.request.user).may_edit_relation(instance):
            return super().get_delete_url(instance)
        return None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if Actor.of(self.request.user).may_decide_relation(instance):
            buttons.append(MenuItem(gettext("Accept or decline"), reverse("exchange_review_relation", args=(instance.pk,)),
                                    icon_name="tasks", priority=15))
        return buttons


class RelationCreateView(_SaveMixin, generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        for name in ("from_page", "to_page"):
            value = self.request.GET.get(name, "")
            if value.isdigit() and len(value) < 12:
                initial[name] = int(value)
        return initial

    def save_instance(self):
        return relations.propose(self.request.user, self.form.instance)


class RelationEditView(_SaveMixin, _Scoped, generic.EditView):
    scope = "editable_relations"

    def save_instance(self):
        fresh = Relation.objects.get(pk=self.object.pk)
        return relations.update(self.request.user, fresh, kind=self.form.cleaned_data["kind"])


class RelationDeleteView(_Scoped, generic.DeleteView):
    scope = "editable_relations"

    def delete_action(self):
        relations.remove(self.request.user, self.object)


# --- Answering: accept or decline ---

KINDS = {
    "transfer": (Transfer, transfers, "may_decide_transfer", "transfers", "exchange_transfers:index"),
    "relation": (Relation, relations, "may_decide_relation", "relations", "exchange_relations:index"),
}


def _visible_item(request, kind, pk):
    """The item if this user sees it at all (404 otherwise, for another
    city's official too), and whether they may answer it."""
    model, _module, may_decide, scope, _index = KINDS[kind]
    actor = Actor.of(request.user)
    if not actor.may_record:
        raise PermissionDenied
    item = get_object_or_404(getattr(actor, scope)(model.objects.all()), pk=pk)
    return item, getattr(actor, may_decide)(item)


@require_http_methods(["GET", "POST"])
def review(request, kind, pk):
    """GET: the proposal, with Accept and Decline buttons; POST
    `decision=accept|decline`: answer it."""
    if kind not in KINDS:
        raise Http404
    item, may_decide = _visible_item(request, kind, pk)
    _model, module, _may, _scope, index = KINDS[kind]
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        decision = request.POST.get("decision")
        if decision == "accept":
            module.accept(request.user, item)
            messages.success(request, gettext("Accepted: %(item)s. It now shows on both sides.") % {"item": item})
        elif decision == "decline":
            module.decline(request.user, item)
            messages.success(request, gettext("Declined: %(item)s. It shows on neither side.") % {"item": item})
        else:
            messages.error(request, gettext("Choose Accept or Decline."))
            return redirect(request.path)
        return redirect("exchange_proposals")
    return TemplateResponse(request, "exchange/admin/review.html", {
        "item": item, "kind": kind, "may_decide": may_decide, "index_url": reverse(index),
        "page_title": gettext("Accept or decline: %(item)s") % {"item": item}, "header_icon": "tasks",
    })


def waiting_for(actor):
    """The pending transfers and relations this user may answer."""
    pending_transfers = actor.transfers(Transfer.objects.filter(acceptance=Acceptance.PENDING))
    pending_relations = actor.relations(Relation.objects.filter(acceptance=Acceptance.PENDING))
    if not actor.is_moderator:
        ids = list(actor.city_ids)
        pending_transfers = pending_transfers.filter(source__city__in=ids)
        pending_relations = pending_relations.filter(to_page__city__in=ids)
    return (
        list(pending_transfers.select_related("source", "source__city", "adopting_city").order_by("recorded_at", "pk")),
        list(pending_relations.select_related("from_page", "from_page__city", "to_page", "to_page__city")
             .order_by("recorded_at", "pk")),
    )


def proposals(request):
    actor = Actor.of(request.user)
    if not actor.may_record:
        raise PermissionDenied
    waiting_transfers, waiting_relations = waiting_for(actor)
    return TemplateResponse(request, "exchange/admin/proposals.html", {
        "transfers": waiting_transfers, "relations": waiting_relations,
        "page_title": gettext("Proposals to answer"), "header_icon": "tasks",
    })


# --- Questions to a city ---

QUESTION_FILTERS = {
    "open": (_("Waiting for an answer"), lambda qs: qs.open()),
    "answered": (_("Answered"), lambda qs: qs.filter(answered_at__isnull=False)),
    "hidden": (_("Hidden by a moderator"), lambda qs: qs.filter(Q(question_hidden=True) | Q(answer_hidden=True))),
    "all": (_("All"), lambda qs: qs),
}


def _admin_actor(request):
    actor = Actor.of(request.user)
    if not actor.may_record:
        raise PermissionDenied
    return actor


def questions_index(request):
    """The questions asked of the user's cities (every city's for a
    moderator), open ones first by default."""
    actor = _admin_actor(request)
    chosen = request.GET.get("status", "open")
    if chosen not in QUESTION_FILTERS:
        chosen = "open"
    label, choose = QUESTION_FILTERS[chosen]
    rows = choose(actor.questions(Question.objects.all())).select_related(
        "case_study", "case_study__city", "asker__profile"
    ).order_by("asked_at" if chosen == "open" else "-asked_at", "pk")
    return TemplateResponse(request, "exchange/admin/questions.html", {
        "questions": list(rows[:500]), "filters": [(key, name) for key, (name, _f) in QUESTION_FILTERS.items()],
        "chosen": chosen, "chosen_label": label, "is_moderator": actor.is_moderator,
        "page_title": gettext("Questions to your city") if not actor.is_moderator else gettext("Questions to the cities"),
        "header_icon": "help",
    })


@require_http_methods(["GET", "POST"])
def question_detail(request, pk):
    """GET: the question, the answer form (for its city's officials and the
    moderators) and the moderators' hide buttons. POST `action=answer`
    with `answer`, or `action=hide|show` with `part=question|answer`."""
    actor = _admin_actor(request)
    question = get_object_or_404(
        actor.questions(Question.objects.select_related("case_study", "case_study__city", "asker__profile")), pk=pk
    )
    may_answer = actor.may_answer(question)
    answer_text = question.answer
    problems = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "answer":
                if not may_answer:
                    raise PermissionDenied
                answer_text = request.POST.get("answer", "")
                first = not question.is_answered
                questions.answer(request.user, question, answer_text)
                messages.success(
                    request, gettext("Your answer is sent to the asker.") if first else gettext("The answer is changed.")
                )
                return redirect("exchange_question", pk=question.pk)
            if action in ("hide", "show"):
                change = questions.hide if action == "hide" else questions.unhide
                part = request.POST.get("part", "")
                change(request.user, question, part)
                done = {
                    ("question", "hide"): gettext("The question is hidden."),
                    ("question", "show"): gettext("The question is shown again."),
                    ("answer", "hide"): gettext("The answer is hidden."),
                    ("answer", "show"): gettext("The answer is shown again."),
                }
                messages.success(request, done[part, action])
                return redirect("exchange_question", pk=question.pk)
            problems.append(gettext("Choose what to do."))
        except ValidationError as error:
            problems.extend(error.messages)
    return TemplateResponse(request, "exchange/admin/question.html", {
        "question": question, "asker": questions.asker_details(profile_of(question.asker)),
        "may_answer": may_answer and not question.question_hidden, "is_moderator": actor.is_moderator,
        "answer_text": answer_text, "problems": problems, "answer_max": ANSWER_MAX,
        "page_title": gettext("Question about %(title)s") % {"title": question.case_study.title}, "header_icon": "help",
    }, status=400 if problems else 200)
