"""Build ficha_pacientes.xlsx: a Spanish clinic's per-patient sheet, as clinics keep them.

Synthetic patients (invented). The shape is what clinics hand over: a merged
title row above the header, an empty row, Spanish headers, real Excel date
cells shown dd/mm/yyyy, "Sí"/"No" answers, "No biopsia" and "sin dato" for
what was not recorded, a numeric dose column, a free-text column and a footer
note below an empty row. Run it with `python make_ficha_pacientes.py` to
rebuild the file next to it.
"""

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HEADER = [
    "Nº",
    "Código",
    "Sexo",
    "Fecha de nacimiento",
    "Fecha debut",
    "Biopsia",
    "Respuesta a esteroides",
    "Ciclofosfamida",
    "Ciclosporina",
    "Tacrolimus",
    "Fecha inicio MMF",
    "Dosis MMF (mg/m²/día)",
    "Fecha fin MMF",
    "Estado al inicio MMF",
    "Estado a los 6 meses",
    "Estado a los 12 meses",
    "IRC",
    "Fecha IRC",
    "Fecha último control",
    "Observaciones",
]

D = dt.date
# code, sex, birth, onset, biopsy, response, CYC, CsA, TAC, MMF start, dose, MMF stop,
# state 0, state 6, state 12, CRF, CRF date, last follow-up, notes
PATIENTS = [
    (
        "NEF-001",
        "Masculino",
        D(2003, 4, 12),
        D(2006, 2, 3),
        "GEFS",
        "Corticorresistente",
        "Sí",
        "No",
        "No",
        D(2007, 5, 14),
        1200,
        None,
        "Nefrótico",
        "Remisión parcial",
        "Remisión completa",
        "No",
        None,
        D(2011, 6, 20),
        "",
    ),
    (
        "NEF-002",
        "Femenino",
        D(2001, 9, 30),
        D(2004, 11, 21),
        "Cambios mínimos",
        "Corticosensible",
        "No",
        "Sí",
        "No",
        D(2006, 1, 9),
        1000,
        D(2008, 1, 15),
        "Nefrótico",
        "Remisión completa",
        "Remisión completa",
        "No",
        None,
        D(2011, 3, 2),
        "Recaídas frecuentes",
    ),
    (
        "NEF-003",
        "Masculino",
        D(2005, 1, 17),
        D(2007, 3, 25),
        "No biopsia",
        "Corticosensible",
        "No",
        "No",
        "No",
        D(2008, 4, 28),
        600,
        None,
        "Nefrótico",
        "Remisión completa",
        "sin dato",
        "No",
        None,
        D(2011, 9, 14),
        "",
    ),
    (
        "NEF-004",
        "Femenino",
        D(2000, 6, 5),
        D(2002, 8, 19),
        "GEFS",
        "Corticorresistente",
        "Sí",
        "Sí",
        "No",
        D(2005, 10, 3),
        1200,
        D(2009, 2, 27),
        "Nefrótico",
        "Nefrótico",
        "Nefrótico",
        "Sí",
        D(2009, 1, 30),
        D(2011, 1, 11),
        "Diálisis 2010",
    ),
    (
        "NEF-005",
        "Masculino",
        D(2004, 12, 24),
        D(2006, 7, 30),
        "GNMP",
        "Corticorresistente",
        "No",
        "No",
        "Sí",
        D(2008, 9, 15),
        1200,
        None,
        "Nefrótico",
        "Remisión parcial",
        "Remisión parcial",
        "No",
        None,
        D(2011, 10, 6),
        "",
    ),
    (
        "NEF-006",
        "Femenino",
        D(2002, 3, 8),
        D(2005, 5, 16),
        "Cambios mínimos",
        "Corticosensible",
        "No",
        "No",
        "No",
        D(2007, 2, 19),
        800,
        D(2009, 3, 2),
        "Remisión parcial",
        "Remisión completa",
        "Remisión completa",
        "No",
        None,
        D(2010, 12, 13),
        "",
    ),
    (
        "NEF-007",
        "Masculino",
        D(2001, 11, 2),
        D(2003, 1, 27),
        "Membranosa",
        "Corticorresistente",
        "Sí",
        "No",
        "Sí",
        D(2006, 6, 12),
        1200,
        None,
        "Nefrótico",
        "Nefrótico",
        "Remisión parcial",
        "Sí",
        D(2010, 5, 24),
        D(2011, 8, 29),
        "",
    ),
    (
        "NEF-008",
        "Femenino",
        D(2006, 2, 14),
        D(2007, 10, 8),
        "No biopsia",
        "Corticosensible",
        "No",
        "No",
        "No",
        D(2009, 1, 26),
        600,
        None,
        "Nefrótico",
        "sin dato",
        "Remisión completa",
        "No",
        None,
        D(2011, 11, 21),
        "",
    ),
    (
        "NEF-009",
        "Masculino",
        D(2003, 7, 21),
        D(2005, 9, 12),
        "GEFS",
        "Corticorresistente",
        "No",
        "Sí",
        "Sí",
        D(2007, 11, 5),
        1000,
        None,
        "Nefrótico",
        "Remisión parcial",
        "Nefrótico",
        "Sí",
        D(2011, 2, 7),
        D(2011, 7, 18),
        "",
    ),
    (
        "NEF-010",
        "Femenino",
        D(2004, 5, 29),
        D(2006, 12, 4),
        "Cambios mínimos",
        "Corticosensible",
        "No",
        "No",
        "No",
        D(2008, 2, 11),
        800,
        D(2010, 2, 15),
        "Nefrótico",
        "Remisión completa",
        "Remisión completa",
        "No",
        None,
        D(2011, 5, 9),
        "",
    ),
]
DATE_COLUMNS = {4, 5, 11, 13, 18, 19}  # 1-based columns holding dates


def build(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Pacientes"
    sheet["A1"] = (
        "Registro de pacientes con síndrome nefrótico tratados con MMF - Nefrología Pediátrica"
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    # row 2 stays empty, as under most hand-made titles
    for column, name in enumerate(HEADER, start=1):
        sheet.cell(row=3, column=column, value=name).font = Font(bold=True)
    for offset, patient in enumerate(PATIENTS):
        row = 4 + offset
        sheet.cell(row=row, column=1, value=offset + 1)
        for column, value in enumerate(patient, start=2):
            cell = sheet.cell(row=row, column=column, value=value if value != "" else None)
            if column in DATE_COLUMNS and value is not None:
                cell.number_format = "dd/mm/yyyy"
    footer = 4 + len(PATIENTS) + 1  # one empty row, then the note
    sheet.cell(row=footer, column=1, value="Datos seudonimizados. Fuente: historia clínica.")
    book.save(path)
    return path


if __name__ == "__main__":
    build(Path(__file__).with_name("ficha_pacientes.xlsx"))
