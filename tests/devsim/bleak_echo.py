"""Fidelity of devsim's BlueZ for a real BlueZ client library: Debian's python3-bleak (its
BlueZ D-Bus backend, on the bus in DBUS_SYSTEM_BUS_ADDRESS) scans for the peripheral, connects,
finds the SMP characteristic, writes an SMP echo without response and gets the reply as a
notification. Usage: bleak_echo.py NAME. Prints "echo reply: TEXT" and exits 0, else 1."""
import asyncio
import struct
import sys

from bleak import BleakClient, BleakScanner

SMP_SERVICE = "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
SMP_CHAR = "da2e7828-fbce-4e01-ae9e-261174997c48"


def echo_request(text: bytes, seq: int) -> bytes:
    # CBOR {"d": text} (text shorter than 24 bytes), SMP header: write, group 0 (OS), id 0.
    body = b"\xa1\x61d" + bytes([0x60 | len(text)]) + text
    return struct.pack(">BBHHBB", 2, 0, len(body), 0, seq, 0) + body


async def main(name: str) -> int:
    device = await BleakScanner.find_device_by_name(name, timeout=10.0)
    if device is None:
        print(f"{name} not found", file=sys.stderr)
        return 1
    reply = bytearray()
    done = asyncio.Event()

    def on_notify(_char, data: bytearray) -> None:
        reply.extend(data)
        if len(reply) >= 8 and len(reply) >= 8 + struct.unpack(">H", reply[2:4])[0]:
            done.set()

    async with BleakClient(device) as client:
        service = client.services.get_service(SMP_SERVICE)
        char = service.get_characteristic(SMP_CHAR) if service else None
        if char is None:
            print("SMP characteristic not found", file=sys.stderr)
            return 1
        await client.start_notify(char, on_notify)
        await client.write_gatt_char(char, echo_request(b"hello bleak", 7), response=False)
        await asyncio.wait_for(done.wait(), 10.0)
        await client.stop_notify(char)
    op, _flags, length, group, seq, cmd = struct.unpack(">BBHHBB", reply[:8])
    body = bytes(reply[8:8 + length])
    # The reply is {"r": text}: op 3 (write response), same group, sequence and id.
    if (op, group, seq, cmd) != (3, 0, 7, 0) or not body.startswith(b"\xa1\x61r"):
        print(f"unexpected reply {bytes(reply).hex()}", file=sys.stderr)
        return 1
    print("echo reply:", body[4:4 + (body[3] & 0x1F)].decode())
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
