"""The registry's database: centers, users' roles, and the clinical tables."""

from nephrocohort.registry.models._access import (
    ROLE_PERMISSIONS,
    Center,
    Role,
    UserProfile,
    UserWithHistoryDeleteError,
    centers_visible_to,
    profile_of,
    user_can,
)
from nephrocohort.registry.models._audit import AccessEvent, AuditChainHead, AuditSeal
from nephrocohort.registry.models._base import (
    ClinicalRecord,
    EditConflictError,
    FieldChange,
    HardDeleteRefusedError,
)
from nephrocohort.registry.models._clinical import (
    CHILD_MODELS,
    Biopsy,
    Event,
    Genetics,
    Lab,
    Medication,
    Patient,
    Visit,
)
from nephrocohort.registry.models._jobs import BackgroundJob, JobFile
from nephrocohort.registry.models._signatures import (
    ATTESTATIONS,
    PatientSignature,
    SignatureMeaning,
)
from nephrocohort.registry.models._submissions import FormSubmission

__all__ = [
    "ATTESTATIONS",
    "AccessEvent",
    "AuditChainHead",
    "AuditSeal",
    "BackgroundJob",
    "JobFile",
    "centers_visible_to",
    "CHILD_MODELS",
    "ROLE_PERMISSIONS",
    "Biopsy",
    "Center",
    "ClinicalRecord",
    "EditConflictError",
    "Event",
    "FieldChange",
    "FormSubmission",
    "Genetics",
    "HardDeleteRefusedError",
    "Lab",
    "Medication",
    "Patient",
    "PatientSignature",
    "Role",
    "SignatureMeaning",
    "UserProfile",
    "UserWithHistoryDeleteError",
    "Visit",
    "profile_of",
    "user_can",
]
