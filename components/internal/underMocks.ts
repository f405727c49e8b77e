/** Whether the program runs under `pulumi.runtime.setMocks`: what the mocks engine must not do (network, live status lines). */
import * as pulumi from "@pulumi/pulumi";

/**
 * @internal Reads Pulumi internals (`MockMonitor`, `getMonitor`), exported and stable across 3.x but
 * not public API; this is their only use.
 */
export function underMocks(): boolean {
    void pulumi; // the SDK is loaded, so its runtime modules are the program's own
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as {
        MockMonitor: new (...a: never[]) => unknown;
    };
    const { getMonitor } = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return getMonitor() instanceof MockMonitor;
}
