"""Stored ROI calculations with the first calculator's output names get today's names.

The old demo seed wrote `average_breach_cost` / `expected_annual_loss`; the PDF report reads
`estimated_breach_cost` / `expected_annual_exposure` and crashed with KeyError on those rows.
Values are kept as they are (the same figures under their current names); the mapping is copied
here from `assessments.roi.LEGACY_OUTPUT_NAMES` so that this migration never changes meaning.
"""

from django.db import migrations

LEGACY_OUTPUT_NAMES = {
    "average_breach_cost": "estimated_breach_cost",
    "expected_annual_loss": "expected_annual_exposure",
}


def rename_legacy_outputs(apps, schema_editor):
    RoiCalculation = apps.get_model("assessments", "RoiCalculation")
    for calculation in RoiCalculation.objects.only("pk", "outputs").iterator(chunk_size=500):
        outputs = calculation.outputs if isinstance(calculation.outputs, dict) else None
        if not outputs or not any(old in outputs and new not in outputs for old, new in LEGACY_OUTPUT_NAMES.items()):
            continue
        upgraded = dict(outputs)
        for old, new in LEGACY_OUTPUT_NAMES.items():
            if old in upgraded and new not in upgraded:
                upgraded[new] = upgraded.pop(old)
        RoiCalculation.objects.filter(pk=calculation.pk).update(outputs=upgraded)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_watch_and_history")]

    operations = [migrations.RunPython(rename_legacy_outputs, migrations.RunPython.noop)]
