#!/usr/bin/env python3
"""Rebuild the dialogue-scene development clips listed in sources.csv into a cache folder.

usage: fetch_clips.py [--sources sources.csv] [--cache DIR] [--mirror-root /work/.mirror] [--no-download] [--only SLUG ...]

For every row of sources.csv (slug, repo, path, commit, size, sha256, ...):
  1. if <cache>/<slug><ext> exists with the recorded size and sha256, skip it;
  2. else, if a local git mirror of the repository exists (<mirror-root>/<owner>+<name>/repo, a bare git dir or a
     checkout with .git), read the file with `git --git-dir <mirror> show <commit>:<path>`;
  3. else download https://raw.githubusercontent.com/<repo>/<commit>/<path>.
A `path` may list several files joined with "|" (e.g. consecutive HLS `.ts` segments of one rendition): each part is
read as above, in order, and the parts are concatenated byte-wise (consecutive MPEG-TS segments form one playable
stream); `size` and `sha256` are those of the concatenation and the extension is that of the first part.
The bytes are checked against the recorded size and sha256, written to a temporary file inside the cache folder and
renamed into place. One line is printed per clip; the exit status is 1 (naming the clips) if any clip could not be
obtained or verified. Nothing is written outside the cache folder. Standard library only (Python 3.11).

Most clips are copyrighted film/TV excerpts (the Blender open-movie pieces are CC-BY): they are for local measurement
only and must never be committed.
"""

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = os.path.normpath(os.path.join(HERE, "..", "cache", "conversations", "clips"))


def mirror_gitdir(root, repo):
    base = os.path.join(root, repo.replace("/", "+"))
    for cand in (os.path.join(base, "repo", ".git"), os.path.join(base, "repo"), base):
        if os.path.isdir(cand) and (
            os.path.isfile(os.path.join(cand, "HEAD")) or os.path.isdir(os.path.join(cand, "objects"))
        ):
            return cand
    return None


def from_mirror(gitdir, commit, path):
    r = subprocess.run(
        ["git", "--git-dir", gitdir, "show", f"{commit}:{path}"], capture_output=True, timeout=600
    )
    if r.returncode != 0:
        raise RuntimeError(
            r.stderr.decode(errors="replace").strip().splitlines()[-1] if r.stderr else "git show failed"
        )
    return r.stdout


def from_web(repo, commit, path, timeout=120):
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{urllib.parse.quote(path)}"
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def fetch_parts(gitdir, repo, commit, parts, download):
    """Bytes of the parts concatenated in order: (data, how, None), or (None, None, error)."""
    chunks, hows = [], set()
    for part in parts:
        data, how, err = None, None, None
        if gitdir:
            try:
                data, how = from_mirror(gitdir, commit, part), "mirror"
            except Exception as e:  # fall back to download
                err = f"mirror: {e}"
        if data is None and download:
            try:
                data, how = from_web(repo, commit, part), "download"
            except (urllib.error.URLError, OSError, ValueError) as e:
                err = (err + "; " if err else "") + f"download: {e}"
        if data is None:
            err = err or "no mirror and downloads disabled"
            return None, None, (f"{part}: {err}" if len(parts) > 1 else err)
        chunks.append(data)
        hows.add(how)
    how = "+".join(sorted(hows)) + (f", {len(parts)} parts" if len(parts) > 1 else "")
    return b"".join(chunks), how, None


def sha256_file(fp):
    h = hashlib.sha256()
    with open(fp, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default=os.path.join(HERE, "sources.csv"))
    ap.add_argument("--cache", default=DEFAULT_CACHE, help="output folder (default: %(default)s)")
    ap.add_argument("--mirror-root", default="/work/.mirror")
    ap.add_argument("--no-download", action="store_true", help="use local mirrors only")
    ap.add_argument("--only", nargs="*", help="restrict to these slugs")
    a = ap.parse_args(argv)

    cache = os.path.abspath(a.cache)
    os.makedirs(cache, exist_ok=True)
    with open(a.sources, newline="") as f:
        rows = list(csv.DictReader(f))
    if a.only:
        rows = [r for r in rows if r["slug"] in set(a.only)]
    failed = []
    for r in rows:
        slug, repo, path, commit = r["slug"], r["repo"], r["path"], r["commit"]
        size, sha = int(r["size"]), r["sha256"].lower()
        name = slug + os.path.splitext(path.split("|")[0])[1].lower()
        if os.path.basename(name) != name or name.startswith("."):
            print(f"FAIL  {slug}: bad slug")
            failed.append(slug)
            continue
        dest = os.path.join(cache, name)
        if os.path.isfile(dest) and os.path.getsize(dest) == size and sha256_file(dest) == sha:
            print(f"skip  {slug} ({size} B, already in cache)")
            continue
        gitdir = mirror_gitdir(a.mirror_root, repo)
        data, how, err = fetch_parts(gitdir, repo, commit, path.split("|"), not a.no_download)
        if data is None:
            print(f"FAIL  {slug}: {err or 'no mirror and downloads disabled'}")
            failed.append(slug)
            continue
        got = hashlib.sha256(data).hexdigest()
        if len(data) != size or got != sha:
            print(
                f"FAIL  {slug}: {how} gave {len(data)} B sha256 {got[:12]}..., expected {size} B {sha[:12]}..."
            )
            failed.append(slug)
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=cache)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        print(f"ok    {slug} ({size} B, from {how})")
    n = len(rows)
    if failed:
        print(f"{n - len(failed)}/{n} clips ready; could not get: {' '.join(failed)}", file=sys.stderr)
        return 1
    print(f"{n}/{n} clips ready in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
