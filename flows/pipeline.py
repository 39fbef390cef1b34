"""The pipeline flow: dvc.yaml's stages, run by Prefect.

The DAG is not declared here: the stages, their commands and their order come from the DVC repo itself (DVC's
Python API). The flow runs, level by level, the stages DVC reports as changed; stages of one level (one extraction
per film) run in parallel on the chosen task runner; each stage is a task with retries and its own log. After a
level, the flow records the results with `dvc commit`, so `dvc.lock` ends up as `dvc repro` would write it and
either tool can pick up where the other stopped. DVC itself is only ever called from the flow's own process, one
call at a time (DVC locks the repo); the tasks only run the stages' `moviegoer` commands.

    python -m flows.pipeline [STAGE...] [--root DIR] [--runner threads|processes|dask] [--dask-address tcp://...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.futures import wait
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from moviegoer.core.paths import EVALUATION_DIR, FILMS_PAGE, REPORT_FILE, REVIEWED_DIR, SCENE_EVALUATION_DIR
from moviegoer.evaluation import results

STAGE_RETRIES = 2
OUTPUT_TAIL = 30  # lines of a stage's output kept in the task log


@dataclass(frozen=True)
class StageSpec:
    """One stage of dvc.yaml as the flow needs it."""

    name: str  # DVC's address, e.g. "extract@sample_01"
    cmd: str
    wdir: str  # relative to the repo root
    needs: tuple[str, ...]  # stages whose outputs it reads


class StageFailed(RuntimeError):
    """A stage's command exited non-zero; the message carries the stage's own error lines."""


def read_stages(root: Path) -> list[StageSpec]:
    """Every stage with a command, and the stages it depends on, from the DVC repo's own graph."""
    from dvc.repo import Repo

    with (
        contextlib.chdir(root),
        Repo(str(root)) as repo,
    ):  # DVC names stages relative to the working directory
        graph = repo.index.graph  # an edge goes from a stage to a stage whose outputs it depends on
        specs = []
        for stage in graph.nodes:
            command = getattr(stage, "cmd", None)
            if not command:
                continue  # data sources: `dvc add` pointer files
            needs = sorted(dep.addressing for dep in graph.successors(stage) if getattr(dep, "cmd", None))
            specs.append(
                StageSpec(
                    name=stage.addressing,
                    cmd=command if isinstance(command, str) else " && ".join(command),
                    wdir=os.path.relpath(stage.wdir, repo.root_dir),
                    needs=tuple(needs),
                )
            )
    return sorted(specs, key=lambda spec: spec.name)


def stage_levels(specs: list[StageSpec]) -> list[list[StageSpec]]:
    """Stages grouped so that each one's dependencies are in earlier groups (a topological layering)."""
    by_name = {spec.name: spec for spec in specs}
    depth: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in depth:
            depth[name] = 1 + max(
                (level(need) for need in by_name[name].needs if need in by_name), default=-1
            )
        return depth[name]

    layers: list[list[StageSpec]] = []
    for spec in specs:
        index = level(spec.name)
        layers.extend([] for _ in range(index + 1 - len(layers)))
        layers[index].append(spec)
    return layers


def changed_stages(root: Path, names: list[str]) -> list[str]:
    """The stages among `names` that DVC would run: changed code, params, deps, or missing outputs."""
    from dvc.repo import Repo

    with contextlib.chdir(root), Repo(str(root)) as repo, repo.lock:
        wanted = set(names)
        return sorted(
            stage.addressing for stage in repo.index.stages if stage.addressing in wanted and stage.changed()
        )


def commit_stages(root: Path, names: list[str]) -> None:
    """Record finished stages in dvc.lock and the cache, as `dvc repro` does after running them."""
    from dvc.repo import Repo

    with (
        contextlib.chdir(root),
        Repo(str(root)) as repo,
    ):  # DVC names stages relative to the working directory
        for name in names:
            repo.commit(name, force=True)


