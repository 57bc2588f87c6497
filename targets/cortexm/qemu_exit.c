/* Exits at once: the bench's measure of QEMU's own start-to-exit time on this board. */
#include "mps2.h"

int main(void)
{
    mps2_semihost_exit();
}
