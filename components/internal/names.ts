/** Physical names derived from a component's URN: stable across runs, unique per project, stack and parent. */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** `<name>-<8 hex of sha256(urn)>`. Pure. */
export function urnSuffixedName(name: string, urn: string): string {
    return `${name}-${crypto.createHash("sha256").update(urn).digest("hex").slice(0, 8)}`;
}

/**
 * `urnSuffixedName` of a component as a plain promise: an input that depends on `this.urn` as an output
 * would make the child depend on its own parent component, which waits for its children.
 */
export function urnName(component: pulumi.Resource, name: string): Promise<string> {
    return new Promise((resolve) =>
        component.urn.apply((urn) => resolve(urnSuffixedName(name, urn))),
    );
}