def stage_environment() -> dict[str, str]:
    """The stages' `moviegoer` commands come from this interpreter's environment, activated or not."""
    here = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([here, os.environ.get("PATH", "")])}


@task(retries=STAGE_RETRIES, retry_delay_seconds=5, task_run_name="{spec.name}")
def run_stage(spec: StageSpec, root: str) -> str:
    """Run one stage's command; fail with the command's own error lines."""
    logger = get_run_logger()
    logger.info("running %s: %s", spec.name, spec.cmd)
    result = subprocess.run(
        spec.cmd,
        shell=True,
        cwd=Path(root) / spec.wdir,
        capture_output=True,
        text=True,
        env=stage_environment(),
    )
    output = (result.stdout + result.stderr).strip().splitlines()
    for line in output[-OUTPUT_TAIL:]:
        logger.info("%s | %s", spec.name, line)
    if result.returncode != 0:
        errors = [line for line in output if line.startswith("error:")] or output[-3:]
        raise StageFailed(f"stage {spec.name} failed (exit {result.returncode}): {' / '.join(errors)}")
    return spec.name


def _publish_results(root: Path) -> None:
    """Prefect artifacts of the evaluation: a metrics table and a summary that links the report."""
    evaluation = root / EVALUATION_DIR
    if not (evaluation / results.EVALUATION_FILE).exists():
        return
    result = results.read_results(evaluation)
    columns = (*results.HEADLINE, "threshold")
    rows = [
        {"row": name, **{column: values.get(column) for column in columns}}
        for name, values in result.rows.items()
    ]
    create_table_artifact(
        key="mcu-metrics", table=rows, description=f"MCU classifier ({result.design}) on the test split"
    )
    model, original = result.model, results.ORIGINAL_RESEARCH
    report = (root / REPORT_FILE).resolve()
    create_markdown_artifact(
        key="mcu-summary",
        markdown=(
            f"# MCU classifier ({result.design})\n\nRecall **{model['recall']:.1%}** at a false positive rate of "
            f"**{model['false_positive_rate']:.1%}** on {result.test_frames} test frames "
            f"(original research: {original['recall']:.0%} / {original['false_positive_rate']:.0%}).\n\n"
            f"Report: [{report}](file://{report})\n"
        ),
        description="Summary of the latest evaluation",
    )


def _publish_scenes(root: Path) -> None:
    """Prefect artifacts of the dialogue scenes: a table of scene counts per film, a link to each timeline (as people
    reviewed it: `moviegoer reviewed`), and the scene detector's accuracy on the films people reviewed."""
    from moviegoer.scenes.stage import SUMMARY, TIMELINE

    rows = []
    for summary_path in sorted((root / REVIEWED_DIR).glob(f"*/{SUMMARY}")):
        film, summary = summary_path.parent, json.loads(summary_path.read_text(encoding="utf-8"))
        rows.append({"film": film.name, "dialogue scenes": summary["scenes"],
                     "corrections": summary.get("corrections", 0), "timeline": str((film / TIMELINE).resolve())})  # fmt: skip
        create_link_artifact(
            key=f"timeline-{film.name.lower().replace('_', '-')}",
            link=(film / TIMELINE).resolve().as_uri(),
            link_text=f"{film.name}: {summary['scenes']} dialogue scenes",
            description=f"Timeline of {film.name}",
        )
    if rows:
        create_table_artifact(key="dialogue-scenes", table=rows, description="Dialogue scenes per film")
    if (root / FILMS_PAGE).exists():
        create_link_artifact(
            key="films", link=(root / FILMS_PAGE).resolve().as_uri(), link_text="All films' timelines"
        )
    evaluation = root / SCENE_EVALUATION_DIR / "evaluation.json"
    scored = json.loads(evaluation.read_text()) if evaluation.exists() else {}
    if scored.get("reviewed_films"):
        create_markdown_artifact(
            key="scene-accuracy",
            markdown=(
                f"# Dialogue scenes against {scored['reviewed_films']} reviewed film(s)\n\nRecall "
                f"**{scored['recall']:.1%}** ({scored['matched']} of {scored['true']} confirmed or added scenes "
                f"found), precision **{scored['precision']:.1%}** ({scored['found']} found), mean IoU "
                f"{scored['mean_iou']:.2f}.\n"
            ),
            description="The scene detector against the scenes people confirmed or added in moviegoer review",
        )


