#!/bin/busybox sh
# PID 1 of a kernel-matrix guest (`cargo xtask kernel-matrix`). Results go to the second
# serial port (ttyS1), apart from the kernel's console (ttyS0), so that kernel messages never
# land inside the TAP. The initramfs itself is "rootfs", where pivot_root(2) fails with EINVAL
# (fs_test pivots in its mount namespaces): the init first copies itself to a tmpfs and switches
# root to it. It ends with `reboot -f`, which qemu (-no-reboot) takes as the end: a minimal
# kernel without ACPI cannot power off.
export PATH=/bin HOME=/tmp TMPDIR=/tmp
if [ ! -e /.km-root ]; then
    /bin/busybox mkdir -p /newroot
    /bin/busybox mount -t tmpfs -o mode=755 root /newroot
    for entry in /*; do
        [ "$entry" = /newroot ] || /bin/busybox cp -a "$entry" /newroot/
    done
    /bin/busybox touch /newroot/.km-root
    exec /bin/busybox switch_root /newroot /init
fi
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The root is a tmpfs already: no tmpfs on /tmp, which would hide suites built under /tmp.
chmod 1777 /tmp
if grep -qw cgroup2 /proc/filesystems; then
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
fi
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
say() { echo "$*"; echo "$*" >&3; }
now() { cut -d' ' -f1 /proc/uptime; }
for m in $(cat /modules/order 2>/dev/null); do
    insmod "/modules/$m.ko" || say "KM-WARNING insmod $m failed"
done
[ -f /env ] && . /env
say "KM-GUEST kernel=$(uname -r) uptime=$(now) cmdline=$(cat /proc/cmdline)"
while read -r t exe; do
    say "KM-SUITE-BEGIN $t uptime=$(now)"
    # shellcheck disable=SC2046 # the extra arguments are words
    (cd /tmp && "$exe" --format tap --test-threads "$(cat /threads)" $(cat /suite-args)) \
        </dev/null >&3 2>&1
    rc=$?
    say "KM-SUITE-END $t rc=$rc uptime=$(now)"
done </suites
say "KM-GUEST-DONE uptime=$(now)"
reboot -f
