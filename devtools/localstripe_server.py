"""A local Stripe for tests, development and the bench: localstripe on 127.0.0.1.

localstripe (PyPI) implements enough of the Stripe API for Hearth's money path,
but its own command binds every interface and pickles its whole state to a fixed
/tmp file after every write (shared by everyone on the machine). This module runs
its aiohttp app from Python on 127.0.0.1 only, keeps state in memory, and adds
the few things Hearth uses that localstripe lacks — as routes and fields on the
stand-in server, never as mocks of Hearth's code:

- `POST /v1/ephemeral_keys` (PaymentSheet needs one per customer);
- `automatic_payment_methods` / `description` accepted on PaymentIntent create;
- `payment_method_details.card` (brand, last4) on charges;
- the `Idempotency-Key` header honoured on POSTs (same key → same response);
- `charge.refunded` and `payment_intent.canceled` webhook events;
- `DELETE /_config/webhooks` to forget registered webhook targets.

Run it:  python -m devtools.localstripe_server --port 8420
In tests: `start_in_thread()` (see tests/fixtures/stripe.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass

from aiohttp import web
from localstripe import resources as ls_resources
from localstripe import server as ls_server
from localstripe import webhooks as ls_webhooks

_patched = False


def _patch_localstripe() -> None:
    """Teach localstripe the few Stripe behaviours Hearth relies on (idempotent)."""
    global _patched
    if _patched:
        return
    _patched = True

    # State stays in memory: no shared /tmp/localstripe.pickle.
    ls_resources.store.dump_to_disk = lambda: None  # type: ignore[method-assign]

    PaymentIntent = ls_resources.PaymentIntent
    Charge = ls_resources.Charge
    Refund = ls_resources.Refund
    Event = ls_resources.Event

    original_pi_init = PaymentIntent.__init__

    def pi_init(self, *args, automatic_payment_methods=None, description=None, **kwargs):
        original_pi_init(self, *args, **kwargs)
        self.automatic_payment_methods = automatic_payment_methods or {"enabled": False}
        self.description = description

    PaymentIntent.__init__ = pi_init

    original_pi_update = PaymentIntent._update

    def pi_update(self, **data):
        # Real Stripe: a new payment method after a declined attempt makes the intent
        # confirmable again (localstripe kept it stuck on the failed charge).
        retry = "payment_method" in data and self.status == "requires_payment_method"
        original_pi_update(self, **data)
        if retry and self.latest_charge is not None and self.latest_charge.status == "failed":
            self.latest_charge = None

    PaymentIntent._update = pi_update

    def payment_method_details(self):
        try:
            pm = ls_resources.PaymentMethod._api_retrieve(self.payment_method)
        except Exception:
            return None
        card = getattr(pm, "card", None)
        if not card:
            return None
        return {"type": "card", "card": {"brand": card["brand"], "last4": card["last4"]}}

    Charge.payment_method_details = property(payment_method_details)

    original_refund_init = Refund.__init__

    def refund_init(self, *args, **kwargs):
        original_refund_init(self, *args, **kwargs)
        try:
            charge = Charge._api_retrieve(self.charge)
            ls_webhooks.schedule_webhook(Event("charge.refunded", charge))
        except RuntimeError:  # no running loop (created outside a request)
            pass

    Refund.__init__ = refund_init

    original_cancel = PaymentIntent._api_cancel.__func__

    def api_cancel(cls, id, **kwargs):
        kwargs.pop("cancellation_reason", None)
        obj = original_cancel(cls, id, **kwargs)
        ls_webhooks.schedule_webhook(Event("payment_intent.canceled", obj))
        return obj

    PaymentIntent._api_cancel = classmethod(api_cancel)
    # The cancel route was bound to the old classmethod at import; rebind it.
    _rebind_extra("POST", "/v1/payment_intents/{id}/cancel", PaymentIntent._api_cancel)

    app = ls_server.app
    app.middlewares.append(_idempotency_middleware)
    app.router.add_post("/v1/ephemeral_keys", _ephemeral_key_create)
    app.router.add_delete("/_config/webhooks", _webhooks_clear)


def _rebind_extra(method: str, url: str, func) -> None:
    for i, (m, u, _f) in enumerate(ls_resources.extra_apis):
        if m == method and u == url:
            ls_resources.extra_apis[i] = (m, u, func)
    for route in ls_server.app.router.routes():
        if route.method == method and getattr(route.resource, "canonical", None) == url:
            route._handler = ls_server.api_extra(func, url)


_idempotent: dict[tuple[str, str, str], tuple[int, bytes]] = {}
_idempotency_locks: dict[tuple[str, str, str], asyncio.Lock] = {}


@web.middleware
async def _idempotency_middleware(request: web.Request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    slot = (request.headers.get("Authorization", ""), request.path, key)
    lock = _idempotency_locks.setdefault(slot, asyncio.Lock())
    async with lock:
        if slot in _idempotent:
            status, body = _idempotent[slot]
            return web.Response(
                status=status, body=body, content_type="application/json", headers={"Idempotent-Replayed": "true"}
            )
        response = await handler(request)
        if response.status < 500 and isinstance(response, web.Response) and response.body is not None:
            _idempotent[slot] = (response.status, bytes(response.body))
        return response


async def _ephemeral_key_create(request: web.Request) -> web.Response:
    data = await ls_server.get_post_data(request) or {}
    customer = data.get("customer")
    if not isinstance(customer, str) or not customer.startswith("cus_"):
        raise ls_server.UserError(400, "Bad request")
    if not request.headers.get("Stripe-Version"):
        raise ls_server.UserError(400, "Stripe-Version header is required for ephemeral keys")
    ls_resources.Customer._api_retrieve(customer)  # 404 if unknown
    now = int(time.time())
    return ls_server.json_response(
        {
            "id": "ephkey_" + secrets.token_hex(8),
            "object": "ephemeral_key",
            "associated_objects": [{"id": customer, "type": "customer"}],
            "created": now,
            "expires": now + 3600,
            "livemode": False,
            "secret": "ek_test_" + secrets.token_hex(16),
        }
    )


async def _webhooks_clear(request: web.Request) -> web.Response:
    ls_webhooks._webhooks.clear()
    return web.Response()


@dataclass
class RunningServer:
    base_url: str
    port: int
    stop: callable  # type: ignore[valid-type]

    def register_webhook(self, *, name: str, url: str, secret: str) -> None:
        """Make localstripe deliver signed events to `url` (our webhook endpoint)."""
        import urllib.request

        body = json.dumps({"url": url, "secret": secret}).encode()
        req = urllib.request.Request(  # noqa: S310
            f"{self.base_url}/_config/webhooks/{name}",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(req, timeout=5).close()  # noqa: S310 - our own http base

    def clear_webhooks(self) -> None:
        import urllib.request

        req = urllib.request.Request(f"{self.base_url}/_config/webhooks", method="DELETE")  # noqa: S310
        urllib.request.urlopen(req, timeout=5).close()  # noqa: S310 - our own http base


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def start_in_thread(port: int = 0) -> RunningServer:
    """Serve localstripe on 127.0.0.1:<port> (0 = a free port) from a daemon thread.

    One per process (localstripe's app and store are module globals).
    """
    _patch_localstripe()
    sock = _bind(port)
    actual_port = sock.getsockname()[1]
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(ls_server.app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.SockSite(runner, sock)
        loop.run_until_complete(site.start())
        holder["runner"] = runner
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="localstripe", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("localstripe did not start")

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)

    return RunningServer(base_url=f"http://127.0.0.1:{actual_port}", port=actual_port, stop=stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    _patch_localstripe()
    print(f"localstripe on http://127.0.0.1:{args.port}", flush=True)
    web.run_app(ls_server.app, sock=_bind(args.port), access_log=None, print=None)


if __name__ == "__main__":
    main()
