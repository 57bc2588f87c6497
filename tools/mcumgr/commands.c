/* The command table: every command's name, handler, one-line summary and usage. Dispatch,
 * `mcumgr --help`, `mcumgr help [--commands | NAME]`, `NAME --help`, the man page and the
 * "did you mean" suggestion (help.c) all come from it, so they cannot drift apart. */
#include <string.h>

#include "mcumgr.h"

#define MCUMGR_VERSION "dfukit mcumgr 0.1.0"

static int cmd_version(struct mcumgr *m, struct mcumgr_args *a)
{
    (void)m;
    (void)a;
    printf("%s\n", MCUMGR_VERSION);
    return MCUMGR_EXIT_OK;
}

#define CONN_HINT "\nThe connection comes from -c PROFILE or --conntype and --connstring.\n"

static const struct mcumgr_cmd commands[] = {
    {"conn add", mcumgr_cmd_conn_add, "add or replace a connection profile",
     "conn add NAME type=TYPE connstring=STRING\n"
     "\n"
     "Saves a connection profile in ~/.mcumgr.cp.json (the Go mcumgr's file). The type and\n"
     "the connection string are checked now, so a mistake is reported when it is made.\n"
     "\n"
     "  NAME                 the profile's name, used with -c NAME\n"
     "  type=TYPE            serial, udp, ble or exec\n"
     "  connstring=STRING    serial: dev=PATH[,baud=N][,mtu=N][,raw=1] or PATH,BAUD;\n"
     "                       udp: [ADDRESS]:PORT or HOST:PORT; ble: peer_name=X or peer_id=X;\n"
     "                       exec: [raw=1,][mtu=N,]cmd=COMMAND (cmd= last: the rest of the\n"
     "                       string, commas included, is the command)\n"
     "\n"
     "An exec profile runs COMMAND with /bin/sh -c and speaks SMP over its stdin and stdout,\n"
     "as over a serial port: cmd=ssh helper socat - /dev/ttyACM0,raw,echo=0,b115200 reaches a\n"
     "board on another machine (ssh must not ask for a password: use a key or an agent). The\n"
     "Go mcumgr refuses such a profile as an unknown type.\n"},
    {"conn show", mcumgr_cmd_conn_show, "list the connection profiles",
     "conn show [NAME]\n"
     "\n"
     "Lists every profile, or only NAME.\n"},
    {"conn delete", mcumgr_cmd_conn_delete, "delete a connection profile",
     "conn delete NAME\n"},
    {"bridge", mcumgr_cmd_bridge, "relay SMP between a serial board and UDP",
     "bridge --serial DEV[,baud=N][,raw=1] [--udp ADDRESS:PORT]\n"
     "\n"
     "Keeps a board on this machine's serial port reachable over UDP, e.g. from a workstation\n"
     "with mcumgr --conntype udp --connstring HELPER:1337. A relay of whole SMP packets, not a\n"
     "server: the board answers, and each answer goes to the client whose request had its\n"
     "sequence number. One board per port. Runs until Ctrl-C or SIGTERM.\n"
     "SMP has no authentication: anyone who reaches the port can update the board. The\n"
     "default is loopback; a wider address (0.0.0.0:1337) is your explicit choice.\n"
     "\n"
     "  --serial DEV[,baud=N][,raw=1]  the board's port (serial connstring; baud 115200)\n"
     "  --udp ADDRESS:PORT             where to listen (default 127.0.0.1:1337)\n"},
    {"fleet upgrade", mcumgr_cmd_fleet_upgrade, "upgrade many boards at once",
     "fleet upgrade FILE BOARDS [--jobs N] [--test | --confirm] [--wait]\n"
     "\n"
     "The one-step upgrade (as mcumgr upgrade: upload, test, reset, confirm once it runs) on\n"
     "every board in parallel, each in a process of its own: one failing board never stops\n"
     "the others. A board already running FILE is skipped; running the same command again\n"
     "resumes the boards that did not finish. On a terminal one live line per board (state,\n"
     "%, rate); at the end a table (board, old version, new version, time, result), or the\n"
     "report as JSON with --json. Exit status 1 when any board failed.\n"
     "\n"
     "BOARDS is any mix of:\n"
     "  -c, --conn NAME             a profile (repeat for more boards)\n"
     "  --profiles-matching GLOB    every profile whose name matches, e.g. 'lab-*'\n"
     "  --conn-file FILE            a board a line: a profile name, or TYPE CONNSTRING\n"
     "                              ('#' starts a comment)\n"
     "  -j, --jobs N                at most N boards at once (default: all of them; boards on\n"
     "                              the same serial port always one after the other)\n"
     "  --test                      one test boot only: the image is not confirmed\n"
     "  --confirm                   confirm the new image once it runs (the default)\n"
     "  --wait                      after the reset, wait for each board to come back and\n"
     "                              check that it runs the new image\n"},
    {"fleet list", mcumgr_cmd_fleet_list, "the image list of many boards in one table",
     "fleet list BOARDS [--jobs N]\n"
     "\n"
     "Reads every board's image list at once and prints one table: board, image, slot,\n"
     "version, flags, the first 4 bytes of the hash. --json gives the same as JSON. BOARDS as\n"
     "for fleet upgrade (-c NAME..., --profiles-matching GLOB, --conn-file FILE).\n"},
    {"echo", mcumgr_cmd_echo, "send text and print the device's echo",
     "echo TEXT...\n"
     "\n"
     "Sends the arguments, joined by spaces, and prints what the device sends back.\n" CONN_HINT},
    {"reset", mcumgr_cmd_reset, "reset the device",
     "reset [-f]\n"
     "\n"
     "  -f, --force          reset even if the application refuses\n" CONN_HINT},
    {"taskstat", mcumgr_cmd_taskstat, "print the device's threads",
     "taskstat\n" CONN_HINT},
    {"mpstat", mcumgr_cmd_mpstat, "print the device's memory pools",
     "mpstat\n" CONN_HINT},
    {"datetime", mcumgr_cmd_datetime, "read or set the device's clock",
     "datetime [VALUE]\n"
     "\n"
     "Without VALUE prints the device's date and time; with it sets them.\n"
     "  VALUE                RFC 3339 time, e.g. 2026-01-02T03:04:05\n" CONN_HINT},
    {"params", mcumgr_cmd_params, "print the device's SMP buffer size and count",
     "params\n" CONN_HINT},
    {"os-info", mcumgr_cmd_os_info, "print the device's OS and hardware (like uname)",
     "os-info [-f FORMAT]\n"
     "\n"
     "  -f, --format FORMAT  uname letters, e.g. a (all), s (kernel name), v (version)\n"
     CONN_HINT},
    {"bootloader-info", mcumgr_cmd_bootloader_info, "print the bootloader's name or mode",
     "bootloader-info [--query QUERY]\n"
     "\n"
     "  --query QUERY        ask for one property, e.g. mode (MCUboot's upgrade mode)\n" CONN_HINT},
    {"image list", mcumgr_cmd_image_list, "list the images in the slots and their flags",
     "image list\n"
     "\n"
     "Prints the Go mcumgr's exact text (image, slot, version, flags, hash).\n" CONN_HINT},
    {"image upload", mcumgr_image_upload, "upload an image, optionally test, reset and check it",
     "image upload FILE [-n IMAGE] [-u] [-w WINDOW] [--max-packet BYTES] [--test|--confirm] "
     "[--reset [--wait]]\n"
     "\n"
     "Uploads a signed image into the secondary slot and succeeds only when the device lists\n"
     "the file's hash for that slot. A file larger than the slot's room (image slot-info) is\n"
     "refused before anything is sent. An interrupted upload of the same file resumes where\n"
     "the device stopped; Ctrl-C says how.\n"
     "\n"
     "  FILE                 the signed image (imgtool sign)\n"
     "  -n, --image IMAGE    image number, 0 to 255 (default 0)\n"
     "  -u, --upgrade        refuse an image older than the running one\n"
     "  -w, --maxwinsize WINDOW\n"
     "                       requests in flight, 1 to 32 (default: the device's buffers less 1)\n"
     "  --chunk BYTES        data bytes per request at most (default: fill the packet)\n"
     "  --max-packet BYTES   largest SMP packet, header included, 128 to 65535 (default: the\n"
     "                       device's buffer; halved while the first chunk gets no reply)\n"
     "  --test               mark the new image for one test boot\n"
     "  --confirm            mark it permanent; with --reset, confirm it once it runs\n"
     "  --reset              reset the device after the upload (and the marking)\n"
     "  --wait               after --reset, wait for the board and check the new image runs\n"
     "  -e, --noerase        accepted for the Go tool's scripts (the first chunk erases)\n"
     CONN_HINT},
    {"image test", mcumgr_cmd_image_test, "mark an image for one test boot",
     "image test HASH\n"
     "\n"
     "  HASH                 the image's hash, as image list prints it (hex)\n" CONN_HINT},
    {"image confirm", mcumgr_cmd_image_confirm, "make an image permanent",
     "image confirm [HASH]\n"
     "\n"
     "  HASH                 the image to confirm (hex); without it, the running image\n"
     CONN_HINT},
    {"image erase", mcumgr_cmd_image_erase, "erase the secondary slot",
     "image erase [--slot N]\n"
     "\n"
     "  -s, --slot N         the slot to erase, 0 to 255 (default: the device's choice)\n"
     CONN_HINT},
    {"image slot-info", mcumgr_cmd_image_slot_info, "print slot sizes and the largest image",
     "image slot-info\n" CONN_HINT},
    {"upgrade", mcumgr_cmd_upgrade, "upload, test, reset, wait, check and confirm in one step",
     "upgrade FILE [--test] [-n IMAGE] [-w WINDOW]\n"
     "\n"
     "The same as image upload FILE --reset --confirm: the new image is tested, the board\n"
     "reset, and the image confirmed once it runs.\n"
     "\n"
     "  FILE                 the signed image\n"
     "  --test               stop after checking that it runs (do not confirm)\n"
     "  -n, --image IMAGE    image number (default 0)\n"
     "  -w, --maxwinsize WINDOW\n"
     "                       requests in flight, 1 to 32\n" CONN_HINT},
    {"fs upload", mcumgr_cmd_fs_upload, "copy a local file to the device's file system",
     "fs upload LOCAL REMOTE\n"
     "\n"
     "  LOCAL                the file on this computer\n"
     "  REMOTE               the path on the device, e.g. /lfs/config.txt\n" CONN_HINT},
    {"fs download", mcumgr_cmd_fs_download, "copy a file from the device",
     "fs download REMOTE LOCAL\n"
     "\n"
     "  REMOTE               the path on the device\n"
     "  LOCAL                the file to write (replaced only when the transfer succeeds)\n"
     CONN_HINT},
    {"fs stat", mcumgr_cmd_fs_stat, "print the size of a file on the device",
     "fs stat REMOTE\n" CONN_HINT},
    {"fs hash", mcumgr_cmd_fs_hash, "print the hash or checksum of a file on the device",
     "fs hash REMOTE [--type TYPE]\n"
     "\n"
     "  --type TYPE          sha256 or crc32 (default: the device's choice)\n" CONN_HINT},
    {"shell exec", mcumgr_cmd_shell_exec, "run a command on the device's shell",
     "shell exec CMD [ARGS...]\n"
     "\n"
     "Prints the command's output; exits 1 when the command returns non-zero.\n" CONN_HINT},
    {"stat", mcumgr_cmd_stat, "list the statistics groups, or print one",
     "stat list | stat GROUP\n"
     "\n"
     "  list                 the names of the statistics groups\n"
     "  GROUP                that group's counters\n" CONN_HINT},
    {"settings read", mcumgr_cmd_settings_read, "print a setting's value",
     "settings read NAME\n" CONN_HINT},
    {"settings write", mcumgr_cmd_settings_write, "set a setting (in RAM until saved)",
     "settings write NAME VALUE\n" CONN_HINT},
    {"settings delete", mcumgr_cmd_settings_delete, "delete a setting",
     "settings delete NAME\n" CONN_HINT},
    {"settings commit", mcumgr_cmd_settings_commit, "apply the written settings",
     "settings commit\n" CONN_HINT},
    {"settings load", mcumgr_cmd_settings_load, "load the settings from storage",
     "settings load\n" CONN_HINT},
    {"settings save", mcumgr_cmd_settings_save, "save the settings to storage",
     "settings save\n" CONN_HINT},
    {"config", mcumgr_cmd_config, "read or write a setting as text (the Go tool's command)",
     "config VAR [VALUE]\n" CONN_HINT},
    {"enum", mcumgr_cmd_enum, "list the SMP groups the device offers",
     "enum [count|list|details]\n"
     "\n"
     "  count                how many groups\n"
     "  list                 their ids\n"
     "  details              ids, names and handler counts (the default)\n" CONN_HINT},
    {"version", cmd_version, "print mcumgr's version",
     "version\n"},
    {"help", mcumgr_cmd_help, "print the overview, the command list or a command's usage",
     "help [--commands | COMMAND]\n"
     "\n"
     "  (nothing)            the overview: every command and the flags\n"
     "  --commands           one line per command: its name, a tab, its summary\n"
     "  COMMAND              that command's usage, e.g. help image upload (the same as\n"
     "                       mcumgr image upload --help)\n"},
};

_Static_assert(sizeof(commands) / sizeof(commands[0]) <= MCUMGR_MAX_COMMANDS,
               "raise MCUMGR_MAX_COMMANDS");

const struct mcumgr_cmd *mcumgr_commands(size_t *count)
{
    *count = sizeof(commands) / sizeof(commands[0]);
    return commands;
}

/* Does name equal the words argv[0] (and argv[1] when two)? */
static bool name_is(const char *name, int argc, char **argv, int words)
{
    const char *sp = strchr(name, ' ');
    if ((sp != NULL) != (words == 2) || argc < words) {
        return false;
    }
    if (words == 1) {
        return strcmp(name, argv[0]) == 0;
    }
    size_t n = (size_t)(sp - name);
    return strlen(argv[0]) == n && strncmp(name, argv[0], n) == 0 && strcmp(sp + 1, argv[1]) == 0;
}

const struct mcumgr_cmd *mcumgr_find_command(int argc, char **argv, int *words)
{
    for (int w = 2; w >= 1; w--) {
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
            if (name_is(commands[i].name, argc, argv, w)) {
                *words = w;
                return &commands[i];
            }
        }
    }
    return NULL;
}
