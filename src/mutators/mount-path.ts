/** POSIX mountPath normalisation and containment, as the kubelet sees paths. */
import { posix } from "node:path";

/**
 * Resolves a mountPath the way it lands in the container: relative paths against `/`, `//`, `.`, `..` and
 * trailing slashes folded (`//dev`, `/dev/`, `/builds/../proc` become `/dev`, `/dev`, `/proc`).
 * GitLab Runner uses builds_dir literally and expands variables in mount paths without cleaning them.
 */
export function normaliseMountPath(mountPath: string): string {
  // Most mount paths are already normal; resolving them is the guard's main cost on large pods.
  return ALREADY_NORMAL.test(mountPath) ? mountPath : posix.resolve("/", mountPath);
}

/** Absolute, no empty, `.` or `..` segment, no trailing slash (or exactly `/`). */
const ALREADY_NORMAL = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$|^\/$/;

const SLASH = 0x2f;

/** Whether `path` is `dir` itself or lies below it. Both must be normalised. */
export function isAtOrUnder(path: string, dir: string): boolean {
  if (dir === "/") return true;
  // Without building `${dir}/`: this runs for every mount against every rule.
  return path === dir || (path.length > dir.length && path.charCodeAt(dir.length) === SLASH && path.startsWith(dir));
}

/** Whether two normalised paths overlap: equal, or one contains the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return isAtOrUnder(a, b) || isAtOrUnder(b, a);
}
