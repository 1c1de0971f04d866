/**
 * Which namespaces hold the CA bundle ConfigMap (with its key): an informer (list + watch) across
 * namespaces on ConfigMaps of one name. Mounting a ConfigMap that does not exist leaves the pod stuck
 * in ContainerCreating, so ca-trust injects only where this says present.
 */
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { errorMessage, type Logger } from "../log.js";

const RESTART_DELAY_MS = 5_000;

export class CaPresenceCache {
  #informer: ListWatch<V1ConfigMap> | undefined;
  #synced = false;
  #stopped = false;
  #name = "";
  #key = "";

  constructor(private readonly kc: KubeConfig, private readonly logger: Logger) {}

  get synced(): boolean {
    return this.#synced;
  }

  get watching(): { name: string; key: string } {
    return { name: this.#name, key: this.#key };
  }

  /** Starts (or restarts, when the name changed) the informer; resolves after the first list. */
  async start(name: string, key: string): Promise<void> {
    if (this.#informer && name === this.#name) {
      this.#key = key;
      return;
    }
    await this.stop();
    this.#stopped = false;
    this.#name = name;
    this.#key = key;
    this.#synced = false;
    const api = this.kc.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${name}`;
    const informer = new ListWatch<V1ConfigMap>("/api/v1/configmaps", new Watch(this.kc), () => api.listConfigMapForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector);
    informer.on("error", (err: unknown) => {
      this.logger.warn({ err: errorMessage(err), configMap: name }, "CA bundle informer failed; restarting");
      setTimeout(() => {
        if (!this.#stopped && this.#informer === informer) void informer.start().catch(() => undefined);
      }, RESTART_DELAY_MS).unref();
    });
    this.#informer = informer;
    await informer.start();
    this.#synced = true;
    this.logger.info({ configMap: name, namespaces: informer.list().length }, "CA bundle presence cache synced");
  }

  /** Whether the ConfigMap, with the configured key, exists in `namespace`. */
  present(namespace: string): boolean {
    const configMap = this.#informer?.get(this.#name, namespace);
    if (!configMap) return false;
    return Object.hasOwn(configMap.data ?? {}, this.#key) || Object.hasOwn(configMap.binaryData ?? {}, this.#key);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const informer = this.#informer;
    this.#informer = undefined;
    if (informer) await informer.stop();
  }
}
