/** Recognises Docker-in-Docker daemon containers by image and command, never by container name. */
import type { Container, Pod } from "../k8s/pod.js";
import { listContainers } from "../k8s/pod.js";

const DOCKERD = /(^|[\s/;&|])dockerd(-entrypoint\.sh)?(\s|$|;)/;

/**
 * A DinD container runs an image whose last path segment is `docker` with a tag containing `dind`
 * (`docker:27.3-dind`, `mirror.example.com/docker:dind`), or any image whose repository contains `dind`,
 * or a command/args that start `dockerd` / `dockerd-entrypoint.sh`.
 */
export function isDindContainer(container: Container): boolean {
  if (typeof container.image === "string" && isDindImage(container.image)) return true;
  const words = [...stringsOf(container.command), ...stringsOf(container.args)];
  return words.some((word) => DOCKERD.test(word));
}

export function hasDindContainer(pod: Pod): boolean {
  return listContainers(pod).some(({ container }) => isDindContainer(container));
}

export function isDindImage(image: string): boolean {
  const withoutDigest = image.split("@")[0] ?? "";
  const lastSlash = withoutDigest.lastIndexOf("/");
  const lastSegment = withoutDigest.slice(lastSlash + 1);
  const colon = lastSegment.indexOf(":");
  const name = colon === -1 ? lastSegment : lastSegment.slice(0, colon);
  const tag = colon === -1 ? "" : lastSegment.slice(colon + 1);
  const repository = withoutDigest.slice(0, lastSlash + 1) + name;
  if (name === "docker" && tag.includes("dind")) return true;
  return repository.toLowerCase().includes("dind");
}

function stringsOf(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === "string") : [];
}
