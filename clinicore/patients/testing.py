"""Factories and request bodies for the API walkers (see clinicore.core.testing)."""

from clinicore.core.testing import make_patient, object_factory, request_body


@object_factory("patient")
def _patient(world, clinic):
    return make_patient(clinic, first_name="Walker")


@request_body("POST /api/v1/patients")
def _create(world, clinic):
    return {
        "first_name": "Meera",
        "last_name": "Nair",
        "phone": "+91 98200 00001",
        "gender": "female",
    }


@request_body("PUT /api/v1/patients/{patient_id}")
def _update(world, clinic):
    return {"phone": "+91 98200 00002"}


@request_body("POST /api/v1/patients/{patient_id}/merge")
def _merge(world, clinic):
    return {"duplicate_id": str(make_patient(clinic, first_name="Duplicate").pk)}
