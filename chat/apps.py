from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Live chat"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import KnowledgeArticle, KnowledgeSynonym

        # What the bot tells visitors: who changed an answer or a synonym, and when.
        auditlog.register(KnowledgeArticle, exclude_fields=["updated_at"])
        auditlog.register(KnowledgeSynonym, exclude_fields=["updated_at"])
