"""`moviegoer sample`: render the embedded synthetic sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moviegoer.cli.app import ParamsOption, app, command
from moviegoer.core import console
from moviegoer.core.paths import PARAMS_FILE, SAMPLE_DIR


@command(app)
def sample(
    out: Annotated[Path, typer.Option(help="Folder for the sample films and their timeline.")] = SAMPLE_DIR,
    films: Annotated[int | None, typer.Option(help="Number of films.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed: same seed, same bytes.")] = None,
    force: Annotated[bool, typer.Option(help="Render again even if the sample is there.")] = False,
    params: ParamsOption = PARAMS_FILE,
) -> None:
    """Render the embedded sample: synthetic films with shots of known type and their ground-truth timeline."""
    from moviegoer.core.params import section_params
    from moviegoer.sample.plan import SampleParams
    from moviegoer.sample.render import render_sample, sample_is_complete

    sample_params = section_params(SampleParams, "sample", params, films=films, seed=seed)
    if not force and sample_is_complete(out, sample_params):
        console.out.print(f"sample already rendered in {out} (use --force to render again)")
        return
    videos = render_sample(out, sample_params, progress=True)
    console.out.print(f"rendered {len(videos)} films and timeline.parquet into {out}")
