"""Request bodies for the API walkers (see clinicore.core.testing)."""

from clinicore.core.testing import make_patient, request_body


@request_body("POST /api/v1/barcodes/scan")
def _scan(world, clinic):
    patient = make_patient(clinic, first_name="Scanned")
    return {"code": patient.barcode, "check_in": True, "source": "wedge"}
