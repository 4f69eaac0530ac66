"""Partners and outcomes become translatable (wagtail.models.TranslatableMixin):
each row gets its page's locale and a translation key shared with the rows
at the same place on the other pages of the page's translation group, so
that wagtail-localize matches them."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

RELATIONS = [("casestudypartner", "partners"), ("casestudyoutcome", "outcomes")]


def key_for(page_translation_key, relation, position):
    return uuid.uuid5(uuid.NAMESPACE_URL, f"case-study/{page_translation_key}/{relation}/{position}")


def bootstrap(apps, schema_editor):
    CaseStudyPage = apps.get_model("practices", "CaseStudyPage")
    pages = {page.pk: page for page in CaseStudyPage.objects.only("pk", "translation_key", "locale_id")}
    for model_name, relation in RELATIONS:
        model = apps.get_model("practices", model_name)
        position = {}
        for row in model.objects.order_by("page_id", "sort_order", "pk"):
            page = pages[row.page_id]
            index = position[row.page_id] = position.get(row.page_id, -1) + 1
            row.locale_id = page.locale_id
            row.translation_key = key_for(page.translation_key, relation, index)
            row.save(update_fields=["locale", "translation_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0003_lead_image"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [
        *[
            operation
            for model_name, _relation in RELATIONS
            for operation in (
                migrations.AddField(
                    model_name=model_name,
                    name="locale",
                    field=models.ForeignKey(
                        editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="wagtailcore.locale", verbose_name="locale",
                    ),
                ),
                migrations.AddField(
                    model_name=model_name, name="translation_key", field=models.UUIDField(editable=False, null=True)
                ),
            )
        ],
        migrations.RunPython(bootstrap, migrations.RunPython.noop),
        *[
            operation
            for model_name, _relation in RELATIONS
            for operation in (
                migrations.AlterField(
                    model_name=model_name,
                    name="locale",
                    field=models.ForeignKey(
                        editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="wagtailcore.locale", verbose_name="locale",
                    ),
                ),
                migrations.AlterField(
                    model_name=model_name,
                    name="translation_key",
                    field=models.UUIDField(default=uuid.uuid4, editable=False),
                ),
                migrations.AlterUniqueTogether(name=model_name, unique_together={("translation_key", "locale")}),
            )
        ],
    ]
