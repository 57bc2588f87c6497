/* The usage text of every devsim command, one option per line, what `devsim NAME --help`,
 * `devsim help NAME` and the man page print after "Usage: devsim NAME". */
#include "usage.h"

/* The flags that change the board, taken by run and flash alike. */
#define BOARD_FLAGS                                                                             \
    "Board (run and flash take the same ones; give both the same):\n"                           \
    "  --board NAME          profile: nrf52840dk (default), nrf5340dk (two images), stm32f4,\n" \
    "                        generic or mps2-an386\n"                                          \
    "                        (the QEMU board's flash file and map; 'devsim boards')\n"       \
    "  --strategy S          MCUboot upgrade strategy: swap-scratch, swap-move, swap-offset\n" \
    "                        (uploads one sector into slot 1), overwrite-only\n"                \
    "                        direct-xip, direct-xip-revert (images run from their slot),\n"     \
    "                        ram-load (images copied into RAM at 0x20000000)\n"                \
    "  --align N             flash write alignment in bytes\n"                                  \
    "  --erased-val V        erased byte value: 0xff or 0\n"                                    \
    "  --baud N              UART speed; bytes cross at N/10 per second when paced\n"            \
    "  --smp-buf-size N      SMP buffer size, header included (what 'os params' reports)\n"      \
    "  --smp-buf-count N     number of SMP buffers\n"                                           \
    "  --line-size N         UART receive line buffer size (UART_MCUMGR_RX_BUF_SIZE)\n"          \
    "  --line-count N        number of UART receive line buffers\n"                             \
    "  --erase-us N          erase time of one erase unit of the profile, in microseconds\n"     \
    "  --write-us N          write time of one write word, in microseconds\n"                   \
    "  --partial-erase-ms N  erase pages in N ms steps (nRF partial erase); 0: whole pages\n"     \
    "  --watchdog-ms N       a crashed or hung app is reset after N ms\n"                       \
    "Layout (re-lays the partitions out one after the other, equal sectors only):\n"            \
    "  --sector-size N       sector size\n"                                                     \
    "  --slot-size N         size of each image slot\n"                                         \
    "  --images N            image pairs: 1, or 2 (image 1 in slots 2 and 3 after slot 1)\n"   \
    "  --boot-size N         bootloader partition size\n"                                       \
    "  --scratch-size N      scratch partition size (swap-scratch)\n"                           \
    "  --storage-size N      storage partition size (settings; the FS group's default bound)\n"  \
    "  --flash-size N        flash size, when larger than the partitions\n"

