"""When GitLab does not answer, the error names the URL (never credentials), the cause a
user can act on (DNS, refused, TLS, timeout) and the next step, for GraphQL and REST alike.
Each cause is produced for real on loopback, through the bot's own clients."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from triage.errors import EXIT_UNREACHABLE, GitLabError, GitLabUnreachable
from triage.gitlab import instance
from triage.gitlab.client import GitLab
from triage.gitlab.reads import current_username
from triage.settings import GitLabSettings, Secret


def client(url: str) -> GitLab:
    return GitLab(GitLabSettings(url=url, token=Secret("glpat-x"), timeout=0.5, max_retries=0))


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    """A server that answers plain HTTP, whatever it is sent (a TLS hello included)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


def unreachable_from(gl: GitLab, rest: bool) -> GitLabUnreachable:
    with pytest.raises(GitLabUnreachable) as raised:
        try:
            if rest:
                instance.version(gl)
            else:
                current_username(gl)
        finally:
            gl.close()
    return raised.value


@pytest.mark.parametrize("rest", [False, True], ids=["graphql", "rest"])
def test_refused(closed_port, rest):
    error = unreachable_from(client(f"http://127.0.0.1:{closed_port}"), rest)
    text = str(error)
    assert text.startswith(f"cannot reach GitLab at http://127.0.0.1:{closed_port}: connection")
    assert "refused" in text and "check the port in GITLAB_URL" in text
    assert text.endswith("run `triage doctor` to check the settings, the connection and the token")
    assert error.exit_code == EXIT_UNREACHABLE
    assert isinstance(error, GitLabError)  # one epic's failure mid-run stays that epic's


@pytest.mark.parametrize("rest", [False, True], ids=["graphql", "rest"])
def test_timeout(silent_port, rest):
    text = str(unreachable_from(client(f"http://127.0.0.1:{silent_port}"), rest))
    assert f"at http://127.0.0.1:{silent_port}: timeout: no answer in time" in text
    assert "TRIAGE_GITLAB_TIMEOUT" in text and "triage doctor" in text


@pytest.mark.parametrize("rest", [False, True], ids=["graphql", "rest"])
def test_tls(plain_http_port, rest):
    text = str(unreachable_from(client(f"https://127.0.0.1:{plain_http_port}"), rest))
    assert f"at https://127.0.0.1:{plain_http_port}: TLS: the secure connection failed" in text
    assert "scheme (http or https)" in text and "triage doctor" in text


@pytest.mark.parametrize("rest", [False, True], ids=["graphql", "rest"])
def test_dns(monkeypatch, rest):
    """The resolver's own answer for an unknown name, without asking any DNS server."""

    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    text = str(unreachable_from(client("https://gitlab.example.invalid"), rest))
    assert text.startswith(
        "cannot reach GitLab at https://gitlab.example.invalid: DNS: the host name does not resolve"
    )
    assert "check the host in GITLAB_URL" in text and "triage doctor" in text


def test_credentials_in_the_url_are_never_shown(closed_port):
    settings = GitLabSettings.from_env(
        {
            "GITLAB_URL": f"http://bot:s3cret@127.0.0.1:{closed_port}",
            "GITLAB_TOKEN": "glpat-x",
            "TRIAGE_GITLAB_MAX_RETRIES": "1",
        }
    )
    gl = GitLab(settings)
    text = str(unreachable_from(gl, rest=False))
    assert "s3cret" not in text and "bot@" not in text and "glpat" not in text
