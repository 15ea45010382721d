"""The dev cost meter counts what the cost benchmark reports: RPCs, documents and requests per function."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from google.cloud.firestore_v1.types import firestore as fs
from google.cloud.firestore_v1.types import write
from google.pubsub_v1.types import PublishRequest, PubsubMessage

from atende.dev import cost_meter

Details = namedtuple("Details", "method timeout metadata credentials wait_for_ready compression")


def details(method: str) -> Details:
    return Details(method, None, None, None, None, None)


class Outcome:
    def __init__(self, error: Exception | None = None) -> None:
        self._error = error

    def exception(self) -> Exception | None:
        return self._error


def serve(meter: cost_meter.Meter, function: str, call: Any) -> None:
    """Run `call` as the body of one request to `function`, as the dev functions app does."""

    def app(environ: dict, start_response: Any) -> list[bytes]:
        call()
        return [b""]

    meter.wsgi(function, app)({}, lambda *a: None)


def test_counts_documents_read_and_written_per_function(tmp_path):
    meter = cost_meter.Meter(tmp_path)
    grpc_meter = cost_meter.Interceptor(meter)
    found = fs.BatchGetDocumentsResponse(found={"name": "projects/p/databases/(default)/documents/m/1"})
    missing = fs.BatchGetDocumentsResponse(missing="projects/p/databases/(default)/documents/m/2")
    commit = fs.CommitRequest(
        writes=[write.Write(update={"name": "a"}), write.Write(update={"name": "b"}), write.Write(delete="c")]
    )

    def reads() -> None:
        stream = grpc_meter.intercept_unary_stream(
            lambda d, r: iter([fs.BatchGetDocumentsResponse(transaction=b"t"), found, missing]),
            details("/google.firestore.v1.Firestore/BatchGetDocuments"),
            fs.BatchGetDocumentsRequest(),
        )
        assert len(list(stream)) == 3
        query = grpc_meter.intercept_unary_stream(
            lambda d, r: iter([fs.RunQueryResponse(read_time={"seconds": 1})]),  # no document
            details("/google.firestore.v1.Firestore/RunQuery"),
            fs.RunQueryRequest(),
        )
        assert len(list(query)) == 1

    def writes() -> None:
        grpc_meter.intercept_unary_unary(
            lambda d, r: Outcome(), details("/google.firestore.v1.Firestore/Commit"), commit
        )
        grpc_meter.intercept_unary_unary(
            lambda d, r: Outcome(RuntimeError("precondition")),
            details("/google.firestore.v1.Firestore/Commit"),
            commit,
        )
        grpc_meter.intercept_unary_unary(
            lambda d, r: Outcome(),
            details("/google.pubsub.v1.Publisher/Publish"),
            PublishRequest(messages=[PubsubMessage(data=b"1"), PubsubMessage(data=b"2")]),
        )

    serve(meter, "ai_reply", reads)
    serve(meter, "outbound", writes)
    serve(meter, "outbound", lambda: None)
    meter.flush()
    counts = cost_meter.read(tmp_path)

    assert counts["ai_reply"]["rpc:Firestore/BatchGetDocuments"] == 1
    assert counts["ai_reply"]["docs_found"] == 1 and counts["ai_reply"]["docs_missing"] == 1
    assert counts["ai_reply"]["queries_empty"] == 1  # billed as one read
    assert counts["outbound"]["rpc:Firestore/Commit"] == 2
    assert counts["outbound"]["rpc_failed:Firestore/Commit"] == 1
    assert counts["outbound"]["doc_writes"] == 2 and counts["outbound"]["doc_deletes"] == 1  # failed: none
    assert counts["outbound"]["requests"] == 2 and counts["outbound"]["published"] == 2
    totals = cost_meter.Totals.of(counts)
    assert (totals.firestore_rpcs, totals.reads, totals.writes) == (4, 3, 2)


def test_a_measurement_is_the_difference_of_two_reads_over_every_process(tmp_path):
    first, second = cost_meter.Meter(tmp_path, process="1"), cost_meter.Meter(tmp_path, process="2")
    serve(first, "ai_reply", lambda: None)
    first.flush()
    before = cost_meter.read(tmp_path)
    serve(first, "ai_reply", lambda: None)
    serve(second, "ai_reply", lambda: None)
    first.flush()
    second.flush()

    assert cost_meter.minus(cost_meter.read(tmp_path), before)["ai_reply"]["requests"] == 2
    threads = cost_meter.read(tmp_path)[cost_meter.THREADS]
    assert threads["process"] >= threads.get("MainThread", 0.0)
