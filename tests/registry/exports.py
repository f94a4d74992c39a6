"""The registry's export, as the tests read it: the tables of the zip it answers with."""

import io
import zipfile

import pandas as pd
from django.urls import reverse


def export_tables(client, **data) -> dict[str, pd.DataFrame]:
    """POST the export form with ``data``; ``{table: frame}`` of the CSV files in the zip."""
    response = client.post(reverse("registry:export"), data)
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {
            name.removesuffix(".csv"): pd.read_csv(archive.open(name), dtype=str)
            for name in archive.namelist()
            if name.endswith(".csv")
        }
