"""Schemathesis over the hall's own OpenAPI document, against a real hall: every operation gets
generated valid and invalid requests, sent with a supervisor's session and an enrolled device's
signature (so the checks behind authentication are reached too), and none may answer 5xx.

Bounded and repeatable: Hypothesis runs derandomized (the same cases every run) with a fixed
number of examples per operation and mode, and the whole run stops generating after
:data:`BUDGET_S` (about a minute on the project's 2-core machines). Every 5xx is collected and
reported together, with the operation and the generated request, so one run shows them all.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from hall.auth import COOKIE_NAME
from hall.server import HallServer
from tests.hall.helpers import add_staff, cheap_hasher, enrol_station, login

BUDGET_S = 60.0
EXAMPLES_PER_MODE = 25
# Logging out would end the session the rest of the run relies on; it is sent without it.
WITHOUT_SESSION = {("POST", "/api/v1/auth/logout")}


def test_no_operation_of_the_hall_answers_5xx(tmp_path: Path) -> None:
    with HallServer(tmp_path / "hall" / "hall.db", password_hasher=cheap_hasher()) as hall:
        add_staff(hall, "wang.supervisor", "supervisor")
        cookie = login(hall, "wang.supervisor").headers["Cookie"]
        assert cookie.startswith(COOKIE_NAME)
        identity = enrol_station(hall, "QH001")
        signed = requests.Session()
        signed.auth = identity.requests_auth()
        signed.headers["Cookie"] = cookie
        bare = requests.Session()

        document = requests.get(hall.url + "/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 20  # the whole API, not a stray subset

        server_errors: list[str] = []
        sent = 0
        deadline = time.monotonic() + BUDGET_S

        def exercise(
            operation: Any,
            mode: GenerationMode,
            session: requests.Session,
            path_parameters: dict[str, str] | None = None,
        ) -> None:
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(
                case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
            )
            def run(case: Any) -> None:
                nonlocal sent
                if time.monotonic() > deadline:
                    return
                try:
                    response = case.call(base_url=hall.url, session=session, timeout=10)
                except TypeError:
                    # A streamed body the signer cannot hash: send it unsigned instead.
                    response = case.call(base_url=hall.url, session=bare, timeout=10)
                sent += 1
                if response.status_code >= 500:
                    server_errors.append(
                        f"{response.status_code} {case.method} {case.formatted_path} "
                        f"query={case.query!r} body={str(case.body)[:200]!r} "
                        f"-> {response.text[:200]!r}"
                    )

            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing in this operation to get wrong

        for operation in operations:
            key = (operation.method.upper(), operation.path)
            session = bare if key in WITHOUT_SESSION else signed
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                exercise(operation, mode, session)
            if "{station_id}" in operation.path:
                # Random station ids stop at the id check; the enrolled one reaches the body's.
                exercise(operation, GenerationMode.POSITIVE, session, {"station_id": "QH001"})

        assert sent > len(operations)  # the run really sent requests
        assert not server_errors, f"{len(server_errors)} 5xx:\n" + "\n".join(server_errors)
