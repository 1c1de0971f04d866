/** Names the API server accepts: DNS-1123 labels for containers and volumes, env names, IPs, hostnames. */
import fc from "fast-check";

/** A DNS-1123 label (at most 63 characters). */
export const dnsLabelArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/),
  fc.constant(`v${"x".repeat(61)}9`),
);

export const ipArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("127.0.0.1", "10.0.0.5", "192.168.1.10", "::1", "fd00::5"),
  fc.ipV4(),
);

export const hostnameArb: fc.Arbitrary<string> = fc.constantFrom(
  "docker", "docker", "registry.local", "gitlab.example.com", "docker.local", "minio", "docker-daemon",
);

export const searchDomainArb: fc.Arbitrary<string> = fc.constantFrom(
  "svc.cluster.local", "cluster.local", "example.com", "ci.internal", "ns.svc.cluster.local",
);

/** Env names: the CA variables the webhook sets, CI secrets, and random C identifiers. */
export const envNameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "DOCKER_HOST", "DOCKER_TLS_CERTDIR",
    "JENKINS_SECRET", "CI_JOB_TOKEN", "ACTIONS_RUNNER_INPUT_JITCONFIG", "HOME", "FF_USE_FASTZIP"),
  fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/),
);

/** Values that look like secrets (the webhook must never echo them) or like ordinary settings. */
export const envValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^glpat-[A-Za-z0-9_-]{20}$/),
  fc.constantFrom("", "tcp://docker:2375", "unix:///var/run/docker.sock", "/etc/ssl/certs/ca-certificates.crt", "true"),
  fc.string({ maxLength: 12 }),
);
