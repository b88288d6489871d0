# test_push_mocks.py - keeps the push vendor mocks honest: push_crypto against the RFC
# 8291 Appendix A and RFC 8292 §2.4 vectors, then each mock (push_mocks.py) driven with
# correct and incorrect requests (APNs through curl --http2). These are the checks that
# `python3 push_mocks.py` prints; here a failing one fails the suite.

import push_mocks


def test_rfc_vectors():
    push_mocks.self_test_vectors()


def test_apns_mock():
    push_mocks.self_test_apns()


def test_fcm_mock():
    push_mocks.self_test_fcm()


def test_jpush_mock():
    push_mocks.self_test_jpush()


def test_webpush_mock():
    push_mocks.self_test_webpush()
