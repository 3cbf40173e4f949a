"""One copier run: a Worker renders into a staging folder, read back as a tree."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from synctool.blueprint import checkouts, copiererrors, sources, speedups
from synctool.blueprint.render.answers import (
    answers_to_record,
    check_types,
    secret_values,
)
from synctool.blueprint.render.destination import Seen, at_destination
from synctool.blueprint.render.hooks import quiet_copier, record_prompts, set_operation
from synctool.blueprint.render.job import CheckoutGone, Job, Prompts
from synctool.blueprint.render.policy import POLICY_FILE, policy_text, skip_if_exists
from synctool.blueprint.render.recorded import check_recorded, missing_error, recall
from synctool.blueprint.render.result import Rendered, folder_digest
from synctool.blueprint.render.taskcontext import template_code
from synctool.service.staging import read_tree


def run_copier(job: Job, *, defaults: bool, prompts: Prompts) -> Rendered:
    from copier._main import Worker  # lazy: `synctool check` must never pay for copier

    src, ref, data = job.src, job.ref, job.data
    # a bare repository, a URL: as copier reads git; an option-like one refused
    url = sources.copier_url(src, ref)
    # copier renders a local blueprint's uncommitted changes at HEAD.
    pin = (ref, job.commit) if ref not in (None, "HEAD") and job.commit else None
    with tempfile.TemporaryDirectory(prefix="synctool-render-") as tmp, quiet_copier():
        staging = Path(tmp) / "out"
        missing: list[str] = []
        caught: list[warnings.WarningMessage] = []
        reused = False
        try:
            with (
                warnings.catch_warnings(record=True) as caught,
                record_prompts(missing, prompts),
                set_operation(job.operation),
                Worker(
                    src_path=url,
                    dst_path=staging,
                    vcs_ref=ref,
                    data=dict(data),
                    defaults=defaults,
                    unsafe=job.trust,
                    skip_tasks=True,  # synctool runs them in the service (synctool.blueprint.tasks)
                    skip_answered=bool(
                        job.recorded
                    ),  # recorded answers: not asked again
                    quiet=True,
                    cleanup_on_error=False,
                    overwrite=True,
                ) as worker,
            ):
                warnings.simplefilter("always")
                template = worker.template
                reused = pin is not None and speedups.reuse_checkout(
                    template, src, *pin
                )
                if not reused and not Path(url).is_dir():
                    with checkouts.clone_lock(src):
                        template.local_abspath  # noqa: B018 - clones, one at a time
                sources.require_copier_config(Path(template.local_abspath), src, ref)
                check_types(template.questions_data, data)
                recalled = recall(worker, job.recorded)
                seen = Seen()
                if job.dest is not None:
                    at_destination(worker, job.dest, seen)
                speedups.speed_up(worker)
                worker.run_copy()
                if missing:
                    raise copiererrors.missing_answers(
                        missing, defaults=prompts != "record", operation=job.operation
                    )
                answers = answers_to_record(worker)
                secrets = secret_values(worker)
                if recalled:
                    check_recorded(worker, job, answers)
                policy = policy_text(worker, answers)
                local = Path(worker.template.local_abspath)
                commit = worker.template.commit_hash or folder_digest(local)
                version = worker.template.version
                code = template_code(worker, job.operation)._replace(
                    root=str(worker.template.local_abspath),
                    checkout=(src, *pin) if pin is not None else (),
                )
                skip = skip_if_exists(worker)
                # copier's answers file is a rendered file like any other.
                drop = set()
                if not worker.template.subdirectory:
                    drop.add(POLICY_FILE)  # the policy is for synctool, not the service
                if pin is not None and not reused:
                    speedups.keep_checkout(template, src, *pin)  # last: moves the clone
        except Exception as exc:  # copier's errors become one sentence each
            if missing:
                raise missing_error(job, missing, prompts) from None
            if reused and not Path(template.local_abspath).is_dir():
                raise CheckoutGone from exc
            raise copiererrors.translate(
                exc, sources.shown(src), ref, job.operation
            ) from exc
        tree, notes = read_tree(staging, drop=drop)
        notes += tuple(text for w in caught if (text := copiererrors.warning_text(w)))
        return Rendered(
            tree=tree,
            answers=answers,
            commit=commit,
            version=str(version) if version is not None else None,
            policy_text=policy,
            warnings=notes,
            code=code,
            skip_if_exists=skip,
            uses_destination=seen.destination,
            reads_service=seen.service_files,
            secret_values=secrets,
        )
