"""The exchange in the JSON API (described in `/api/schema/`), served like
the search API (`search.api.PublicAPIView`: throttled per client, JSON
through orjson): the data comes from the exchange app.

* `/api/network/`: every public city and the accepted transfers between
  them (`exchange.network`), as `/network/` shows them;
* `/api/practices/<id>/exchange/`: a published case study's "Adapted by N
  cities", its accepted transfers, its relations and its answered public
  questions, as its page shows them (`exchange.display`)."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from cities import page_locales
from exchange.display import CaseStudyExchange
from exchange.models import RelationKind, Stage
from exchange.network import network_data, read_network
from practices.models import CaseStudyPage

from .api import TOO_MANY_REQUESTS, ErrorSerializer, PublicAPIView, json_response, remembered_json
from .backends.facets import load_facet_options

MAX_ID = 2**31 - 1  # page ids are 32-bit integers


class LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True)


class NetworkCitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(allow_null=True, help_text="ISO 3166-1 alpha-2 code.")
    url = serializers.CharField(allow_null=True)
    adapting = serializers.IntegerField(help_text="Transfers this city records (practices of others it adapts).")
    adapted = serializers.IntegerField(help_text="Transfers of this city's practices by other cities.")


class NetworkTransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_city = serializers.IntegerField(help_text="The adopting city (an id of `cities`).")
    to_city = serializers.IntegerField(help_text="The city whose case study is adapted (an id of `cities`).")
    case_study = LinkSerializer(help_text="The case study adapted.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    started = serializers.DateField(allow_null=True)
    own_case_study = LinkSerializer(allow_null=True, help_text="The adopting city's own case study, when public.")


class NetworkSerializer(serializers.Serializer):
    cities = NetworkCitySerializer(many=True)
    transfers = NetworkTransferSerializer(many=True)


class TransferCitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    city = TransferCitySerializer(help_text="The adopting city.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    started = serializers.DateField(allow_null=True)
    changes = serializers.CharField(help_text="What the adopting city changed (plain text).")
    lessons = serializers.CharField(help_text="What the adopting city learned (plain text).")
    note = serializers.CharField()
    own_case_study = LinkSerializer(allow_null=True)


class RelationSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RelationKind.choices, help_text="As recorded, read from `from`.")
    direction = serializers.ChoiceField(
        choices=[("outgoing", "outgoing"), ("incoming", "incoming")],
        help_text="outgoing: this case study [type] the other; incoming: the other [type] this one.",
    )
    label = serializers.CharField(help_text="As this case study's page shows it (the inverse label when incoming).")
    pending = serializers.BooleanField(help_text="Recorded by this case study's city, not confirmed by the other yet.")
    case_study = LinkSerializer()


class AskerSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.CharField(help_text="Empty when not given.")
    city = serializers.CharField(help_text="The asker's city of the network, empty when none (or not public).")


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField(help_text="Plain text.")
    asked_at = serializers.DateTimeField()
    asker = AskerSerializer(help_text="Never the asker's email address.")
    answer = serializers.CharField(help_text="The case study's city's answer (plain text).")
    answered_at = serializers.DateTimeField()


class PracticeExchangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    adapted_by = serializers.IntegerField(
        help_text="Adapted by N cities: distinct public cities with an accepted transfer at any stage but dropped."
    )
    transfers = TransferSerializer(many=True, help_text="Accepted transfers by public cities (dropped ones too).")
    relations = RelationSerializer(many=True)
    questions = QuestionSerializer(
        many=True, help_text="Questions peers asked the case study's city, answered, shown by the asker's choice and "
        "not hidden by a moderator; newest answer first.",
    )


def _link(page, urls):
    return {"id": page.pk, "title": page.title, "url": urls(page.url_path)} if page is not None else None


class NetworkAPIView(PublicAPIView):
    throttle_scope = "api_network"

    @extend_schema(
        operation_id="network",
        summary="The network of cities and transfers",
        description="Every published city and the accepted transfers between them (from the adopting city to the "
        "city whose case study it adapts), as /network/ shows them. Drafts and private pages never appear.",
        responses={200: NetworkSerializer, 429: TOO_MANY_REQUESTS},
    )
    def get(self, request):
        return remembered_json("api-network", [], lambda: network_data(read_network()))


class PracticeExchangeAPIView(PublicAPIView):
    throttle_scope = "api_practice_exchange"

    @extend_schema(
        operation_id="practices_exchange",
        summary="How other cities adapt a case study",
        description="A published case study's “Adapted by N cities”, its accepted transfers, its relations to "
        "other published case studies and the questions its city answered that the askers let be shown.",
        parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                     OpenApiParameter.PATH, description="The case study's id.")],
        responses={
            200: PracticeExchangeSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No published case study has this id."),
            429: TOO_MANY_REQUESTS,
        },
    )
    def get(self, request, id):  # noqa: A002 - the path parameter's name
        page = None
        if re.fullmatch(r"[0-9]{1,10}", id) and 0 < int(id) <= MAX_ID:
            page = CaseStudyPage.objects.listable().filter(pk=int(id)).first()
            if page is not None and not page_locales.is_canonical(page):
                page = page_locales.canonical(page)
        if page is None:
            return json_response({"errors": {"id": "no published case study has this id."}}, status=404)
        urls = load_facet_options().urls
        exchange = CaseStudyExchange(page)
        return json_response({
            "id": page.pk,
            "title": page.title,
            "url": urls(page.url_path),
            "adapted_by": exchange.adapted_by,
            "transfers": [
                {
                    "id": transfer.pk,
                    "city": {
                        "id": transfer.adopting_city.pk,
                        "slug": transfer.adopting_city.slug,
                        "name": transfer.adopting_city.title,
                        "country": str(transfer.adopting_city.country) or None,
                        "url": urls(transfer.adopting_city.url_path),
                    },
                    "stage": transfer.stage,
                    "started": transfer.started.isoformat() if transfer.started else None,
                    "changes": transfer.changes,
                    "lessons": transfer.lessons,
                    "note": transfer.note,
                    "own_case_study": _link(transfer.shown_own_case_study, urls),
                }
                for transfer in exchange.adaptations
            ],
            "relations": [
                {
                    "type": relation.kind,
                    "direction": "outgoing" if relation.outgoing else "incoming",
                    "label": relation.label,
                    "pending": relation.pending,
                    "case_study": _link(relation.page, urls),
                }
                for relation in exchange.relations
            ],
            "questions": [
                {
                    "id": question.pk,
                    "question": question.text,
                    "asked_at": question.asked_at.isoformat(),
                    "asker": question.shown_asker,
                    "answer": question.answer,
                    "answered_at": question.answered_at.isoformat(),
                }
                for question in exchange.questions
            ],
        })


