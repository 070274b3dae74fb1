#!/usr/bin/env bash
# Boots Debian's own kernel (BPF LSM on by default) under qemu with an initramfs holding
# mcpsandbox, the escape probe and busybox, and runs the BPF LSM tests there: on our CI VMs
# LSM programs cannot load, so this is where L5 is tested for real (KERNEL.md).
# Usage: run-vm-tests.sh BUILD_DIR. Exit 0 all passed, 1 a test failed, 77 skipped (printed why).
set -euo pipefail
build=$(cd "$1" && pwd)
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
qemu=$(command -v qemu-system-x86_64 || true)
busybox=$(command -v busybox || ls /bin/busybox 2>/dev/null || true)
for need in "$kernel:linux-image-amd64" "$qemu:qemu-system-x86" "$busybox:busybox-static"; do
  if [[ -z ${need%%:*} ]]; then
    echo "SKIP: ${need#*:} is not installed (scripts/install-deps.sh installs it)"
    exit 77
  fi
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"  # the VM's /: an ordinary user's test runs there too
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,root}
cp "$busybox" "$root/bin/busybox"
for tool in sh mount mkdir cat echo grep sleep kill poweroff sed head wc pidof tr ip chown ls rm; do
  ln -s busybox "$root/bin/$tool"
done
# The binaries under test and every shared library they load, at the same paths.
for binary in "$build/mcpsandbox" "$build/tests/escape_probe" "$build/tests/grant_server"; do
  cp "$binary" "$root/bin/"
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
cp "$(dirname "$0")/vm-init.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > initrd.gz)

# Software emulation: nested KVM is unreliable on the CI VMs (it hangs at boot there), and TCG
# boots this kernel in seconds. MCPSANDBOX_VM_ACCEL=kvm opts in where it works.
accel=${MCPSANDBOX_VM_ACCEL:-tcg}
echo "booting $(basename "$kernel") under qemu ($accel)"
output=$(timeout 240 "$qemu" -accel "$accel" -m 1024 -smp 2 -nographic -no-reboot \
  -kernel "$kernel" -initrd "$root/initrd.gz" \
  -append "console=ttyS0 quiet panic=-1" </dev/null 2>&1 || true)
echo "$output" | grep -E '^(VMTEST|mcpsandbox)' | tr -d '\r' || true
if ! echo "$output" | grep -q '^VMTEST DONE'; then
  echo "the VM did not finish its tests; serial output:"
  echo "$output" | tail -n 40
  exit 1
fi
passed=$(echo "$output" | grep -c '^VMTEST PASS' || true)
failed=$(echo "$output" | grep -c '^VMTEST FAIL' || true)
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
