"""The default nurture sequence "After a security assessment", and the nurture permissions of
the sales groups (managers keep the sequences; both see enrolments, scoped to their leads).

The report itself goes out at once from the assessment flow, so the sequence starts on day 3.
Frozen texts and lists here, as a migration must not depend on code that changes later; the
templates only use the sandbox's variables (leads.nurture.templating), and a test checks that
they pass its validation.
"""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups
from django.utils import timezone

PERMISSIONS = {
    "Sales rep": ["view_nurtureenrollment"],
    "Sales manager": [
        "add_nurturesequence", "change_nurturesequence", "delete_nurturesequence", "view_nurturesequence",
        "add_nurturestep", "change_nurturestep", "delete_nurturestep", "view_nurturestep",
        "view_nurtureenrollment", "view_nurturesend",
    ],
}  # fmt: skip

NAME = "After a security assessment"

DAY_3_TEXT = """Hi {{ first_name }},

{% if grade %}Your assessment of {{ target_host }} came back with grade {{ grade }}.{% else %}Thanks again for running a security assessment with us.{% endif %}
{% if top_findings %}Here is how to fix the {{ top_findings|length }} findings that matter most:
{% for f in top_findings %}
{{ forloop.counter }}. {{ f.title }} ({{ f.severity }})
   {{ f.recommendation|default:"See the report for the fix." }}
{% endfor %}{% endif %}
Most teams fix these in an afternoon. Run the assessment again afterwards to see your new grade.

The Enterprise Scanner team
"""

DAY_3_HTML = """<p>Hi {{ first_name }},</p>
<p>{% if grade %}Your assessment of <strong>{{ target_host }}</strong> came back with grade <strong>{{ grade }}</strong>.{% else %}Thanks again for running a security assessment with us.{% endif %}</p>
{% if top_findings %}<p>Here is how to fix the {{ top_findings|length }} findings that matter most:</p>
<ol>{% for f in top_findings %}
  <li><strong>{{ f.title }}</strong> ({{ f.severity }})<br>{{ f.recommendation|default:"See the report for the fix." }}</li>
{% endfor %}</ol>{% endif %}
<p>Most teams fix these in an afternoon. Run the assessment again afterwards to see your new grade.</p>
<p>The Enterprise Scanner team</p>
"""

DAY_10_TEXT = """Hi {{ first_name }},

{% if company %}Securing {{ company }} is more than a scan.{% else %}A scan is a start.{% endif %} One of our security engineers can walk you through your findings in 30 minutes, and show what continuous monitoring would catch next.

Just reply to this e-mail with a time that suits you, or book at {{ site_url }}.

The Enterprise Scanner team
"""

DAY_10_HTML = """<p>Hi {{ first_name }},</p>
<p>{% if company %}Securing {{ company }} is more than a scan.{% else %}A scan is a start.{% endif %} One of our security engineers can walk you through your findings in 30 minutes, and show what continuous monitoring would catch next.</p>
<p>Just reply to this e-mail with a time that suits you, or <a href="{{ site_url }}">book a call</a>.</p>
<p>The Enterprise Scanner team</p>
"""

STEPS = [
    (1, 3, "{{ first_name }}, how to fix your top 3 findings", DAY_3_TEXT, DAY_3_HTML),
    (2, 10, "Talk to an engineer about {{ company|default:'your results' }}", DAY_10_TEXT, DAY_10_HTML),
]


def seed(apps, schema_editor):
    Sequence = apps.get_model("leads", "NurtureSequence")
    Step = apps.get_model("leads", "NurtureStep")
    if Sequence.objects.filter(name=NAME).exists():
        return
    sequence = Sequence.objects.create(
        name=NAME,
        description="Day 3: how to fix the top findings; day 10: talk to an engineer. "
        "The report itself is e-mailed at once by the assessment flow.",
        trigger="assessment_completed",
        is_active=True,
        created_at=timezone.now(),
    )
    for position, days, subject, text, html in STEPS:
        Step.objects.create(
            sequence=sequence,
            position=position,
            delay_days=days,
            subject=subject,
            text_template=text,
            html_template=html,
        )


def unseed(apps, schema_editor):
    apps.get_model("leads", "NurtureSequence").objects.filter(name=NAME, enrollments__isnull=True).delete()


@group_grant
def grant(apps, schema_editor):
    grant_to_groups(apps, "leads", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0012_nurture"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