def select(specs: list[StageSpec], targets: list[str] | None) -> list[StageSpec]:
    """The target stages (a name, or a foreach group such as "extract") and every stage they depend on."""
    if not targets:
        return specs
    by_name = {spec.name: spec for spec in specs}
    chosen: set[str] = set()
    pending = [name for name in by_name if any(name == t or name.startswith(f"{t}@") for t in targets)]
    if not pending:
        raise ValueError(f"no stage matches {targets} (stages: {', '.join(by_name)})")
    while pending:
        name = pending.pop()
        if name not in chosen:
            chosen.add(name)
            pending.extend(need for need in by_name[name].needs if need in by_name)
    return [spec for spec in specs if spec.name in chosen]


@flow(name="moviegoer-pipeline", log_prints=True)
def pipeline(root: str = ".", targets: list[str] | None = None) -> list[str]:
    """Bring the stages of dvc.yaml (all, or `targets` and what they need) up to date; returns those that ran."""
    logger = get_run_logger()
    root_path = Path(root).resolve()
    ran: list[str] = []
    for layer in stage_levels(select(read_stages(root_path), targets)):
        todo = changed_stages(root_path, [spec.name for spec in layer])
        skipped = len(layer) - len(todo)
        if skipped:
            logger.info(
                "%d stage(s) up to date: %s", skipped, ", ".join(s.name for s in layer if s.name not in todo)
            )
        if not todo:
            continue
        futures = [run_stage.submit(spec, str(root_path)) for spec in layer if spec.name in todo]
        wait(futures)
        finished = [future.result(raise_on_failure=False) for future in futures]
        done = [name for name in finished if isinstance(name, str)]
        commit_stages(root_path, done)  # keep what succeeded, even when a sibling failed
        ran.extend(done)
        failures = [result for result in finished if isinstance(result, BaseException)]
        if failures:
            raise failures[0]
    if any(name == "evaluate" for name in ran):
        _publish_results(root_path)
    if any(name.startswith("scenes@") or name == "timelines" for name in ran):
        _publish_scenes(root_path)
    return ran


def task_runner(kind: str, workers: int | None = None, dask_address: str | None = None) -> Any:
    """threads (default), processes, or dask: a DaskTaskRunner on an existing cluster at `dask_address`
    (its workers must see the same repository storage, e.g. a shared file system), or a local one."""
    if kind == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "processes":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address) if dask_address else DaskTaskRunner()
    raise ValueError(f"unknown task runner {kind!r} (threads, processes, dask)")


def run_pipeline(
    root: str = ".",
    targets: list[str] | None = None,
    runner: str = "threads",
    workers: int | None = None,
    dask_address: str | None = None,
) -> list[str]:
    return pipeline.with_options(task_runner=task_runner(runner, workers, dask_address))(
        root=root, targets=targets
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the moviegoer pipeline (dvc.yaml) with Prefect.")
    parser.add_argument(
        "targets", nargs="*", help="stages (or foreach groups) to bring up to date; default all"
    )
    parser.add_argument("--root", default=".", help="the DVC repository")
    parser.add_argument("--runner", default="threads", choices=("threads", "processes", "dask"))
    parser.add_argument("--workers", type=int, default=None, help="parallel tasks (threads/processes)")
    parser.add_argument("--dask-address", default=None, help="scheduler of an existing Dask cluster")
    args = parser.parse_args()
    ran = run_pipeline(args.root, args.targets or None, args.runner, args.workers, args.dask_address)
    print(f"ran {len(ran)} stage(s): {', '.join(ran) or 'none (all up to date)'}")


if __name__ == "__main__":
    main()
