"""Hot-lead, chat-escalation and watched-assessment alerts posted to Slack / Microsoft Teams
incoming webhooks, next to (never instead of) the e-mail alerts."""