const char usage_run[] =
    "--flash FILE [OPTION]...\n"
    "\n"
    "Power the board on: the bootloader, then the application's SMP server on a pty and on UDP\n"
    "(or MCUboot serial recovery when nothing is bootable). Runs until SIGTERM or SIGINT (exit\n"
    "0); SIGHUP resets the board, SIGUSR1 resets it with the recovery button held.\n"
    "\n"
    "Board and firmware:\n"
    "  --flash FILE          the board's flash file (created erased when missing; required)\n"
    "  --trust PEM           a key the bootloader trusts (repeatable; none: hashes only)\n"
    "  --enc-key PEM         the bootloader's key-exchange private key (P-256, X25519 or\n"
    "                        RSA-2048): it decrypts encrypted images; trailers get MCUboot's\n"
    "                        encryption-key fields\n"
    "  --recovery-button     hold the recovery button at power-on: serial recovery\n"
    "  --reset-delay-ms N    an SMP reset takes effect N ms after its reply (default 250)\n"
    "  --fs-root DIR         serve the FS group from DIR (mount points /lfs1 and /lfs)\n"
    "  --fs-size N           bytes the FS group may hold (default: the storage partition)\n"
    "  --erase-progressively image uploads erase sector by sector as the data arrives\n"
    "                        (CONFIG_IMG_ERASE_PROGRESSIVELY); default: the first chunk\n"
    "                        erases the image's sectors before it is answered, as Zephyr\n"
    "  --downgrade-prevention M  the bootloader refuses older images (MCUboot's\n"
    "                        MCUBOOT_DOWNGRADE_PREVENTION): off (default), version,\n"
    "                        version+build, or security-counter (the image's SEC_CNT against\n"
    "                        the board's counter, kept in the bootloader partition's last\n"
    "                        sector and raised when an image is confirmed)\n"
    "Links:\n"
    "  --serial PATH         make PATH a symlink to the board's pty\n"
    "  --raw-serial          raw binary SMP on the serial port instead of console frames\n"
    "  --serial-max-packet N the serial path delivers no SMP packet longer than N bytes\n"
    "                        (header included): longer ones get no reply (default: no limit)\n"
    "  --serial-unpaced      do not pace the pty at the baud rate (USB CDC-ACM); flash\n"
    "                        timing stays on\n"
    "  --udp [ADDR]:PORT     listen for SMP over UDP (repeatable; default 127.0.0.1:1337;\n"
    "                        port 0 picks one, the log says which)\n"
    "  --no-udp              no UDP listener\n"
    "  --timing              UART pacing and flash latency on (default per profile)\n"
    "  --no-timing           both off: everything as fast as the host (and the BLE link)\n"
    "Bluetooth LE (devsim plays BlueZ, org.bluez, and the board is its peripheral):\n"
    "  --ble-name NAME       advertise as NAME over a simulated hci0 (turns BLE on)\n"
    "  --dbus ADDRESS        the D-Bus bus to own org.bluez on (default: the system bus,\n"
    "                        DBUS_SYSTEM_BUS_ADDRESS)\n"
    "  --ble-address A       the peripheral's address (default C0:DE:5A:00:00:01)\n"
    "  --ble-mtu N           ATT MTU of the connection, 23..517 (default 247)\n"
    "  --ble-interval-ms N   connection interval, 7.5..4000 in 1.25 steps (default 30)\n"
    "  --ble-dle on|off      data length extension: 251-byte link packets (default on)\n"
    "  --ble-pkts-per-event N\n"
    "                        link packets per connection event and direction (default 6)\n"
    "  --ble-reassembly on|off\n"
    "                        the board reassembles SMP packets over several writes (default\n"
    "                        on); off: each write must be one whole packet\n"
    "  --ble-drop-at-ms N    drop the connection once, N ms after it first came up\n"
    "  --ble-powered on|off  the adapter's Powered at start (default on)\n"
    "  --ble-acquire on|off  BlueZ offers AcquireWrite/AcquireNotify (default on); off: the\n"
    "                        client must use WriteValue and StartNotify\n"
    "  --ble-pairing required|none\n"
    "                        the SMP characteristic needs an encrypted link (default none);\n"
    "                        required: subscribing fails \"Not paired\" (this BlueZ never pairs)\n"
    "  --ble-smp-service on|off\n"
    "                        the board's GATT database has the SMP service (default on)\n"
    "  --ble-mtu-after-drop N\n"
    "                        the reconnect after --ble-drop-at-ms settles on ATT MTU N\n"
    "Faults:\n"
    "  --power-cut-at-op N   cut the power at the N-th flash write or erase (exit 3)\n"
    "  --serial-ber R        flip each serial bit with probability R (0..1)\n"
    "  --udp-drop R          lose a UDP datagram with probability R\n"
    "  --udp-dup R           deliver a UDP datagram twice with probability R\n"
    "  --udp-reorder R       hold a UDP datagram back behind the next with probability R\n"
    "  --seed N              seed of the fault schedule (default 1)\n"
    "Log:\n"
    "  --log FILE            append the event log to FILE (default: stderr)\n"
    "  --quiet               no event log\n"
    "  --verbose             also log every SMP request\n"
    "  --help                print this help\n"
    BOARD_FLAGS;

const char usage_flash[] =
    "--flash FILE [--slot 0|1|2|3] [BOARD OPTION]... IMAGE.bin|IMAGE.hex\n"
    "\n"
    "Write an image into the board's flash file as a programming probe would: a .hex file goes\n"
    "to its own addresses, a .bin file to the start of a slot.\n"
    "\n"
    "  --flash FILE          the board's flash file (created erased when missing; required)\n"
    "  --slot N              put the image at the start of slot 0 or 1 (default: 0 for .bin,\n"
    "                        the file's own addresses for .hex); 2 or 3: image 1's slots on a\n"
    "                        board with two images (nrf5340dk)\n"
    "  --help                print this help\n"
    BOARD_FLAGS;

const char usage_mkapp[] =
    "--version V -o FILE [OPTION]...\n"
    "\n"
    "Make an application payload that starts with a simulator descriptor (sign it with imgtool).\n"
    "\n"
    "  --version V           the version the app was built as (MAJOR.MINOR.REV+BUILD)\n"
    "  -o FILE               output file\n"
    "  --behaviour B         normal (default), crash, hang or self-confirm\n"
    "  --fault-after-ms N    crash or hang N ms after boot (default 0: at once)\n"
    "  --size N              payload size in bytes, 32 up to 64 MiB (default 4096)\n"
    "  --help                print this help\n";

const char usage_boards[] =
    "\n"
    "\n"
    "List the board profiles: flash, write alignment, strategy, partitions and timing.\n";

const char usage_help[] =
    "[--commands | COMMAND]\n"
    "\n"
    "Without an argument, the overview. With --commands, one line per command: its name, a\n"
    "tab, and its summary. With a COMMAND, that command's usage.\n";
