"""Background work on a real Celery worker process, real Redis and PostgreSQL."""

import time
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives, send_mail
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from server.core.tasks import flush_expired_tokens
from tests import factories
from tests.fixtures.worker import declare_queues

pytestmark = pytest.mark.worker


def _token(user, *, jti: str, expires_in: timedelta, blacklisted: bool = False) -> OutstandingToken:
    now = timezone.now()
    token = OutstandingToken.objects.create(
        user=user, jti=jti, token=f"token-{jti}", created_at=now - timedelta(days=31), expires_at=now + expires_in
    )
    if blacklisted:
        BlacklistedToken.objects.create(token=token)
    return token


def test_worker_flushes_only_expired_tokens(live_worker):
    user = factories.CustomerFactory()
    _token(user, jti="expired-plain", expires_in=-timedelta(hours=1))
    _token(user, jti="expired-blacklisted", expires_in=-timedelta(minutes=1), blacklisted=True)
    fresh = _token(user, jti="fresh-plain", expires_in=timedelta(days=3))
    fresh_blacklisted = _token(user, jti="fresh-blacklisted", expires_in=timedelta(days=1), blacklisted=True)

    result = flush_expired_tokens.delay()

    assert result.get(timeout=60) == 2  # the result came back through Redis
    assert f"[{result.id}] received" in live_worker.log(live_worker.test_log_start)  # by the worker process
    assert set(OutstandingToken.objects.values_list("jti", flat=True)) == {fresh.jti, fresh_blacklisted.jti}
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == [fresh_blacklisted.jti]


def test_flushing_expired_tokens_twice_changes_nothing_more(live_worker):
    user = factories.CustomerFactory()
    _token(user, jti="expired", expires_in=-timedelta(seconds=1))
    fresh = _token(user, jti="fresh", expires_in=timedelta(days=1))

    assert flush_expired_tokens.delay().get(timeout=60) == 1
    assert flush_expired_tokens.delay().get(timeout=60) == 0
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [fresh.jti]


def test_worker_runs_nothing_for_tests_that_do_not_ask_for_it(transactional_db, celery_worker_process):
    from server.celery import app

    user = factories.CustomerFactory()
    _token(user, jti="expired", expires_in=-timedelta(hours=1))
    declare_queues(app)
    saved, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        flush_expired_tokens.delay()  # published, but the worker is not consuming now
        time.sleep(2)
    finally:
        app.conf.task_always_eager = saved
    assert OutstandingToken.objects.filter(jti="expired").exists()


def test_flush_expired_tokens_is_scheduled_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["core.flush_expired_tokens"]
    assert entry["task"] == flush_expired_tokens.name
    assert entry["schedule"].hour == {3}


def test_smtp_sink_receives_mail_from_django_smtp_backend(smtp_sink):
    send_mail("Hello", "plain body", "hearth@example.com", ["someone@example.com"])

    [message] = smtp_sink.wait_for(1, timeout=10)
    assert message.rcpt_tos == ["someone@example.com"]
    assert message.subject == "Hello"
    assert message.text.strip() == "plain body"


def test_smtp_sink_keeps_text_and_html_parts(smtp_sink):
    mail = EmailMultiAlternatives("Receipt", "text part", "hearth@example.com", ["a@example.com", "b@example.com"])
    mail.attach_alternative("<p>html part</p>", "text/html")
    mail.send()

    [message] = smtp_sink.wait_for(1, timeout=10)
    assert sorted(message.rcpt_tos) == ["a@example.com", "b@example.com"]
    assert message.text.strip() == "text part"
    assert message.html.strip() == "<p>html part</p>"
