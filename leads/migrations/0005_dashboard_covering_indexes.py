"""Covering indexes for the dashboard at a million leads (PostgreSQL; on SQLite the INCLUDE part
is ignored and the indexes stay as they were).

The pipeline per status, follow-ups due and leads per week counted through the heap (every
matching row read) took about 200 ms each at 1 M leads; with the owner (the rep's scope) and the
deal value in the index they are index-only scans. Same names, so nothing else refers to new ones.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_rollups_ip_ranges_erasure'),
        ('leads', '0004_search_trigram_indexes'),
        ('partners', '0002_partner_commission_tiers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_status_score_idx',
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_follow_up_idx',
        ),
        migrations.RemoveIndex(
            model_name='lead',
            name='lead_created_idx',
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['status', '-score'], include=('owner', 'estimated_deal_value'), name='lead_status_score_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['next_follow_up_at'], include=('status', 'owner'), name='lead_follow_up_idx'),
        ),
        migrations.AddIndex(
            model_name='lead',
            index=models.Index(fields=['created_at'], include=('owner',), name='lead_created_idx'),
        ),
    ]
