"""Reading the device's time zone from the Alexa Settings API, and the request's local moment.

`GET {apiEndpoint}/v2/devices/{deviceId}/settings/System.timeZone` through ask-sdk's
`UpsServiceClient`: read at most once per session start. Any failure (no endpoint in the
request, an HTTP error, a timeout, a zone this Python does not know) reads as None, so the
caller falls back to the last known zone, else UTC.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo

from ask_sdk_core.handler_input import HandlerInput

log = logging.getLogger(__name__)


def api_reachable(handler_input: HandlerInput) -> bool:
    """Whether the request names an Alexa API endpoint and a token to call it with."""
    context = handler_input.request_envelope.context
    system = context.system if context is not None else None
    return bool(system is not None and system.api_endpoint and system.api_access_token)


def device_id(handler_input: HandlerInput) -> str | None:
    context = handler_input.request_envelope.context
    device = context.system.device if context is not None and context.system else None
    return device.device_id if device is not None and device.device_id else None


def read_time_zone(handler_input: HandlerInput) -> str | None:
    """The device's IANA time zone, or None if it cannot be read."""
    device = device_id(handler_input)
    if device is None or not api_reachable(handler_input):
        return None
    try:
        zone = handler_input.service_client_factory.get_ups_service().get_system_time_zone(device)
    except Exception as error:  # the SDK raises ServiceException, and others for odd bodies
        log.warning("could not read the device's time zone: %s", error)
        return None
    return zone if isinstance(zone, str) and zone_of(zone) is not None else None


def zone_of(name: str) -> tzinfo | None:
    """The zone called `name`, or None ("" and unknown names included)."""
    if not name or len(name) > 64:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # 2.4 ms: not while the zone is unknown

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_moment(stamp: datetime | None, zone_name: str) -> datetime:
    """The request's moment in `zone_name` (UTC if unknown); now if the stamp is unusable."""
    zone = zone_of(zone_name) or UTC
    try:
        moment = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)  # type: ignore[union-attr]
        return moment.astimezone(zone)
    except (AttributeError, OverflowError, ValueError):  # missing, or beyond datetime's range
        return datetime.now(zone)
