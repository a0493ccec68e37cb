// A small ext4 file system in a loop image, for the power-cut test: made, mounted, copied the
// way a power cut would leave it, and the copies attached and mounted. Needs root (losetup,
// mkfs.ext4, mount); `whyNoExt4Disk` says why not where that is refused.
//
// What a copy holds: the image is read through the loop device with O_DIRECT (`dd
// iflag=direct`), so it is exactly what the kernel has written to the device. Data still in
// the page cache of the mounted file system (written, never synced or written back) and
// metadata buffers not yet written are not in it: the disk after a power cut.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface MountedImage {
  readonly image: string;
  readonly device: string;
  readonly mountPoint: string;
}

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${command} ${args.join(' ')}: ${stderr || (error as Error).message}`);
  }
}

/** Why no ext4 disk can be made here (undefined: it can be tried). */
export function whyNoExt4Disk(): string | undefined {
  if (process.platform !== 'linux') return `loop devices and ext4 are Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'attaching a loop device and mounting need root';
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount', 'dd', 'e2fsck']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

const attached: MountedImage[] = [];
const folders: string[] = [];

/** Attaches an image to a free loop device and mounts it (ext4, with `options`). */
export function attachAndMount(image: string, options: string): MountedImage {
  const device = run('losetup', ['-f', '--show', image]);
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-ext4-mnt-'));
  folders.push(mountPoint);
  try {
    run('mount', ['-t', 'ext4', '-o', options, device, mountPoint]);
  } catch (error) {
    run('losetup', ['-d', device]);
    throw error;
  }
  const mounted = { image, device, mountPoint };
  attached.push(mounted);
  return mounted;
}

/**
 * A new ext4 image of `sizeMiB`, mounted. The journal is large for the size (so the kernel
 * rarely needs to checkpoint it, and a copy taken over a fraction of a second is unlikely to
 * catch a checkpoint half written).
 */
export function makeExt4Disk(sizeMiB: number, mountOptions: string): MountedImage {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tension-ext4-'));
  folders.push(dir);
  const image = path.join(dir, 'disk.img');
  fs.closeSync(fs.openSync(image, 'w'));
  fs.truncateSync(image, sizeMiB << 20);
  run('mkfs.ext4', ['-q', '-F', '-b', '4096', '-J', `size=${Math.max(4, sizeMiB >> 2)}`, image]);
  return attachAndMount(image, mountOptions);
}

/** What a power cut would leave of the disk now: the device read with O_DIRECT into a new image. */
export function copyAsPowerCut(disk: MountedImage, target: string): void {
  run('dd', [`if=${disk.device}`, `of=${target}`, 'bs=4M', 'iflag=direct', 'status=none']);
}

/** Problems a read-only e2fsck finds on an unmounted image (mount it once first, to replay its journal); empty when clean. */
export function fsckProblems(image: string): string[] {
  try {
    execFileSync('e2fsck', ['-f', '-n', image], { stdio: ['ignore', 'pipe', 'pipe'] });
    return [];
  } catch (error) {
    const status = (error as { status?: number }).status;
    const out = `${(error as { stdout?: Buffer }).stdout?.toString() ?? ''}`.trim();
    return [`e2fsck exit ${status}: ${out.split('\n').slice(-6).join(' | ')}`];
  }
}

export function unmount(disk: MountedImage): void {
  try {
    run('umount', [disk.mountPoint]);
  } catch {
    run('umount', ['-l', disk.mountPoint]);
  }
  try {
    run('losetup', ['-d', disk.device]);
  } catch {
    // detached already (or busy: the kernel detaches it once the lazy unmount lets go)
  }
  attached.splice(attached.indexOf(disk), 1);
}

/** Unmounts and detaches everything this module attached, and removes its folders. */
export function cleanUpExt4Disks(): void {
  for (const disk of [...attached].reverse()) {
    try {
      unmount(disk);
    } catch {
      // keep going: the rest still needs detaching
    }
  }
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
