# test_idempotency.py - an idempotency key makes a repeated request harmless: the same
# key and body return the first id and send nothing again; the same key with another
# body is refused with 422.

from notify_stack import FINAL_STATES, wait_for


def test_idempotency_key(http_receiver, make_stack):
    receiver = http_receiver()
    stack = make_stack(providers={"ops-hook": {"type": "webhook", "url": receiver.url}},
                       channels={"hook": ["ops-hook"]})
    stack.start()

    request = {"channel": "hook", "subject": "deploy 42", "body": "deployed",
               "idempotency_key": "deploy-42"}
    first = stack.submit(**request)
    second = stack.submit(**request)
    assert second["id"] == first["id"]

    doc = stack.wait_final(first["id"])
    assert [d["state"] for d in doc["deliveries"]] == ["sent"], doc["deliveries"]
    third = stack.submit(**request)  # after the send as well
    assert third["id"] == first["id"]

    def settled():
        states = stack.delivery_states()
        return states if set(states) <= FINAL_STATES else None
    assert wait_for(settled, 10, "no delivery left to do") == {"sent": 1}
    assert receiver.count() == 1, [r.delivery_id for r in receiver.snapshot()]

    res = stack.request("POST", "/v1/notifications", body={**request, "body": "deployed again"})
    assert res.status == 422, res
    assert res.json["error"]["code"] == "idempotency_conflict", res.json

    listed = stack.request("GET", "/v1/notifications").json["notifications"]
    assert [n["id"] for n in listed] == [first["id"]]
