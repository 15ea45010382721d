"""`atende deploy web --project P`: build the inbox and the web-chat widget and upload them to the buckets
Terraform made for them (`terraform output`), after `terraform apply` (README, "Deploying").

Terraform owns each bucket's config.json (the deployment's function URLs and browser API key); this
uploads the rest and deletes nothing, so files of the previous release stay readable for pages and
loaders still cached in browsers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from atende.dev import build
from atende.dev.paths import repo_root
from atende.dev.web_release import REVALIDATE, SHORT, Upload, WebApp, plan


def web_apps(root: Path) -> tuple[WebApp, ...]:
    return (
        WebApp("inbox", root / "web" / "inbox" / "dist", "assets", {"index.html": REVALIDATE}),
        # The loader's URL is in every business's snippet: a deploy reaches visitors within 5 minutes.
        WebApp("widget", root / "web" / "widget" / "dist", "chunks", {"atende-widget.js": SHORT}),
    )


class DeployError(RuntimeError):
    pass


class ObjectStore(Protocol):
    def upload(self, bucket: str, item: Upload) -> None: ...


class GcsObjectStore:
    """Cloud Storage with the caller's Application Default Credentials."""

    def __init__(self, project: str, client: Any = None) -> None:
        from google.cloud import storage

        self._client = client or storage.Client(project=project)

    def upload(self, bucket: str, item: Upload) -> None:
        blob = self._client.bucket(bucket).blob(item.name)
        blob.cache_control = item.cache_control
        blob.content_type = item.content_type
        blob.upload_from_filename(str(item.path), content_type=item.content_type)


def terraform_outputs(directory: Path) -> dict[str, Any]:
    command = ["terraform", f"-chdir={directory}", "output", "-json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DeployError("terraform is not installed (it reads the buckets from the state)") from exc
    if done.returncode != 0:
        raise DeployError(f"`terraform output` failed in {directory}: {done.stderr.strip()}")
    return {name: output["value"] for name, output in json.loads(done.stdout or "{}").items()}


def buckets(outputs: Mapping[str, Any], project: str, apps: tuple[WebApp, ...]) -> dict[str, str]:
    """Each app's bucket, from the outputs of the Terraform state of `project` (and no other)."""
    if outputs.get("project_id") != project:
        found = outputs.get("project_id") or "no project (has `terraform apply` run?)"
        raise DeployError(f"the Terraform state is for {found}, not {project}")
    try:
        return {app.name: outputs[app.name]["bucket"] for app in apps}
    except (KeyError, TypeError) as exc:
        raise DeployError(f"`terraform output` has no bucket for {exc}: apply the current Terraform") from exc


def publish(
    apps: tuple[WebApp, ...], targets: Mapping[str, str], store: ObjectStore, log: Callable[[str], None]
) -> int:
    """Upload every app; all plans are made first, so a missing build uploads nothing."""
    plans = [(app, plan(app)) for app in apps]
    for app, uploads in plans:
        for item in uploads:
            store.upload(targets[app.name], item)
        log(f"{app.name}: {len(uploads)} files to gs://{targets[app.name]}")
    return sum(len(uploads) for _, uploads in plans)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("deploy", help="deploy to Google Cloud")
    targets = parser.add_subparsers(dest="target", required=True)
    web = targets.add_parser("web", help="build the inbox and the widget and upload them to their buckets")
    web.add_argument("--project", required=True, help="the Google Cloud project Terraform deployed to")
    web.add_argument("--terraform-dir", type=Path, default=None, help="default: <repo>/terraform")
    web.add_argument("--no-build", action="store_true", help="upload web/*/dist as they are")
    web.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root()
    if not args.no_build and build.build_web() != 0:
        return 1
    apps = web_apps(root)
    try:
        outputs = terraform_outputs(args.terraform_dir or root / "terraform")
        targets = buckets(outputs, args.project, apps)
        publish(apps, targets, GcsObjectStore(args.project), print)
    except (DeployError, FileNotFoundError) as exc:
        print(f"error: {exc}")
        return 1
    inbox, widget = outputs["inbox"], outputs["widget"]
    print(f"inbox:  {inbox.get('url') or 'not served (set inbox_domain)'}")
    print(f"widget: {widget['url']}")
    return 0
