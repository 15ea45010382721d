"""Bring the whole local stack up and down: the one code path for `make dev` and the e2e tests.

Firestore and Pub/Sub are the real Google emulators, Firebase Auth is firebase-tools' emulator behind
the TOTP stand-in (atende.dev.totp_standin: the emulator has no TOTP second factor); the
inbox is served from its build (web/inbox/dist), the web-chat demo site with the widget's build
(web/widget/dist); the functions run under
gunicorn with functions-framework and receive Pub/Sub pushes from the
emulator, exactly as in production; Meta's Graph API is a local stand-in
unless GRAPH_API_BASE_URL points elsewhere.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atende.adapters.secret_store import EnvFileSecretStore
from atende.dev import auth_emulator, demo_site, inbox_server, prereqs, sendgrid_standin
from atende.dev.graph_standin import GraphStandIn, serve
from atende.dev.paths import repo_root
from atende.dev.processes import Child, free_port, wait_http
from atende.dev.scheduler import AUTOMATION_INTERVAL_S, AUTOMATION_TICK, SweepTimer
from atende.dev.standin_http import serve as serve_standin
from atende.dev.totp_standin import TotpStandIn

DEV_SECRETS = {
    "META_APP_SECRET": "dev-app-secret",
    "META_VERIFY_TOKEN": "dev-verify-token",
    "WHATSAPP_TOKEN": "dev-whatsapp-token",
    "MESSENGER_PAGE_TOKEN": "dev-messenger-page-token",
    "INSTAGRAM_TOKEN": "dev-instagram-token",
    "WHATSAPP_TOKEN_SUPORTE": "dev-whatsapp-token-suporte",  # the second demo number (dev/channels.json)
    "MEDIA_URL_SECRET": "dev-media-url-secret",  # signs the local media links; a key of its own
    "EVENTS_SECRET": "dev-events-secret",  # what a business signs its pushes to `events` with
    "UNSUBSCRIBE_SECRET": "dev-unsubscribe-secret",  # signs follow-up e-mails' unsubscribe links
    "SENDGRID_API_KEY": sendgrid_standin.DEV_API_KEY,
    "WEBCHAT_SECRET_DEMO": "dev-webchat-secret-demo",  # the demo site's identity secret (docs/webchat.md)
}


@dataclass
class StackConfig:
    project: str = "demo-atende"
    host: str = "127.0.0.1"
    firestore_port: int = 8080
    pubsub_port: int = 8085
    functions_port: int = 5001
    graph_port: int = 5002
    sendgrid_port: int = 5003
    auth_port: int = 9099
    inbox_port: int = 5173
    tasks_port: int = 5004  # the Cloud Tasks stand-in (atende-campaigns)
    demo_site_port: int = 5180  # the web-chat demo site (the widget's page), an origin of site `demo`
    workers: int = 2
    threads: int = 16
    state_dir: Path | None = None  # emulator data and logs; a temporary folder when None
    sweep_interval_s: float = 60.0  # the send sweeper's tick, as Cloud Scheduler's send_sweep job
    automation_interval_s: float = AUTOMATION_INTERVAL_S  # follow-ups, as the automation_tick job
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> StackConfig:
        env = os.environ
        return cls(
            project=env.get("GOOGLE_CLOUD_PROJECT", "demo-atende"),
            firestore_port=int(env.get("FIRESTORE_PORT", 8080)),
            pubsub_port=int(env.get("PUBSUB_PORT", 8085)),
            functions_port=int(env.get("FUNCTIONS_PORT", 5001)),
            graph_port=int(env.get("GRAPH_STANDIN_PORT", 5002)),
            auth_port=int(env.get("AUTH_PORT", 9099)),
            inbox_port=int(env.get("INBOX_PORT", 5173)),
            tasks_port=int(env.get("TASKS_PORT", 5004)),
            demo_site_port=int(env.get("DEMO_SITE_PORT", 5180)),
            state_dir=repo_root() / ".dev",
            sweep_interval_s=float(env.get("SEND_SWEEP_INTERVAL_S", 60)),
            automation_interval_s=float(env.get("AUTOMATION_TICK_INTERVAL_S", AUTOMATION_INTERVAL_S)),
            sendgrid_port=int(env.get("SENDGRID_STANDIN_PORT", 5003)),
        )

    @classmethod
    def on_free_ports(cls, project: str, **overrides: Any) -> StackConfig:
        """For tests and benchmarks: runs beside `make dev` and beside each other."""
        names = (
            "firestore_port",
            "pubsub_port",
            "functions_port",
            "graph_port",
            "sendgrid_port",
            "auth_port",
            "inbox_port",
            "tasks_port",
            "demo_site_port",
        )
        ports = {name: free_port() for name in names}
        return cls(project=project, **ports, **overrides)


def gunicorn_argv(config: StackConfig, port: int, app: str, *options: str) -> list[str]:
    """How functions are served: the stack's, and the benchmarks' empty baselines, which must match it."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{config.host}:{port}",
        "--workers",
        str(config.workers),
        "--threads",
        str(config.threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        *options,
        app,
    ]


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.children: list[Child] = []
        self.graph: GraphStandIn | None = None
        self._graph_server = None
        self._inbox_server = None
        self._auth_server = None
        self._demo_site_server = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._sweep_timer: SweepTimer | None = None
        self._automation_timer: SweepTimer | None = None
        self.sendgrid: sendgrid_standin.SendGridStandIn | None = None
        self._sendgrid_server = None
        self._tasks: Child | None = None
        self._state: Path | None = None
        self.env: dict[str, str] = {}

    @property
    def functions_url(self) -> str:
        return f"http://{self.config.host}:{self.config.functions_port}"

    @property
    def auth_url(self) -> str:
        return f"http://{self.config.host}:{self.config.auth_port}"

    @property
    def inbox_url(self) -> str:
        return f"http://{self.config.host}:{self.config.inbox_port}"

    @property
    def demo_site_url(self) -> str:
        return f"http://{self.config.host}:{self.config.demo_site_port}"

    @property
    def demo_site_origins(self) -> tuple[str, ...]:
        """Where the widget's demo page is served: the origins the seeded site `demo` allows."""
        port = self.config.demo_site_port
        return (f"http://{self.config.host}:{port}", f"http://localhost:{port}")

    @property
    def graph_url(self) -> str:
        return self.env["GRAPH_API_BASE_URL"]

    def start(self) -> Stack:
        problems = prereqs.missing()
        if problems:
            raise RuntimeError("cannot start the local stack:\n  - " + "\n  - ".join(problems))
        c = self.config
        if c.state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="atende-stack-")
            state = Path(self._tmp.name)
        else:
            state = c.state_dir
        state.mkdir(parents=True, exist_ok=True)
        (state / "pubsub").mkdir(exist_ok=True)
        self.env = self._child_env()
        # Channel tokens the console saved (adapters/secret_store.py): the functions read them as variables.
        self.env.setdefault("ATENDE_SECRETS_FILE", str(state / "secrets.env"))
        self.env.update(EnvFileSecretStore(Path(self.env["ATENDE_SECRETS_FILE"]), {}).read())
        self.env.setdefault("MEDIA_DIR", str(state / "media"))  # served by the stand-in under /media
        self.env.setdefault("MEDIA_BASE_URL", self.env["GRAPH_API_BASE_URL"])
        self.env.setdefault("MEDIA_ALLOWED_HOSTS", f"{self.config.host},localhost")  # never the internet
        self.env.setdefault("ATENDE_CHANNELS_FILE", str(Path(__file__).with_name("channels.json")))
        # Failed pushes per message, for the dev dead-lettering (atende.dev.dead_letters); the emulator's
        # message ids start again with each run, so the counts do too.
        attempts = state / "pubsub" / "delivery-attempts.sqlite"
        attempts.unlink(missing_ok=True)
        self.env.setdefault("ATENDE_DEV_DEAD_LETTERS", str(attempts))
        os.environ.update(
            {
                k: self.env[k]
                for k in (
                    "FIRESTORE_EMULATOR_HOST",
                    "PUBSUB_EMULATOR_HOST",
                    "FIREBASE_AUTH_EMULATOR_HOST",
                    "GOOGLE_CLOUD_PROJECT",
                    "CLOUD_TASKS_BASE_URL",
                    "CLOUD_TASKS_QUEUE",
                    "CAMPAIGN_SEND_URL",
                )
            }
        )
        self._state = state
        try:
            self._start_emulators(state)
            self._start_graph()
            self._start_sendgrid()
            self._start_inbox()
            self._start_demo_site()
            from atende.dev.pubsub_setup import ensure_topology

            ensure_topology(c.project, self.functions_url)
            self._start_functions(state)
            self.start_tasks()
            self._sweep_timer = SweepTimer(c.project, c.sweep_interval_s).start()
            self._automation_timer = SweepTimer(c.project, c.automation_interval_s, AUTOMATION_TICK).start()
        except BaseException:
            self.stop()
            raise
        return self

    def _child_env(self) -> dict[str, str]:
        c = self.config
        env = {**os.environ, **DEV_SECRETS}
        env.update({k: os.environ[k] for k in DEV_SECRETS if os.environ.get(k)})
        env.update(
            {
                "GOOGLE_CLOUD_PROJECT": c.project,
                "FIRESTORE_EMULATOR_HOST": f"{c.host}:{c.firestore_port}",
                "PUBSUB_EMULATOR_HOST": f"{c.host}:{c.pubsub_port}",
                "FIREBASE_AUTH_EMULATOR_HOST": f"{c.host}:{c.auth_port}",
                "INBOX_ORIGINS": f"http://{c.host}:{c.inbox_port},http://localhost:{c.inbox_port}",
                "ATENDE_ROOT": str(repo_root()),
                "ATENDE_DEV": "1",  # never production, even if K_SERVICE leaks in from the shell
                # The atende-campaigns queue: the Cloud Tasks stand-in, reached by google-cloud-tasks' REST.
                "CLOUD_TASKS_BASE_URL": f"http://{c.host}:{c.tasks_port}",
                "CLOUD_TASKS_QUEUE": f"projects/{c.project}/locations/local/queues/atende-campaigns",
                "CAMPAIGN_SEND_URL": f"http://{c.host}:{c.functions_port}/campaign_send",
            }
        )
        if not os.environ.get("GRAPH_API_BASE_URL"):
            env["GRAPH_API_BASE_URL"] = f"http://{c.host}:{c.graph_port}"
        if not os.environ.get("SENDGRID_API_HOST"):
            env["SENDGRID_API_HOST"] = f"http://{c.host}:{c.sendgrid_port}"
        env["UNSUBSCRIBE_URL"] = f"{self.functions_url}/unsubscribe"
        env.update(c.extra_env)
        return env

    def _start_emulators(self, state: Path) -> None:
        c = self.config
        rules = repo_root() / "firestore.rules"
        firestore = Child(
            "firestore-emulator",
            [
                "gcloud",
                "emulators",
                "firestore",
                "start",
                f"--host-port={c.host}:{c.firestore_port}",
                f"--rules={rules}",
            ],
            self.env,
            state / "logs" / "firestore.log",
        )
        self.children.append(firestore)
        pubsub = Child(
            "pubsub-emulator",
            [
                "gcloud",
                "beta",
                "emulators",
                "pubsub",
                "start",
                f"--host-port={c.host}:{c.pubsub_port}",
                f"--data-dir={state / 'pubsub'}",
                f"--project={c.project}",
            ],
            self.env,
            state / "logs" / "pubsub.log",
        )
        self.children.append(pubsub)
        # The emulator on a port of its own; `auth_port` is the TOTP stand-in's, in front of it.
        emulator_port = free_port()
        auth = auth_emulator.launch(c.project, c.host, emulator_port, state, self.env)
        self.children.append(auth)
        wait_http(f"http://{c.host}:{c.firestore_port}/", firestore, 90)
        wait_http(f"http://{c.host}:{c.pubsub_port}/", pubsub, 90)
        emulator_url = f"http://{c.host}:{emulator_port}"
        wait_http(f"{emulator_url}/", auth, 90)
        totp = TotpStandIn(emulator_url)
        self._auth_server = serve_standin(totp, c.host, c.auth_port, "totp-standin", quiet=True)

    def _start_graph(self) -> None:
        if os.environ.get("GRAPH_API_BASE_URL"):
            return  # a real or external Graph endpoint was configured
        self.graph = GraphStandIn()
        from atende.dev.simulator import attach

        attach(self.graph, self)  # media files, Meta's media endpoints and the channel simulator
        self._graph_server = serve(self.graph, self.config.host, self.config.graph_port)

    def _start_sendgrid(self) -> None:
        if os.environ.get("SENDGRID_API_HOST"):
            return  # a real or external SendGrid endpoint was configured
        self.sendgrid, self._sendgrid_server = sendgrid_standin.start(
            self.config.host, self.config.sendgrid_port
        )

    def _start_inbox(self) -> None:
        c = self.config
        widget_script = f"{self.demo_site_url}/widget/atende-widget.js"  # the console's install snippet
        config = inbox_server.browser_config(
            c.project, self.auth_url, c.host, c.firestore_port, self.functions_url, widget_script
        )
        self._inbox_server = inbox_server.start(config, c.host, c.inbox_port)

    def _start_demo_site(self) -> None:
        c = self.config
        widget = demo_site.widget_config(
            c.project, self.functions_url, self.auth_url, c.host, c.firestore_port
        )
        from atende.dev.seed import DEMO_SITE_KEY
        from atende.domain.site import secret_env

        secret = self.env[secret_env(DEMO_SITE_KEY)]  # as the webchat function reads it
        config = demo_site.DemoSiteConfig(DEMO_SITE_KEY, secret, widget)
        self._demo_site_server = demo_site.start(config, c.host, c.demo_site_port)

    def _start_functions(self, state: Path) -> None:
        c = self.config
        functions = Child(
            "functions",
            gunicorn_argv(c, c.functions_port, "atende.dev.functions_app:app"),
            self.env,
            state / "logs" / "functions.log",
        )
        self.children.append(functions)
        wait_http(f"{self.functions_url}/webhook_whatsapp", functions, 60)

    def start_tasks(self) -> None:
        """The Cloud Tasks stand-in, in its own process: `kill_tasks` is a crash that loses its tasks."""
        c = self.config
        assert self._state is not None
        port = str(c.tasks_port)
        self._tasks = Child(
            "cloud-tasks",
            [sys.executable, "-m", "atende.dev.cloud_tasks_standin", "--host", c.host, "--port", port],
            self.env,
            self._state / "logs" / "cloud-tasks.log",
        )
        self.children.append(self._tasks)
        wait_http(f"{self.env['CLOUD_TASKS_BASE_URL']}/_standin/tasks", self._tasks, 30)

    def kill_tasks(self) -> None:
        """SIGKILL the queue's dispatcher mid-flight, as a crash would."""
        if self._tasks is not None:
            os.killpg(self._tasks.proc.pid, signal.SIGKILL)
            self._tasks.proc.wait(5)
            self._tasks.stop()
            self.children.remove(self._tasks)
            self._tasks = None

    def stop(self) -> None:
        for timer in (self._sweep_timer, self._automation_timer):
            if timer is not None:
                timer.stop()
        self._sweep_timer = self._automation_timer = None
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        servers = (self._graph_server, self._inbox_server, self._auth_server, self._demo_site_server)
        for server in (*servers, self._sendgrid_server):
            if server is not None:
                server.shutdown()
                server.server_close()
        self._graph_server = self._inbox_server = self._auth_server = None
        self._demo_site_server = self._sendgrid_server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
