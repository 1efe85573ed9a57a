"""Seed the default synonym groups (chat.bot.synonyms.DEFAULT_SYNONYMS), so a new installation's
bot knows that "Europe" is "EU" or "pen test" is "penetration testing"; staff edit them in the
admin. Reversing leaves the rows (they may have been edited)."""

from django.db import migrations

from chat.bot.synonyms import DEFAULT_SYNONYMS


def seed(apps, schema_editor):
    KnowledgeSynonym = apps.get_model("chat", "KnowledgeSynonym")
    for terms in DEFAULT_SYNONYMS:
        KnowledgeSynonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_knowledge_synonym")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
